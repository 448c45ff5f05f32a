package analytic_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"difftoy/analytic"
)

// TestSampleMoments checks draws from q_t against its exact moments,
//
//	E[x_t] = sqrt(alpha) mu_0,  Cov[x_t] = alpha Sigma_0 + (1-alpha) I,
//	Sigma_0 = sum_i w_i (S_i + m_i m_i^T) - mu_0 mu_0^T,
//
// and the component counts against the weights. Each comparison is in units
// of its standard error (of a mean: sd/sqrt(n); of a covariance entry: the
// sample sd of the products (x_j - mu_j)(x_k - mu_k) over sqrt(n); of a
// frequency: sqrt(w(1-w)/n)); |z| <= 4.5 fails with probability 7e-6 each.
func TestSampleMoments(t *testing.T) {
	n := 200000
	if testing.Short() {
		n = 50000
	}
	for _, tc := range mixtures(t) {
		m := tc.m
		d, k := m.Dim(), m.Len()
		cs := refComps(t, m)
		mu0 := make([]float64, d)
		for _, c := range cs {
			for j := range d {
				mu0[j] += c.w * c.mean[j]
			}
		}
		sigma0 := make([]float64, d*d)
		for _, c := range cs {
			for j := range d {
				for l := range d {
					sigma0[j*d+l] += c.w * (c.cov.At(j, l) + c.mean[j]*c.mean[l])
				}
			}
		}
		for j := range d {
			for l := range d {
				sigma0[j*d+l] -= mu0[j] * mu0[l]
			}
		}
		for s, alpha := range []float64{0.3, 0.9, 1} {
			if _, ok := m.(*analytic.DeltaMixture); ok && alpha == 1 {
				continue // TestDeltaAlphaOne
			}
			x := make([]float64, n*d)
			comp := make([]int, n)
			m.Sample(x, comp, alpha, rand.NewPCG(uint64(s), 3))
			sa := math.Sqrt(alpha)
			for j := range d {
				want := sa * mu0[j]
				var sum, sum2 float64
				for p := range n {
					sum += x[p*d+j]
				}
				mean := sum / float64(n)
				for p := range n {
					sum2 += (x[p*d+j] - mean) * (x[p*d+j] - mean)
				}
				se := math.Sqrt(sum2/float64(n)) / math.Sqrt(float64(n))
				if z := (mean - want) / se; math.Abs(z) > 4.5 {
					t.Errorf("%s alpha=%v: mean of coordinate %d = %v, want %v (z = %.2f)", tc.name, alpha, j, mean, want, z)
				}
			}
			for j := range d {
				for l := range j + 1 {
					want := alpha * sigma0[j*d+l]
					if j == l {
						want += 1 - alpha
					}
					var s1, s2 float64
					for p := range n {
						v := (x[p*d+j] - sa*mu0[j]) * (x[p*d+l] - sa*mu0[l])
						s1 += v
						s2 += v * v
					}
					mean := s1 / float64(n)
					se := math.Sqrt((s2/float64(n) - mean*mean) / float64(n))
					if z := (mean - want) / se; math.Abs(z) > 4.5 {
						t.Errorf("%s alpha=%v: covariance (%d, %d) = %v, want %v (z = %.2f)", tc.name, alpha, j, l, mean, want, z)
					}
				}
			}
			counts := make([]int, k)
			for _, c := range comp {
				counts[c]++
			}
			for i, c := range counts {
				w := cs[i].w
				f := float64(c) / float64(n)
				if z := (f - w) / math.Sqrt(w*(1-w)/float64(n)); math.Abs(z) > 4.5 {
					t.Errorf("%s alpha=%v: component %d drawn with frequency %v, weight %v (z = %.2f)", tc.name, alpha, i, f, w, z)
				}
			}
		}
	}
}

// TestSampleComponents checks that each draw belongs to its reported
// component: per component, the mean of its draws is sqrt(alpha) m_i within
// 4.5 standard errors of N(sqrt(alpha) m_i, C_i) (diagonal of C_i known).
func TestSampleComponents(t *testing.T) {
	const n = 40000
	for _, tc := range mixtures(t) {
		m := tc.m
		d := m.Dim()
		cs := refComps(t, m)
		alpha := 0.6
		x := make([]float64, n*d)
		comp := make([]int, n)
		m.Sample(x, comp, alpha, rand.NewPCG(9, 9))
		for i, c := range cs {
			for j := range d {
				sum, cnt := 0.0, 0
				for p := range n {
					if comp[p] == i {
						sum += x[p*d+j]
						cnt++
					}
				}
				want := math.Sqrt(alpha) * c.mean[j]
				se := math.Sqrt((alpha*c.cov.At(j, j) + 1 - alpha) / float64(cnt))
				if z := (sum/float64(cnt) - want) / se; math.Abs(z) > 4.5 {
					t.Errorf("%s: component %d coordinate %d: mean of its draws %v, want %v (z = %.2f)", tc.name, i, j, sum/float64(cnt), want, z)
				}
			}
		}
	}
}

// TestSampleDeterministic: one seed, one result; the component slice is optional.
func TestSampleDeterministic(t *testing.T) {
	for _, tc := range mixtures(t) {
		a := tc.m.Sample(make([]float64, 50*tc.m.Dim()), nil, 0.5, rand.NewPCG(4, 2))
		b := tc.m.Sample(make([]float64, 50*tc.m.Dim()), make([]int, 50), 0.5, rand.NewPCG(4, 2))
		if maxAbsDiff(a, b) != 0 {
			t.Errorf("%s: two draws with one seed differ", tc.name)
		}
	}
	m := delta2(t)
	mustPanic(t, "analytic.(*DeltaMixture).Sample: len(dst) = 3 is not a multiple of the dimension 2", func() { m.Sample(make([]float64, 3), nil, 0.5, rand.NewPCG(1, 1)) })
	mustPanic(t, "len(comp) = 1, want 2", func() { m.Sample(make([]float64, 4), make([]int, 1), 0.5, rand.NewPCG(1, 1)) })
	mustPanic(t, "alpha = 0 is not in (0, 1]", func() { gauss2(t).Sample(make([]float64, 4), nil, 0, rand.NewPCG(1, 1)) })
}
