// Memorisation: how close generated points lie to the training set.

package metrics

import (
	"fmt"
	"math"

	"difftoy/internal/par"
)

// Nearest writes, for each point of x, the Euclidean distance to its
// nearest point of train (both in R^d, row-major) into dst (allocated when
// nil) and returns it. Brute force, O(n m d), parallel over x.
func Nearest(dst, x, train []float64, d int) []float64 {
	n := checkSet("metrics.Nearest", "x", x, d)
	m := checkSet("metrics.Nearest", "train", train, d)
	if m == 0 {
		panic("metrics.Nearest: empty training set")
	}
	if dst == nil {
		dst = make([]float64, n)
	} else if len(dst) != n {
		panic(fmt.Sprintf("metrics.Nearest: len(dst) = %d, want %d", len(dst), n))
	}
	par.For(n, 64, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			xi := x[i*d : i*d+d]
			best := math.Inf(1)
			for j := 0; j < m; j++ {
				if s := dist2(xi, train[j*d:j*d+d]); s < best {
					best = s
				}
			}
			dst[i] = math.Sqrt(best)
		}
	})
	return dst
}

// WithinRadius returns the share of the points of x that lie within
// distance r (inclusive) of some point of train: 1 for a sampler that only
// reproduces its training set, about (area of n_train discs of radius r)
// times the density for one that generalises.
func WithinRadius(x, train []float64, d int, r float64) float64 {
	if !(r >= 0) {
		panic(fmt.Sprintf("metrics.WithinRadius: radius %v is not non-negative", r))
	}
	nn := Nearest(nil, x, train, d)
	if len(nn) == 0 {
		panic("metrics.WithinRadius: no points")
	}
	k := 0
	for _, v := range nn {
		if v <= r {
			k++
		}
	}
	return float64(k) / float64(len(nn))
}
