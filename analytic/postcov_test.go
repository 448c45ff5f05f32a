package analytic_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"difftoy/analytic"
)

// TestPosteriorTraceJacobian checks tr Cov[x_0 | x_t] against the
// divergence of the denoiser, tr Cov = ((1 - alpha) / sqrt(alpha)) div D*
// (Tweedie's second-order identity), by central differences of Denoise.
// The step h = 1e-5 leaves a truncation error h^2 |D”'| / 6 of order 1e-9
// for these mixtures (|D”'| is at most a few hundred where 1 - alpha >= 0.1)
// and a rounding error of about 1e-16 / h = 1e-11: tolerance 1e-7 relative
// to 1 + the trace.
func TestPosteriorTraceJacobian(t *testing.T) {
	for _, mc := range mixtures(t) {
		m := mc.m
		d := m.Dim()
		r := rand.New(rand.NewPCG(3, 3))
		for _, alpha := range []float64{0.9, 0.5, 0.1} {
			x := make([]float64, 5*d)
			for i := range x {
				x[i] = 1.5 * r.NormFloat64()
			}
			tr := analytic.PosteriorTrace(m, nil, x, alpha)
			const h = 1e-5
			for p := range 5 {
				var div float64
				for j := range d {
					xp := append([]float64(nil), row(x, d, p)...)
					xm := append([]float64(nil), xp...)
					xp[j] += h
					xm[j] -= h
					dp := m.Denoise(nil, xp, alpha, nil)
					dm := m.Denoise(nil, xm, alpha, nil)
					div += (dp[j] - dm[j]) / (2 * h)
				}
				want := (1 - alpha) / math.Sqrt(alpha) * div
				if math.Abs(tr[p]-want) > 1e-7*(1+want) {
					t.Errorf("%s alpha %v point %d: PosteriorTrace = %v, (1-a)/sqrt(a) div D* = %v", mc.name, alpha, p, tr[p], want)
				}
			}
		}
	}
}

// TestPosteriorTraceMMSE checks the mean of tr Cov[x_0 | x_t] over q_t
// against the Monte Carlo MMSE E|x_0 - D*(x_t)|^2 on the same draws
// (x_0 from the mixture, x_t from it): by the tower property the per-draw
// differences have mean 0; the test allows 4 standard errors of their mean.
func TestPosteriorTraceMMSE(t *testing.T) {
	for _, mc := range mixtures(t) {
		m := mc.m
		d := m.Dim()
		for _, alpha := range []float64{0.9, 0.3} {
			src := rand.New(rand.NewPCG(5, 5))
			const n = 20000
			x0 := m.Sample(make([]float64, n*d), nil, 1, src)
			xt := make([]float64, n*d)
			sa, sv := math.Sqrt(alpha), math.Sqrt(1-alpha)
			for i := range xt {
				xt[i] = sa*x0[i] + sv*src.NormFloat64()
			}
			den := m.Denoise(nil, xt, alpha, nil)
			tr := analytic.PosteriorTrace(m, nil, xt, alpha)
			var s, s2 float64
			for p := range n {
				var e float64
				for j := range d {
					e += (x0[p*d+j] - den[p*d+j]) * (x0[p*d+j] - den[p*d+j])
				}
				v := e - tr[p]
				s += v
				s2 += v * v
			}
			mean := s / n
			se := math.Sqrt((s2/n - mean*mean) / n)
			if math.Abs(mean) > 4*se {
				t.Errorf("%s alpha %v: mean(|x0 - D*|^2 - tr Cov) = %v, more than 4 standard errors %v from 0", mc.name, alpha, mean, se)
			}
		}
	}
}

func TestPosteriorTracePanics(t *testing.T) {
	m := delta2(t)
	mustPanic(t, "alpha", func() { analytic.PosteriorTrace(m, nil, []float64{0, 0}, 0) })
	mustPanic(t, "len(dst)", func() { analytic.PosteriorTrace(m, make([]float64, 2), []float64{0, 0}, 0.5) })
}
