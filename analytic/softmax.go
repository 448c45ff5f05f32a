package analytic

import (
	"math"
	"sync"
)

// The softmax kernels shared by the mixtures. Logits are written into a
// scratch slice in a first pass that also finds their maximum; a second pass
// exponentiates l_i - max <= 0 (log-sum-exp), so nothing overflows and the
// largest term is exactly 1. Terms with l_i - max < expUnderflow are skipped:
// math.Exp returns exactly 0 for them, so skipping changes no bit.

// expShifted returns e^t for t <= 0, exactly 0 below expUnderflow. It is
// fastExp restricted to t <= 0; the hot loops repeat its body by hand.
func expShifted(t float64) float64 {
	if t < expFastMin {
		if t < expUnderflow {
			return 0
		}
		return math.Exp(t)
	}
	z := t*invLn2N + expShift
	u := math.Float64bits(z) - expShiftBits
	kf := z - expShift
	r := (t - kf*ln2NHi) - kf*ln2NLo
	s := math.Float64frombits(expTab[u&(expN-1)] + (u>>expBits)<<52)
	r2 := r * r
	return s + s*(r+r2*(expC2+r*expC3+r2*expC4))
}

// expInPlace replaces l_i by e^(l_i - mx) and returns their sum.
func expInPlace(lg []float64, mx float64) float64 {
	sum := 0.0
	for i, l := range lg {
		e := expShifted(l - mx)
		lg[i] = e
		sum += e
	}
	return sum
}

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
