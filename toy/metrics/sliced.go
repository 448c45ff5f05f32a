// Sliced Wasserstein-1 distance: the average of 1-D Wasserstein distances of
// random projections.

package metrics

import (
	"math"
	"math/rand/v2"
	"slices"

	"difftoy/internal/par"
)

// SlicedW1 returns the sliced Wasserstein-1 distance
//
//	SW1 = 1/P sum_p W1(<theta_p, x>, <theta_p, y>)
//
// between the point sets x (n points) and y (m points) in R^d, over P =
// projections directions theta_p drawn uniformly on the unit sphere from
// src (all drawn before any work, so the result does not depend on
// GOMAXPROCS). The 1-D W1 of two empirical laws is the integral of the
// gap between their quantile functions (W1 above), exact for any n and m.
func SlicedW1(x, y []float64, d, projections int, src rand.Source) float64 {
	n := checkSet("metrics.SlicedW1", "x", x, d)
	m := checkSet("metrics.SlicedW1", "y", y, d)
	if n == 0 || m == 0 {
		panic("metrics.SlicedW1: empty sample set")
	}
	if projections < 1 {
		panic("metrics.SlicedW1: projections must be at least 1")
	}
	rng := rand.New(src)
	dirs := make([]float64, projections*d)
	for p := 0; p < projections; p++ {
		th := dirs[p*d : p*d+d]
		for {
			s := 0.0
			for k := range th {
				th[k] = rng.NormFloat64()
				s += th[k] * th[k]
			}
			if s > 0 {
				s = math.Sqrt(s)
				for k := range th {
					th[k] /= s
				}
				break
			}
		}
	}
	w := make([]float64, projections)
	par.For(projections, 1, func(lo, hi int) {
		a, b := make([]float64, n), make([]float64, m)
		for p := lo; p < hi; p++ {
			th := dirs[p*d : p*d+d]
			project(a, x, th)
			project(b, y, th)
			w[p] = W1(a, b)
		}
	})
	s := 0.0
	for _, v := range w {
		s += v
	}
	return s / float64(projections)
}

func project(dst, x, th []float64) {
	d := len(th)
	for i := range dst {
		s := 0.0
		for k, t := range th {
			s += t * x[i*d+k]
		}
		dst[i] = s
	}
}

// W1 returns the Wasserstein-1 distance between the empirical laws of the
// numbers a and b,
//
//	W1 = int_0^1 |F_a^{-1}(u) - F_b^{-1}(u)| du,
//
// with the quantile functions piecewise constant on steps 1/len(a) and
// 1/len(b). a and b are sorted in place.
func W1(a, b []float64) float64 {
	if len(a) == 0 || len(b) == 0 {
		panic("metrics.W1: empty sample")
	}
	slices.Sort(a)
	slices.Sort(b)
	n, m := len(a), len(b)
	if n == m {
		s := 0.0
		for i := range a {
			s += math.Abs(a[i] - b[i])
		}
		return s / float64(n)
	}
	// Walk the merged breakpoints i/n and j/m of the two quantile functions.
	s, u := 0.0, 0.0
	i, j := 0, 0
	for i < n && j < m {
		ua, ub := float64(i+1)/float64(n), float64(j+1)/float64(m)
		next := math.Min(ua, ub)
		s += (next - u) * math.Abs(a[i]-b[j])
		u = next
		if ua <= next {
			i++
		}
		if ub <= next {
			j++
		}
	}
	return s
}
