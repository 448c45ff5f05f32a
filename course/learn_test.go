package course

import (
	"context"
	"fmt"
	"math"
	"testing"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/sample"
)

// TestTrainedNetworksLearn trains every lesson's networks at the default
// (non-quick) settings of the book and the notebooks, samples them with
// their lesson's sampler, and checks that they learned the data:
//
//   - unconditional models (lessons 3-6): energy distance to the data at
//     most 2 times its two-sample noise level. The noise level is the
//     statistic's mean for a perfect sampler; for a perfect sampler the
//     ratio is about 1 and above 2 in a few percent of seeds (its spread
//     is that of a weighted sum of chi-squares, and the seed here is
//     fixed), so 2 tells a learned law from a ring or a blur, which score
//     3 to 6;
//   - the conditional model (lesson 7): each class's covariance trace
//     within 15% of the exact class law's. The trace is measured on 4000
//     samples (relative standard error about sqrt(2/4000) ~ 2% for a
//     Gaussian class, so 15% is 7 standard errors: a pass or fail is the
//     model's, not the draw's);
//   - classifier-free guidance with the trained model (lesson 9) at
//     gamma in {0, 1, 3, 7}: spread within a factor 1.5 of exact CFG's at
//     the same gamma, and mean exact class posterior within 0.02 of exact
//     CFG's (the page's standard errors of these means are below 0.005).
//
// It logs every measured value: they are the book's numbers.
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

	t.Run("04-ancestral", func(t *testing.T) {
		res, err := runAncestral(ctx, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		check(res, "trained/ratio", 0, 2)
	})
	t.Run("05-changing-schedule", func(t *testing.T) {
		res, err := runReschedule(ctx, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		check(res, "trained/linear", 0, 2)
		check(res, "trained/cosine_matched", 0, 2)
	})
	t.Run("06-parametrisations", func(t *testing.T) {
		res, err := runParametrisations(ctx, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range DefaultParametrisations(cfg).Preds {
			check(res, p.String()+"/energy", 0, 2)
		}
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
