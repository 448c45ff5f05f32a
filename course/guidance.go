// Lessons 7, 8 and 9: conditional generation, classifier guidance and
// classifier-free guidance (lessons/07-conditional.md,
// lessons/08-classifier-guidance.md, lessons/09-classifier-free-guidance.md).

package course

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/metrics"
	"difftoy/toy/nn"
	"difftoy/toy/sample"
	"difftoy/viz"
)

// GuidanceSetup is what lessons 7-9 vary.
type GuidanceSetup struct {
	Dataset string // a labelled dataset
	Samples int    // samples per class
	Steps   int    // Adam steps of the conditional network (0: no network)
	// ClassifierSteps is the number of Adam steps of lesson 8's noisy
	// classifier (0: Steps).
	ClassifierSteps int
	Gammas          []float64 // guidance scales of the sweep
	Sampling        int       // respaced DDPM steps
	Sharpen         float64   // exponent a of the sharpened Gaussian of lesson 9
	// LabelDropout is the probability 1 - p of the empty label when the
	// conditional network trains (lesson 9 section 2; 0.2 by default).
	LabelDropout float64
	// GuideFrom and GuideTo, when GuideTo > 0, restrict guidance to the
	// steps GuideFrom <= t <= GuideTo of the linear schedule (the levels
	// alpha_GuideTo <= alpha <= alpha_GuideFrom); elsewhere the sweep's
	// samplers use gamma = 0. Both 0: guidance at every step.
	GuideFrom, GuideTo int
	// ClassWeights, when not nil, are the class weights q(y) of the data
	// (one per class; lesson 7 exercise 1), and Spacing, when not 0 or 1,
	// scales the distances of the class means from their centre (below 1:
	// the classes move together; lesson 7 exercise 2, lesson 8 exercise
	// 4). Both change the law the points are drawn from.
	ClassWeights []float64
	Spacing      float64
}

// DefaultGuidance is the setup of lessons 7-9.
func DefaultGuidance(cfg Config) GuidanceSetup {
	return GuidanceSetup{Dataset: "two-classes", Samples: cfg.size(600, 300), Steps: cfg.size(6000, 600), ClassifierSteps: cfg.size(1500, 600),
		Gammas: []float64{0, 1, 3, 7}, Sampling: 200, Sharpen: 2, LabelDropout: 0.2}
}

// labels returns n copies of y.
func labels(n, y int) []int {
	l := make([]int, n)
	for i := range l {
		l[i] = y
	}
	return l
}

// classNames names the classes of a dataset.
func classNames(k int) []string {
	var s []string
	for c := 0; c < k; c++ {
		s = append(s, fmt.Sprintf("class %d", c))
	}
	return s
}

// sampleClass draws n samples of label y with the denoiser.
func sampleClass(den toy.Denoiser, plan *sample.Plan, n, y int, cfg Config, stream uint64) ([]float64, error) {
	return sample.DDPM(plan, toy.PosteriorVariance).Sample(nil, gauss(n, cfg.rng(stream)), den, labels(n, y), cfg.rng(stream+1))
}

// TrainConditional trains the conditional network of lessons 7 and 9 with
// label dropout (the empty label with probability gs.LabelDropout).
func TrainConditional(ctx context.Context, cfg Config, gs GuidanceSetup, p Progress) (*Trained, error) {
	ds, err := gs.data(4000, cfg.rng(1))
	if err != nil {
		return nil, err
	}
	spec := recipeSpec()
	spec.Classes = ds.Classes
	sched := toy.DDPM()
	tc := recipeConfig(gs.Steps)
	tc.LabelDropout = gs.LabelDropout
	m, h, err := trainedWith(ctx, ds, spec, sched, tc, cfg, "training the conditional network", p)
	if err != nil {
		return nil, err
	}
	return &Trained{ds, m, h, sched}, nil
}

// addTrainingError reports the conditional network's error against the
// exact conditional denoiser, from its last evaluation.
func addTrainingError(r *Result, tr *Trained) {
	if ev := tr.History.Evals; len(ev) > 0 {
		last := ev[len(ev)-1]
		r.add("trained/excess", last.Mean, "E||D(x|y) - D*(x|y)||^2 of the conditional network, averaged over t")
		r.add("trained/trivial", last.TrivialMean, "the same for the best constant denoiser")
	}
}

// Conditional runs lesson 7: per class, exact and trained conditional
// samples with their energy distance and classifier share.
func Conditional(cfg Config, gs GuidanceSetup, tr *Trained) (*Result, error) {
	r := &Result{}
	ds, err := gs.data(4000, cfg.rng(1))
	if err != nil {
		return nil, err
	}
	ex := ds.Exact
	plan, err := sample.Strided(toy.DDPM(), gs.Sampling)
	if err != nil {
		return nil, err
	}
	src := cfg.rng(3)
	g := window(3.5, 50)
	var scenes []viz.Scene
	for y := 0; y < ds.Classes; y++ {
		cls, err := ex.Class(y)
		if err != nil {
			return nil, err
		}
		fresh := func(n int) []float64 { return exactSample(cls, n, 1, src) }
		bayes := metrics.ClassAccuracy(ex, fresh(4000), labels(4000, y))
		r.add(fmt.Sprintf("class%d/bayes", y), bayes, "share of fresh class data the exact classifier assigns to the class (Bayes accuracy)")
		x, err := sampleClass(ex, plan, gs.Samples, y, cfg, 50+uint64(y))
		if err != nil {
			return nil, err
		}
		ec := energyCheck(x, fresh, 10)
		r.add(fmt.Sprintf("class%d/exact_energy", y), ec.Energy/ec.Noise, "exact conditional samples: energy distance to the class data in units of its noise level")
		r.add(fmt.Sprintf("class%d/exact_share", y), metrics.ClassAccuracy(ex, x, labels(gs.Samples, y)), "exact conditional samples the classifier assigns to the class")
		law := spread(exactSample(cls, 20000, 1, cfg.rng(700+uint64(y))))
		r.add(fmt.Sprintf("class%d/law_spread", y), law, "trace of the class law's covariance (20000 fresh draws)")
		r.add(fmt.Sprintf("class%d/exact_spread", y), spread(x), "the same for the exact conditional samples")
		scenes = append(scenes, viz.Scene{Title: fmt.Sprintf("exact D*(x | %d)", y), Grid: g, Density: density(cls, g, 1), Points: x, Labels: labels(gs.Samples, y)})
		if tr != nil {
			x, err := sampleClass(tr.Model, plan, gs.Samples, y, cfg, 60+uint64(y))
			if err != nil {
				return nil, err
			}
			r.add(fmt.Sprintf("class%d/trained_share", y), metrics.ClassAccuracy(ex, x, labels(gs.Samples, y)), "trained conditional samples the classifier assigns to the class")
			r.add(fmt.Sprintf("class%d/trained_spread", y), spread(x), "the same for the trained conditional samples: compare with law_spread")
			scenes = append(scenes, viz.Scene{Title: fmt.Sprintf("trained D(x | %d)", y), Grid: g, Density: density(cls, g, 1), Points: x, Labels: labels(gs.Samples, y)})
		}
	}
	if tr != nil {
		addTrainingError(r, tr)
	}
	addTowerChecks(r, ex, ds.Classes)
	// The noisy class posterior q_t(0 | x) across t.
	var post []viz.Scene
	fine := window(3.5, 50)
	for _, t := range []int{10, 200, 400, 700} {
		cp := ex.ClassPosterior(nil, fine.Points(), toy.DDPM().Alpha(t))
		v := make([]float64, fine.Len())
		for i := range v {
			v[i] = cp[i*ds.Classes]
		}
		post = append(post, viz.Scene{Title: fmt.Sprintf("q_t(class 0 | x), t = %d", t), Grid: fine, Density: v})
	}
	r.Charts = append(r.Charts, conditionalCharts(ds, ex, scenes, post)...)
	conditionalClaims(r, cfg, gs)
	return r, nil
}

// addTowerChecks adds the largest departures, on a grid and at several t,
// from sum_y q_t(y | x) = 1 and from the tower identities
//
//	D*_t(x) = sum_y q_t(y | x) D*_t(x | y),
//	grad log q_t(x) = sum_y q_t(y | x) grad log q_t(x | y),
//
// and between the classifier-free and classifier guidance fields of the exact
// mixture at gamma = 3 (lessons/09-classifier-free-guidance.md section 1).
func addTowerChecks(r *Result, m analytic.Mixture, k int) {
	cfgField, err1 := sample.NewCFG(m, 3)
	cgField, err2 := sample.NewClassifierGuided(m, sample.ExactClassifier{M: m}, 3)
	if err := errors.Join(err1, err2); err != nil {
		panic("course: guidance fields at gamma = 3: " + err.Error()) // a finite gamma on one mixture: cannot happen
	}
	g := window(3, 15)
	x := g.Points()
	n := g.Len()
	var sumErr, dErr, sErr, gErr float64
	for _, t := range []int{1, 50, 300, 1000} {
		a := toy.DDPM().Alpha(t)
		cp := m.ClassPosterior(nil, x, a)
		d, s := m.Denoise(nil, x, a, nil), m.Score(nil, x, a, nil)
		dm, sm := make([]float64, 2*n), make([]float64, 2*n)
		for y := 0; y < k; y++ {
			ly := labels(n, y)
			dy, sy := m.Denoise(nil, x, a, ly), m.Score(nil, x, a, ly)
			for i := 0; i < n; i++ {
				for j := 0; j < 2; j++ {
					dm[2*i+j] += cp[i*k+y] * dy[2*i+j]
					sm[2*i+j] += cp[i*k+y] * sy[2*i+j]
				}
			}
			cfg := cfgField.Score(nil, x, a, ly)
			cg := cgField.Score(nil, x, a, ly)
			for i := range cfg {
				gErr = math.Max(gErr, math.Abs(cfg[i]-cg[i])/(1+math.Abs(cg[i])))
			}
		}
		for i := 0; i < n; i++ {
			var sum float64
			for y := 0; y < k; y++ {
				sum += cp[i*k+y]
			}
			sumErr = math.Max(sumErr, math.Abs(sum-1))
		}
		for i := range d {
			dErr = math.Max(dErr, math.Abs(d[i]-dm[i]))
			sErr = math.Max(sErr, math.Abs(s[i]-sm[i])/(1+math.Abs(s[i])))
		}
	}
	r.add("tower/class_sum_error", sumErr, "largest |sum_y q_t(y | x) - 1|")
	r.add("tower/denoiser_error", dErr, "largest |D*(x) - sum_y q_t(y|x) D*(x|y)|")
	r.add("tower/score_error", sErr, "largest relative |score - sum_y q_t(y|x) score(x|y)|")
	r.add("tower/cfg_vs_cg_error", gErr, "largest relative gap between the CFG and classifier-guidance fields (gamma = 3)")
}

// sweep samples class 0 for each gamma with the guided denoiser made by
// guided and reports the mean exact class posterior q_0(0 | x) and the
// spread of the samples.
func sweep(r *Result, prefix string, cfg Config, gs GuidanceSetup, guided func(gamma float64) (toy.Denoiser, error)) (*viz.Chart, error) {
	ds, err := gs.data(4000, cfg.rng(1))
	if err != nil {
		return nil, err
	}
	plan, err := sample.Strided(toy.DDPM(), gs.Sampling)
	if err != nil {
		return nil, err
	}
	g := window(3.5, 50)
	dens := density(ds.Exact, g, 1)
	var scenes []viz.Scene
	for i, gamma := range gs.Gammas {
		den, err := guided(gamma)
		if err != nil {
			return nil, err
		}
		if den, err = guideInterval(gs, den, guided); err != nil {
			return nil, err
		}
		x, err := sampleClass(den, plan, gs.Samples, 0, cfg, 70+uint64(i))
		if err != nil {
			return nil, err
		}
		cp := ds.Exact.ClassPosterior(nil, x, 1)
		p0 := make([]float64, gs.Samples)
		for i := range p0 {
			p0[i] = cp[i*ds.Classes]
		}
		m, se := meanSE(p0)
		r.add(fmt.Sprintf("%s/posterior_gamma%g", prefix, gamma), m, fmt.Sprintf("mean exact q_0(0 | x) of class-0 samples at gamma = %g", gamma))
		r.add(fmt.Sprintf("%s/posterior_se_gamma%g", prefix, gamma), se, "its Monte Carlo standard error")
		r.add(fmt.Sprintf("%s/spread_gamma%g", prefix, gamma), spread(x), "trace of the samples' covariance")
		scenes = append(scenes, viz.Scene{Grid: g, Density: dens, Points: x, Labels: labels(gs.Samples, 0)})
	}
	return viz.GuidanceSweep(prefix+": guided samples of class 0", gs.Gammas, scenes, classNames(ds.Classes)), nil
}

// guideInterval restricts den, guided by guided(gamma), to the steps
// gs.GuideFrom..gs.GuideTo of the linear schedule (den itself when GuideTo
// is 0), with guided(0) outside them.
func guideInterval(gs GuidanceSetup, den toy.Denoiser, guided func(gamma float64) (toy.Denoiser, error)) (toy.Denoiser, error) {
	if gs.GuideTo == 0 && gs.GuideFrom == 0 {
		return den, nil
	}
	s := toy.DDPM()
	if !(0 <= gs.GuideFrom && gs.GuideFrom <= gs.GuideTo && gs.GuideTo <= s.T()) {
		return nil, fmt.Errorf("course: guidance interval of steps %d..%d is not inside 0..%d", gs.GuideFrom, gs.GuideTo, s.T())
	}
	plain, err := guided(0)
	if err != nil {
		return nil, err
	}
	return sample.NewInterval(den, plain, s.Alpha(gs.GuideTo), s.Alpha(gs.GuideFrom))
}

// spread is the trace of the covariance of 2-D points.
func spread(x []float64) float64 {
	n := len(x) / 2
	var s float64
	for j := 0; j < 2; j++ {
		col := make([]float64, n)
		for i := range col {
			col[i] = x[2*i+j]
		}
		m := mean(col)
		var q float64
		for _, v := range col {
			q += sq(v - m)
		}
		s += q / float64(n-1)
	}
	return s
}

// TrainClassifier trains the noisy classifier C_t(y | x_t) of lesson 8 with
// cross-entropy on noised labelled data.
func TrainClassifier(ctx context.Context, cfg Config, gs GuidanceSetup, p Progress) (*nn.Classifier, error) {
	ds, err := gs.data(4000, cfg.rng(1))
	if err != nil {
		return nil, err
	}
	spec := nn.DefaultSpec(2)
	spec.Classes = ds.Classes
	c, err := nn.NewClassifier(spec, toy.DDPM(), cfg.rng(20))
	if err != nil {
		return nil, err
	}
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
	if _, err := nn.TrainClassifier(ctx, c, data, tc, cfg.rng(21)); err != nil {
		return nil, fmt.Errorf("course: training the classifier: %w", err)
	}
	return c, nil
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

// ClassifierGuidance runs lesson 8: the accuracy of the exact (and the
// trained, when clf is not nil) noisy classifier across t, and gamma sweeps
// of classifier guidance with the exact unconditional denoiser.
func ClassifierGuidance(cfg Config, gs GuidanceSetup, clf *nn.Classifier) (*Result, error) {
	r := &Result{}
	ds, err := gs.data(4000, cfg.rng(1))
	if err != nil {
		return nil, err
	}
	sched := toy.DDPM()
	exact := sample.ExactClassifier{M: ds.Exact}

	// Accuracy of the classifiers on noisy samples (x_t, y) across t.
	n := gs.Samples * 4
	comp := make([]int, n)
	x0 := ds.Exact.Sample(make([]float64, 2*n), comp, 1, cfg.rng(22))
	lab := ds.Exact.Labels()
	y := make([]int, n)
	for i, c := range comp {
		y[i] = lab[c]
	}
	var ts, accE, accT []float64
	ceZ := math.Inf(1)
	for _, t := range []int{1, 100, 200, 300, 400, 500, 600, 800, 1000} {
		a := sched.Alpha(t)
		xt := toy.AddNoise(nil, nil, x0, a, cfg.rng(23+uint64(t)))
		ts = append(ts, float64(t))
		accE = append(accE, noisyAccuracy(ds.Exact, xt, y, a))
		r.add(fmt.Sprintf("exact/accuracy_t%d", t), accE[len(accE)-1], fmt.Sprintf("accuracy of the exact noisy classifier q_t(y | x_t) at t = %d", t))
		if clf != nil {
			// Cross-entropy on the same noisy points: the exact posterior is
			// optimal, so the trained one cannot be lower beyond MC error.
			pe, pt := ds.Exact.ClassPosterior(nil, xt, a), clf.Probs(nil, xt, a)
			k := ds.Classes
			d := make([]float64, n)
			for i, yi := range y {
				d[i] = math.Log(pe[i*k+yi]) - math.Log(pt[i*k+yi])
			}
			m, se := meanSE(d)
			ceZ = math.Min(ceZ, m/se)
			accT = append(accT, noisyAccuracy(probs{clf}, xt, y, a))
			r.add(fmt.Sprintf("trained/accuracy_t%d", t), accT[len(accT)-1], fmt.Sprintf("accuracy of the trained noisy classifier at t = %d", t))
		}
	}
	if clf != nil {
		r.add("trained/cross_entropy_gap_z", ceZ, "smallest (cross-entropy of the trained classifier - of the exact posterior) over t, in standard errors (not below -3)")
	}
	chExact, err := sweep(r, "exact classifier", cfg, gs, func(gamma float64) (toy.Denoiser, error) {
		return sample.NewClassifierGuided(ds.Exact, exact, gamma)
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
	xu, err := sample.DDPM(mustStrided(gs.Sampling), toy.PosteriorVariance).Sample(nil, gauss(gs.Samples, cfg.rng(80)), ds.Exact, nil, cfg.rng(81))
	if err != nil {
		return nil, err
	}
	r.add("unguided/posterior", metrics.MeanClassPosterior(ds.Exact, xu, labels(gs.Samples, 0)), "mean exact q_0(0 | x) of unconditional samples: q(0) on average")
	r.Charts = append(r.Charts, classifierCharts(r, ds, gs, ts, accE, accT, chExact, chTrained, clf)...)
	classifierGuidanceClaims(r, cfg, gs)
	return r, nil
}

// CFG runs lesson 9: classifier-free guidance with the exact conditional
// and unconditional denoisers, and with the trained network when tr is
// not nil.
func CFG(cfg Config, gs GuidanceSetup, tr *Trained) (*Result, error) {
	r := &Result{}
	ds, err := gs.data(4000, cfg.rng(1))
	if err != nil {
		return nil, err
	}
	chExact, err := sweep(r, "exact", cfg, gs, func(gamma float64) (toy.Denoiser, error) { return sample.NewCFG(ds.Exact, gamma) })
	if err != nil {
		return nil, err
	}
	var chTrained *viz.Chart
	if tr != nil {
		addTrainingError(r, tr)
		chTrained, err = sweep(r, "trained", cfg, gs, func(gamma float64) (toy.Denoiser, error) { return sample.NewCFG(tr.Model, gamma) })
		if err != nil {
			return nil, err
		}
		// Side by side: guidance amplifies whatever the network got wrong.
		for _, g := range gs.Gammas {
			ts, _ := r.Number(fmt.Sprintf("trained/spread_gamma%g", g))
			es, _ := r.Number(fmt.Sprintf("exact/spread_gamma%g", g))
			tp, _ := r.Number(fmt.Sprintf("trained/posterior_gamma%g", g))
			ep, _ := r.Number(fmt.Sprintf("exact/posterior_gamma%g", g))
			r.add(fmt.Sprintf("trained_vs_exact/spread_ratio_gamma%g", g), ts/es, fmt.Sprintf("trained CFG's spread over exact CFG's at gamma = %g (1: no difference)", g))
			r.add(fmt.Sprintf("trained_vs_exact/posterior_diff_gamma%g", g), tp-ep, fmt.Sprintf("trained CFG's mean exact class posterior minus exact CFG's at gamma = %g", g))
		}
	}

	// Guided is not tilted: CFG samples at gamma = 3 against exact samples of
	// q_0(x) q_0(0 | x)^(1+gamma) / Z, drawn by rejection from q_0.
	const gamma = 3.0
	den, err := sample.NewCFG(ds.Exact, gamma)
	if err != nil {
		return nil, err
	}
	xg, err := sampleClass(den, mustStrided(gs.Sampling), gs.Samples, 0, cfg, 85)
	if err != nil {
		return nil, err
	}
	rng := rand.New(cfg.rng(86))
	tilted := func(n int) []float64 {
		out := make([]float64, 0, 2*n)
		for len(out) < 2*n {
			x := exactSample(ds.Exact, 256, 1, cfg.rng(rng.Uint64()))
			cp := ds.Exact.ClassPosterior(nil, x, 1)
			for i := 0; i < 256 && len(out) < 2*n; i++ {
				if rng.Float64() < math.Pow(cp[i*ds.Classes], 1+gamma) {
					out = append(out, x[2*i], x[2*i+1])
				}
			}
		}
		return out
	}
	ec := energyCheck(xg, tilted, 10)
	r.add("tilted/energy_ratio", ec.Energy/ec.Noise, "CFG samples (gamma = 3, exact) against exact samples of the tilted q_0(x) q_0(0|x)^4: energy distance in units of its noise level")
	jensenNumbers(r, ds.Exact, gamma, cfg.size(300, 150), cfg)
	charts, err := cfgCharts(r, ds, gs, tr, chExact, chTrained, gamma, xg, tilted(gs.Samples), cfg.rng(100))
	if err != nil {
		return nil, err
	}
	r.Charts = append(r.Charts, charts...)

	// Sharpening a Gaussian: the field a grad log q_t of N(0, I) does not
	// sample the sharpened N(0, I/a).
	gm, err := analytic.NewGaussian(2, []float64{1}, []float64{0, 0}, [][]float64{{1, 0, 0, 1}}, nil)
	if err != nil {
		return nil, err
	}
	temp, err := sample.NewTempered(gm, gs.Sharpen)
	if err != nil {
		return nil, err
	}
	n := 4 * gs.Samples
	xs, err := sample.DDPM(sample.Full(toy.DDPM()), toy.PosteriorVariance).Sample(nil, gauss(n, cfg.rng(87)), temp, nil, cfg.rng(88))
	if err != nil {
		return nil, err
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
	cfgClaims(r, cfg, gs)
	return r, nil
}

func mustStrided(n int) *sample.Plan {
	p, err := sample.Strided(toy.DDPM(), n)
	if err != nil {
		panic(err)
	}
	return p
}

func runConditional(ctx context.Context, cfg Config, p Progress) (*Result, error) {
	gs := DefaultGuidance(cfg)
	tr, err := TrainConditional(ctx, cfg, gs, p)
	if err != nil {
		return nil, err
	}
	return Conditional(cfg, gs, tr)
}

func runClassifierGuidance(ctx context.Context, cfg Config, p Progress) (*Result, error) {
	gs := DefaultGuidance(cfg)
	clf, err := TrainClassifier(ctx, cfg, gs, p)
	if err != nil {
		return nil, err
	}
	return ClassifierGuidance(cfg, gs, clf)
}

func runCFG(ctx context.Context, cfg Config, p Progress) (*Result, error) {
	gs := DefaultGuidance(cfg)
	tr, err := TrainConditional(ctx, cfg, gs, p)
	if err != nil {
		return nil, err
	}
	return CFG(cfg, gs, tr)
}
