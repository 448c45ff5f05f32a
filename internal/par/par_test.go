package par

import (
	"runtime"
	"sync/atomic"
	"testing"
)

func TestForCoversEachIndexOnce(t *testing.T) {
	for _, tc := range []struct{ n, grain, procs int }{
		{0, 4, 2}, {1, 4, 2}, {10, 3, 1}, {10, 3, 2}, {1000, 7, 4}, {5, 0, 2},
	} {
		old := runtime.GOMAXPROCS(tc.procs)
		hits := make([]int32, tc.n)
		var calls int32
		For(tc.n, tc.grain, func(lo, hi int) {
			atomic.AddInt32(&calls, 1)
			if hi-lo > max(tc.grain, 1) || lo%max(tc.grain, 1) != 0 {
				t.Errorf("n=%d grain=%d: chunk [%d,%d) not aligned to grain", tc.n, tc.grain, lo, hi)
			}
			for i := lo; i < hi; i++ {
				atomic.AddInt32(&hits[i], 1)
			}
		})
		runtime.GOMAXPROCS(old)
		for i, h := range hits {
			if h != 1 {
				t.Errorf("n=%d grain=%d: index %d visited %d times, want 1", tc.n, tc.grain, i, h)
			}
		}
		if int(calls) != Chunks(tc.n, tc.grain) {
			t.Errorf("n=%d grain=%d: %d calls, Chunks says %d", tc.n, tc.grain, calls, Chunks(tc.n, tc.grain))
		}
	}
}
