package analytic_test

import (
	"math"
	"runtime"
	"testing"

	"difftoy/analytic"
)

// TestCoreCountIndependent: every batched method gives the same bits with
// GOMAXPROCS 1, 2 and 8 (each point is computed on its own, the vector
// kernels included), on points near and far from the data.
func TestCoreCountIndependent(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, tc := range mixtures(t) {
		m := tc.m
		x, y := randomBatch(m, 3000, 1, 9)
		for i := range x[:len(x)/10] {
			x[i] *= 1e20 // some points far out
		}
		run := func() [][]float64 {
			out := [][]float64{
				m.Denoise(nil, x, 0.5, y),
				m.Score(nil, x, 0.3, y),
				m.Posterior(nil, x, 0.5),
				m.LogProb(nil, x, 0.7),
			}
			if m.Classes() > 0 {
				out = append(out, m.ClassPosterior(nil, x, 0.5))
			}
			return out
		}
		runtime.GOMAXPROCS(1)
		want := run()
		for _, procs := range []int{2, 8} {
			runtime.GOMAXPROCS(procs)
			got := run()
			for q := range want {
				for i := range want[q] {
					if math.Float64bits(got[q][i]) != math.Float64bits(want[q][i]) {
						t.Fatalf("%s: output %d [%d] = %v with GOMAXPROCS %d, %v with 1 (kernels %s)",
							tc.name, q, i, got[q][i], procs, want[q][i], analytic.Kernels())
					}
				}
			}
		}
	}
}
