package analytic_test

import (
	"math"
	"strings"
	"testing"

	"difftoy/analytic"
)

// Both mixture types are Mixtures (mixture.go checks the samplers'
// contract).
var (
	_ analytic.Mixture = (*analytic.DeltaMixture)(nil)
	_ analytic.Mixture = (*analytic.GaussianMixture)(nil)
)

// Test mixtures. The labelled 2-D ones have unequal weights, so that a
// weight forgotten anywhere changes results.

// delta2 is 7 labelled points in the plane, classes 0..2, diameter < 4.
func delta2(t testing.TB) *analytic.DeltaMixture {
	pts := []float64{-1, 0, 1, 0, 0, 1.5, 0.4, -0.7, -1.3, 1.1, 1.6, 1.2, 0.2, 0.3}
	w := []float64{1, 2, 1.5, 0.5, 1, 3, 1}
	lab := []int{0, 1, 2, 0, 2, 1, 0}
	m, err := analytic.NewDelta(2, pts, w, lab)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// delta3 is 5 unlabelled points in R^3 (the general-dimension code path).
func delta3(t testing.TB) *analytic.DeltaMixture {
	pts := []float64{0, 0, 0, 1, 0.5, -0.2, -0.8, 1, 0.3, 0.1, -1, 1, 0.6, 0.6, 0.6}
	m, err := analytic.NewDelta(3, pts, []float64{1, 1, 2, 1, 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// gauss2 is 4 labelled correlated Gaussians in the plane, classes 0..1.
func gauss2(t testing.TB) *analytic.GaussianMixture {
	means := []float64{-1, 0, 1, 0.5, 0, 1.5, 0.5, -1}
	covs := [][]float64{
		{0.3, 0.1, 0.1, 0.2},
		{0.05, -0.02, -0.02, 0.4},
		{0.5, 0, 0, 0.5},
		{0.2, 0.15, 0.15, 0.3},
	}
	g, err := analytic.NewGaussian(2, []float64{1, 2, 1, 1.5}, means, covs, []int{0, 1, 1, 0})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// gauss3 is 3 Gaussians in R^3 (the general-dimension code path).
func gauss3(t testing.TB) *analytic.GaussianMixture {
	means := []float64{0, 0, 0, 1, -1, 0.5, -0.5, 0.8, 1}
	covs := [][]float64{
		{0.4, 0.1, 0, 0.1, 0.3, 0.05, 0, 0.05, 0.2},
		{0.1, 0, 0, 0, 0.2, 0, 0, 0, 0.3},
		{0.6, -0.2, 0.1, -0.2, 0.5, 0, 0.1, 0, 0.4},
	}
	g, err := analytic.NewGaussian(3, []float64{0.5, 0.3, 0.2}, means, covs, []int{0, 1, 0})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// mixtures returns the four test mixtures by name.
func mixtures(t testing.TB) []struct {
	name string
	m    analytic.Mixture
} {
	return []struct {
		name string
		m    analytic.Mixture
	}{{"delta2", delta2(t)}, {"delta3", delta3(t)}, {"gauss2", gauss2(t)}, {"gauss3", gauss3(t)}}
}

// row returns point p of a row-major batch of d-dimensional points.
func row(x []float64, d, p int) []float64 { return x[p*d : (p+1)*d] }

// labelsOf returns n copies of the label y.
func labelsOf(n, y int) []int {
	ys := make([]int, n)
	for p := range ys {
		ys[p] = y
	}
	return ys
}

// maxAbsDiff returns max_i |a_i - b_i|.
func maxAbsDiff(a, b []float64) float64 {
	m := 0.0
	for i := range a {
		m = max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

// maxAbs returns max_i |a_i|.
func maxAbs(a []float64) float64 {
	m := 0.0
	for _, v := range a {
		m = max(m, math.Abs(v))
	}
	return m
}

// mustPanic fails unless f panics with a message containing want.
func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Errorf("no panic, want one containing %q", want)
			return
		}
		msg, _ := r.(string)
		if !strings.Contains(msg, want) {
			t.Errorf("panic %q, want it to contain %q", msg, want)
		}
	}()
	f()
}
