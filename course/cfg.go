// Lesson 9: classifier-free guidance, exact and trained; guided is not
// tilted, and sharpening a Gaussian (lessons/09-classifier-free-guidance.md).

package course

import (
	"context"
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
	streamCFGSamples    = 85  // CFG samples of class 0 at gamma = 3 (the noise at 86)
	streamTilted        = 86  // the rejection sampler of the tilted density (its draws and the seeds of its batches)
	streamSharpenStart  = 87  // x_T of the sharpened-Gaussian DDPM samples
	streamSharpenNoise  = 88  // their DDPM noise
	streamCFGTrainChart = 100 // the training-loss chart's noisy points
)

// CFG runs lesson 9: classifier-free guidance with the exact conditional
// and unconditional denoisers, and with the trained network when tr is
// not nil.
func CFG(cfg Config, gs GuidanceSetup, tr *Trained) (*Result, error) {
	r := &Result{}
	ds, err := gs.data(4000, cfg.rng(streamLabelledData))
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

func runCFG(ctx context.Context, cfg Config, p Progress) (*Result, error) {
	gs := DefaultGuidance(cfg)
	tr, err := TrainConditional(ctx, cfg, gs, p)
	if err != nil {
		return nil, err
	}
	return CFG(cfg, gs, tr)
}
