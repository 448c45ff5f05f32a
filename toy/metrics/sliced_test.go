package metrics

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestW1ByHand(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b []float64
		want float64
	}{
		{"equal sizes", []float64{3, 0}, []float64{1, 2}, 1},
		// Quantiles: a = 0 on [0,1/2), 1 on [1/2,1); b = 0,1,2,3 on quarters:
		// 1/4 (0 + 1 + 1 + 2).
		{"merged", []float64{1, 0}, []float64{3, 1, 0, 2}, 1},
		{"duplicated", []float64{0, 1}, []float64{1, 0, 0, 1}, 0},
		{"duplicated shift", []float64{0, 3}, []float64{1, 1, 2, 2}, 1},
		{"thirds", []float64{0, 0, 0}, []float64{1, 2}, 1.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := W1(tc.a, tc.b); math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("W1 = %v, want %v", got, tc.want)
			}
		})
	}
}

// For y = x + mu (the same points shifted) every projection's W1 is exactly
// |<theta, mu>|, so SlicedW1 is |mu| times the mean of |cos| over the drawn
// directions, whose expectation in 2-D is 2/pi. The standard deviation of
// |cos| is sqrt(1/2 - 4/pi^2) = 0.308; the tolerance is 4 standard errors.
func TestSlicedW1Shift(t *testing.T) {
	const n, P = 500, 2000
	rng := rand.New(rand.NewPCG(3, 4))
	mu := []float64{1.5, -2}
	x, y := make([]float64, 2*n), make([]float64, 2*n)
	for i := 0; i < n; i++ {
		for k := 0; k < 2; k++ {
			x[2*i+k] = rng.NormFloat64()
			y[2*i+k] = x[2*i+k] + mu[k]
		}
	}
	norm := math.Hypot(mu[0], mu[1])
	got := SlicedW1(x, y, 2, P, rand.NewPCG(5, 6))
	want := 2 / math.Pi * norm
	tol := 4 * norm * math.Sqrt(0.5-4/(math.Pi*math.Pi)) / math.Sqrt(P)
	if math.Abs(got-want) > tol {
		t.Errorf("SlicedW1 = %v, want %v ± %v", got, want, tol)
	}
	if same := SlicedW1(x, x, 2, 10, rand.NewPCG(5, 6)); same != 0 {
		t.Errorf("SlicedW1(x, x) = %v, want 0", same)
	}
}

// In one dimension every direction is +-1 and W1 does not change when both
// samples are negated, so SlicedW1 is W1 itself for any number of
// projections (here the by-hand "thirds" case of TestW1ByHand, 1.5).
func TestSlicedW1OneDimension(t *testing.T) {
	for _, p := range []int{1, 3, 10} {
		if got := SlicedW1([]float64{0, 0, 0}, []float64{1, 2}, 1, p, rand.NewPCG(1, 2)); math.Abs(got-1.5) > 1e-12 {
			t.Errorf("SlicedW1 in 1-D with %d projections = %v, want W1 = 1.5", p, got)
		}
	}
}
