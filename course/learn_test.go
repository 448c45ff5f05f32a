package course

import (
	"context"
	"fmt"
	"math"
	"testing"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/metrics"
	"difftoy/toy/nn"
	"difftoy/toy/sample"
)

// draws is the number of independent sample sets behind each energy
// ratio of TestTrainedNetworksLearn.
const draws = 10

// meanEnergyRatio returns the mean over draws of the energy distance
// between sample(k) (n points, draw k) and n fresh points of the target,
// in units of the two-sample noise level (its mean over 40 pairs of
// target samples of size n), and the standard error of that mean.
func meanEnergyRatio(n int, sample func(k int) []float64, target func(n int) []float64) (mean, se float64) {
	noise := energyCheck(target(n), target, 40).Noise
	r := make([]float64, draws)
	for k := range r {
		r[k] = metrics.Energy(sample(k), target(n), 2) / noise
	}
	return meanSE(r)
}

// TestTrainedNetworksLearn trains every lesson's networks at the default
// (non-quick) settings of the book and the notebooks, samples them with
// their lesson's sampler and sample size, and checks that they learned the
// data:
//
//   - unconditional models (lessons 3-6 and 12): energy distance to the data at
//     most 2 times its two-sample noise level. One sample set is not enough
//     to tell: the ratio of a single draw fluctuates like a weighted
//     chi-square of few terms (on eight Gaussians, 1000 samples, the exact
//     D* with lesson 4's sampler scores from 0.3 to 3.4 over six draws),
//     so the test averages the ratio over 10 independent draws (standard
//     error about 0.3) and asserts that the mean is at most 2, the bound
//     of the lessons' one draw; the exact denoiser on the same draws is
//     logged beside it as the reference (the sampler's own error);
//   - the conditional model (lesson 7): each class's covariance trace
//     within 15% of the exact class law's. The trace is measured on 4000
//     samples (relative standard error about sqrt(2/4000) ~ 2% for a
//     Gaussian class, so 15% is 7 standard errors: a pass or fail is the
//     model's, not the draw's);
//   - classifier-free guidance with the trained model (lesson 9) at
//     gamma in {0, 1, 3, 7}: spread within a factor 1.5 of exact CFG's at
//     the same gamma, and mean exact class posterior within 0.02 of exact
//     CFG's (the page's standard errors of these means are below 0.006).
//
// It logs every measured value.
func TestTrainedNetworksLearn(t *testing.T) {
	if testing.Short() {
		t.Skip("trains every lesson's networks at full size (minutes)")
	}
	ctx := context.Background()
	cfg := DefaultConfig()
	check := func(res *Result, key string, lo, hi float64) {
		t.Helper()
		v, ok := res.Number(key)
		if !ok {
			t.Errorf("%s: no such number", key)
			return
		}
		t.Logf("%-28s %.4g (want %g..%g)", key, v, lo, hi)
		if !(v >= lo && v <= hi) {
			t.Errorf("%s = %.4g, want within [%g, %g]", key, v, lo, hi)
		}
	}
	// energy checks a trained denoiser sampled by DDPM (C^2 = beta~) on
	// plan, with the exact one on the same draws as the reference.
	energy := func(name string, den, exact toy.Denoiser, plan *sample.Plan, n int, law analytic.Mixture) {
		t.Helper()
		src := cfg.rng(990)
		target := func(n int) []float64 { return exactSample(law, n, 1, src) }
		run := func(d toy.Denoiser) func(k int) []float64 {
			return func(k int) []float64 {
				x, _, err := DDPMSample(d, plan, toy.PosteriorVariance, n, cfg, 1000+2*uint64(k))
				if err != nil {
					t.Fatal(err)
				}
				return x
			}
		}
		m, se := meanEnergyRatio(n, run(den), target)
		em, ese := meanEnergyRatio(n, run(exact), target)
		t.Logf("%-34s E/noise %.2f ± %.2f over %d draws (exact D*, same draws: %.2f ± %.2f)", name, m, se, draws, em, ese)
		if m > 2 {
			t.Errorf("%s: mean energy distance %.2f ± %.2f noise levels, want at most 2", name, m, se)
		}
	}

	// Lesson 3's ablation: without Fourier features of x, without the
	// preconditioning, or both (the plain x0 network), the error
	// against D* is well above the recipe's at the same steps, and the
	// lesson's network (4 times the steps) is below it. Each error is a
	// mean over 10 000 points (1000 at each of 10 steps t), a few percent
	// of Monte Carlo error; the factor 1.5 asked is far beyond it.
	t.Run("03-training", func(t *testing.T) {
		res, err := runTraining(ctx, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		recipe, _ := res.Number("ablation/recipe/excess_weighted")
		for _, row := range []string{"plain", "no_xfeatures", "no_precond"} {
			check(res, "ablation/"+row+"/excess_weighted", 1.5*recipe, math.Inf(1))
		}
		check(res, "ablation/recipe_full/excess_weighted", 0, recipe)
	})
	t.Run("04-ancestral", func(t *testing.T) {
		ts := DefaultTraining(cfg)
		tr, err := TrainDenoiser(ctx, cfg, ts, nil)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := sample.Strided(tr.Sched, DefaultAncestral(cfg).TrainedSteps)
		if err != nil {
			t.Fatal(err)
		}
		energy("lesson 3/4 network, DDPM", tr.Model, tr.Data.Exact, plan, DefaultAncestral(cfg).Samples, tr.Data.Exact)
	})
	t.Run("05-changing-schedule", func(t *testing.T) {
		rs := DefaultReschedule(cfg)
		lin := toy.DDPM()
		cos, err := toy.Cosine(1000, 0.008)
		if err != nil {
			t.Fatal(err)
		}
		ds := load(rs.Dataset, 4000, cfg.rng(1))
		spec := recipeSpec()
		spec.Time = nn.TimeStep
		m, _, err := trainedModel(ctx, ds, spec, lin, rs.Steps, cfg, "lesson 5", nil)
		if err != nil {
			t.Fatal(err)
		}
		linPlan, err := sample.Strided(lin, lin.T()/rs.Stride)
		if err != nil {
			t.Fatal(err)
		}
		energy("lesson 5 network, linear", m, ds.Exact, linPlan, rs.Samples, ds.Exact)
		plan, err := cosinePlan(cos, lin, rs.Stride)
		if err != nil {
			t.Fatal(err)
		}
		energy("lesson 5 network, cosine, matched", toy.Reschedule(m, lin), toy.Reschedule(toy.Stepped(ds.Exact, lin), lin), plan, rs.Samples, ds.Exact)
	})
	t.Run("06-parametrisations", func(t *testing.T) {
		ps := DefaultParametrisations(cfg)
		ds := load(ps.Dataset, 4000, cfg.rng(1))
		plan, err := sample.Strided(toy.DDPM(), 200)
		if err != nil {
			t.Fatal(err)
		}
		for _, pred := range ps.Preds {
			spec := recipeSpec()
			spec.Pred = pred
			m, _, err := trainedModel(ctx, ds, spec, toy.DDPM(), ps.Steps, cfg, "lesson 6", nil)
			if err != nil {
				t.Fatal(err)
			}
			energy("lesson 6 "+pred.String()+" network", m, ds.Exact, plan, ps.Samples, ds.Exact)
		}
	})
	// Lesson 12's network is trained on 32 points: the law it learns is
	// theirs (the delta mixture, whose exact denoiser memorises them), and
	// it should sample it within the same bound while, as the lesson shows,
	// not copying the points.
	t.Run("12-memorisation", func(t *testing.T) {
		ms := DefaultMemorisation(cfg)
		ds := load(ms.Dataset, ms.Train, cfg.rng(1))
		m, _, err := trainedModel(ctx, ds, recipeSpec(), toy.DDPM(), ms.Steps, cfg, "lesson 12", nil)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := sample.Strided(toy.DDPM(), 250)
		if err != nil {
			t.Fatal(err)
		}
		energy("lesson 12 network, its 32 points", m, ds.Exact, plan, ms.Samples, ds.Exact)
	})
	gs := DefaultGuidance(cfg)
	tr, err := TrainConditional(ctx, cfg, gs, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("07-conditional", func(t *testing.T) {
		ds := load(gs.Dataset, 4000, cfg.rng(1))
		plan, err := sample.Strided(toy.DDPM(), gs.Sampling)
		if err != nil {
			t.Fatal(err)
		}
		const n = 4000
		for y := 0; y < ds.Classes; y++ {
			cls, err := ds.Exact.(*analytic.GaussianMixture).Class(y)
			if err != nil {
				t.Fatal(err)
			}
			exact := spread(exactSample(cls, 100000, 1, cfg.rng(900+uint64(y))))
			x, err := sampleClass(tr.Model, plan, n, y, cfg, 910+2*uint64(y))
			if err != nil {
				t.Fatal(err)
			}
			got := spread(x)
			t.Logf("class %d: trained trace %.4f, exact %.4f (ratio %.3f)", y, got, exact, got/exact)
			if math.Abs(got/exact-1) > 0.15 {
				t.Errorf("class %d: trained covariance trace %.4f, exact %.4f: more than 15%% apart", y, got, exact)
			}
		}
	})
	t.Run("09-classifier-free-guidance", func(t *testing.T) {
		res, err := CFG(cfg, gs, tr)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range gs.Gammas {
			ex, _ := res.Number(fmt.Sprintf("exact/spread_gamma%g", g))
			check(res, fmt.Sprintf("trained/spread_gamma%g", g), ex/1.5, ex*1.5)
			ep, _ := res.Number(fmt.Sprintf("exact/posterior_gamma%g", g))
			check(res, fmt.Sprintf("trained/posterior_gamma%g", g), ep-0.02, ep+0.02)
		}
	})
}
