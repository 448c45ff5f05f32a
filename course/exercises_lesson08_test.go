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
		ds, err := gs.data(4000, cfg.rng(1)) // the law the runners use
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
