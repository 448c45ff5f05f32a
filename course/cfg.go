// Lesson 9: classifier-free guidance, exact and trained; guided is not
// tilted, and sharpening a Gaussian (lessons/09-classifier-free-guidance.md).

package course

import (
	"fmt"
	"math"
	"math/rand/v2"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/sample"
	"difftoy/viz"
)

// Random streams of lesson 9 (Config.rng).
const (
	streamCFGSamples    = 85  // CFG samples of class 0 at gamma = 3 (the noise at 86: sampleClass takes a pair)
	streamSharpenStart  = 87  // x_T of the sharpened-Gaussian DDPM samples
	streamSharpenNoise  = 88  // their DDPM noise
	streamTilted        = 89  // the rejection sampler of the tilted density (its draws and the seeds of its batches)
	streamCFGTrainChart = 100 // the training-loss chart's noisy points
)

// CFG runs lesson 9: classifier-free guidance with the exact conditional
// and unconditional denoisers, and with the trained network when tr is
// not nil.
func CFG(cfg Config, gs GuidanceSetup, tr *Trained) (*Result, error) {
	r := &Result{}
	ds, err := gs.data("course.CFG", 4000, cfg.rng(streamLabelledData))
	if err != nil {
		return nil, err
	}
	chExact, chTrained, err := cfgSweeps(r, cfg, gs, ds.Exact, tr)
	if err != nil {
		return nil, err
	}
	const gamma = 3.0
	xg, tilted, err := guidedAgainstTilted(r, cfg, gs, ds.Exact, gamma)
	if err != nil {
		return nil, err
	}
	jensenNumbers(r, ds.Exact, gamma, cfg.size(300, 150), cfg)
	charts, err := cfgCharts(r, ds, gs, tr, chExact, chTrained, gamma, xg, tilted(gs.Samples), cfg.rng(streamCFGTrainChart))
	if err != nil {
		return nil, err
	}
	r.Charts = append(r.Charts, charts...)
	if err := sharpenedGaussian(r, cfg, gs); err != nil {
		return nil, err
	}
	cfgClaims(r, cfg, gs)
	return r, nil
}

// cfgClaims: lesson 9.
func cfgClaims(r *Result, cfg Config, gs GuidanceSetup) {
	sweepClaims(r, 4, "exact", "exact scores", gs.Gammas)
	sweepClaims(r, 4, "trained", "trained network", gs.Gammas)
	if r.has("trained/excess") {
		r.claims(cl(2, "Label dropout learns the conditional optimum: the network's error is below the best constant denoiser's.", "E‖D(x|y) − D*(x|y)‖²", r.value("trained/excess"), Below, r.value("trained/trivial")).against("best constant denoiser"))
	}
	// Trained against exact CFG at each gamma, on paired noise: the spread
	// within a factor 1.5, the mean class posterior within 0.02.
	for _, g := range gs.Gammas {
		kt := fmt.Sprintf("trained/spread_gamma%g", g)
		if !r.has(kt) {
			break
		}
		st, se := r.value(kt), r.value(fmt.Sprintf("exact/spread_gamma%g", g))
		pt, pe := r.value(fmt.Sprintf("trained/posterior_gamma%g", g)), r.value(fmt.Sprintf("exact/posterior_gamma%g", g))
		sd := math.Hypot(r.value(fmt.Sprintf("trained/posterior_se_gamma%g", g)), r.value(fmt.Sprintf("exact/posterior_se_gamma%g", g)))
		cs := []Claim{
			cl(0, fmt.Sprintf("At γ = %g the trained network's CFG samples spread like exact CFG's (trace of covariance within a factor 1.5).", g), fmt.Sprintf("spread, trained / exact (%.3g / %.3g)", st, se), st/se, Between, 1/1.5).hi(1.5),
			cl(0, fmt.Sprintf("At γ = %g the trained network's CFG samples are as sure of the class as exact CFG's (mean q_0(y|x) within 0.02).", g), "mean q_0(y|x), trained − exact", pt-pe, Near, 0).hi(0.02).se(sd),
		}
		for i := range cs {
			cs[i].Indicative = cfg.Quick
		}
		r.claims(cs...)
	}
	v, th, se := r.value("sharpen/ddpm_var"), r.value("sharpen/guided_theory"), r.value("sharpen/ddpm_var_se")
	r.claims(
		cl(7, "Guided is not tilted: CFG samples at γ = 3 differ from the tilted density.", energyName("CFG vs tilted"), r.value("tilted/energy_ratio"), Above, 3),
		// Rounding of log-sum-exp differences of terms up to about 100.
		cl(8, "Jensen: the noised tilt's weight E[f^(1+γ) | x_t] is at least the guided weight E[f | x_t]^(1+γ) at every point.", "smallest log ratio", r.value("jensen/min_log_ratio"), AtLeast, -1e-10),
	)
	top := 0.0
	for _, k := range jensenSteps {
		top = math.Max(top, r.value(fmt.Sprintf("jensen/tv_t%d", k)))
	}
	first, last := jensenSteps[0], jensenSteps[len(jensenSteps)-1]
	r.claims(
		cl(8, fmt.Sprintf("The gap closes as t → 0: total variation at t = %d below a quarter of its largest value over t.", first), "total variation", r.value(fmt.Sprintf("jensen/tv_t%d", first)), Below, top/4).against("largest / 4"),
		cl(8, fmt.Sprintf("The gap closes as t → T: total variation at t = %d below a quarter of its largest value over t.", last), "total variation", r.value(fmt.Sprintf("jensen/tv_t%d", last)), Below, top/4).against("largest / 4"),
		// Within 3% of 1/(2a-1) (the lesson's claim) plus three MC standard errors.
		cl(5, "Sharpening N(0, I) with a ∇log q_t gives DDPM variance 1/(2a − 1), within 3% and 3 standard errors.", "DDPM variance", v, Near, th).hi(0.03*th+3*se).se(se).against("1/(2a − 1)"),
		cl(5, "That variance is far below the sharpened density's 1/a (by more than 0.1).", "DDPM variance", v, Below, r.value("sharpen/tilted_target")-0.1).se(se).against("1/a − 0.1"),
	)
}

// cfgSweeps adds the gamma sweeps of CFG with the exact denoisers and, when
// tr is not nil, with the trained network, side by side: guidance amplifies
// whatever the network got wrong.
func cfgSweeps(r *Result, cfg Config, gs GuidanceSetup, ex analytic.Mixture, tr *Trained) (chExact, chTrained *viz.Chart, err error) {
	chExact, err = sweep(r, "exact", cfg, gs, func(gamma float64) (toy.Denoiser, error) { return sample.NewCFG(ex, gamma) })
	if err != nil || tr == nil {
		return chExact, nil, err
	}
	addTrainingError(r, tr)
	chTrained, err = sweep(r, "trained", cfg, gs, func(gamma float64) (toy.Denoiser, error) { return sample.NewCFG(tr.Model, gamma) })
	if err != nil {
		return nil, nil, err
	}
	for _, g := range gs.Gammas {
		ts, _ := r.Number(fmt.Sprintf("trained/spread_gamma%g", g))
		es, _ := r.Number(fmt.Sprintf("exact/spread_gamma%g", g))
		tp, _ := r.Number(fmt.Sprintf("trained/posterior_gamma%g", g))
		ep, _ := r.Number(fmt.Sprintf("exact/posterior_gamma%g", g))
		r.add(fmt.Sprintf("trained_vs_exact/spread_ratio_gamma%g", g), ts/es, fmt.Sprintf("trained CFG's spread over exact CFG's at gamma = %g (1: no difference)", g))
		r.add(fmt.Sprintf("trained_vs_exact/posterior_diff_gamma%g", g), tp-ep, fmt.Sprintf("trained CFG's mean exact class posterior minus exact CFG's at gamma = %g", g))
	}
	return chExact, chTrained, nil
}

// guidedAgainstTilted adds the energy distance between CFG samples of class
// 0 at gamma (exact scores) and exact samples of the tilted density
// q_0(x) q_0(0 | x)^(1+gamma) / Z, drawn by rejection from q_0: guided is
// not tilted. It returns the CFG samples and the rejection sampler, whose
// state carries on from the check.
func guidedAgainstTilted(r *Result, cfg Config, gs GuidanceSetup, ex analytic.Mixture, gamma float64) ([]float64, func(n int) []float64, error) {
	den, err := sample.NewCFG(ex, gamma)
	if err != nil {
		return nil, nil, err
	}
	xg, err := sampleClass(den, mustStrided(gs.Sampling), gs.Samples, 0, cfg, streamCFGSamples)
	if err != nil {
		return nil, nil, err
	}
	k := ex.Classes()
	rng := rand.New(cfg.rng(streamTilted))
	tilted := func(n int) []float64 {
		out := make([]float64, 0, 2*n)
		for len(out) < 2*n {
			x := exactSample(ex, 256, 1, cfg.rng(rng.Uint64()))
			cp := ex.ClassPosterior(nil, x, 1)
			for i := 0; i < 256 && len(out) < 2*n; i++ {
				if rng.Float64() < math.Pow(cp[i*k], 1+gamma) {
					out = append(out, x[2*i], x[2*i+1])
				}
			}
		}
		return out
	}
	ec := energyCheck(xg, tilted, 10)
	r.add("tilted/energy_ratio", ec.Energy/ec.Noise, "CFG samples (gamma = 3, exact) against exact samples of the tilted q_0(x) q_0(0|x)^4: energy distance in units of its noise level")
	return xg, tilted, nil
}

// sharpenedGaussian adds the variance of DDPM samples with the field
// a grad log q_t of N(0, I), a = gs.Sharpen, against 1/(2a - 1), what the
// tempered reverse process gives, and 1/a, the variance of the sharpened
// N(0, I/a) it does not sample.
func sharpenedGaussian(r *Result, cfg Config, gs GuidanceSetup) error {
	gm, err := analytic.NewGaussian(2, []float64{1}, []float64{0, 0}, [][]float64{{1, 0, 0, 1}}, nil)
	if err != nil {
		return err
	}
	temp, err := sample.NewTempered(gm, gs.Sharpen)
	if err != nil {
		return err
	}
	n := 4 * gs.Samples
	xs, err := sample.DDPM(sample.Full(toy.DDPM()), toy.PosteriorVariance).Sample(nil, gauss(n, cfg.rng(streamSharpenStart)), temp, nil, cfg.rng(streamSharpenNoise))
	if err != nil {
		return err
	}
	var v float64
	for _, c := range xs {
		v += c * c
	}
	v /= float64(len(xs))
	r.add("sharpen/ddpm_var", v, fmt.Sprintf("per-coordinate variance of DDPM samples with the field %g grad log q_t of N(0, I)", gs.Sharpen))
	r.add("sharpen/ddpm_var_se", v*math.Sqrt(2/float64(len(xs))), "its Monte Carlo standard error")
	r.add("sharpen/guided_theory", 1/(2*gs.Sharpen-1), "1/(2a - 1): what the tempered reverse process gives")
	r.add("sharpen/tilted_target", 1/gs.Sharpen, "1/a: the variance of the sharpened density q_0^a")
	return nil
}

// GuidanceAt draws lesson 9's classifier-free guidance on the exact
// conditional denoisers: DDPM samples of class y with guidance gamma, over
// the data density, with the mean exact class posterior q_0(y | x) of the
// samples in the title.
func GuidanceAt(cfg Config, gs GuidanceSetup, gamma float64, y int) ([]*viz.Chart, error) {
	ds, err := loadDataset("course.GuidanceAt", gs.Dataset, 4000, cfg.rng(streamLabelledData))
	if err != nil {
		return nil, err
	}
	if y < 0 || y >= ds.Classes {
		return nil, fmt.Errorf("course.GuidanceAt: class %d outside 0..%d of %s", y, ds.Classes-1, gs.Dataset)
	}
	den, err := sample.NewCFG(ds.Exact, gamma)
	if err != nil {
		return nil, fmt.Errorf("course.GuidanceAt: %w", err)
	}
	plan, err := sample.Strided(toy.DDPM(), gs.Sampling)
	if err != nil {
		return nil, fmt.Errorf("course.GuidanceAt: %w", err)
	}
	x, err := sampleClass(den, plan, gs.Samples, y, cfg, streamSweep)
	if err != nil {
		return nil, err
	}
	cp := ds.Exact.ClassPosterior(nil, x, 1)
	p := make([]float64, gs.Samples)
	for i := range p {
		p[i] = cp[i*ds.Classes+y]
	}
	m, se := meanSE(p)
	g := window(3.5, 50)
	return []*viz.Chart{viz.Plane(fmt.Sprintf("Classifier-free guidance, exact: class %d, γ = %g", y, gamma), []viz.Scene{
		{Title: fmt.Sprintf("class %d, γ = %g: mean q₀(%d | x) = %.3f ± %.3f", y, gamma, y, m, se), Grid: g, Density: density(ds.Exact, g, 1),
			Points: x, Labels: labels(gs.Samples, y)},
	}, viz.PlaneOpts{Classes: classNames(ds.Classes)}).
		WithCaption("DDPM samples of one class with the guided exact denoiser (1 + γ) D*(x, y) − γ D*(x), over the data density; " +
			"the title gives the samples' mean exact class posterior with its standard error. " +
			"Look for the samples leaving the region shared with the other class, and narrowing, as γ grows.")}, nil
}
