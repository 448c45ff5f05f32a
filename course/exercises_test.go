package course

import (
	"context"
	"math"
	"strings"
	"testing"

	"difftoy/analytic"
	"difftoy/toy"
)

// The exercises run: each subtest makes the change an exercise suggests,
// through the setup fields the notebooks' ✎ cells expose, at quick size,
// and checks the outcome its hint predicts. The ones that train networks
// are skipped with -short.

func quickCfg() Config { return Config{Seed: 1, Quick: true} }

func numOf(t *testing.T, r *Result, name string) float64 {
	t.Helper()
	v, ok := r.Number(name)
	if !ok {
		t.Fatalf("the run has no number %q", name)
	}
	return v
}

func needsTraining(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("trains networks; skipped with -short")
	}
}

func TestExercisesLesson08(t *testing.T) {
	cfg := quickCfg()
	gs := DefaultGuidance(cfg)
	// Exercise 1: negative guidance. The hint: gamma = -1 is the
	// unconditional model, below it samples leave the class.
	t.Run("1 negative guidance", func(t *testing.T) {
		g := gs
		g.Gammas = []float64{-2, -1, 0}
		r, err := ClassifierGuidance(cfg, g, nil)
		if err != nil {
			t.Fatal(err)
		}
		un, p1, p2 := numOf(t, r, "unguided/posterior"), numOf(t, r, "exact classifier/posterior_gamma-1"), numOf(t, r, "exact classifier/posterior_gamma-2")
		se := math.Hypot(numOf(t, r, "exact classifier/posterior_se_gamma-1"), 0.5/math.Sqrt(float64(g.Samples)))
		if math.Abs(p1-un) > 3*se {
			t.Errorf("gamma = -1: mean q_0(0|x) %.3f, want the unconditional %.3f within 3 s.e. (%.3f)", p1, un, se)
		}
		if !(p2 < un-3*se) {
			t.Errorf("gamma = -2: mean q_0(0|x) %.3f, want below the unconditional %.3f by 3 s.e.", p2, un)
		}
	})
	// Exercise 2: a clean classifier at every t. The hint: at large t the
	// noisy gradient nearly vanishes, the clean one does not.
	t.Run("2 clean classifier", func(t *testing.T) {
		ds := load(gs.Dataset, 10, pcg(1))
		a := toy.DDPM().Alpha(800)
		x := exactSample(ds.Exact, 500, a, pcg(9))
		y := make([]int, 500)
		noisy := analytic.ClassifierGrad(ds.Exact, nil, x, a, y)
		clean := analytic.ClassifierGrad(ds.Exact, nil, x, 1, y)
		n, c := norm2(noisy), norm2(clean)
		t.Logf("t = 800: |noisy gradient| %.3g, |clean gradient| %.3g (Euclidean norms over all points)", n, c)
		if !(n < c/10) {
			t.Errorf("t = 800: noisy gradient %.3g, want below a tenth of the clean one %.3g", n, c)
		}
	})
	// Exercise 3: guide only for t < T/2. The hint: the classifier is
	// flat at large t, so most of the effect remains.
	t.Run("3 guide only late", func(t *testing.T) {
		full, late := gs, gs
		full.Gammas, late.Gammas = []float64{0, 3}, []float64{0, 3}
		late.GuideFrom, late.GuideTo = 0, 500
		rf, err := ClassifierGuidance(cfg, full, nil)
		if err != nil {
			t.Fatal(err)
		}
		rl, err := ClassifierGuidance(cfg, late, nil)
		if err != nil {
			t.Fatal(err)
		}
		p0 := numOf(t, rf, "exact classifier/posterior_gamma0")
		gf, gl := numOf(t, rf, "exact classifier/posterior_gamma3")-p0, numOf(t, rl, "exact classifier/posterior_gamma3")-p0
		t.Logf("gain in mean q_0(0|x) at gamma = 3: full %.4f, t <= T/2 only %.4f", gf, gl)
		if !(gl > 0.8*gf) {
			t.Errorf("guidance for t <= T/2 only: gain %.4f, want above 0.8 of the full %.4f", gl, gf)
		}
	})
}

func TestExercisesLesson09(t *testing.T) {
	cfg := quickCfg()
	// Exercise 1: the dropout rate. The hint: with 0 the empty output never
	// trained, so its error against D*_t(x) is far larger.
	t.Run("1 dropout rate", func(t *testing.T) {
		needsTraining(t)
		errEmpty := func(rate float64) float64 {
			gs := DefaultGuidance(cfg)
			gs.LabelDropout = rate
			tr, err := TrainConditional(context.Background(), cfg, gs, nil)
			if err != nil {
				t.Fatal(err)
			}
			var e float64
			for _, k := range []int{100, 300, 600} {
				a := toy.DDPM().Alpha(k)
				x := exactSample(tr.Data.Exact, 400, a, pcg(uint64(k)))
				y := make([]int, 400)
				for i := range y {
					y[i] = toy.Empty
				}
				d, want := tr.Model.Denoise(nil, x, a, y), tr.Data.Exact.Denoise(nil, x, a, nil)
				for i := range d {
					e += (d[i] - want[i]) * (d[i] - want[i]) / 400
				}
			}
			return e / 3
		}
		e0, e2 := errEmpty(0), errEmpty(0.2)
		t.Logf("E||D(x|empty) - D*(x)||^2: dropout 0 %.3g, dropout 0.2 %.3g", e0, e2)
		if !(e0 > 2*e2) {
			t.Errorf("dropout 0: empty output's error %.3g, want above twice dropout 0.2's %.3g", e0, e2)
		}
	})
	// Exercise 5: guidance only on a middle interval. The hint: the class
	// posterior and the spread land between no guidance and full guidance.
	t.Run("5 guidance interval", func(t *testing.T) {
		if testing.Short() {
			t.Skip("two runs of lesson 9's experiment (15 s); skipped with -short")
		}
		full, mid := DefaultGuidance(cfg), DefaultGuidance(cfg)
		full.Gammas, mid.Gammas = []float64{0, 3}, []float64{0, 3}
		mid.GuideFrom, mid.GuideTo = 200, 700
		rf, err := CFG(cfg, full, nil)
		if err != nil {
			t.Fatal(err)
		}
		rm, err := CFG(cfg, mid, nil)
		if err != nil {
			t.Fatal(err)
		}
		p0, pf, pm := numOf(t, rf, "exact/posterior_gamma0"), numOf(t, rf, "exact/posterior_gamma3"), numOf(t, rm, "exact/posterior_gamma3")
		s0, sf, sm := numOf(t, rf, "exact/spread_gamma0"), numOf(t, rf, "exact/spread_gamma3"), numOf(t, rm, "exact/spread_gamma3")
		t.Logf("gamma = 3, mean q_0(0|x): none %.4f, steps 200..700 %.4f, full %.4f; spread: %.3f, %.3f, %.3f", p0, pm, pf, s0, sm, sf)
		// Paired noise (the same streams for every run): the orderings are
		// those of the fields, not of sampling noise.
		if !(p0 < pm && pm <= pf) || !(sf <= sm && sm < s0) {
			t.Errorf("middle interval: posterior %.4f not in (%.4f, %.4f] or spread %.3f not in [%.3f, %.3f)", pm, p0, pf, sm, sf, s0)
		}
	})
}

func TestExercisesLesson10(t *testing.T) {
	// Exercise 2: the eta sweep at 20 steps.
	t.Run("2 eta at 20 steps", func(t *testing.T) {
		ds := DefaultDeterministic(quickCfg())
		ds.EtaSteps = 20
		r, err := Deterministic(quickCfg(), ds)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, c := range r.Charts {
			found = found || strings.Contains(c.Title, "at 20 steps")
		}
		if !found {
			t.Errorf("no chart of the eta sweep at 20 steps")
		}
	})
}
