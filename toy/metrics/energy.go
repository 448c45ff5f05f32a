// Energy distance between two sample sets (Székely and Rizzo 2013).

package metrics

import (
	"fmt"
	"math"

	"difftoy/internal/par"
)

// Energy returns the energy distance
//
//	E = 2/(n m) sum_ij |x_i - y_j| - 1/n^2 sum_ij |x_i - x_j| - 1/m^2 sum_ij |y_i - y_j|
//
// between the n points of x and the m points of y in R^d (row-major). This
// V-statistic is the weighted L2 distance between the two empirical
// characteristic functions, hence never negative. Its expectation is the
// population distance plus E|X - X'| / n + E|Y - Y'| / m (the i = j terms
// of the within-set sums are zero), so for two samples of one law it is
// E|X - X'| (1/n + 1/m): the noise level any estimate must be judged against. The cost is O((n + m)^2 d); rows run
// in parallel and are summed in a fixed order, so the result does not depend
// on GOMAXPROCS.
func Energy(x, y []float64, d int) float64 {
	n := checkSet("metrics.Energy", "x", x, d)
	m := checkSet("metrics.Energy", "y", y, d)
	if n == 0 || m == 0 {
		panic("metrics.Energy: empty sample set")
	}
	xy := meanDist(x, y, d)
	xx := meanDist(x, x, d)
	yy := meanDist(y, y, d)
	return 2*xy - xx - yy
}

// meanDist returns 1/(n m) sum_ij |a_i - b_j|.
func meanDist(a, b []float64, d int) float64 {
	n, m := len(a)/d, len(b)/d
	rows := make([]float64, n)
	par.For(n, 64, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			ai := a[i*d : i*d+d]
			s := 0.0
			for j := 0; j < m; j++ {
				bj := b[j*d : j*d+d]
				s += dist(ai, bj)
			}
			rows[i] = s
		}
	})
	s := 0.0
	for _, r := range rows {
		s += r
	}
	return s / (float64(n) * float64(m))
}

func dist(a, b []float64) float64 {
	if len(a) == 2 {
		dx, dy := a[0]-b[0], a[1]-b[1]
		return math.Sqrt(dx*dx + dy*dy)
	}
	s := 0.0
	for k := range a {
		t := a[k] - b[k]
		s += t * t
	}
	return math.Sqrt(s)
}

func dist2(a, b []float64) float64 {
	s := 0.0
	for k := range a {
		t := a[k] - b[k]
		s += t * t
	}
	return s
}

// checkSet panics unless x is a whole number of points of dimension d > 0,
// and returns that number.
func checkSet(who, name string, x []float64, d int) int {
	if d <= 0 {
		panic(fmt.Sprintf("%s: dimension %d is not positive", who, d))
	}
	if len(x)%d != 0 {
		panic(fmt.Sprintf("%s: len(%s) = %d is not a multiple of the dimension %d", who, name, len(x), d))
	}
	return len(x) / d
}

// TwoSampleNoise returns reps values of stat between two independent
// samples, each drawn by draw: the distribution a metric takes when the
// sampler is perfect. A claim "the sampler reproduces the law" compares
// stat(samples, truth) with these values, drawn at the same sample sizes.
// reps must be at least 1.
func TwoSampleNoise(reps int, draw func() []float64, stat func(a, b []float64) float64) []float64 {
	if reps < 1 {
		panic(fmt.Sprintf("metrics.TwoSampleNoise: %d replicates, want at least 1", reps))
	}
	out := make([]float64, reps)
	for r := range out {
		a := draw()
		b := draw()
		out[r] = stat(a, b)
	}
	return out
}
