package analytic

import "sync"

// The softmax kernels shared by the mixtures. Logits are written into a
// scratch slice in a first pass that also finds their maximum; a second pass
// exponentiates l_i - max <= 0 (log-sum-exp), so nothing overflows and the
// largest term is exactly 1. Terms with l_i - max < expFastMin = -708 count
// as 0 (see expLane): e^-708 < 2^-1021 next to the largest term 1. The
// passes run through the vector kernels of kernel.go.

// expInPlace replaces l_i by e^(l_i - mx) (0 below e^-708, see expLane)
// and returns their sum, through the vector kernels.
func expInPlace(lg []float64, mx float64) float64 { return expSumK(&kern, lg, mx) }

// scratch is a pool of float64 slices, one per parallel chunk, so that no
// call allocates per point (and repeated calls allocate nothing).
var scratch sync.Pool

// getScratch returns a slice of length n from the pool.
func getScratch(n int) *[]float64 {
	if p, ok := scratch.Get().(*[]float64); ok && cap(*p) >= n {
		*p = (*p)[:n]
		return p
	}
	s := make([]float64, n)
	return &s
}

func putScratch(p *[]float64) { scratch.Put(p) }
