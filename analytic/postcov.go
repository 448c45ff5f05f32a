// The trace of the posterior covariance tr Cov[x_0 | x_t = x]: the
// pointwise error of the ideal denoiser, whose mean over q_t is the MMSE and
// which sets Analytic-DPM's optimal reverse variance
// (lessons/13-sde.md section 5).

package analytic

import (
	"fmt"
	"math"
)

// PosteriorTrace writes tr Cov[x_0 | x_t = x] = E[|x_0|^2 | x_t] - |D*(x)|^2
// for each point of x into dst (allocated when nil) and returns it. With
// the posterior weights pi_i(x):
//
//	points x^(i):       sum_i pi_i |x^(i)|^2 - |D*|^2
//	Gaussians N(m_i, S_i): sum_i pi_i (tr P_i + |mu_i(x)|^2) - |D*|^2,
//	  mu_i(x) = m_i + K_i (x - sqrt(alpha) m_i),  K_i = sqrt(alpha) S_i C_i^{-1},
//	  P_i = S_i - sqrt(alpha) K_i S_i,            C_i = alpha S_i + (1 - alpha) I,
//
// the mean and covariance of component i's Gaussian posterior. Wrong
// lengths or alpha outside (0, 1] panic, as does a mixture of another type.
func PosteriorTrace(m Mixture, dst, x []float64, alpha float64) []float64 {
	const who = "analytic.PosteriorTrace"
	d, k := m.Dim(), m.Len()
	n, dst := checkBatch(who, dst, x, d, alpha, nil, 0, 1)
	w := m.Posterior(nil, x, alpha)
	var mu func(dst []float64, i int, xp []float64) // component i's posterior mean at xp
	trP := make([]float64, k)
	switch g := m.(type) {
	case *DeltaMixture:
		mu = func(dst []float64, i int, _ []float64) { copy(dst, g.pts[i*d:(i+1)*d]) }
	case *GaussianMixture:
		var K []float64
		K, trP = gaussianPosteriors(who, g, alpha)
		sa := math.Sqrt(alpha)
		mu = func(dst []float64, i int, xp []float64) {
			gaussianPosteriorMean(dst, g.means[i*d:(i+1)*d], K[i*d*d:(i+1)*d*d], xp, sa)
		}
	default:
		panic(fmt.Sprintf("%s: unsupported mixture type %T", who, m))
	}
	mi, mean := make([]float64, d), make([]float64, d)
	for p := range n {
		dst[p] = posteriorSpread(mi, mean, x[p*d:(p+1)*d], w[p*k:(p+1)*k], trP, mu)
	}
	return dst
}

// gaussianPosteriors returns the gains K_i = sqrt(alpha) S_i C_i^{-1}
// (row-major, d x d each) of g's components and the traces of their
// posterior covariances, tr P_i = tr S_i - sqrt(alpha) tr(K_i S_i).
func gaussianPosteriors(who string, g *GaussianMixture, alpha float64) (K, trP []float64) {
	d, k := g.Dim(), g.Len()
	K, trP, sa := make([]float64, k*d*d), make([]float64, k), math.Sqrt(alpha)
	c, l, col := make([]float64, d*d), make([]float64, d*d), make([]float64, d)
	for i := range k {
		s := g.covs[i*d*d : (i+1)*d*d]
		for j, v := range s {
			c[j] = alpha * v
		}
		for j := range d {
			c[j*d+j] += 1 - alpha
		}
		if _, ok := cholesky(l, c, d); !ok {
			panic(fmt.Sprintf("%s: noised covariance of component %d is not positive definite at alpha = %v", who, i, alpha))
		}
		// K_i = sqrt(alpha) S C^{-1}; C and S are symmetric, so row r of
		// K is sqrt(alpha) C^{-1} (row r of S).
		Ki := K[i*d*d : (i+1)*d*d]
		for r := range d {
			cholSolve(col, l, s[r*d:(r+1)*d], d)
			for j := range d {
				Ki[r*d+j] = sa * col[j]
			}
		}
		for r := range d {
			trP[i] += s[r*d+r]
			for j := range d {
				trP[i] -= sa * Ki[r*d+j] * s[j*d+r]
			}
		}
	}
	return K, trP
}

// gaussianPosteriorMean writes mu_i(x) = m_i + K_i (x - sqrt(alpha) m_i),
// the posterior mean of a Gaussian component with mean mi and gain Ki at
// the point xp, into dst; sa is sqrt(alpha).
func gaussianPosteriorMean(dst, mi, Ki, xp []float64, sa float64) {
	d := len(mi)
	for r := range d {
		v := mi[r]
		for j := range d {
			v += Ki[r*d+j] * (xp[j] - sa*mi[j])
		}
		dst[r] = v
	}
}

// posteriorSpread is sum_i pi_i (tr P_i + |mu_i|^2) - |sum_i pi_i mu_i|^2
// at one point xp with posterior weights wp, using mi and mean as scratch.
func posteriorSpread(mi, mean, xp, wp, trP []float64, mu func(dst []float64, i int, xp []float64)) float64 {
	clear(mean)
	var second float64
	for i, pi := range wp {
		if pi == 0 {
			continue
		}
		mu(mi, i, xp)
		second += pi * trP[i]
		for j, v := range mi {
			second += pi * v * v
			mean[j] += pi * v
		}
	}
	for _, v := range mean {
		second -= v * v
	}
	return max(second, 0) // rounding can leave -1e-16 where the posterior is one point
}

// cholSolve solves L L^T u = b for u, with L lower triangular.
func cholSolve(u, l, b []float64, d int) {
	for i := range d {
		s := b[i]
		for j := range i {
			s -= l[i*d+j] * u[j]
		}
		u[i] = s / l[i*d+i]
	}
	for i := d - 1; i >= 0; i-- {
		s := u[i]
		for j := i + 1; j < d; j++ {
			s -= l[j*d+i] * u[j]
		}
		u[i] = s / l[i*d+i]
	}
}
