package analytic_test

import (
	"encoding/binary"
	"math"
	"testing"

	"difftoy/analytic"
)

// fuzzFloats reads n float64 values from b (8 bytes each, little endian;
// missing bytes read as zero), so every bit pattern, NaN and Inf included,
// is reachable.
func fuzzFloats(b []byte, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		var w [8]byte
		if len(b) > 8*i {
			copy(w[:], b[8*i:])
		}
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(w[:]))
	}
	return v
}

// fuzzInts reads n labels from b (8 bytes each), so math.MaxInt, negative
// and huge labels are reachable.
func fuzzInts(b []byte, n int) []int {
	v := make([]int, n)
	for i := range v {
		var w [8]byte
		if len(b) > 8*i {
			copy(w[:], b[8*i:])
		}
		v[i] = int(binary.LittleEndian.Uint64(w[:]))
	}
	return v
}

func le(v ...float64) []byte {
	b := make([]byte, 0, 8*len(v))
	for _, x := range v {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
	}
	return b
}

func leInts(v ...int) []byte {
	b := make([]byte, 0, 8*len(v))
	for _, x := range v {
		b = binary.LittleEndian.AppendUint64(b, uint64(x))
	}
	return b
}

// FuzzMixtures feeds arbitrary dimensions, points, weights, covariances and
// labels to NewDelta and NewGaussian. Neither may panic or allocate by a
// label; a mixture they accept must report consistent classes, and its
// denoiser, posterior and class posterior must run without panic at a
// point of the data and at alpha in (0, 1]. The sizes stay small (at most 4
// components in at most 3 dimensions) so each input runs in microseconds.
func FuzzMixtures(f *testing.F) {
	// d, k, flags (bit 0: weights, bit 1: labels), points/means, weights,
	// covariance entries, labels, alpha.
	f.Add(uint8(2), uint8(2), uint8(2), le(0, 0, 1, 1), le(1, 1), le(1, 0, 0, 1, 1, 0, 0, 1), leInts(0, 1), 0.5)
	f.Add(uint8(2), uint8(3), uint8(2), le(0, 0, 1, 1, 2, 2), le(), le(), leInts(0, 1, math.MaxInt), 0.5)
	f.Add(uint8(2), uint8(2), uint8(2), le(0, 0, 1, 1), le(), le(), leInts(0, math.MaxInt-1), 0.5)
	f.Add(uint8(2), uint8(3), uint8(2), le(0, 0, 1, 1, 2, 2), le(), le(), leInts(0, 1, 1e9), 1e-3)
	f.Add(uint8(2), uint8(1), uint8(0), le(0, 0), le(), le(.5, .5, .5, .5), leInts(), 1.0)
	f.Add(uint8(2), uint8(2), uint8(1), le(0, 0, 1, 1), le(math.MaxFloat64, math.MaxFloat64), le(1, 0, 0, 1), leInts(), 0.9)
	f.Add(uint8(1), uint8(4), uint8(3), le(-1, 0, 1, 2), le(1, 2, 3, 4), le(1, 2, 3, 4), leInts(0, 0, 1, 1), 1e-300)
	f.Add(uint8(3), uint8(1), uint8(0), le(1e200, 0, 0), le(), le(1, 0, 0, 0, 1, 0, 0, 0, 1), leInts(), 0.5)
	f.Fuzz(func(t *testing.T, d, k, flags uint8, pb, wb, cb, lb []byte, alpha float64) {
		dim := int(d % 4) // 0 exercises the dimension check
		nk := int(k % 5)  // 0 exercises the empty mixture
		pts := fuzzFloats(pb, nk*dim)
		var w []float64
		if flags&1 != 0 {
			w = fuzzFloats(wb, nk)
		}
		var labels []int
		if flags&2 != 0 {
			labels = fuzzInts(lb, nk)
		}
		covs := make([][]float64, nk)
		for i := range covs {
			covs[i] = fuzzFloats(cb[min(len(cb), 8*i*dim*dim):], dim*dim)
		}
		a := alpha
		if !(a > 0 && a <= 1) {
			a = 0.5
		}
		dm, errD := analytic.NewDelta(dim, pts, w, labels)
		gm, errG := analytic.NewGaussian(dim, w, pts, covs, labels)
		if errD == nil {
			checkAccepted(t, dm, pts, labels, a)
		}
		if errG == nil {
			checkAccepted(t, gm, pts, labels, a)
		}
		if errD == nil && labels != nil && errG == nil && dm.Classes() != gm.Classes() {
			t.Fatalf("NewDelta has %d classes, NewGaussian %d for labels %v", dm.Classes(), gm.Classes(), labels)
		}
	})
}

// checkAccepted checks the invariants of an accepted mixture m built from
// the given points/means and labels, and runs its fields once.
func checkAccepted(t *testing.T, m analytic.Mixture, pts []float64, labels []int, alpha float64) {
	t.Helper()
	d, k := m.Dim(), m.Len()
	if k*d != len(pts) {
		t.Fatalf("accepted mixture has %d components of dimension %d for %d coordinates", k, d, len(pts))
	}
	c := m.Classes()
	if labels == nil && c != 0 {
		t.Fatalf("unlabelled mixture reports %d classes", c)
	}
	if labels != nil {
		if c < 1 || c > k {
			t.Fatalf("%d classes for %d components", c, k)
		}
		seen := make([]bool, c)
		for _, l := range labels {
			if l < 0 || l >= c {
				t.Fatalf("label %d accepted with %d classes", l, c)
			}
			seen[l] = true
		}
		for y, ok := range seen {
			if !ok {
				t.Fatalf("class %d of %d accepted without a component", y, c)
			}
		}
	}
	x := pts[:d] // the first point or mean
	var y []int
	if c > 0 {
		y = []int{c - 1}
	}
	m.Denoise(nil, x, alpha, y)
	m.Posterior(nil, x, alpha)
	if alpha < 1 { // a delta mixture has no density at alpha = 1 (documented panic)
		m.LogProb(nil, x, alpha)
	}
	if c > 0 {
		m.ClassPosterior(nil, x, alpha)
	}
}
