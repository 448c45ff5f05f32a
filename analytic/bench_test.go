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
