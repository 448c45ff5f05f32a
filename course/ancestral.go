// Lesson 4: ancestral (DDPM) sampling x_{t-1} = A_t x_t + B_t D_t(x_t) + C_t eps
// with both variance choices, and trajectories
// (lessons/04-ancestral-sampling.md).

package course

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/datasets"
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

// The random streams of lesson 4 (Config.rng). A DDPM run with stream k
// draws x_T from k and its moves from k+1 (DDPMSample).
const (
	streamAncestralData        = 1   // the dataset
	streamAncestralFresh       = 3   // fresh samples of the data and of q_t for the energy distances
	streamAncestralThree       = 5   // the three points (which draw nothing)
	streamAncestralExactRuns   = 10  // the exact-denoiser runs, all four from the same x_T and noise
	streamAncestralThreeRuns   = 20  // the runs on the three points
	streamAncestralTrainedRuns = 30  // the trained network's run
	streamAncestralCharts      = 100 // the fresh q_t samples of the snapshots chart
)

// Ancestral runs lesson 4 with the exact denoiser, and with a trained one
// when tr is not nil.
func Ancestral(cfg Config, as AncestralSetup, tr *Trained) (*Result, error) {
	ds, err := loadDataset("course.Ancestral", as.Dataset, 1000, cfg.rng(streamAncestralData))
	if err != nil {
		return nil, err
	}
	r := &Result{}
	sched := toy.DDPM()
	src := cfg.rng(streamAncestralFresh)
	g := window(3.5, 50)
	scenes, exactRun, err := exactAncestralRuns(r, cfg, as, ds.Exact, sched, g, src)
	if err != nil {
		return nil, err
	}
	three := load("three-points", 3, cfg.rng(streamAncestralThree))
	threeRun, err := threePointRuns(r, cfg, as.Samples, three, sched)
	if err != nil {
		return nil, err
	}
	runs := []viz.Run{exactRun, threeRun}
	for _, v := range []toy.Variance{toy.PosteriorVariance, toy.BetaVariance} {
		r.add(fmt.Sprintf("gaussian/final_var_%v", v), gaussianFinalVariance(sched, v), "variance of x_0 when the data are N(0, I), from the exact recursion")
	}
	if tr != nil {
		scene, trainedRun, err := trainedAncestralRun(r, cfg, as, tr, g, src)
		if err != nil {
			return nil, err
		}
		scenes, runs = append(scenes, scene), append(runs, trainedRun)
	}
	r.Charts = append(r.Charts, ancestralCharts(scenes, runs, ds.Exact, three.Exact, three.Points, sched, cfg.rng(streamAncestralCharts))...)
	ancestralClaims(r, cfg)
	return r, nil
}

// defaultDenoiser is the network lesson 4 samples with: lesson 3's, trained
// (or loaded) at its defaults.
func defaultDenoiser(ctx context.Context, cfg Config, _ AncestralSetup, p Progress) (*Trained, error) {
	return TrainDenoiser(ctx, cfg, DefaultTraining(cfg), p)
}

// ancestralClaims: lesson 4.
func ancestralClaims(r *Result, cfg Config) {
	r.claims(
		ratioClaim(4, "DDPM with the exact denoiser and C² = β̃ matches the data.", "exact DDPM, C² = β̃", r.value("exact/posterior")),
		ratioClaim(4, "DDPM with the exact denoiser and C² = β matches the data.", "exact DDPM, C² = β", r.value("exact/beta")),
		// The smallest distance between the three points (-1, 0), (1, 0),
		// (0, 1.5) is sqrt(3.25) ~ 1.80.
		cl(5, "On three points every sample lands on a point (within 1e-6 of the smallest distance between points).", "largest distance to a point", r.value("three/max_distance"), Below, 1e-6*math.Sqrt(3.25)),
		cl(5, "On three points each point gets a third of the samples, within 3 binomial standard errors.", "largest share deviation (SE)", r.value("three/share_z"), Below, 3),
		ratioClaim(6, "The exact DDPM chains match q_t at T/4, T/2 and 3T/4 (largest of the three).", "chains vs q_t", r.value("exact/marginals")),
		cl(8, "For N(0, I) data and C² = β̃ the final variance is 0.991 ± 0.001.", "final variance, C² = β̃", r.value("gaussian/final_var_posterior"), Near, 0.991).hi(0.001),
		cl(8, "For N(0, I) data and C² = β the final variance is 1 − β_1 to rounding.", "|final variance − (1 − β_1)|, C² = β", math.Abs(r.value("gaussian/final_var_beta")-(1-1e-4)), Below, 1e-12),
	)
	if r.has("trained/energy") {
		r.claims(
			cl(9, "DDPM with the trained denoiser ends closer to the data than the starting noise.", "energy distance, trained samples", r.value("trained/energy"), Below, r.value("trained/noise_energy")).against("N(0, I)'s"),
			trainedClaim(cfg, "DDPM with the trained denoiser", r.value("trained/ratio")),
		)
	}
}

// exactAncestralRuns samples the exact denoiser of ex with both variance
// choices over all steps and over as.FewSteps respaced ones, adds each
// run's energy ratio to the data and, for the full run with C^2 = beta~,
// the largest ratio of its chains to q_t at T/4, T/2 and 3T/4. It returns
// the sample panels and that run's recorded chains.
func exactAncestralRuns(r *Result, cfg Config, as AncestralSetup, ex analytic.Mixture, sched *toy.Schedule,
	g viz.Grid, src rand.Source) ([]viz.Scene, viz.Run, error) {
	full := sample.Full(sched)
	few, err := sample.Strided(sched, as.FewSteps)
	if err != nil {
		return nil, viz.Run{}, err
	}
	fresh := func(n int) []float64 { return exactSample(ex, n, 1, src) }
	dens := density(ex, g, 1)
	var scenes []viz.Scene
	var chains viz.Run
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
		x, trj, err := DDPMSample(ex, c.plan, c.v, as.Samples, cfg, streamAncestralExactRuns)
		if err != nil {
			return nil, viz.Run{}, err
		}
		ec := energyCheck(x, fresh, 10)
		r.add("exact/"+c.name, ec.Energy/ec.Noise, fmt.Sprintf("energy distance of exact-denoiser DDPM samples (%d steps, C² = %v) to the data, in units of its noise level", c.plan.Len(), c.v))
		scenes = append(scenes, viz.Scene{Title: fmt.Sprintf("%d steps, C² = %s (E/noise %.2g)", c.plan.Len(), varianceSymbol(c.v), ec.Energy/ec.Noise), Grid: g, Density: dens, Points: x})
		if c.name == "posterior" {
			chains = run("exact D*, 1000 steps", trj, nil)
			r.add("exact/marginals", chainsAgainstMarginals(trj, ex, src), "largest energy distance between the chains at t = 250, 500, 750 and samples of q_t, in units of its noise level")
		}
	}
	return scenes, chains, nil
}

// chainsAgainstMarginals returns the largest energy ratio between the
// recorded chains at t = 250, 500, 750 and fresh samples of q_t.
func chainsAgainstMarginals(trj *sample.Trajectory, ex analytic.Mixture, src rand.Source) float64 {
	worst := 0.0
	for _, f := range trj.Frames {
		if f.T == 250 || f.T == 500 || f.T == 750 {
			a := f.Alpha
			ec := energyCheck(f.X, func(n int) []float64 { return exactSample(ex, n, a, src) }, 10)
			worst = math.Max(worst, ec.Energy/ec.Noise)
		}
	}
	return worst
}

// threePointRuns samples the exact denoiser of three points (n chains, all
// steps, C^2 = beta~) and adds the largest distance of a sample to its
// nearest point and the largest deviation of a point's share from 1/3 in
// binomial standard errors. It returns the recorded chains.
func threePointRuns(r *Result, cfg Config, n int, three *datasets.Dataset, sched *toy.Schedule) (viz.Run, error) {
	x, trj, err := DDPMSample(three.Exact, sample.Full(sched), toy.PosteriorVariance, n, cfg, streamAncestralThreeRuns)
	if err != nil {
		return viz.Run{}, err
	}
	counts := make([]int, 3)
	worstDist := 0.0
	for i := 0; i < n; i++ {
		best, bk := math.Inf(1), 0
		for k := 0; k < 3; k++ {
			d := math.Hypot(x[2*i]-three.Points[2*k], x[2*i+1]-three.Points[2*k+1])
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
		se := math.Sqrt(p * (1 - p) / float64(n))
		worstZ = math.Max(worstZ, math.Abs(float64(counts[k])/float64(n)-p)/se)
	}
	r.add("three/share_z", worstZ, "largest |share on a point - 1/3| in binomial standard errors")
	return run("three points", trj, nil), nil
}

// gaussianFinalVariance returns the variance of x_0 when the data are
// N(0, I), from the exact recursion v_{t-1} = (1 - beta_t) v_t + C_t^2
// (no noise at the last step).
func gaussianFinalVariance(sched *toy.Schedule, v toy.Variance) float64 {
	vt := 1.0
	for t := sched.T(); t >= 1; t-- {
		_, _, C := toy.Coefficients(sched.Alpha(t), sched.Alpha(t-1), v)
		c2 := C * C
		if t == 1 {
			c2 = 0
		}
		vt = (1-sched.Beta(t))*vt + c2
	}
	return vt
}

// trainedAncestralRun samples the trained network (as.TrainedSteps
// respaced steps, C^2 = beta~) and adds its energy distance to the data,
// N(0, I)'s, and its ratio to the noise level. It returns the sample panel
// and the recorded chains.
func trainedAncestralRun(r *Result, cfg Config, as AncestralSetup, tr *Trained, g viz.Grid, src rand.Source) (viz.Scene, viz.Run, error) {
	plan, err := sample.Strided(tr.Sched, as.TrainedSteps)
	if err != nil {
		return viz.Scene{}, viz.Run{}, err
	}
	x, trj, err := DDPMSample(tr.Model, plan, toy.PosteriorVariance, as.Samples, cfg, streamAncestralTrainedRuns)
	if err != nil {
		return viz.Scene{}, viz.Run{}, err
	}
	trainData := func(n int) []float64 { return exactSample(tr.Data.Exact, n, 1, src) }
	ec := energyCheck(x, trainData, 10)
	r.add("trained/energy", ec.Energy, "energy distance of trained-denoiser DDPM samples to the data")
	r.add("trained/noise_energy", energyCheck(gauss(as.Samples, src), trainData, 1).Energy, "energy distance of N(0, I) to the data (where sampling starts)")
	r.add("trained/ratio", ec.Energy/ec.Noise, "trained samples' energy distance in units of its noise level")
	title := fmt.Sprintf("trained network, %d steps", plan.Len())
	scene := viz.Scene{Title: fmt.Sprintf("%s (E/noise %.2g)", title, ec.Energy/ec.Noise), Grid: g, Density: density(tr.Data.Exact, g, 1), Points: x}
	return scene, run(title, trj, nil), nil
}

// varianceSymbol is the reverse variance as the lessons write it.
func varianceSymbol(v toy.Variance) string {
	if v == toy.PosteriorVariance {
		return "β̃_t"
	}
	return "β_t"
}
