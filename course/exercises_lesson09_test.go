package course

import (
	"math"
	"slices"
	"testing"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/sample"
)

// Lesson 9's exercises (lessons/09-classifier-free-guidance.md), each run
// at quick size (see exercises_test.go).

// Exercise 2: gamma = 10 and 20 with exact scores (setup.Gammas), class 0
// of the two classes. The hint: the samples move to the far side of their
// class, away from the other class (their mean moves along m_0 - m_1, past
// the class mean), but most stay inside the data region: the share outside
// the region holding 99% of the data (log q_0 below its 1% quantile, from
// 20000 draws) rises above its 1% at gamma = 0 by more than 3 binomial
// standard errors, yet stays below a tenth.
func TestExerciseL09E2_LargeGamma(t *testing.T) {
	ds := load("two-classes", 10, pcg(1))
	m := ds.Exact
	data := exactSample(m, 20000, 1, pcg(500))
	lp := m.LogProb(nil, data, 1)
	slices.Sort(lp)
	q01 := lp[len(lp)/100]
	gm, ok := m.(*analytic.GaussianMixture)
	if !ok {
		t.Fatalf("two-classes: exact law %T, want a Gaussian mixture", m)
	}
	means := gm.Means() // component i is class i
	dir := []float64{means[0] - means[2], means[1] - means[3]}
	dn := math.Hypot(dir[0], dir[1])
	along := func(x []float64) float64 { // mean displacement from m_0 along (m_0 - m_1)/|m_0 - m_1|
		var s float64
		for i := 0; i < len(x)/2; i++ {
			s += ((x[2*i]-means[0])*dir[0] + (x[2*i+1]-means[1])*dir[1]) / dn
		}
		return s / float64(len(x)/2)
	}
	gs := DefaultGuidance(quickCfg())
	gs.Gammas = []float64{0, 10, 20}
	plan, err := sample.Strided(toy.DDPM(), gs.Sampling)
	if err != nil {
		t.Fatal(err)
	}
	const n = 1000
	prev := math.Inf(-1)
	for _, g := range gs.Gammas {
		den, err := sample.NewCFG(m, g)
		if err != nil {
			t.Fatal(err)
		}
		x, err := sample.DDPM(plan, toy.PosteriorVariance).Sample(nil, gauss(n, pcg(501)), den, labels(n, 0), pcg(502))
		if err != nil {
			t.Fatal(err)
		}
		out := 0
		for _, v := range m.LogProb(nil, x, 1) {
			if v < q01 {
				out++
			}
		}
		share, d := float64(out)/n, along(x)
		se := math.Sqrt(0.01 * 0.99 / n)
		t.Logf("gamma = %g: mean past m_0 along m_0 - m_1 by %.3f; share outside the 99%% region %.3f", g, d, share)
		// The mean of n points has standard error below 0.6/sqrt(n) = 0.02
		// along any direction (class 0's variances are at most 0.35).
		if g > 0 && !(d > prev+3*0.6/math.Sqrt(n)) {
			t.Errorf("gamma = %g: displacement %.3f, want beyond the previous %.3f by 3 s.e.", g, d, prev)
		}
		prev = d
		if g == 20 && !(share > 0.01+3*se && share < 0.1) {
			t.Errorf("gamma = 20: share outside the 99%% region %.3f, want above %.3f and below 0.1", share, 0.01+3*se)
		}
	}
}
