package analytic

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// randomGauss2 returns a labelled mixture of k 2-D Gaussians with random
// weights, means in [-3, 3]^2 and covariances R diag(a, b) R^T with axes a,
// b in [1e-3, 1] at random angles (condition numbers up to 1e3), and the
// same mixture marked to use the general-d kernel.
func randomGauss2(t testing.TB, k int, seed uint64) (fast, general *GaussianMixture) {
	rng := rand.New(rand.NewPCG(seed, 11))
	w, means, covs, labels := make([]float64, k), make([]float64, 2*k), make([][]float64, k), make([]int, k)
	for i := range k {
		w[i] = 0.1 + rng.Float64()
		means[2*i], means[2*i+1] = 6*rng.Float64()-3, 6*rng.Float64()-3
		a, b := math.Pow(10, -3*rng.Float64()), math.Pow(10, -3*rng.Float64())
		th := math.Pi * rng.Float64()
		c, s := math.Cos(th), math.Sin(th)
		off := (a - b) * c * s
		covs[i] = []float64{a*c*c + b*s*s, off, off, a*s*s + b*c*c}
		labels[i] = i % 3
	}
	fast, err := NewGaussian(2, w, means, covs, labels)
	if err != nil {
		t.Fatal(err)
	}
	general, _ = NewGaussian(2, w, means, covs, labels)
	general.general = true
	return fast, general
}

// TestGaussian2MatchesGeneral checks the d = 2 kernel against the general-d
// kernel on every method that uses it, labels included. The two compute the
// same quantities with different rounding (a product by 1/l_jj instead of a
// division, the S_i product written out): z_i agrees to a few eps times
// cond(C_i) <= 1e3 relative, so the logits l_i agree to about 1e3 eps (1 + |l_i|)
// and the normalised outputs move by as much relative to their size.
// The tolerance 4e3 eps (1 + max |l_i|) (1 + |value|) has a margin of 4.
func TestGaussian2MatchesGeneral(t *testing.T) {
	fast, general := randomGauss2(t, 40, 1)
	rng := rand.New(rand.NewPCG(2, 2))
	const n = 200
	x := make([]float64, 2*n)
	y := make([]int, n)
	for p := range n {
		r := math.Pow(10, 3*rng.Float64()-1) // |x| from 0.1 to 100
		th := 2 * math.Pi * rng.Float64()
		x[2*p], x[2*p+1] = r*math.Cos(th), r*math.Sin(th)
		y[p] = rng.IntN(4) - 1
	}
	for _, alpha := range []float64{1e-8, 0.01, 0.5, 0.99, 1 - 1e-9, 1} {
		// The size of the logits at each point bounds the rounding.
		nz := general.noise("test", alpha)
		lmax := make([]float64, n)
		lg, z, u := make([]float64, fast.k), make([]float64, 2*fast.k), make([]float64, 2)
		for p := range n {
			general.logits(lg, z, u, x[2*p:2*p+2], nz, nil)
			for _, l := range lg {
				lmax[p] = max(lmax[p], math.Abs(l))
			}
		}
		for _, tc := range []struct {
			name  string
			width int
			f     func(g *GaussianMixture) []float64
		}{
			{"Denoise", 2, func(g *GaussianMixture) []float64 { return g.Denoise(nil, x, alpha, y) }},
			{"Score", 2, func(g *GaussianMixture) []float64 { return g.Score(nil, x, alpha, y) }},
			{"Eps", 2, func(g *GaussianMixture) []float64 { return g.Eps(nil, x, alpha, y) }},
			{"LogProb", 1, func(g *GaussianMixture) []float64 { return g.LogProb(nil, x, alpha) }},
			{"Posterior", fast.k, func(g *GaussianMixture) []float64 { return g.Posterior(nil, x, alpha) }},
			{"ClassPosterior", 3, func(g *GaussianMixture) []float64 { return g.ClassPosterior(nil, x, alpha) }},
		} {
			got, want := tc.f(fast), tc.f(general)
			for i := range got {
				p := i / tc.width
				tol := 4e3 * 0x1p-52 * (1 + lmax[p]) * (1 + math.Abs(want[i]))
				if math.IsNaN(got[i]) || math.Abs(got[i]-want[i]) > tol {
					t.Errorf("alpha=%v: %s[%d] = %v with the d = 2 kernel, %v with the general one (tolerance %.3g)",
						alpha, tc.name, i, got[i], want[i], tol)
					break
				}
			}
		}
	}
}

// BenchmarkGaussianKernel compares the d = 2 kernel with the general-d one
// on Denoise (N = 10 000 points, K Gaussians, alpha = 0.5) in one run.
func BenchmarkGaussianKernel(b *testing.B) {
	const n = 10000
	rng := rand.New(rand.NewPCG(3, 3))
	x := make([]float64, 2*n)
	for i := range x {
		x[i] = 2 * rng.NormFloat64()
	}
	dst := make([]float64, len(x))
	for _, k := range []int{8, 1000} {
		fast, general := randomGauss2(b, k, 4)
		for _, tc := range []struct {
			name string
			g    *GaussianMixture
		}{{"general", general}, {"d2", fast}} {
			b.Run(fmt.Sprintf("K=%d/%s", k, tc.name), func(b *testing.B) {
				for b.Loop() {
					tc.g.Denoise(dst, x, 0.5, nil)
				}
				b.ReportMetric(b.Elapsed().Seconds()*1e9/(float64(b.N)*n*float64(k)), "ns/pair")
			})
		}
	}
}
