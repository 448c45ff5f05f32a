// Lessons 7, 8 and 9: conditional generation, classifier guidance and
// classifier-free guidance (MATH.md sections 4 and 7).

package course

import (
	"context"
	"fmt"

	"difftoy/toy"
	"difftoy/toy/metrics"
	"difftoy/toy/nn"
	"difftoy/toy/sample"
	"difftoy/viz"
)

// GuidanceSetup is what lessons 7-9 vary.
type GuidanceSetup struct {
	Dataset  string    // a labelled dataset
	Samples  int       // samples per class
	Steps    int       // Adam steps of the conditional network (0: no network)
	Gammas   []float64 // guidance scales of the sweep
	Sampling int       // respaced DDPM steps
}

// DefaultGuidance is the setup of lessons 7-9.
func DefaultGuidance(cfg Config) GuidanceSetup {
	return GuidanceSetup{Dataset: "two-classes", Samples: cfg.size(600, 300), Steps: cfg.size(1500, 600),
		Gammas: []float64{0, 1, 3, 7}, Sampling: 200}
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
// label dropout (the empty label with probability 0.2).
func TrainConditional(ctx context.Context, cfg Config, gs GuidanceSetup, p Progress) (*Trained, error) {
	ds := load(gs.Dataset, 4000, cfg.rng(1))
	spec := nn.DefaultSpec(2)
	spec.Classes = ds.Classes
	sched := toy.DDPM()
	m, h, err := trainedModel(ctx, ds, spec, sched, gs.Steps, cfg.Seed, "training the conditional network", p)
	if err != nil {
		return nil, err
	}
	return &Trained{ds, m, h, sched}, nil
}

// Conditional runs lesson 7: per class, exact and trained conditional
// samples with their energy distance and classifier share.
func Conditional(cfg Config, gs GuidanceSetup, tr *Trained) (*Result, error) {
	r := &Result{}
	ds := load(gs.Dataset, 4000, cfg.rng(1))
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
		scenes = append(scenes, viz.Scene{Title: fmt.Sprintf("exact D*(x | %d)", y), Grid: g, Density: density(cls, g, 1), Points: x, Labels: labels(gs.Samples, y)})
		if tr != nil {
			x, err := sampleClass(tr.Model, plan, gs.Samples, y, cfg, 60+uint64(y))
			if err != nil {
				return nil, err
			}
			r.add(fmt.Sprintf("class%d/trained_share", y), metrics.ClassAccuracy(ex, x, labels(gs.Samples, y)), "trained conditional samples the classifier assigns to the class")
			scenes = append(scenes, viz.Scene{Title: fmt.Sprintf("trained D(x | %d)", y), Grid: g, Density: density(cls, g, 1), Points: x, Labels: labels(gs.Samples, y)})
		}
	}
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
	r.Charts = append(r.Charts,
		viz.Samples("The labelled data", viz.Scene{Points: ds.Points[:2*1000], Labels: ds.Labels[:1000]}, classNames(ds.Classes)),
		viz.Plane("Conditional samples per class", scenes, viz.PlaneOpts{Classes: classNames(ds.Classes), Cols: 2, PerPanel: true}),
		viz.Plane("The noisy class posterior across t", post, viz.PlaneOpts{DensityLabel: "q_t(0 | x)", Cols: 4}),
	)
	return r, nil
}

// sweep samples class 0 for each gamma with the guided denoiser made by
// guided and reports the mean exact class posterior q_0(0 | x) and the
// spread of the samples.
func sweep(r *Result, prefix string, cfg Config, gs GuidanceSetup, guided func(gamma float64) (toy.Denoiser, error)) (*viz.Chart, error) {
	ds := load(gs.Dataset, 4000, cfg.rng(1))
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

// ClassifierGuidance runs lesson 8 with the exact classifier and the exact
// unconditional denoiser: a gamma sweep.
func ClassifierGuidance(cfg Config, gs GuidanceSetup) (*Result, error) {
	r := &Result{}
	ds := load(gs.Dataset, 4000, cfg.rng(1))
	clf := sample.ExactClassifier{M: ds.Exact}
	ch, err := sweep(r, "exact classifier", cfg, gs, func(gamma float64) (toy.Denoiser, error) {
		return sample.NewClassifierGuided(ds.Exact, clf, gamma)
	})
	if err != nil {
		return nil, err
	}
	x, err := sample.DDPM(mustStrided(gs.Sampling), toy.PosteriorVariance).Sample(nil, gauss(gs.Samples, cfg.rng(80)), ds.Exact, nil, cfg.rng(81))
	if err != nil {
		return nil, err
	}
	r.add("unguided/posterior", metrics.MeanClassPosterior(ds.Exact, x, labels(gs.Samples, 0)), "mean exact q_0(0 | x) of unconditional samples: q(0) on average")
	g := window(3.5, 17)
	r.Charts = append(r.Charts, ch,
		viz.Quiver("Classifier gradient ∇log q_t(0 | x) at t = 300", g, clf.Grad(nil, g.Points(), toy.DDPM().Alpha(300), labels(g.Len(), 0)), viz.QuiverOpts{Label: "|∇log q_t(y|x)|"}))
	return r, nil
}

// CFG runs lesson 9: classifier-free guidance with the exact conditional
// and unconditional denoisers, and with the trained network when tr is
// not nil.
func CFG(cfg Config, gs GuidanceSetup, tr *Trained) (*Result, error) {
	r := &Result{}
	ds := load(gs.Dataset, 4000, cfg.rng(1))
	ch, err := sweep(r, "exact", cfg, gs, func(gamma float64) (toy.Denoiser, error) { return sample.NewCFG(ds.Exact, gamma) })
	if err != nil {
		return nil, err
	}
	r.Charts = append(r.Charts, ch)
	if tr != nil {
		ch, err := sweep(r, "trained", cfg, gs, func(gamma float64) (toy.Denoiser, error) { return sample.NewCFG(tr.Model, gamma) })
		if err != nil {
			return nil, err
		}
		r.Charts = append(r.Charts, ch)
	}
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
	return ClassifierGuidance(cfg, DefaultGuidance(cfg))
}

func runCFG(ctx context.Context, cfg Config, p Progress) (*Result, error) {
	gs := DefaultGuidance(cfg)
	tr, err := TrainConditional(ctx, cfg, gs, p)
	if err != nil {
		return nil, err
	}
	return CFG(cfg, gs, tr)
}
