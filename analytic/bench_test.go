package analytic_test

import (
	"math/rand/v2"
	"testing"

	"difftoy/analytic"
)

// The posterior-mean benchmark of the speed target: N = 10 000 query points
// against K = 1 000 delta points in 2-D at alpha = 0.5 (points and queries
// standard normal, the same set-up as bench/posterior_mean.py). The metric
// pairs/s counts point-component pairs: N*K per call.
const (
	benchN     = 10000
	benchK     = 1000
	benchAlpha = 0.5
)

func benchData(n, k, d int) (x, pts []float64) {
	rng := rand.New(rand.NewPCG(7, 7))
	pts = make([]float64, k*d)
	for i := range pts {
		pts[i] = rng.NormFloat64()
	}
	x = make([]float64, n*d)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x, pts
}

func BenchmarkPosteriorMean(b *testing.B) {
	x, pts := benchData(benchN, benchK, 2)
	m, err := analytic.NewDelta(2, pts, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	dst := make([]float64, len(x))
	b.ResetTimer()
	for b.Loop() {
		m.Denoise(dst, x, benchAlpha, nil)
	}
	b.ReportMetric(float64(benchN)*benchK*float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
}

// BenchmarkGaussianDenoise: D* of 8 full-covariance Gaussians in 2-D for
// N = 10 000 points (the 8-Gaussians toy), pairs as above.
func BenchmarkGaussianDenoise(b *testing.B) {
	const k = 8
	x, _ := benchData(benchN, 0, 2)
	means := make([]float64, 0, 2*k)
	covs := make([][]float64, k)
	for i := range k {
		means = append(means, 2*float64(i%3)-2, 2*float64(i/3)-2)
		covs[i] = []float64{0.1, 0.02, 0.02, 0.05}
	}
	g, err := analytic.NewGaussian(2, nil, means, covs, nil)
	if err != nil {
		b.Fatal(err)
	}
	dst := make([]float64, len(x))
	for b.Loop() {
		g.Denoise(dst, x, benchAlpha, nil)
	}
	b.ReportMetric(float64(benchN)*k*float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
}
