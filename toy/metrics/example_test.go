package metrics_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"difftoy/toy/metrics"
)

// Two single points at distance 5: E = 2 |x - y| = 10. For sample sets,
// compare with the level between two samples of one law, about
// E|X - X'| (1/n + 1/m) = sqrt(pi) 2/500 = 0.007 for N(0, I_2) and n = m =
// 500. A shift by 0.5 has the population distance
// 2 (E|N(mu, 2I)| - E|N(0, 2I)|) = 0.110 (Rice mean), plus that bias.
func ExampleEnergy() {
	fmt.Println(metrics.Energy([]float64{0, 0}, []float64{3, 4}, 2))
	rng := rand.New(rand.NewPCG(1, 1))
	draw := func() []float64 {
		x := make([]float64, 2*500)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		return x
	}
	null := metrics.TwoSampleNoise(5, draw, func(a, b []float64) float64 { return metrics.Energy(a, b, 2) })
	shifted := draw()
	for i := 0; i < len(shifted); i += 2 {
		shifted[i] += 0.5
	}
	fmt.Printf("two samples of N(0, I), mean of 5 pairs: %.3f\n", (null[0]+null[1]+null[2]+null[3]+null[4])/5)
	fmt.Printf("N(0, I) vs N((0.5, 0), I): %.3f\n", metrics.Energy(draw(), shifted, 2))
	// Output:
	// 10
	// two samples of N(0, I), mean of 5 pairs: 0.009
	// N(0, I) vs N((0.5, 0), I): 0.096
}

// scale is the map x -> c x in 2-D, applied twice: log |det| = 2 log c per step.
type scale struct{ c float64 }

func (scale) Dim() int   { return 2 }
func (scale) Steps() int { return 2 }
func (s scale) Step(dst, x []float64, y []int, k int) []float64 {
	for i := range x {
		dst[i] = s.c * x[i]
	}
	return dst
}

// Pushing N(0, I) through x -> 4x (two steps of x -> 2x) gives N(0, 16 I):
// log p(0) = -log(2 pi 16).
func ExampleFlowLogLik() {
	xT := []float64{0, 0}
	_, lp := metrics.FlowLogLik(nil, nil, xT, metrics.StdNormalLogPDF(nil, xT, 2), scale{2}, nil)
	fmt.Printf("%.6f %.6f\n", lp[0], -math.Log(2*math.Pi*16))
	// Output:
	// -4.610466 -4.610466
}
