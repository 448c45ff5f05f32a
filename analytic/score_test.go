package analytic_test

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/diff/fd"

	"difftoy/analytic"
)

const eps = 0x1p-52

// fdTol bounds the error of a central difference with step h of a function
// f = log q_t (or a difference of two such) at x:
//
//   - truncation h^2/6 |f3|, f3 the third derivative. With pi_i the posterior, z_i = C_i^{-1}(x - sqrt(alpha) m_i)
//     and grad f = -sum_i pi_i z_i, the third derivative is a third cumulant of
//     the z_i under pi plus terms with dpi/dx and dz/dx = C_i^{-1}, so
//     |f3| <= dz^3 + 3 dz lambda, dz = max |z_i - z_j|, lambda = max ||C_i^{-1}||;
//   - rounding: f is computed from logits of size L with error a few eps (L + |f|);
//     16 eps (1 + L + |f|) / h bounds its effect on the quotient.
//
// The sum is multiplied by terms, the number of log-densities in f.
func fdTol(r refOut, f, h float64, terms int) float64 {
	trunc := h * h / 6 * (r.dz*r.dz*r.dz + 3*r.dz*r.lambda)
	round := 16 * eps * (1 + r.lmax + math.Abs(f)) / h
	return float64(terms) * (trunc + round)
}

// TestScoreFiniteDifference checks Score against the central-difference
// gradient of LogProb, unconditionally, and per class against the gradient
// of the log-density of the class sub-mixture Class(y).
func TestScoreFiniteDifference(t *testing.T) {
	const h = 1e-5
	settings := &fd.Settings{Formula: fd.Central, Step: h}
	for _, tc := range mixtures(t) {
		m := tc.m
		d := m.Dim()
		cs := refComps(t, m)
		_, isGauss := m.(*analytic.GaussianMixture)
		alphas := []float64{0.1, 0.5, 0.9}
		if isGauss {
			alphas = append(alphas, 1)
		}
		x := testPoints(d)
		for _, alpha := range alphas {
			for y := -1; y < m.Classes(); y++ {
				target := m
				if y >= 0 {
					var err error
					if target, err = m.Class(y); err != nil {
						t.Fatal(err)
					}
				}
				for p := range len(x) / d {
					xp := row(x, d, p)
					f := func(x []float64) float64 { return target.LogProb(nil, x, alpha)[0] }
					want := fd.Gradient(nil, f, xp, settings)
					got := m.Score(nil, xp, alpha, []int{y})
					tol := fdTol(refEval(t, cs, xp, alpha, y), f(xp), h, 1)
					if e := maxAbsDiff(got, want); e > tol {
						t.Errorf("%s: Score(%v, alpha=%v, y=%d) = %v, finite differences %v (|diff| %.3g > %.3g)",
							tc.name, xp, alpha, y, got, want, e, tol)
					}
				}
			}
		}
	}
}

// TestClassifierGradFiniteDifference checks grad log q_t(y | x) against the
// central-difference gradient of log ClassPosterior. log q_t(y|x) is
// log q_t(x|y) - log q_t(x) + log w_y: two log-densities, hence twice the
// bound (refEval's dz and lambda for all components bound both).
func TestClassifierGradFiniteDifference(t *testing.T) {
	const h = 1e-5
	settings := &fd.Settings{Formula: fd.Central, Step: h}
	for _, tc := range mixtures(t) {
		m := tc.m
		if m.Classes() == 0 {
			continue
		}
		d := m.Dim()
		cs := refComps(t, m)
		x := testPoints(d)
		for _, alpha := range []float64{0.1, 0.5, 0.9} {
			for y := range m.Classes() {
				for p := range len(x) / d {
					xp := row(x, d, p)
					f := func(x []float64) float64 { return math.Log(m.ClassPosterior(nil, x, alpha)[y]) }
					want := fd.Gradient(nil, f, xp, settings)
					got := analytic.ClassifierGrad(m, nil, xp, alpha, []int{y})
					r := refEval(t, cs, xp, alpha, -1)
					tol := fdTol(r, f(xp)+r.logp, h, 2)
					if e := maxAbsDiff(got, want); e > tol {
						t.Errorf("%s: ClassifierGrad(%v, alpha=%v, y=%d) = %v, finite differences %v (|diff| %.3g > %.3g)",
							tc.name, xp, alpha, y, got, want, e, tol)
					}
				}
			}
		}
	}
}

// TestTweedie checks Tweedie's formula (lessons/02-ideal-denoiser.md
// section 3) on every mixture and label:
// D*(x) = ((1-alpha) score + x) / sqrt(alpha) and eps*(x) = -sqrt(1-alpha) score.
// For the Gaussian mixtures score and D* are computed by different formulas
// (-sum pi_i z_i against sum pi_i (m_i + sqrt(alpha) S_i z_i)), so this is a
// real check there; the tolerance is rounding: a few eps times the size of
// the terms, (1-alpha)|score| + |x| divided by sqrt(alpha).
func TestTweedie(t *testing.T) {
	for _, tc := range mixtures(t) {
		m := tc.m
		d := m.Dim()
		x := testPoints(d)
		n := len(x) / d
		for _, alpha := range []float64{1e-4, 0.1, 0.5, 0.9, 0.999} {
			for y := -1; y < m.Classes(); y++ {
				labels := labelsOf(n, y)
				den := m.Denoise(nil, x, alpha, labels)
				sc := m.Score(nil, x, alpha, labels)
				ep := m.Eps(nil, x, alpha, labels)
				sa, v := math.Sqrt(alpha), 1-alpha
				for i := range x {
					want := (v*sc[i] + x[i]) / sa
					scale := (v*math.Abs(sc[i]) + math.Abs(x[i])) / sa
					if e := math.Abs(den[i] - want); e > 64*eps*(1+scale) {
						t.Errorf("%s alpha=%v y=%d: Denoise = %v, Tweedie from Score gives %v", tc.name, alpha, y, den[i], want)
					}
					if want := -math.Sqrt(v) * sc[i]; math.Abs(ep[i]-want) > 64*eps*(1+math.Abs(want)+math.Abs(x[i])/math.Sqrt(v)) {
						t.Errorf("%s alpha=%v y=%d: Eps = %v, -sqrt(1-alpha) Score = %v", tc.name, alpha, y, ep[i], want)
					}
				}
			}
		}
	}
}
