package course

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"difftoy/analytic"
	"difftoy/toy"
)

// Helpers of the fast checks of the lessons' claims that are identities or
// small computations, which sit in the test file of each lesson's file
// (forward_test.go, ideal_test.go, ...), beside the experiments of
// course_test.go. They take a few seconds in all and run with -short.
// Tolerances are stated where they are
// used; "rounding" bounds are a few hundred ulps of the largest term that
// enters a difference, and Monte Carlo bounds are 4 standard errors (3 for a
// single comparison).

func pcg(seed uint64) rand.Source { return rand.NewPCG(seed, seed) }

func cosineSchedule(t *testing.T) *toy.Schedule {
	t.Helper()
	s, err := toy.Cosine(1000, 0.008)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// isoGaussian is N(0, v I) in two dimensions.
func isoGaussian(t *testing.T, v float64) *analytic.GaussianMixture {
	t.Helper()
	m, err := analytic.NewGaussian(2, nil, []float64{0, 0}, [][]float64{{v, 0, 0, v}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func norm2(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s)
}

func maxAbs(x []float64) float64 {
	var m float64
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

// variance returns the per-coordinate variance of x about mean 0 (the
// laws here are centred) and its standard error v sqrt(2/n), n = len(x).
func variance(x []float64) (float64, float64) {
	var s float64
	for _, v := range x {
		s += v * v
	}
	v := s / float64(len(x))
	return v, v * math.Sqrt(2/float64(len(x)))
}

// fdGrad is the central-difference gradient of f at x with step h and an
// estimate of its error: the truncation error of central differences is
// c h^2 + O(h^4), so the gradient with step h differs from the one with
// step h/2 by (3/4) c h^2; the error of the step-h result is then about
// (4/3) |g(h) - g(h/2)|, doubled for the O(h^4) terms and the rounding in
// g(h/2). The rounding error 16 eps (1 + L) / h is added, with L a bound on
// the size of the log terms that f sums (as analytic's own finite-difference
// tests do).
func fdGrad(f func([]float64) float64, x []float64, h, L float64) (g []float64, errBound float64) {
	grad := func(h float64) []float64 {
		g := make([]float64, len(x))
		for i := range x {
			xp := append([]float64(nil), x...)
			xm := append([]float64(nil), x...)
			xp[i] += h
			xm[i] -= h
			g[i] = (f(xp) - f(xm)) / (2 * h)
		}
		return g
	}
	g, g2 := grad(h), grad(h/2)
	var d float64
	for i := range g {
		d = math.Max(d, math.Abs(g[i]-g2[i]))
	}
	return g, 2*4.0/3*d + 16*2.3e-16*(1+L)/h
}

// TestClaimFormat: the claims table prints values, standard errors and
// bounds readably, and Holds compares as each Op says.
func TestClaimFormat(t *testing.T) {
	for _, tc := range []struct {
		c               Claim
		measured, bound string
		holds           bool
	}{
		{Claim{Value: 2.433, Op: Below, Bound: 3}, "2.433", "< 3", true},
		{Claim{Value: 4.64, SE: 0.123, Op: Below, Bound: 3.249, Against: "no matching"}, "4.64 ± 0.12", "< 3.249 (no matching)", false},
		{Claim{Value: 4.036e-5, Op: Below, Bound: 1e-4}, "4.036e-5", "< 1e-4", true},
		{Claim{Value: 0.07859, Op: Between, Bound: 0.07, Hi: 0.09}, "0.07859", "in (0.07, 0.09)", true},
		{Claim{Value: 266, Op: Near, Bound: 260, Hi: 5}, "266", "260 ± 5", false},
		{Claim{Value: 990, Op: AtLeast, Bound: 990}, "990", "≥ 990", true},
		{Claim{Value: 0, Op: AtMost, Bound: 0}, "0", "≤ 0", true},
		{Claim{Value: -2.9, Op: Above, Bound: -3}, "-2.9", "> -3", true},
		{Claim{Value: 2726, Op: Between, Bound: 2600, Hi: 2800}, "2726", "in (2600, 2800)", true},
		{Claim{Value: 2.5e7, Op: Below, Bound: 1e8}, "2.5e7", "< 1e8", true},
		{Claim{Value: math.NaN(), Op: Below, Bound: 3}, "NaN", "< 3", false},
	} {
		if got := tc.c.Measured(); got != tc.measured {
			t.Errorf("Measured(%+v) = %q, want %q", tc.c, got, tc.measured)
		}
		if got := tc.c.BoundText(); got != tc.bound {
			t.Errorf("BoundText(%+v) = %q, want %q", tc.c, got, tc.bound)
		}
		if got := tc.c.Holds(); got != tc.holds {
			t.Errorf("Holds(%+v) = %v, want %v", tc.c, got, tc.holds)
		}
	}
	// The indicative claim (failing) is neither held nor counted.
	r := &Result{Claims: []Claim{{Value: 1, Op: Below, Bound: 2}, {Value: 3, Op: Below, Bound: 2}, {Value: 3, Op: Below, Bound: 2, Indicative: true}}}
	if h, n := r.Held(); h != 1 || n != 2 {
		t.Errorf("Held = %d of %d, want 1 of 2", h, n)
	}
	if v := r.Claims[2].Verdict(); v != "FAILS, indicative" {
		t.Errorf("Verdict of a failing indicative claim = %q", v)
	}
	md := (&Result{Claims: []Claim{{Text: "|x| is small.", Name: "|x|", Value: 0.5, SE: 0.01, Op: Below, Bound: 1}}}).ClaimsTable()
	if want := "| claim | measured | bound | verdict |\n| --- | --- | --- | --- |\n| \\|x\\| is small. | \\|x\\|: 0.5 ± 0.01 | < 1 | holds |\n"; md != want {
		t.Errorf("ClaimsTable = %q, want %q", md, want)
	}
	if s := r.String(); !strings.HasPrefix(s, "Claims: 1 of 2 hold\n(and 1 indicative") || !strings.Contains(s, "[FAILS] ") {
		t.Errorf("String does not start with the claims count and verdicts:\n%s", s)
	}
}
