package toy_test

import (
	"math/rand/v2"
	"testing"

	"difftoy/toy"
)

// StandardNormal draws rand.New(src).NormFloat64() in order (the promise
// that keeps every sampler's start the same for a seed), into dst or a
// fresh slice, and rejects a dst of the wrong length.
func TestStandardNormal(t *testing.T) {
	for _, tc := range []struct{ n, d int }{{0, 2}, {1, 2}, {5, 2}, {4, 3}} {
		rng := rand.New(rand.NewPCG(4, 5))
		want := make([]float64, tc.n*tc.d)
		for i := range want {
			want[i] = rng.NormFloat64()
		}
		got := toy.StandardNormal(nil, tc.n, tc.d, rand.NewPCG(4, 5))
		dst := make([]float64, tc.n*tc.d)
		into := toy.StandardNormal(dst, tc.n, tc.d, rand.NewPCG(4, 5))
		if len(got) != len(want) || len(into) != len(want) || (len(dst) > 0 && &into[0] != &dst[0]) {
			t.Fatalf("n=%d d=%d: lengths %d, %d, want %d, written into dst", tc.n, tc.d, len(got), len(into), len(want))
		}
		for i := range want {
			if got[i] != want[i] || into[i] != want[i] {
				t.Fatalf("n=%d d=%d: [%d] = %v, %v, want %v", tc.n, tc.d, i, got[i], into[i], want[i])
			}
		}
	}
	mustPanic(t, "toy.StandardNormal: len(dst) = 3, want 4", func() { toy.StandardNormal(make([]float64, 3), 2, 2, rand.NewPCG(1, 1)) })
	mustPanic(t, "toy.StandardNormal: 2 points of dimension 0", func() { toy.StandardNormal(nil, 2, 0, rand.NewPCG(1, 1)) })
}
