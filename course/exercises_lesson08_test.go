package course

import (
	"math"
	"testing"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/sample"
)

// Lesson 8's exercises (lessons/08-classifier-guidance.md), each run at
// quick size (see exercises_test.go).

// Exercise 4: classes moved together (setup.Spacing = 0.5), gamma swept
// with the exact classifier, samples of class 0. The hint: they go to where
// class 1 has little mass, not to the class mean: their mean moves past m_0
// along m_0 - m_1, further at each gamma (the mean of n points has standard
// error below 0.62/sqrt(n) along any direction, 0.62 bounding the class's
// standard deviations; compared with 3 of them), further than with the
// classes apart at the same gamma (the same noise for both), and the mean
// log-density of class 1 at the samples falls.
func TestExerciseL08E4_OverlappingClasses(t *testing.T) {
	cfg := quickCfg()
	const n = 1000
	past := func(spacing float64, gammas []float64) ([]float64, []float64) {
		gs := DefaultGuidance(cfg)
		gs.Spacing = spacing
		ds, err := gs.data("test", 4000, cfg.rng(1)) // the law the runners use
		if err != nil {
			t.Fatal(err)
		}
		m := ds.Exact
		means := m.(*analytic.GaussianMixture).Means() // component i is class i
		dir := []float64{means[0] - means[2], means[1] - means[3]}
		dn := math.Hypot(dir[0], dir[1])
		c1, err := m.Class(1)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := sample.Strided(toy.DDPM(), gs.Sampling)
		if err != nil {
			t.Fatal(err)
		}
		var ds0, lq []float64
		for _, g := range gammas {
			den, err := sample.NewClassifierGuided(m, sample.ExactClassifier{M: m}, g)
			if err != nil {
				t.Fatal(err)
			}
			x, err := sample.DDPM(plan, toy.PosteriorVariance).Sample(nil, gauss(n, pcg(600)), den, labels(n, 0), pcg(601))
			if err != nil {
				t.Fatal(err)
			}
			var d, l float64
			for i, v := range c1.LogProb(nil, x, 1) {
				d += ((x[2*i]-means[0])*dir[0] + (x[2*i+1]-means[1])*dir[1]) / dn / n
				l += v / n
			}
			ds0, lq = append(ds0, d), append(lq, l)
		}
		return ds0, lq
	}
	gammas := []float64{0, 3, 7}
	near, lq := past(0.5, gammas)
	apart, _ := past(1, []float64{3})
	se := 0.62 / math.Sqrt(n)
	t.Logf("classes together: past m_0 by %.3f, %.3f, %.3f at gamma 0, 3, 7 (apart, gamma 3: %.3f); mean log q_0(x | 1) %.2f, %.2f, %.2f",
		near[0], near[1], near[2], apart[0], lq[0], lq[1], lq[2])
	for i := 1; i < len(gammas); i++ {
		if !(near[i] > near[i-1]+3*se) || !(lq[i] < lq[i-1]) {
			t.Errorf("gamma %g: past m_0 by %.3f (before %.3f), log q_0(x | 1) %.2f (before %.2f); want further and lower", gammas[i], near[i], near[i-1], lq[i], lq[i-1])
		}
	}
	if !(near[1] > apart[0]+3*se) {
		t.Errorf("gamma 3: past m_0 by %.3f together, want beyond the %.3f apart by 3 s.e.", near[1], apart[0])
	}
}

func TestExercisesLesson08More(t *testing.T) {
	// Exercise 5: grad log q_t(y | x) = sqrt(a)/(1 - a) (D*(x | y) - D*(x)).
	m := load("two-classes", 10, pcg(1)).Exact
	x := gauss(30, pcg(61))
	y := make([]int, 30)
	for _, k := range []int{20, 300, 900} {
		a := toy.DDPM().Alpha(k)
		g := analytic.ClassifierGrad(m, nil, x, a, y)
		dy, d := m.Denoise(nil, x, a, y), m.Denoise(nil, x, a, nil)
		for i := range g {
			want := math.Sqrt(a) / (1 - a) * (dy[i] - d[i])
			// A difference of two denoisers of size ~1 scaled by 1/(1 - a).
			if math.Abs(g[i]-want) > 1e-9/(1-a)*(1+math.Abs(dy[i])+math.Abs(d[i])) {
				t.Fatalf("t = %d: classifier gradient %v, from the denoisers %v", k, g[i], want)
			}
		}
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
