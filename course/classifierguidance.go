// Lesson 8: the noisy classifier q_t(y | x_t), exact and trained, and
// classifier guidance with it (lessons/08-classifier-guidance.md).

package course

import (
	"context"
	"fmt"
	"math"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/metrics"
	"difftoy/toy/nn"
	"difftoy/toy/sample"
	"difftoy/viz"
)

// Random streams of lesson 8 (Config.rng).
const (
	streamClassifierInit  = 20 // the noisy classifier's initial weights
	streamClassifierTrain = 21 // its training batches and noise
	streamNoisyTestPoints = 22 // the clean labelled points of the accuracy test
	streamNoisyTestNoise  = 23 // + t: the noise that takes them to step t
	streamUnguidedStart   = 80 // x_T of the unguided DDPM samples
	streamUnguidedNoise   = 81 // their DDPM noise
	streamBayesPoints     = 90 // the 20 000 clean points of the Bayes accuracy (lesson 8's claims)
)

// TrainClassifier trains the noisy classifier C_t(y | x_t) of lesson 8 with
// cross-entropy on noised labelled data, or loads it from the cache of
// cfg (the job's key covers data, labels, spec, schedule, settings and seeds).
func TrainClassifier(ctx context.Context, cfg Config, gs GuidanceSetup, p Progress) (*nn.Classifier, error) {
	ds, err := gs.data("course.TrainClassifier", 4000, cfg.rng(streamLabelledData))
	if err != nil {
		return nil, err
	}
	spec := nn.DefaultSpec(2)
	spec.Classes = ds.Classes
	tc := nn.DefaultConfig()
	tc.Steps = gs.ClassifierSteps
	if tc.Steps == 0 {
		tc.Steps = gs.Steps
	}
	tc.EvalEvery = 0
	if p != nil {
		tc.ProgressEvery = max(1, tc.Steps/50)
		tc.Progress = func(pr nn.Progress) {
			p.report(fmt.Sprintf("training the noisy classifier, loss %.4f", pr.Loss), pr.Step, pr.Steps)
		}
	}
	data := nn.Data{Points: ds.Points, Labels: ds.Labels, Classes: ds.Classes, Exact: ds.Exact}
	job := &nn.ClassifierJob{Spec: spec, Sched: toy.DDPM(), Data: data, Config: tc,
		Init: cfg.pcg(streamClassifierInit), Seed: cfg.pcg(streamClassifierTrain)}
	c, _, cached, err := cfg.cache(p).TrainClassifier(ctx, job)
	if err != nil {
		return nil, fmt.Errorf("course: training the classifier: %w", err)
	}
	if cached {
		p.report("the noisy classifier: loaded from cache", tc.Steps, tc.Steps)
	}
	return c, nil
}

// ClassifierGuidance runs lesson 8: the accuracy of the exact (and the
// trained, when clf is not nil) noisy classifier across t, and gamma sweeps
// of classifier guidance with the exact unconditional denoiser.
func ClassifierGuidance(cfg Config, gs GuidanceSetup, clf *nn.Classifier) (*Result, error) {
	r := &Result{}
	ds, err := gs.data("course.ClassifierGuidance", 4000, cfg.rng(streamLabelledData))
	if err != nil {
		return nil, err
	}
	acc := noisyAccuracies(r, cfg, gs, ds.Exact, clf)
	chExact, err := sweep(r, "exact classifier", cfg, gs, func(gamma float64) (toy.Denoiser, error) {
		return sample.NewClassifierGuided(ds.Exact, sample.ExactClassifier{M: ds.Exact}, gamma)
	})
	if err != nil {
		return nil, err
	}
	var chTrained *viz.Chart
	if clf != nil {
		chTrained, err = sweep(r, "trained classifier", cfg, gs, func(gamma float64) (toy.Denoiser, error) {
			return sample.NewClassifierGuided(ds.Exact, clf, gamma)
		})
		if err != nil {
			return nil, err
		}
	}
	xu, err := sample.DDPM(mustStrided(gs.Sampling), toy.PosteriorVariance).Sample(nil, gauss(gs.Samples, cfg.rng(streamUnguidedStart)), ds.Exact, nil, cfg.rng(streamUnguidedNoise))
	if err != nil {
		return nil, err
	}
	r.add("unguided/posterior", metrics.MeanClassPosterior(ds.Exact, xu, labels(gs.Samples, 0)), "mean exact q_0(0 | x) of unconditional samples: q(0) on average")
	r.Charts = append(r.Charts, classifierCharts(r, ds, gs, acc.ts, acc.exact, acc.trained, chExact, chTrained, clf)...)
	classifierGuidanceClaims(r, cfg, gs)
	return r, nil
}

// classifierGuidanceClaims: lesson 8. The Bayes accuracy of clean data is
// measured on 20 000 fresh points.
func classifierGuidanceClaims(r *Result, cfg Config, gs GuidanceSetup) {
	ds, err := gs.data("course.ClassifierGuidance", 10, cfg.rng(streamLabelledData))
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

// probs adapts a trained classifier to metrics.Classifier.
type probs struct{ c *nn.Classifier }

func (p probs) Dim() int     { return p.c.Dim() }
func (p probs) Classes() int { return p.c.Spec.Classes }
func (p probs) ClassPosterior(dst, x []float64, alpha float64) []float64 {
	return p.c.Probs(dst, x, alpha)
}

// noisyAccuracy is the share of the points x_t (at level alpha) whose most
// probable class under c at that level is their label.
func noisyAccuracy(c metrics.Classifier, x []float64, y []int, alpha float64) float64 {
	k := c.Classes()
	p := c.ClassPosterior(nil, x, alpha)
	right := 0
	for i, yi := range y {
		best := 0
		for j := 1; j < k; j++ {
			if p[i*k+j] > p[i*k+best] {
				best = j
			}
		}
		if best == yi {
			right++
		}
	}
	return float64(right) / float64(len(y))
}

// accuracies are the accuracies of the exact and of the trained noisy
// classifier at the steps ts.
type accuracies struct{ ts, exact, trained []float64 }

// noisyAccuracies adds the accuracy of the exact noisy classifier (and of
// clf when it is not nil) on noisy labelled samples (x_t, y) across t, and
// the smallest cross-entropy gap of clf to the exact posterior in standard
// errors.
func noisyAccuracies(r *Result, cfg Config, gs GuidanceSetup, ex analytic.Mixture, clf *nn.Classifier) accuracies {
	var acc accuracies
	n := gs.Samples * 4
	comp := make([]int, n)
	x0 := ex.Sample(make([]float64, 2*n), comp, 1, cfg.rng(streamNoisyTestPoints))
	lab := ex.Labels()
	y := make([]int, n)
	for i, c := range comp {
		y[i] = lab[c]
	}
	ceZ := math.Inf(1)
	for _, t := range []int{1, 100, 200, 300, 400, 500, 600, 800, 1000} {
		a := toy.DDPM().Alpha(t)
		xt := toy.AddNoise(nil, nil, x0, a, cfg.rng(streamNoisyTestNoise+uint64(t)))
		acc.ts = append(acc.ts, float64(t))
		acc.exact = append(acc.exact, noisyAccuracy(ex, xt, y, a))
		r.add(fmt.Sprintf("exact/accuracy_t%d", t), acc.exact[len(acc.exact)-1], fmt.Sprintf("accuracy of the exact noisy classifier q_t(y | x_t) at t = %d", t))
		if clf != nil {
			// Cross-entropy on the same noisy points: the exact posterior is
			// optimal, so the trained one cannot be lower beyond MC error.
			pe, pt := ex.ClassPosterior(nil, xt, a), clf.Probs(nil, xt, a)
			k := ex.Classes()
			d := make([]float64, n)
			for i, yi := range y {
				d[i] = math.Log(pe[i*k+yi]) - math.Log(pt[i*k+yi])
			}
			m, se := meanSE(d)
			ceZ = math.Min(ceZ, m/se)
			acc.trained = append(acc.trained, noisyAccuracy(probs{clf}, xt, y, a))
			r.add(fmt.Sprintf("trained/accuracy_t%d", t), acc.trained[len(acc.trained)-1], fmt.Sprintf("accuracy of the trained noisy classifier at t = %d", t))
		}
	}
	if clf != nil {
		r.add("trained/cross_entropy_gap_z", ceZ, "smallest (cross-entropy of the trained classifier - of the exact posterior) over t, in standard errors (not below -3)")
	}
	return acc
}
