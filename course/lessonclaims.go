// The helpers of the lessons' claims functions (each lesson's sits in its
// file, after its runner; lessons 7 to 12 keep theirs here), and the
// conventions of their bounds. The bounds are the lesson's ("Claims
// checked by the tests"); Ref is the claim's number there. Where the bound
// is statistical:
//   - "in standard errors" numbers are deviations in Monte Carlo or binomial
//     standard errors; a bound of 3 (4 when the number is the largest of
//     about ten comparisons) fails a correct sampler with probability below
//     1 percent;
//   - energy ratios are the energy distance over its mean under a perfect
//     sampler (see EnergyCheck); a correct sampler stays below 3;
//   - "to rounding" is 1e-12 for quantities of order 1, 1e-9 for relative
//     errors of differences that lose about four digits.

package course

import (
	"fmt"
	"math"

	"difftoy/toy/metrics"
)

// cl starts a claim: lesson claim ref, the sentence, the name of the value,
// the value, how it compares with the bound.
func cl(ref int, text, name string, v float64, op Op, bound float64) Claim {
	return Claim{Ref: ref, Text: text, Name: name, Value: v, Op: op, Bound: bound}
}

func (c Claim) se(s float64) Claim     { c.SE = s; return c }
func (c Claim) hi(h float64) Claim     { c.Hi = h; return c }
func (c Claim) against(s string) Claim { c.Against = s; return c }
func (r *Result) has(name string) bool { _, ok := r.Number(name); return ok }
func (r *Result) claims(cs ...Claim)   { r.Claims = append(r.Claims, cs...) }
func energyName(what string) string    { return what + ": energy distance / noise level" }
func ratioClaim(ref int, text, what string, v float64) Claim {
	return cl(ref, text, energyName(what), v, Below, 3)
}

// trainedClaim: a trained network's samples are within twice the
// two-sample noise level of the data, where the exact denoiser with the
// same sampler is within it (below 3): the bar for "the network learnt the
// data" (a ring instead of eight clusters scores several times more).
// On a quick run (shorter training) the claim is indicative.
func trainedClaim(cfg Config, what string, ratio float64) Claim {
	c := cl(0, what+" samples the data: energy distance within twice its noise level.", energyName("trained"), ratio, AtMost, 2)
	c.Indicative = cfg.Quick
	return c
}

// conditionalClaims: lesson 7; n samples per class, the Bayes accuracy
// from 4000 fresh points.
func conditionalClaims(r *Result, cfg Config, gs GuidanceSetup) {
	r.claims(
		cl(1, "The class posteriors sum to 1 to rounding.", "largest |Σ q_t(y|x) − 1|", r.value("tower/class_sum_error"), Below, 1e-12),
		cl(2, "D*(x) = Σ_y q_t(y|x) D*(x|y) to rounding.", "largest gap", r.value("tower/denoiser_error"), Below, 1e-12),
		cl(2, "The score is Σ_y q_t(y|x) ∇log q_t(x|y) to rounding.", "largest relative gap", r.value("tower/score_error"), Below, 1e-9),
		cl(0, "With exact scores the CFG field equals the classifier-guidance field (lesson 9, claim 1).", "largest relative gap", r.value("tower/cfg_vs_cg_error"), Below, 1e-9),
	)
	if r.has("trained/excess") {
		r.claims(cl(0, "The conditional network's error is below the best constant denoiser's.", "E‖D(x|y) − D*(x|y)‖²", r.value("trained/excess"), Below, r.value("trained/trivial")).against("best constant denoiser"))
	}
	for y := 0; ; y++ {
		p := fmt.Sprintf("class%d/", y)
		if !r.has(p + "bayes") {
			break
		}
		b := r.value(p + "bayes")
		// Binomial standard error of the two shares combined.
		se := math.Sqrt(b*(1-b)/float64(gs.Samples) + b*(1-b)/4000)
		r.claims(
			ratioClaim(5, fmt.Sprintf("Exact conditional samples of class %d match the class.", y), fmt.Sprintf("class %d, exact", y), r.value(p+"exact_energy")),
			cl(6, fmt.Sprintf("The classifier's share of exact class-%d samples is the Bayes accuracy (within 3 standard errors).", y), fmt.Sprintf("share of class %d", y), r.value(p+"exact_share"), Near, b).hi(3*se+1e-12).se(se).against("Bayes accuracy ± 3 SE"),
		)
		if r.has(p+"trained_spread") && r.has(p+"law_spread") {
			law := r.value(p + "law_spread")
			c := cl(0, fmt.Sprintf("Trained samples of class %d spread like the class law (trace of covariance within 15%%).", y), fmt.Sprintf("spread, trained / law (%.3g / %.3g)", r.value(p+"trained_spread"), law), r.value(p+"trained_spread")/law, Near, 1).hi(0.15)
			c.Indicative = cfg.Quick
			r.claims(c)
		}
		if r.has(p + "trained_share") {
			s := r.value(p + "trained_share")
			r.claims(
				cl(7, fmt.Sprintf("Trained samples of class %d are assigned to it more often than chance.", y), fmt.Sprintf("share of class %d, trained", y), s, Above, 0.5).se(math.Sqrt(s*(1-s)/float64(gs.Samples))).against("q(y)"),
				cl(7, fmt.Sprintf("Trained samples of class %d reach 0.8 of the Bayes accuracy.", y), fmt.Sprintf("share of class %d, trained", y), s, Above, 0.8*b).se(math.Sqrt(s*(1-s)/float64(gs.Samples))).against("0.8 × Bayes"),
			)
		}
	}
}

// sweepClaims: guidance raises the mean exact class posterior from the
// first gamma of the sweep to the last by more than three standard errors,
// and never lowers it between neighbours by more than three.
func sweepClaims(r *Result, ref int, prefix, who string, gammas []float64) {
	if len(gammas) < 2 || !r.has(fmt.Sprintf("%s/posterior_gamma%g", prefix, gammas[0])) {
		return
	}
	p := func(g float64) (float64, float64) {
		return r.value(fmt.Sprintf("%s/posterior_gamma%g", prefix, g)), r.value(fmt.Sprintf("%s/posterior_se_gamma%g", prefix, g))
	}
	g0, g1 := gammas[0], gammas[len(gammas)-1]
	a, sa := p(g0)
	b, sb := p(g1)
	se := math.Hypot(sa, sb)
	r.claims(cl(ref, fmt.Sprintf("Guidance (%s) raises the class posterior from γ = %g to γ = %g by more than 3 standard errors.", who, g0, g1),
		fmt.Sprintf("rise of mean q_0(y|x), %s", who), b-a, Above, 3*se).se(se).against("3 SE"))
	worst := math.Inf(-1)
	for i := 1; i < len(gammas); i++ {
		a, sa := p(gammas[i-1])
		b, sb := p(gammas[i])
		worst = math.Max(worst, (a-b)/math.Hypot(sa, sb))
	}
	r.claims(cl(ref, fmt.Sprintf("Along the sweep (%s) the class posterior never falls by 3 standard errors.", who),
		fmt.Sprintf("largest fall between neighbours (SE), %s", who), worst, Below, 3))
}

// classifierGuidanceClaims: lesson 8. The Bayes accuracy of clean data is
// measured on 20 000 fresh points.
func classifierGuidanceClaims(r *Result, cfg Config, gs GuidanceSetup) {
	ds, err := gs.data(10, cfg.rng(streamLabelledData))
	if err != nil {
		panic(err) // the runner loaded the same data without error
	}
	const nb = 20000
	comp := make([]int, nb)
	x := ds.Exact.Sample(make([]float64, 2*nb), comp, 1, cfg.rng(streamBayesPoints))
	lab := ds.Exact.Labels()
	y := make([]int, nb)
	for i, c := range comp {
		y[i] = lab[c]
	}
	b := metrics.ClassAccuracy(ds.Exact, x, y)
	n := float64(4 * gs.Samples)
	se := math.Hypot(math.Sqrt(b*(1-b)/nb), math.Sqrt(b*(1-b)/n))
	a1 := r.value("exact/accuracy_t1")
	r.claims(cl(4, "At t = 1 the exact noisy classifier has the Bayes accuracy of clean data (within 3 binomial standard errors).", "accuracy at t = 1", a1, Near, b).hi(3 * se).se(se).against(fmt.Sprintf("Bayes accuracy %.4g ± 3 SE", b)))
	// Near 0.5 the binomial standard error of n = 4 Samples is at most 0.5/sqrt(n).
	r.claims(cl(4, "At t = T the exact classifier is right half the time: max_y q(y) = 1/2, within 0.03 and 3 standard errors.", "accuracy at t = T", r.value("exact/accuracy_t1000"), Near, 0.5).hi(0.03 + 3*0.5/math.Sqrt(n)))
	ts := []int{1, 100, 200, 300, 400, 500, 600, 800, 1000}
	rise := math.Inf(-1)
	for i := 1; i < len(ts); i++ {
		rise = math.Max(rise, r.value(fmt.Sprintf("exact/accuracy_t%d", ts[i]))-r.value(fmt.Sprintf("exact/accuracy_t%d", ts[i-1])))
	}
	// The binomial standard error of the difference of two accuracies is at
	// most 0.5 sqrt(2/n); 3 of them.
	r.claims(cl(4, "The exact classifier's accuracy does not rise with t (beyond 3 binomial standard errors).", "largest rise between neighbouring t", rise, Below, 3*0.5*math.Sqrt(2/n)))
	if r.has("trained/cross_entropy_gap_z") {
		r.claims(cl(5, "The exact posterior has the lowest cross-entropy: the trained classifier is never lower by 3 standard errors.", "smallest gap, trained − exact (SE)", r.value("trained/cross_entropy_gap_z"), Above, -3))
	}
	sweepClaims(r, 6, "exact classifier", "exact classifier", gs.Gammas)
	if k0, k1 := "exact classifier/spread_gamma0", "exact classifier/spread_gamma1"; r.has(k0) && r.has(k1) {
		r.claims(cl(0, "Guidance with γ = 1 (exact classifier) narrows the samples: their spread is below γ = 0's.", "trace of covariance, γ = 1", r.value(k1), Below, r.value(k0)).against("γ = 0"))
	}
	for _, g := range []float64{0, 3} {
		k := fmt.Sprintf("trained classifier/posterior_gamma%g", g)
		if r.has(k) {
			r.claims(cl(8, fmt.Sprintf("Guidance with the trained classifier at γ = %g favours the class: mean q_0(0|x) above q(0) = 1/2.", g), fmt.Sprintf("mean q_0(0|x), γ = %g", g), r.value(k), Above, 0.5).se(r.value(fmt.Sprintf("trained classifier/posterior_se_gamma%g", g))))
		}
	}
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
		eLo, eHi := r.value(fmt.Sprintf("ddim%d/energy", lo)), r.value(fmt.Sprintf("ddim%d/energy", hi))
		fall := math.Inf(1)
		for i := 1; i < n; i++ {
			fall = math.Min(fall, r.value(fmt.Sprintf("ddim%d/loglik_gap", ds.SweepSteps[i-1]))-r.value(fmt.Sprintf("ddim%d/loglik_gap", ds.SweepSteps[i])))
		}
		r.claims(
			cl(5, fmt.Sprintf("DDIM with %d steps is further from the data than with %d.", lo, hi), energyName(fmt.Sprintf("DDIM, %d steps", lo)), eLo, Above, eHi).against(fmt.Sprintf("%d steps", hi)),
			ratioClaim(5, fmt.Sprintf("DDIM with %d steps is within the noise level.", hi), fmt.Sprintf("DDIM, %d steps", hi), eHi),
			cl(12, fmt.Sprintf("The exact 2-D likelihood gap falls at each step count of the sweep %v.", ds.SweepSteps), "smallest fall of the gap", fall, Above, 0),
		)
	}
	if n := len(ds.InvertSteps); n >= 2 {
		fall := math.Inf(1)
		for i := 1; i < n; i++ {
			fall = math.Min(fall, r.value(fmt.Sprintf("inversion/error_%d", ds.InvertSteps[i-1]))/r.value(fmt.Sprintf("inversion/error_%d", ds.InvertSteps[i])))
		}
		r.claims(cl(9, fmt.Sprintf("The inversion round-trip error falls strictly through %v steps.", ds.InvertSteps), "smallest ratio of successive errors", fall, Above, 1))
	}
}

// annealedClaim: annealed Langevin's share of the heavier mode is the
// weight up to the bias of finitely many moves per level.
func annealedClaim(r *Result, w float64, chains int) Claim {
	d := math.Abs(r.value("annealed/share_left") - w)
	se := math.Sqrt(w * (1 - w) / float64(chains))
	return cl(4, "Annealed Langevin reaches the mode weight, up to the bias of finitely many moves per level (0.03) and 3 binomial standard errors.", "|share − weight|, annealed", d, Below, 0.03+3*se).se(se).against("0.03 + 3 SE")
}

// langevinClaims: lesson 11.
func langevinClaims(r *Result, ls LangevinSetup) {
	w := r.value("weight_left")
	plain, ann := math.Abs(r.value("plain/share_left")-w), math.Abs(r.value("annealed/share_left")-w)
	r.claims(
		ratioClaim(2, "Small Langevin steps from exact samples keep the mixture.", "after 200 moves", r.value("invariance/energy")),
		cl(3, "Plain Langevin misses the mode weights by more than 3 binomial standard errors.", "share deviation, plain (SE)", r.value("plain/share_z"), Above, 3),
		// Once "within 3 binomial standard errors" of the weight: false at
		// convergence, since finitely many moves per level leave a bias
		// (16 runs of the default setup, 12 000 chains: mean share 0.782 for
		// the weight 0.8). The bound allows 0.03 for it (the bias and three
		// standard errors of its estimate) plus 3 binomial standard errors.
		annealedClaim(r, w, ls.Chains),
		cl(4, "Annealed Langevin's deviation from the weight is below a quarter of plain Langevin's.", "annealed deviation / plain deviation", ann/plain, Below, 0.25),
		cl(5, "With so few levels the DDPM predictor alone is clearly off the data.", energyName("predictor alone"), r.value("pc/energy_predictor")/r.value("pc/noise"), Above, 3),
		cl(5, "Corrector moves lower the energy distance of a few-level DDPM predictor.", "energy distance with corrector", r.value("pc/energy_corrected"), Below, r.value("pc/energy_predictor")).against("predictor alone"),
	)
}

// memorisationClaims: lesson 12.
func memorisationClaims(r *Result) {
	r.claims(
		cl(1, "The empirical ideal denoiser returns training points: at least 99% of its samples lie within r of one.", "share within r, D̂*", r.value("empirical/within_r"), AtLeast, 0.99),
		cl(3, "Fresh data rarely lie within r of a training point (below 5%).", "share within r, fresh data", r.value("fresh/within_r"), Below, 0.05),
		cl(5, "D̂* has the lowest training loss: it never loses to the network by 3 standard errors.", "training loss D̂* − network (SE)", r.value("loss/train_emp_minus_net_z"), Below, 3),
		cl(6, "At t = 5 D̂*'s held-out loss exceeds its training loss by more than 3 standard errors.", "held-out − training, D̂* (SE)", r.value("loss/emp_heldout_minus_train_t5_z"), Above, 3),
	)
	if r.has("trained/within_r") {
		s, f := r.value("trained/within_r"), r.value("fresh/within_r")
		r.claims(
			cl(7, "At t = 5 the network's held-out loss is below D̂*'s by more than 3 standard errors.", "held-out, network − D̂* (SE)", r.value("loss/small_noise_net_minus_emp_z"), Below, -3),
			cl(4, "The network's samples are not copies: their share within r is closer to fresh data's than to 1.", "|share − fresh share| − (1 − share)", math.Abs(s-f)-(1-s), Below, 0),
			cl(4, "The network's samples spread like data: median distance to the training set at least a third of fresh data's.", "median distance, network", r.value("trained/median_distance"), AtLeast, r.value("fresh/median_distance")/3).against("fresh data's / 3"),
		)
	}
}
