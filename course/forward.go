// Lesson 1: the forward process x_t = sqrt(alpha_t) x_0 + sqrt(1 - alpha_t) eps
// and the linear and cosine schedules (lessons/01-forward-process.md).

package course

import (
	"context"
	"fmt"
	"math"

	"difftoy/toy"
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

// Forward runs lesson 1: the two schedules' landmarks, the step-by-step
// chain against the one-jump formula, and a dataset diffusing to N(0, I).
func Forward(cfg Config, fs ForwardSetup) (*Result, error) {
	r := &Result{}
	lin := toy.DDPM()
	cos, err := toy.Cosine(1000, 0.008)
	if err != nil {
		return nil, err
	}
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

	// The chain, step by step, from one fixed x_0, against the closed form.
	steps := []int{}
	for _, t := range fs.Steps {
		if t > 0 {
			steps = append(steps, t)
		}
	}
	x0 := make([]float64, 2*fs.Chains)
	for i := 0; i < fs.Chains; i++ {
		copy(x0[2*i:], fs.X0)
	}
	states := toy.Chain(lin, x0, steps, cfg.rng(1))
	worstMean, worstVar := 0.0, 0.0
	n := float64(fs.Chains)
	for k, t := range steps {
		a := lin.Alpha(t)
		for j := 0; j < 2; j++ {
			var m, v float64
			for i := 0; i < fs.Chains; i++ {
				m += states[k][2*i+j]
			}
			m /= n
			for i := 0; i < fs.Chains; i++ {
				d := states[k][2*i+j] - m
				v += d * d
			}
			v /= n - 1
			// Standard errors: mean sqrt((1-a)/n); variance (1-a) sqrt(2/n).
			worstMean = math.Max(worstMean, math.Abs(m-math.Sqrt(a)*fs.X0[j])/math.Sqrt((1-a)/n))
			worstVar = math.Max(worstVar, math.Abs(v-(1-a))/((1-a)*math.Sqrt(2/n)))
		}
	}
	r.add("chain_mean_z", worstMean, "largest |chain mean - sqrt(alpha_t) x_0| in standard errors")
	r.add("chain_var_z", worstVar, "largest |chain variance - (1 - alpha_t)| in standard errors")

	// A dataset diffusing: forward samples against exact samples of q_t.
	ds, err := scaled(load(fs.Dataset, fs.Points, cfg.rng(2)), fs.Scale)
	if err != nil {
		return nil, err
	}
	g := window(3.5, 60)
	var scenes []viz.Scene
	src := cfg.rng(3)
	worst := 0.0
	for _, t := range fs.Steps {
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
	// The step-by-step chain from the data against one jump of fresh data.
	chainStates := toy.Chain(lin, ds.Points, steps, src)
	worstChain := 0.0
	for k, t := range steps {
		a := lin.Alpha(t)
		ec := energyCheck(chainStates[k], func(n int) []float64 {
			return toy.AddNoise(nil, nil, exactSample(ds.Exact, n, 1, src), a, src)
		}, 10)
		worstChain = math.Max(worstChain, ec.Energy/ec.Noise)
	}
	r.add("chain_vs_jump", worstChain, "largest energy distance between step-by-step chains from the data and one-jump samples, in units of its noise level")
	r.add("forward_vs_exact", worst, "largest energy distance between forward samples and exact q_t samples, in units of its noise level (the largest over the steps: below 3 for a perfect sampler)")
	for _, s := range []*toy.Schedule{lin, cos} {
		xT := toy.AddNoise(nil, nil, ds.Points, s.Alpha(s.T()), src)
		ec := energyCheck(xT, func(n int) []float64 { return gauss(n, src) }, 10)
		r.add(s.Name+"/qT_vs_normal", ec.Energy/ec.Noise, "energy distance between q_T samples and N(0, I) samples, in units of its noise level")
	}
	r.Charts = append(r.Charts, forwardCharts(fs, ds, lin, cos, scenes, steps, states, cfg.rng(100))...)
	forwardClaims(r)
	return r, nil
}

func runForward(ctx context.Context, cfg Config, p Progress) (*Result, error) {
	return Forward(cfg, DefaultForward(cfg))
}
