// The setup lessons 7, 8 and 9 share: the labelled dataset, the conditional
// network trained with label dropout, class sampling and the gamma sweep of
// a guided denoiser (lessons/07-conditional.md,
// lessons/08-classifier-guidance.md, lessons/09-classifier-free-guidance.md).

package course

import (
	"context"
	"fmt"
	"math"

	"difftoy/toy"
	"difftoy/toy/sample"
	"difftoy/viz"
)

// Random streams of lessons 7-9 (Config.rng) that more than one lesson
// draws from. sampleClass draws x_T from its stream s and the DDPM noise
// from s+1, so each of its calls takes the pair s, s+1; a base with "+ k"
// draws the k-th member of a family, "+ 2k" the k-th pair. The sweep sits
// above every other stream of lessons 8 and 9 (the noisy-classifier test
// reaches 1023), so a sweep of any length overlaps none of them.
const (
	streamLabelledData = 1    // the labelled dataset of lessons 7-9
	streamSweep        = 1100 // + 2i: class-0 samples at the i-th gamma of a sweep (x_T; the noise at + 2i + 1)
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
	ds, err := gs.data("course.TrainConditional", 4000, cfg.rng(streamLabelledData))
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

// sweep samples class 0 for each gamma with the guided denoiser made by
// guided and reports the mean exact class posterior q_0(0 | x) and the
// spread of the samples.
func sweep(r *Result, prefix string, cfg Config, gs GuidanceSetup, guided func(gamma float64) (toy.Denoiser, error)) (*viz.Chart, error) {
	ds, err := gs.data("course.sweep", 4000, cfg.rng(streamLabelledData))
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
		x, err := sampleClass(den, plan, gs.Samples, 0, cfg, streamSweep+2*uint64(i))
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

// spreadSE is the Monte Carlo standard error of spread(x) for n
// independent points: the standard deviation of ||x_i − mean||² over √n.
func spreadSE(x []float64) float64 {
	d := sqDeviations(x)
	n := len(d)
	m := mean(d)
	var q float64
	for _, v := range d {
		q += sq(v - m)
	}
	return math.Sqrt(q / float64(n-1) / float64(n))
}

// pairedSpreadSE is the Monte Carlo standard error of spread(a) −
// spread(b) when a and b are paired point by point (drawn from the same
// randomness): the standard deviation of the pointwise differences of
// ||x_i − mean||² over √n.
func pairedSpreadSE(a, b []float64) float64 {
	da, db := sqDeviations(a), sqDeviations(b)
	for i := range da {
		da[i] -= db[i]
	}
	m := mean(da)
	var q float64
	for _, v := range da {
		q += sq(v - m)
	}
	return math.Sqrt(q / float64(len(da)-1) / float64(len(da)))
}

// sqDeviations returns ||x_i − mean||² for each 2-D point of x.
func sqDeviations(x []float64) []float64 {
	n := len(x) / 2
	var mx, my float64
	for i := 0; i < n; i++ {
		mx += x[2*i] / float64(n)
		my += x[2*i+1] / float64(n)
	}
	d := make([]float64, n)
	for i := range d {
		d[i] = sq(x[2*i]-mx) + sq(x[2*i+1]-my)
	}
	return d
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

func mustStrided(n int) *sample.Plan {
	p, err := sample.Strided(toy.DDPM(), n)
	if err != nil {
		panic(err)
	}
	return p
}
