// Lesson 1: the forward process x_t = sqrt(alpha_t) x_0 + sqrt(1 - alpha_t) eps
// and the linear and cosine schedules (lessons/01-forward-process.md).

package course

import (
	"fmt"
	"math"
	"math/rand/v2"

	"difftoy/toy"
	"difftoy/toy/datasets"
	"difftoy/viz"
)

// ForwardSetup is what lesson 1 varies.
type ForwardSetup struct {
	Dataset string    // data to diffuse
	Steps   []int     // steps t shown and checked
	Chains  int       // chains simulated step by step from one fixed x_0
	Points  int       // samples per panel and per energy distance
	X0      []float64 // the fixed start of the chains
	Scale   float64   // the data are multiplied by Scale (1: as loaded; exercise 4 tries 10)
}

// DefaultForward is the setup of lesson 1.
func DefaultForward(cfg Config) ForwardSetup {
	return ForwardSetup{
		Dataset: "eight-gaussians",
		Steps:   []int{0, 50, 100, 250, 500, 1000},
		Chains:  cfg.size(4000, 1000),
		Points:  cfg.size(800, 300),
		X0:      []float64{1, 0.5},
		Scale:   1,
	}
}

// The random streams of lesson 1 (Config.rng), one for each thing drawn.
const (
	streamForwardChains = 1   // the chains run step by step from the fixed x_0
	streamForwardData   = 2   // the dataset
	streamForwardNoise  = 3   // forward noise, and the fresh samples of the energy checks
	streamForwardCharts = 100 // the cosine panels and the one-jump samples of the charts
)

// Forward runs lesson 1: the two schedules' landmarks, the step-by-step
// chain against the one-jump formula, and a dataset diffusing to N(0, I).
func Forward(cfg Config, fs ForwardSetup) (*Result, error) {
	lin := toy.DDPM()
	cos, err := toy.Cosine(1000, 0.008)
	if err != nil {
		return nil, err
	}
	ds, err := loadDataset("course.Forward", fs.Dataset, fs.Points, cfg.rng(streamForwardData))
	if err != nil {
		return nil, err
	}
	if ds, err = scaled(ds, fs.Scale); err != nil {
		return nil, err
	}
	r := &Result{}
	addScheduleLandmarks(r, lin, cos)

	// The chain, step by step, from one fixed x_0, against the closed form.
	steps := positiveSteps(fs.Steps)
	states := toy.Chain(lin, repeatPoint(fs.X0, fs.Chains), steps, cfg.rng(streamForwardChains))
	meanZ, varZ := chainMomentsZ(lin, steps, states, fs.X0)
	r.add("chain_mean_z", meanZ, "largest |chain mean - sqrt(alpha_t) x_0| in standard errors")
	r.add("chain_var_z", varZ, "largest |chain variance - (1 - alpha_t)| in standard errors")

	// The dataset diffusing: forward samples against exact samples of q_t,
	// step-by-step chains from the data against one jump, q_T against N(0, I).
	src := cfg.rng(streamForwardNoise)
	scenes, worst := forwardAgainstExact(lin, ds, fs.Steps, src)
	r.add("chain_vs_jump", chainAgainstJump(lin, ds, steps, src), "largest energy distance between step-by-step chains from the data and one-jump samples, in units of its noise level")
	r.add("forward_vs_exact", worst, "largest energy distance between forward samples and exact q_t samples, in units of its noise level (the largest over the steps: below 3 for a perfect sampler)")
	for _, s := range []*toy.Schedule{lin, cos} {
		r.add(s.Name+"/qT_vs_normal", lastAgainstNormal(s, ds, src), "energy distance between q_T samples and N(0, I) samples, in units of its noise level")
	}
	r.Charts = append(r.Charts, forwardCharts(fs, ds, lin, cos, scenes, steps, states, cfg.rng(streamForwardCharts))...)
	forwardClaims(r)
	return r, nil
}

// forwardClaims: lesson 1.
func forwardClaims(r *Result) {
	for _, s := range []struct {
		key, name    string
		lo, hi, half float64
	}{
		{"linear", "linear", 0.07, 0.09, 260},
		{"cosine", "cosine", 0.45, 0.55, 497},
	} {
		ref := 2
		if s.key == "cosine" {
			ref = 3
		}
		r.claims(
			cl(ref, "The "+s.name+" schedule keeps less than 1e-4 of the data's signal at t = T.", "α_T ("+s.name+")", r.value(s.key+"/alpha_T"), Below, 1e-4),
			cl(ref, "Half way through the "+s.name+" schedule, α_500 lies in the lesson's interval.", "α_500 ("+s.name+")", r.value(s.key+"/alpha_500"), Between, s.lo).hi(s.hi),
			cl(ref, "The "+s.name+" schedule first drops below α = 1/2 at the lesson's step.", "first t with α_t < 1/2 ("+s.name+")", r.value(s.key+"/half_step"), Near, s.half).hi(5),
		)
	}
	r.claims(
		cl(4, "The cosine α_t is above the linear one at every step from 1 to 990.", "steps of 990 with cosine above linear", r.value("cosine_above_linear"), AtLeast, 990),
		// Ten comparisons (5 steps x 2 coordinates) each: bound 4.
		cl(5, "Step-by-step chains have mean √α_t x_0 (largest of ten deviations, in standard errors).", "largest mean deviation (SE)", r.value("chain_mean_z"), Below, 4),
		cl(5, "Step-by-step chains have variance 1 − α_t (largest of ten deviations, in standard errors).", "largest variance deviation (SE)", r.value("chain_var_z"), Below, 4),
		ratioClaim(6, "Chains run step by step from the data match one-jump samples (largest over the steps).", "chain vs one jump", r.value("chain_vs_jump")),
		ratioClaim(7, "Forward samples match exact samples of the closed-form q_t (largest over the steps).", "forward vs exact q_t", r.value("forward_vs_exact")),
		ratioClaim(8, "At t = T the linear schedule's q_T is N(0, I).", "q_T vs N(0, I), linear", r.value("linear/qT_vs_normal")),
		ratioClaim(8, "At t = T the cosine schedule's q_T is N(0, I).", "q_T vs N(0, I), cosine", r.value("cosine/qT_vs_normal")),
	)
}

// addScheduleLandmarks adds each schedule's alpha_T, alpha_500 and first
// step below 1/2, and how many steps of 1..990 have the cosine alpha_t
// above the linear one.
func addScheduleLandmarks(r *Result, lin, cos *toy.Schedule) {
	for _, s := range []*toy.Schedule{lin, cos} {
		T := s.T()
		r.add(s.Name+"/alpha_T", s.Alpha(T), "alpha at the last step: what is left of the data")
		r.add(s.Name+"/alpha_500", s.Alpha(500), "alpha half way")
		r.add(s.Name+"/half_step", float64(firstBelow(T, s.Alpha, 0.5)), "first t with alpha_t < 1/2")
	}
	above := 0
	for t := 1; t <= 990; t++ {
		if cos.Alpha(t) > lin.Alpha(t) {
			above++
		}
	}
	r.add("cosine_above_linear", float64(above), "steps t in 1..990 where the cosine alpha_t exceeds the linear one (of 990)")
}

// positiveSteps returns the steps t > 0, in order.
func positiveSteps(steps []int) []int {
	out := []int{}
	for _, t := range steps {
		if t > 0 {
			out = append(out, t)
		}
	}
	return out
}

// repeatPoint returns n copies of the point p.
func repeatPoint(p []float64, n int) []float64 {
	x := make([]float64, len(p)*n)
	for i := 0; i < n; i++ {
		copy(x[len(p)*i:], p)
	}
	return x
}

// chainMomentsZ returns the largest deviations, over the steps and the two
// coordinates, of the chains' mean from sqrt(alpha_t) x_0 and of their
// variance from 1 - alpha_t, in standard errors: sqrt((1 - alpha)/n) for
// the mean, (1 - alpha) sqrt(2/n) for the variance. states[k] holds the
// chains at steps[k].
func chainMomentsZ(lin *toy.Schedule, steps []int, states [][]float64, x0 []float64) (meanZ, varZ float64) {
	for k, t := range steps {
		a := lin.Alpha(t)
		n := float64(len(states[k]) / 2)
		for j := 0; j < 2; j++ {
			var m, v float64
			for i := 0; i < len(states[k])/2; i++ {
				m += states[k][2*i+j]
			}
			m /= n
			for i := 0; i < len(states[k])/2; i++ {
				d := states[k][2*i+j] - m
				v += d * d
			}
			v /= n - 1
			meanZ = math.Max(meanZ, math.Abs(m-math.Sqrt(a)*x0[j])/math.Sqrt((1-a)/n))
			varZ = math.Max(varZ, math.Abs(v-(1-a))/((1-a)*math.Sqrt(2/n)))
		}
	}
	return meanZ, varZ
}

// forwardAgainstExact noises the data to each step with the linear
// schedule and returns the panels (samples over q_t) and the largest
// energy ratio, over the steps t > 0, between the samples and exact draws
// of q_t.
func forwardAgainstExact(lin *toy.Schedule, ds *datasets.Dataset, steps []int, src rand.Source) ([]viz.Scene, float64) {
	g := window(3.5, 60)
	var scenes []viz.Scene
	worst := 0.0
	for _, t := range steps {
		a := 1.0
		if t > 0 {
			a = lin.Alpha(t)
		}
		xt := toy.AddNoise(nil, nil, ds.Points, a, src)
		if t > 0 {
			ec := energyCheck(xt, func(n int) []float64 { return exactSample(ds.Exact, n, a, src) }, 10)
			worst = math.Max(worst, ec.Energy/ec.Noise)
		}
		scenes = append(scenes, viz.Scene{
			Title: fmt.Sprintf("t = %d, α = %.3g", t, a), Grid: g, Density: density(ds.Exact, g, a), Points: xt,
		})
	}
	return scenes, worst
}

// chainAgainstJump runs the chain step by step from the data and returns
// the largest energy ratio, over the steps, between its states and one
// jump of fresh data to the same step.
func chainAgainstJump(lin *toy.Schedule, ds *datasets.Dataset, steps []int, src rand.Source) float64 {
	states := toy.Chain(lin, ds.Points, steps, src)
	worst := 0.0
	for k, t := range steps {
		a := lin.Alpha(t)
		ec := energyCheck(states[k], func(n int) []float64 {
			return toy.AddNoise(nil, nil, exactSample(ds.Exact, n, 1, src), a, src)
		}, 10)
		worst = math.Max(worst, ec.Energy/ec.Noise)
	}
	return worst
}

// lastAgainstNormal returns the energy ratio between the data noised to
// the schedule's last step and N(0, I) draws.
func lastAgainstNormal(s *toy.Schedule, ds *datasets.Dataset, src rand.Source) float64 {
	xT := toy.AddNoise(nil, nil, ds.Points, s.Alpha(s.T()), src)
	ec := energyCheck(xT, func(n int) []float64 { return gauss(n, src) }, 10)
	return ec.Energy / ec.Noise
}

// ForwardAt draws lesson 1's data diffusing at the step t (0..T), under
// the linear and the cosine schedules side by side: forward samples over
// the exact q_t. It checks no claim; Forward does.
func ForwardAt(cfg Config, fs ForwardSetup, t int) ([]*viz.Chart, error) {
	lin := toy.DDPM()
	cos, err := toy.Cosine(1000, 0.008)
	if err != nil {
		return nil, err
	}
	if t < 0 || t > lin.T() {
		return nil, fmt.Errorf("course.ForwardAt: step t = %d outside 0..%d", t, lin.T())
	}
	ds, err := loadDataset("course.ForwardAt", fs.Dataset, fs.Points, cfg.rng(streamForwardData))
	if err != nil {
		return nil, err
	}
	if ds, err = scaled(ds, fs.Scale); err != nil {
		return nil, fmt.Errorf("course.ForwardAt: %w", err)
	}
	g := window(3.5, 60)
	src := cfg.rng(streamForwardNoise)
	var scenes []viz.Scene
	for _, s := range []*toy.Schedule{lin, cos} {
		a := 1.0
		if t > 0 {
			a = s.Alpha(t)
		}
		xt := toy.AddNoise(nil, nil, ds.Points, a, src)
		scenes = append(scenes, viz.Scene{Title: fmt.Sprintf("%s, t = %d, α = %.3g", s.Name, t, a), Grid: g,
			Density: density(ds.Exact, g, a), Points: xt})
	}
	return []*viz.Chart{viz.Plane(fmt.Sprintf("%s at t = %d: linear and cosine schedules", fs.Dataset, t), scenes,
		viz.PlaneOpts{PerPanel: true, Cols: 2}).
		WithCaption("Forward samples of x_t (dots) over the exact q_t (grey, each panel to its own peak). " +
			"Look for the linear schedule losing the modes at smaller t than the cosine one.")}, nil
}
