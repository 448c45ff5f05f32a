// Lesson 4: ancestral (DDPM) sampling x_{t-1} = A_t x_t + B_t D_t(x_t) + C_t eps
// with both variance choices, and trajectories
// (lessons/04-ancestral-sampling.md).

package course

import (
	"context"
	"fmt"
	"math"

	"difftoy/toy"
	"difftoy/toy/sample"
	"difftoy/viz"
)

// AncestralSetup is what lesson 4 varies.
type AncestralSetup struct {
	Dataset  string // data of the exact denoiser
	Samples  int    // chains per run
	FewSteps int    // the short respaced run
	// TrainedSteps is the number of respaced steps of the trained network's
	// run: each step costs a pass of the network over every chain.
	TrainedSteps int
}

// DefaultAncestral is the setup of lesson 4.
func DefaultAncestral(cfg Config) AncestralSetup {
	return AncestralSetup{Dataset: "eight-gaussians", Samples: cfg.size(1000, 400), FewSteps: 10, TrainedSteps: 250}
}

// DDPMSample runs the ancestral sampler with the given plan and variance
// from N(0, I) and returns the samples and the recorded trajectory.
func DDPMSample(den toy.Denoiser, plan *sample.Plan, v toy.Variance, n int, cfg Config, stream uint64) ([]float64, *sample.Trajectory, error) {
	tr := trajectory(plan.Len())
	s := sample.DDPM(plan, v)
	s.Record = tr
	x, err := s.Sample(nil, gauss(n, cfg.rng(stream)), den, nil, cfg.rng(stream+1))
	return x, tr, err
}

// Ancestral runs lesson 4 with the exact denoiser, and with a trained one
// when tr is not nil.
func Ancestral(cfg Config, as AncestralSetup, tr *Trained) (*Result, error) {
	r := &Result{}
	sched := toy.DDPM()
	ds := load(as.Dataset, 1000, cfg.rng(1))
	ex := ds.Exact
	src := cfg.rng(3)
	fresh := func(n int) []float64 { return exactSample(ex, n, 1, src) }
	full := sample.Full(sched)
	few, err := sample.Strided(sched, as.FewSteps)
	if err != nil {
		return nil, err
	}
	var scenes []viz.Scene
	var runs []viz.Run
	g := window(3.5, 50)
	dens := density(ex, g, 1)
	for _, c := range []struct {
		name string
		plan *sample.Plan
		v    toy.Variance
	}{
		{"posterior", full, toy.PosteriorVariance},
		{"beta", full, toy.BetaVariance},
		{"posterior_few", few, toy.PosteriorVariance},
		{"beta_few", few, toy.BetaVariance},
	} {
		x, trj, err := DDPMSample(ex, c.plan, c.v, as.Samples, cfg, 10)
		if err != nil {
			return nil, err
		}
		ec := energyCheck(x, fresh, 10)
		r.add("exact/"+c.name, ec.Energy/ec.Noise, fmt.Sprintf("energy distance of exact-denoiser DDPM samples (%d steps, C² = %v) to the data, in units of its noise level", c.plan.Len(), c.v))
		scenes = append(scenes, viz.Scene{Title: fmt.Sprintf("%d steps, C² = %s (E/noise %.2g)", c.plan.Len(), varianceSymbol(c.v), ec.Energy/ec.Noise), Grid: g, Density: dens, Points: x})
		if c.name == "posterior" {
			runs = append(runs, run("exact D*, 1000 steps", trj, nil))
			// Intermediate marginals: the chains at t against fresh q_t samples.
			worst := 0.0
			for _, f := range trj.Frames {
				if f.T == 250 || f.T == 500 || f.T == 750 {
					a := f.Alpha
					ec := energyCheck(f.X, func(n int) []float64 { return exactSample(ex, n, a, src) }, 10)
					worst = math.Max(worst, ec.Energy/ec.Noise)
				}
			}
			r.add("exact/marginals", worst, "largest energy distance between the chains at t = 250, 500, 750 and samples of q_t, in units of its noise level")
		}
	}

	// Three points: every chain ends on a point, in the right proportions.
	three := load("three-points", 3, cfg.rng(5))
	x3, trj3, err := DDPMSample(three.Exact, full, toy.PosteriorVariance, as.Samples, cfg, 20)
	if err != nil {
		return nil, err
	}
	counts := make([]int, 3)
	worstDist := 0.0
	for i := 0; i < as.Samples; i++ {
		best, bk := math.Inf(1), 0
		for k := 0; k < 3; k++ {
			d := math.Hypot(x3[2*i]-three.Points[2*k], x3[2*i+1]-three.Points[2*k+1])
			if d < best {
				best, bk = d, k
			}
		}
		counts[bk]++
		worstDist = math.Max(worstDist, best)
	}
	r.add("three/max_distance", worstDist, "largest distance of a sample to its nearest training point (the last step is D*_1, one-hot)")
	worstZ := 0.0
	for k := 0; k < 3; k++ {
		p := 1.0 / 3
		se := math.Sqrt(p * (1 - p) / float64(as.Samples))
		worstZ = math.Max(worstZ, math.Abs(float64(counts[k])/float64(as.Samples)-p)/se)
	}
	r.add("three/share_z", worstZ, "largest |share on a point - 1/3| in binomial standard errors")
	runs = append(runs, run("three points", trj3, nil))

	// Data N(0, I): the exact variance recursion v_{t-1} = (1 - beta_t) v_t + C_t^2.
	for _, v := range []toy.Variance{toy.PosteriorVariance, toy.BetaVariance} {
		vt := 1.0
		for t := sched.T(); t >= 1; t-- {
			_, _, C := toy.Coefficients(sched.Alpha(t), sched.Alpha(t-1), v)
			c2 := C * C
			if t == 1 {
				c2 = 0 // no noise at the last step
			}
			vt = (1-sched.Beta(t))*vt + c2
		}
		r.add(fmt.Sprintf("gaussian/final_var_%v", v), vt, "variance of x_0 when the data are N(0, I), from the exact recursion")
	}

	if tr != nil {
		plan, err := sample.Strided(sched, as.TrainedSteps)
		if err != nil {
			return nil, err
		}
		x, trj, err := DDPMSample(tr.Model, plan, toy.PosteriorVariance, as.Samples, cfg, 30)
		if err != nil {
			return nil, err
		}
		trainData := func(n int) []float64 { return exactSample(tr.Data.Exact, n, 1, src) }
		ec := energyCheck(x, trainData, 10)
		r.add("trained/energy", ec.Energy, "energy distance of trained-denoiser DDPM samples to the data")
		r.add("trained/noise_energy", energyCheck(gauss(as.Samples, src), trainData, 1).Energy, "energy distance of N(0, I) to the data (where sampling starts)")
		r.add("trained/ratio", ec.Energy/ec.Noise, "trained samples' energy distance in units of its noise level")
		title := fmt.Sprintf("trained network, %d steps", plan.Len())
		scenes = append(scenes, viz.Scene{Title: fmt.Sprintf("%s (E/noise %.2g)", title, ec.Energy/ec.Noise), Grid: g, Density: density(tr.Data.Exact, g, 1), Points: x})
		runs = append(runs, run(title, trj, nil))
	}
	r.Charts = append(r.Charts, ancestralCharts(scenes, runs, ex, three.Exact, three.Points, sched, cfg.rng(100))...)
	ancestralClaims(r, cfg)
	return r, nil
}

func runAncestral(ctx context.Context, cfg Config, p Progress) (*Result, error) {
	ts := DefaultTraining(cfg)
	tr, err := TrainDenoiser(ctx, cfg, ts, p)
	if err != nil {
		return nil, err
	}
	return Ancestral(cfg, DefaultAncestral(cfg), tr)
}

// varianceSymbol is the reverse variance as the lessons write it.
func varianceSymbol(v toy.Variance) string {
	if v == toy.PosteriorVariance {
		return "β̃_t"
	}
	return "β_t"
}
