package analytic_test

import (
	"math"
	"strings"
	"testing"

	"difftoy/analytic"
)

func TestNewDeltaErrors(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, tc := range []struct {
		name    string
		d       int
		pts, w  []float64
		labels  []int
		wantErr string
	}{
		{"zero dimension", 0, []float64{1}, nil, nil, "dimension 0 is not positive"},
		{"ragged points", 2, []float64{1, 2, 3}, nil, nil, "len(points) = 3 is not a multiple of the dimension 2"},
		{"empty", 2, nil, nil, nil, "no components"},
		{"NaN point", 2, []float64{0, 0, 1, nan}, nil, nil, "coordinate 1 of point 1 is NaN"},
		{"Inf point", 2, []float64{inf, 0}, nil, nil, "coordinate 0 of point 0 is +Inf"},
		{"weights length", 2, []float64{0, 0, 1, 1}, []float64{1}, nil, "1 weights for 2 components"},
		{"zero weight", 2, []float64{0, 0, 1, 1}, []float64{1, 0}, nil, "weight of component 1 is 0"},
		{"negative weight", 2, []float64{0, 0, 1, 1}, []float64{-1, 1}, nil, "weight of component 0 is -1"},
		{"NaN weight", 2, []float64{0, 0, 1, 1}, []float64{1, nan}, nil, "weight of component 1 is NaN"},
		{"Inf weight", 2, []float64{0, 0, 1, 1}, []float64{inf, 1}, nil, "weight of component 0 is +Inf"},
		{"weights overflow", 2, []float64{0, 0, 1, 1}, []float64{math.MaxFloat64, math.MaxFloat64}, nil, "sum to +Inf"},
		{"labels length", 2, []float64{0, 0, 1, 1}, nil, []int{0}, "1 labels for 2 components"},
		{"negative label", 2, []float64{0, 0, 1, 1}, nil, []int{0, -1}, "label of component 1 is -1"},
		{"missing class", 2, []float64{0, 0, 1, 1, 2, 2}, nil, []int{0, 2, 2}, "class 1 has no component"},
		{"label above components", 2, []float64{0, 0, 1, 1}, nil, []int{0, 2}, "label of component 1 is 2, want 0..1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := analytic.NewDelta(tc.d, tc.pts, tc.w, tc.labels)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.HasPrefix(err.Error(), "analytic.NewDelta: ") {
				t.Errorf("NewDelta error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

// TestNewDeltaCopies checks normalisation and that the mixture owns its data.
func TestNewDeltaCopies(t *testing.T) {
	pts := []float64{0, 0, 2, 0}
	w := []float64{1, 3}
	lab := []int{1, 0}
	m, err := analytic.NewDelta(2, pts, w, lab)
	if err != nil {
		t.Fatal(err)
	}
	pts[0], w[0], lab[0] = 9, 9, 0
	if got := m.Weights(); got[0] != 0.25 || got[1] != 0.75 {
		t.Errorf("Weights() = %v, want [0.25 0.75]", got)
	}
	m.Weights()[0] = 5
	if got := m.Weights()[0]; got != 0.25 {
		t.Errorf("Weights() is not a copy: %v", got)
	}
	if got := m.Labels(); got[0] != 1 || m.Classes() != 2 {
		t.Errorf("Labels() = %v, Classes() = %d; want [1 0], 2", got, m.Classes())
	}
	if got := m.Points(); got[0] != 0 || m.Len() != 2 || m.Dim() != 2 {
		t.Errorf("Points() = %v, Len %d, Dim %d", got, m.Len(), m.Dim())
	}
	// The noised points sqrt(alpha) (0, 0) (weight 1/4) and sqrt(alpha) (2, 0)
	// (weight 3/4) are equally far from x = (sqrt(alpha), 0): there pi = w.
	for _, alpha := range []float64{0.1, 0.5, 0.99} {
		if got := m.Posterior(nil, []float64{math.Sqrt(alpha), 0}, alpha); math.Abs(got[0]-0.25) > 1e-15 || math.Abs(got[1]-0.75) > 1e-15 {
			t.Errorf("alpha=%v: Posterior at the midpoint = %v, want the weights", alpha, got)
		}
	}
}

// TestDeltaAlphaOne checks the documented alpha = 1 behaviour: all posterior
// mass on the nearest point(s), shared by weight on ties; the denoiser
// returns the nearest point; the density, score and eps panic.
func TestDeltaAlphaOne(t *testing.T) {
	m, err := analytic.NewDelta(2, []float64{-1, 0, 1, 0, 0, 3}, []float64{1, 3, 1}, []int{0, 1, 1})
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{
		-0.9, 0.2, // nearest: point 0
		0.2, 2.5, // nearest: point 2
		0, -1, // tie between points 0 and 1 (weights 1 and 3)
	}
	post := m.Posterior(nil, x, 1)
	want := []float64{1, 0, 0, 0, 0, 1, 0.25, 0.75, 0}
	// Exact but for the rounding of the normalised weights 1/5 and 3/5 and
	// their ratio in the tie: a few eps.
	if maxAbsDiff(post, want) > 1e-15 {
		t.Errorf("Posterior at alpha = 1 = %v, want %v", post, want)
	}
	den := m.Denoise(nil, x, 1, nil)
	wantDen := []float64{-1, 0, 0, 3, 0.5, 0} // the tie: 0.25 (-1, 0) + 0.75 (1, 0)
	if maxAbsDiff(den[:4], wantDen[:4]) != 0 || maxAbsDiff(den, wantDen) > 1e-15 {
		t.Errorf("Denoise at alpha = 1 = %v, want %v", den, wantDen)
	}
	// Conditioned on class 0 only point 0 remains.
	if got := m.Denoise(nil, x, 1, []int{0, 0, 0}); maxAbsDiff(got, []float64{-1, 0, -1, 0, -1, 0}) != 0 {
		t.Errorf("Denoise(y = 0) at alpha = 1 = %v, want point 0 everywhere", got)
	}
	cp := m.ClassPosterior(nil, x, 1)
	if maxAbsDiff(cp, []float64{1, 0, 0, 1, 0.25, 0.75}) > 1e-15 {
		t.Errorf("ClassPosterior at alpha = 1 = %v", cp)
	}
	// The limit is approached continuously: at alpha = 1 - 1e-12 the
	// posterior mean of the first two queries is the nearest point to
	// within sqrt(alpha) = 1 - 5e-13 and exponentially small weights.
	near := m.Denoise(nil, x[:4], 1-1e-12, nil)
	if e := maxAbsDiff(near, wantDen[:4]); e > 1e-12 {
		t.Errorf("Denoise at alpha = 1 - 1e-12 = %v, want %v", near, wantDen[:4])
	}
	mustPanic(t, "analytic.(*DeltaMixture).Score: a delta mixture has no density at alpha = 1", func() { m.Score(nil, x, 1, nil) })
	mustPanic(t, "analytic.(*DeltaMixture).Eps: a delta mixture has no density", func() { m.Eps(nil, x, 1, nil) })
	mustPanic(t, "analytic.(*DeltaMixture).LogProb: a delta mixture has no density at alpha = 1", func() { m.LogProb(nil, x, 1) })
}

// TestDeltaSmallAlpha checks the other limit: for alpha -> 0, q(x_0 | x_t)
// tends to the prior, and to first order in s = sqrt(alpha)
// D*(x) = mu_0 + s Sigma_0 x + O(s^2 |x|^2) (expand the softmax:
// logits are log w_i + s x.x^(i) + O(alpha)). With s = 1e-4 and |x| ~ 1 the
// remainder is below 1e-7.
func TestDeltaSmallAlpha(t *testing.T) {
	m := delta2(t)
	pts, w := m.Points(), m.Weights()
	var mu [2]float64
	for i, wi := range w {
		mu[0] += wi * pts[2*i]
		mu[1] += wi * pts[2*i+1]
	}
	var sig [4]float64
	for i, wi := range w {
		for j := range 2 {
			for l := range 2 {
				sig[j*2+l] += wi * (pts[2*i+j] - mu[j]) * (pts[2*i+l] - mu[l])
			}
		}
	}
	const alpha = 1e-8
	s := math.Sqrt(alpha)
	x := []float64{0.7, -1.2}
	got := m.Denoise(nil, x, alpha, nil)
	for j := range 2 {
		want := mu[j] + s*(sig[j*2]*x[0]+sig[j*2+1]*x[1])
		if math.Abs(got[j]-want) > 1e-7 {
			t.Errorf("Denoise at alpha = 1e-8, coordinate %d = %v, want %v", j, got[j], want)
		}
	}
}
