// Lesson 10: deterministic sampling. DDIM (eta = 0), noise traded for drift,
// the probability-flow ODE, DDIM inversion and the exact likelihood of a
// deterministic sampler in 2-D (lessons/10-deterministic-sampling.md).

package course

import (
	"fmt"
	"math"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/metrics"
	"difftoy/toy/sample"
	"difftoy/viz"
)

// DeterministicSetup is what lesson 10 varies.
type DeterministicSetup struct {
	Dataset      string
	Samples      int
	Steps        int   // moves of the deterministic samplers
	InvertSteps  []int // plan lengths of the inversion round trips
	InvertPoints int
	LikPoints    int   // points of the exact-likelihood check
	SweepSteps   []int // step counts of the DDIM sweep
	// EtaSteps and Etas are the step count and the values of eta of the
	// eta sweep (exercise 2 sets EtaSteps to 20).
	EtaSteps int
	Etas     []float64
}

// DefaultDeterministic is the setup of lesson 10.
func DefaultDeterministic(cfg Config) DeterministicSetup {
	return DeterministicSetup{Dataset: "eight-gaussians", Samples: cfg.size(800, 400), Steps: 100,
		InvertSteps: []int{10, 30, 100, 300}, InvertPoints: cfg.size(300, 100), LikPoints: cfg.size(400, 150),
		SweepSteps: []int{5, 10, 20, 50, 100},
		EtaSteps:   5, Etas: []float64{0, 0.25, 0.5, 0.75, 1}} // 5 steps: where eta matters
}

// Random streams of lesson 10 (Config.rng); DeterministicAt draws from the
// same ones, so its picture at the default settings is the run's.
const (
	streamDeterministicData  = 1 // the dataset
	streamDeterministicFresh = 2 // fresh data for the energy distances
	streamDeterministicStart = 3 // x_T, shared by the four samplers and the DDIM sweep
	streamDeterministicNoise = 4 // DDPM's noise (DDIM(eta)'s in DeterministicAt)
	streamInversionPoints    = 5 // the data points of the inversion round trips
	streamLikelihoodLatents  = 6 // the latents z of the exact-likelihood check
)

// Deterministic runs lesson 10 with the exact denoiser.
func Deterministic(cfg Config, ds DeterministicSetup) (*Result, error) {
	r := &Result{}
	data, err := loadDataset("course.Deterministic", ds.Dataset, 1000, cfg.rng(streamDeterministicData))
	if err != nil {
		return nil, err
	}
	ex := data.Exact
	src := cfg.rng(streamDeterministicFresh)
	fresh := func(n int) []float64 { return exactSample(ex, n, 1, src) }
	plan, err := sample.Strided(toy.DDPM(), ds.Steps)
	if err != nil {
		return nil, err
	}
	xT := gauss(ds.Samples, cfg.rng(streamDeterministicStart))
	scenes, runs, err := fourSamplers(r, cfg, ds, ex, plan, xT, fresh)
	if err != nil {
		return nil, err
	}
	// DDIM is deterministic: the same x_T gives the same x_0, bit for bit.
	same, err := ddimRepeatDifference(plan, xT, ex)
	if err != nil {
		return nil, err
	}
	r.add("ddim/repeat_difference", same, "largest difference between two DDIM runs from the same x_T")
	ns, errs, err := inversionErrors(r, ds, ex, exactSample(ex, ds.InvertPoints, 1, cfg.rng(streamInversionPoints)))
	if err != nil {
		return nil, err
	}
	lik, err := ddimSweep(r, cfg, ds, ex, xT, fresh)
	if err != nil {
		return nil, err
	}
	charts, err := deterministicCharts(cfg, ds, ex, scenes, runs, ns, errs, lik)
	if err != nil {
		return nil, err
	}
	r.Charts = append(r.Charts, charts...)
	deterministicClaims(r, ds)
	return r, nil
}

// deterministicClaims: lesson 10.
func deterministicClaims(r *Result, ds DeterministicSetup) {
	r.claims(
		cl(6, "DDIM is deterministic: the same x_T gives the same x_0.", "largest difference of two runs", r.value("ddim/repeat_difference"), AtMost, 0),
		ratioClaim(5, fmt.Sprintf("DDIM (η = 0, %d steps) with the exact D* matches the data.", ds.Steps), "DDIM", r.value("ddim/energy")),
		ratioClaim(7, fmt.Sprintf("The drift sampler (%d steps) with exact scores matches the data.", ds.Steps), "drift sampler", r.value("drift/energy")),
		ratioClaim(0, fmt.Sprintf("DDPM (η = 1, %d steps) with the exact D* matches the data.", ds.Steps), "DDPM", r.value("ddpm/energy")),
		ratioClaim(0, fmt.Sprintf("The PF-ODE solved by Heun (%d steps) with the exact D* matches the data.", ds.Steps), "PF-ODE, Heun", r.value("heun/energy")),
	)
	if n := len(ds.SweepSteps); n >= 2 {
		lo, hi := ds.SweepSteps[0], ds.SweepSteps[n-1]
		eLo, eHi := ddimEnergy(r, ds, lo), ddimEnergy(r, ds, hi)
		fall := math.Inf(1)
		for i := 1; i < n; i++ {
			fall = math.Min(fall, r.value(fmt.Sprintf("ddim%d/loglik_gap", ds.SweepSteps[i-1]))-r.value(fmt.Sprintf("ddim%d/loglik_gap", ds.SweepSteps[i])))
		}
		r.claims(cl(5, fmt.Sprintf("DDIM with %d steps is further from the data than with %d.", lo, hi), energyName(fmt.Sprintf("DDIM, %d steps", lo)), eLo, Above, eHi).against(fmt.Sprintf("%d steps", hi)))
		if hi != ds.Steps { // at ds.Steps the claim on DDIM above says it
			r.claims(ratioClaim(5, fmt.Sprintf("DDIM with %d steps is within the noise level.", hi), fmt.Sprintf("DDIM, %d steps", hi), eHi))
		}
		r.claims(cl(12, fmt.Sprintf("The exact 2-D likelihood gap falls at each step count of the sweep %v.", ds.SweepSteps), "smallest fall of the gap", fall, Above, 0))
	}
	if n := len(ds.InvertSteps); n >= 2 {
		fall := math.Inf(1)
		for i := 1; i < n; i++ {
			fall = math.Min(fall, r.value(fmt.Sprintf("inversion/error_%d", ds.InvertSteps[i-1]))/r.value(fmt.Sprintf("inversion/error_%d", ds.InvertSteps[i])))
		}
		r.claims(cl(9, fmt.Sprintf("The inversion round-trip error falls strictly through %v steps.", ds.InvertSteps), "smallest ratio of successive errors", fall, Above, 1))
	}
}

// ddimEnergy is the energy ratio of DDIM with n steps from the run's x_T:
// ddim/energy at ds.Steps, ddim<n>/energy elsewhere in the sweep.
func ddimEnergy(r *Result, ds DeterministicSetup, n int) float64 {
	if n == ds.Steps {
		return r.value("ddim/energy")
	}
	return r.value(fmt.Sprintf("ddim%d/energy", n))
}

// fourSamplers runs DDPM, DDIM, the drift sampler and the PF-ODE by Heun
// from the same x_T on the plan, adds each one's energy distance to the
// data, and returns their samples and trajectories for the charts.
func fourSamplers(r *Result, cfg Config, ds DeterministicSetup, ex analytic.Mixture, plan *sample.Plan, xT []float64,
	fresh func(n int) []float64) ([]viz.Scene, []viz.Run, error) {
	g := window(3.5, 50)
	dens := density(ex, g, 1)
	var scenes []viz.Scene
	var runs []viz.Run
	for _, c := range []struct {
		key, title string
		run        func(rec sample.Recorder) ([]float64, error)
	}{
		{"ddpm", "DDPM (η = 1)", func(rec sample.Recorder) ([]float64, error) {
			s := sample.DDPM(plan, toy.PosteriorVariance)
			s.Record = rec
			return s.Sample(nil, xT, ex, nil, cfg.rng(streamDeterministicNoise))
		}},
		{"ddim", "DDIM (η = 0)", func(rec sample.Recorder) ([]float64, error) {
			s := sample.DDIM(plan, 0)
			s.Record = rec
			return s.Sample(nil, xT, ex, nil, nil)
		}},
		{"drift", "noise traded for drift", func(rec sample.Recorder) ([]float64, error) {
			s := sample.DriftSampler(plan)
			s.Record = rec
			return s.Sample(nil, xT, ex, nil, nil)
		}},
		{"heun", "PF-ODE, Heun", func(rec sample.Recorder) ([]float64, error) {
			o := &sample.ODE{Plan: plan, Heun: true, Record: rec}
			return o.Sample(nil, xT, ex, nil)
		}},
	} {
		tr := trajectory(plan.Len())
		x, err := c.run(tr)
		if err != nil {
			return nil, nil, err
		}
		ec := energyCheck(x, fresh, 10)
		r.add(c.key+"/energy", ec.Energy/ec.Noise, fmt.Sprintf("%s, %d steps, exact D*: energy distance to the data in units of its noise level", c.title, ds.Steps))
		scenes = append(scenes, viz.Scene{Title: c.title, Grid: g, Density: dens, Points: x})
		runs = append(runs, run(c.title, tr, nil))
	}
	return scenes, runs, nil
}

// ddimRepeatDifference is the largest coordinate difference between two
// DDIM runs on the plan from the same x_T (0 for a deterministic sampler).
func ddimRepeatDifference(plan *sample.Plan, xT []float64, den toy.Denoiser) (float64, error) {
	a1, err := sample.DDIM(plan, 0).Sample(nil, xT, den, nil, nil)
	if err != nil {
		return 0, err
	}
	a2, err := sample.DDIM(plan, 0).Sample(nil, xT, den, nil, nil)
	if err != nil {
		return 0, err
	}
	same := 0.0
	for i := range a1 {
		same = math.Max(same, math.Abs(a1[i]-a2[i]))
	}
	return same, nil
}

// inversionErrors adds the mean error of the round trip x_0 -> x_T -> x_0
// of the points x0 for each plan length of ds.InvertSteps and returns the
// lengths and the errors.
func inversionErrors(r *Result, ds DeterministicSetup, den toy.Denoiser, x0 []float64) (ns, errs []float64, err error) {
	for _, n := range ds.InvertSteps {
		p, err := sample.Strided(toy.DDPM(), n)
		if err != nil {
			return nil, nil, err
		}
		_, e, err := roundTrip(p, x0, den)
		if err != nil {
			return nil, nil, err
		}
		r.add(fmt.Sprintf("inversion/error_%d", n), e, fmt.Sprintf("mean |x_0 - DDIM(invert(x_0))| with %d steps", n))
		ns = append(ns, float64(n))
		errs = append(errs, e)
	}
	return ns, errs, nil
}

// likelihoods is what the DDIM sweep hands to the charts: the step counts,
// the mean likelihood gap at each, and the change-of-variables and exact
// log-likelihoods of the last count's points.
type likelihoods struct {
	steps, gaps, logp, truth []float64
}

// ddimSweep runs DDIM from x_T for each step count of ds.SweepSteps and
// adds its energy distance to the data (but at ds.Steps, where the run is
// the four samplers' DDIM) and the mean gap between the exact
// likelihood of its samples (change of variables, 2x2 Jacobians, from the
// latents of streamLikelihoodLatents) and the closed-form log q_0.
func ddimSweep(r *Result, cfg Config, ds DeterministicSetup, ex analytic.Mixture, xT []float64, fresh func(n int) []float64) (likelihoods, error) {
	var lik likelihoods
	zs := gauss(ds.LikPoints, cfg.rng(streamLikelihoodLatents))
	logN := metrics.StdNormalLogPDF(nil, zs, 2)
	for _, n := range ds.SweepSteps {
		p, err := sample.Strided(toy.DDPM(), n)
		if err != nil {
			return lik, err
		}
		// At ds.Steps the run is the four samplers' DDIM run (the same x_T
		// and plan): its energy distance is ddim/energy, not measured twice.
		if n != ds.Steps {
			x, err := sample.DDIM(p, 0).Sample(nil, xT, ex, nil, nil)
			if err != nil {
				return lik, err
			}
			ec := energyCheck(x, fresh, 10)
			r.add(fmt.Sprintf("ddim%d/energy", n), ec.Energy/ec.Noise, fmt.Sprintf("DDIM with %d steps: energy distance to the data in units of its noise level", n))
		}
		mp, err := sample.DDIM(p, 0).Map(ex)
		if err != nil {
			return lik, err
		}
		xs, logp := metrics.FlowLogLik(nil, nil, zs, logN, mp, nil)
		truth := ex.LogProb(nil, xs, 1)
		var gap float64
		for i := range logp {
			gap += math.Abs(logp[i] - truth[i])
		}
		gap /= float64(len(logp))
		r.add(fmt.Sprintf("ddim%d/loglik_gap", n), gap, fmt.Sprintf("DDIM with %d steps: mean |log p by change of variables - exact log q_0| at its samples", n))
		lik.steps = append(lik.steps, float64(n))
		lik.gaps = append(lik.gaps, gap)
		lik.logp, lik.truth = logp, truth
	}
	return lik, nil
}

// roundTrip inverts the points x0 with DDIM on the plan, maps the latents
// back with DDIM and returns the points it gets back and their mean distance
// to x0.
func roundTrip(plan *sample.Plan, x0 []float64, den toy.Denoiser) ([]float64, float64, error) {
	z, err := (&sample.Inversion{Plan: plan}).Invert(nil, x0, den, nil)
	if err != nil {
		return nil, 0, err
	}
	back, err := sample.DDIM(plan, 0).Sample(nil, z, den, nil, nil)
	if err != nil {
		return nil, 0, err
	}
	n := len(x0) / 2
	var e float64
	for i := range n {
		e += math.Hypot(back[2*i]-x0[2*i], back[2*i+1]-x0[2*i+1])
	}
	return back, e / float64(n), nil
}

// DeterministicAt draws lesson 10's DDIM(eta) with the exact denoiser over
// a plan of the given number of steps, from Gaussian x_T, and the
// inversion round trip x_0 -> x_T -> x_0 over the same plan, each with its
// number: the energy distance to the data in units of its noise level,
// and the mean distance of the round trip.
func DeterministicAt(cfg Config, ds DeterministicSetup, steps int, eta float64) ([]*viz.Chart, error) {
	if eta < 0 || eta > 1 || math.IsNaN(eta) {
		return nil, fmt.Errorf("course.DeterministicAt: eta = %g outside [0, 1]", eta)
	}
	sched := toy.DDPM()
	plan, err := sample.Strided(sched, steps)
	if err != nil {
		return nil, fmt.Errorf("course.DeterministicAt: %w", err)
	}
	data, err := loadDataset("course.DeterministicAt", ds.Dataset, 1000, cfg.rng(streamDeterministicData))
	if err != nil {
		return nil, err
	}
	ex := data.Exact
	src := cfg.rng(streamDeterministicFresh)
	x, err := sample.DDIM(plan, eta).Sample(nil, gauss(ds.Samples, cfg.rng(streamDeterministicStart)), ex, nil, cfg.rng(streamDeterministicNoise))
	if err != nil {
		return nil, err
	}
	ec := energyCheck(x, func(n int) []float64 { return exactSample(ex, n, 1, src) }, 10)

	x0 := exactSample(ex, ds.InvertPoints, 1, cfg.rng(streamInversionPoints))
	back, e, err := roundTrip(plan, x0, ex)
	if err != nil {
		return nil, err
	}
	trip := append(append([]float64(nil), x0...), back...)
	labels := make([]int, 2*ds.InvertPoints)
	for i := ds.InvertPoints; i < len(labels); i++ {
		labels[i] = 1
	}
	g := window(3.5, 50)
	dens := density(ex, g, 1)
	return []*viz.Chart{viz.Plane(fmt.Sprintf("DDIM with η = %.2g and the inversion round trip, %d steps, exact D*", eta, steps), []viz.Scene{
		{Title: fmt.Sprintf("DDIM η = %.2g, %d steps: energy %.2g noise levels", eta, steps, ec.Energy/ec.Noise), Grid: g, Density: dens, Points: x},
		{Title: fmt.Sprintf("x₀ → x_T → x₀, %d steps: mean error %.2g", steps, e), Grid: g, Density: dens, Points: trip, Labels: labels},
	}, viz.PlaneOpts{Classes: []string{"x₀", "x₀ after the round trip"}, Cols: 2}).
		WithCaption("Left: DDIM samples over the data density, with their energy distance to the data in units of its noise level " +
			"(near 1 when they are as close as fresh data). Right: data points and the same points inverted to x_T and sampled back with η = 0. " +
			"Look for the round trip error falling as the steps grow, and η mattering most at few steps.")}, nil
}
