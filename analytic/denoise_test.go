package analytic_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"difftoy/analytic"
)

// jointDraws draws n pairs (x_0, x_t) from the joint q(x_0) q(x_t | x_0)
// with code independent of the package: the component from the weights, x_0
// = m_i + L_i e with gonum's Cholesky factor L_i of S_i, then
// x_t = sqrt(alpha) x_0 + sqrt(1-alpha) e'. It also returns each pair's label.
func jointDraws(t testing.TB, cs []refComp, n int, alpha float64, seed uint64) (x0, xt []float64, labels []int) {
	d := len(cs[0].mean)
	rng := rand.New(rand.NewPCG(seed, 1))
	chol := make([]*mat.TriDense, len(cs))
	for i, c := range cs {
		var ch mat.Cholesky
		if c.cov.At(0, 0) == 0 {
			continue // a delta
		}
		if !ch.Factorize(c.cov) {
			t.Fatal("jointDraws: covariance not positive definite")
		}
		chol[i] = mat.NewTriDense(d, mat.Lower, nil)
		ch.LTo(chol[i])
	}
	x0, xt, labels = make([]float64, n*d), make([]float64, n*d), make([]int, n)
	e := make([]float64, d)
	sa, sv := math.Sqrt(alpha), math.Sqrt(1-alpha)
	for p := range n {
		u, i := rng.Float64(), 0
		for ; i < len(cs)-1 && u >= cs[i].w; i++ {
			u -= cs[i].w
		}
		labels[p] = cs[i].label
		for j := range e {
			e[j] = rng.NormFloat64()
		}
		for r := range d {
			v := cs[i].mean[r]
			if chol[i] != nil {
				for c := 0; c <= r; c++ {
					v += chol[i].At(r, c) * e[c]
				}
			}
			x0[p*d+r] = v
			xt[p*d+r] = sa*v + sv*rng.NormFloat64()
		}
	}
	return x0, xt, labels
}

// orthogonality returns, for test functions g of x_t, the largest
// |z| = |mean(h)| / (sd(h)/sqrt(n)) of h = (x_0 - D(x_t))_j g(x_t).
// D = E[x_0 | x_t] is characterised by E[(x_0 - D(x_t)) g(x_t)] = 0 for
// every g, so for the right D each z is approximately standard normal.
// The g are 1, the coordinates of x_t and Gaussian bumps at the noised
// component means.
func orthogonality(cs []refComp, x0, xt, den []float64, alpha float64) float64 {
	d := len(cs[0].mean)
	n := len(x0) / d
	gs := []func(x []float64) float64{func([]float64) float64 { return 1 }}
	for j := range d {
		gs = append(gs, func(x []float64) float64 { return x[j] })
	}
	for _, c := range cs[:min(3, len(cs))] {
		gs = append(gs, func(x []float64) float64 {
			q := 0.0
			for j, v := range x {
				q += (v - math.Sqrt(alpha)*c.mean[j]) * (v - math.Sqrt(alpha)*c.mean[j])
			}
			return math.Exp(-q)
		})
	}
	worst := 0.0
	for _, g := range gs {
		for j := range d {
			var s, s2 float64
			for p := range n {
				h := (x0[p*d+j] - den[p*d+j]) * g(xt[p*d:(p+1)*d])
				s += h
				s2 += h * h
			}
			mean := s / float64(n)
			sd := math.Sqrt(s2/float64(n) - mean*mean)
			worst = max(worst, math.Abs(mean)/(sd/math.Sqrt(float64(n))))
		}
	}
	return worst
}

// TestDenoiseMonteCarlo checks D*(x) = E[x_0 | x_t = x] (and, with the
// drawn labels, E[x_0 | x_t = x, y]) by the orthogonality property on joint
// draws. Each z is close to N(0, 1) under the hypothesis; about 150 of them
// are checked, and P(|z| > 4.5) = 7e-6 each, so a false alarm has
// probability about 1e-3 (the seed is fixed, so the outcome is too). As a
// check of the test's power, the denoiser of a wrong noise level (alpha
// times 1.25) must be rejected.
func TestDenoiseMonteCarlo(t *testing.T) {
	n := 200000
	if testing.Short() {
		n = 50000
	}
	const limit = 4.5
	for _, tc := range mixtures(t) {
		if tc.name == "delta3" {
			continue // the 2-D delta and both Gaussian mixtures cover the code paths
		}
		m := tc.m
		cs := refComps(t, m)
		for k, alpha := range []float64{0.2, 0.7} {
			x0, xt, labels := jointDraws(t, cs, n, alpha, uint64(10+k))
			for _, cond := range []bool{false, true} {
				y := []int(nil)
				if cond {
					y = labels
				}
				den := m.Denoise(nil, xt, alpha, y)
				if z := orthogonality(cs, x0, xt, den, alpha); z > limit {
					t.Errorf("%s alpha=%v conditional=%v: E[(x0 - D(xt)) g(xt)] is %.2f standard errors from 0", tc.name, alpha, cond, z)
				}
				wrong := m.Denoise(nil, xt, alpha*1.25, y)
				if z := orthogonality(cs, x0, xt, wrong, alpha); z <= limit {
					t.Errorf("%s alpha=%v conditional=%v: the denoiser of alpha*1.25 passes (|z| = %.2f): the test has no power", tc.name, alpha, cond, z)
				}
			}
		}
	}
}

// TestGaussianDenoiseSingle checks one Gaussian N(m, S), whose posterior is
// Gaussian with mean m + sqrt(alpha) S (alpha S + (1-alpha) I)^{-1} (x - sqrt(alpha) m),
// against a direct gonum solve, including alpha = 1 (D*(x) = x).
func TestGaussianDenoiseSingle(t *testing.T) {
	m := []float64{0.5, -1, 2}
	s := []float64{0.5, 0.2, -0.1, 0.2, 0.3, 0.05, -0.1, 0.05, 0.8}
	g, err := analytic.NewGaussian(3, nil, m, [][]float64{s}, nil)
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{1, 0.3, -2}
	S := mat.NewSymDense(3, s)
	for _, alpha := range []float64{1e-6, 0.3, 0.9, 1} {
		sa := math.Sqrt(alpha)
		var c mat.Dense
		c.Scale(alpha, S)
		for j := range 3 {
			c.Set(j, j, c.At(j, j)+1-alpha)
		}
		r := mat.NewVecDense(3, []float64{x[0] - sa*m[0], x[1] - sa*m[1], x[2] - sa*m[2]})
		var z, sz mat.VecDense
		if err := z.SolveVec(&c, r); err != nil {
			t.Fatal(err)
		}
		sz.MulVec(S, &z)
		got := g.Denoise(nil, x, alpha, nil)
		for j := range 3 {
			want := m[j] + sa*sz.AtVec(j)
			if math.Abs(got[j]-want) > 1e-13 {
				t.Errorf("alpha=%v: Denoise = %v, want component %d = %v", alpha, got, j, want)
			}
		}
	}
	if got := g.Denoise(nil, x, 1, nil); got[0] != x[0] || got[1] != x[1] || got[2] != x[2] {
		t.Errorf("Denoise at alpha = 1 = %v, want x = %v", got, x)
	}
}
