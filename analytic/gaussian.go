package analytic

import (
	"fmt"
	"math"
	"math/rand/v2"

	"difftoy/internal/par"
	"difftoy/toy"
)

// GaussianMixture is q_0 = sum_i w_i N(m_i, S_i) with full covariances.
// Its noised marginal is again a Gaussian mixture,
//
//	q_t(x) = sum_i w_i N(x | sqrt(alpha) m_i, C_i),  C_i = alpha S_i + (1-alpha) I,
//
// and, with z_i = C_i^{-1} (x - sqrt(alpha) m_i) and pi_i(x) proportional to
// w_i N(x | sqrt(alpha) m_i, C_i),
//
//	E[x_0 | x_t = x] = sum_i pi_i(x) (m_i + sqrt(alpha) S_i z_i),
//	grad log q_t(x)   = - sum_i pi_i(x) z_i.
//
// Everything is defined at alpha = 1 (C_i = S_i), where D*(x) = x and
// eps*(x) = 0.
//
// Each call factors the K matrices C_i once (Cholesky); for d = 2 the
// per-pair work then uses the 2x2 factors in closed form through the vector
// kernels (gauss2LogitsGo, gauss2DenoiseGo, gauss2ScoreGo in kernel.go),
// otherwise triangular solves of any size.
type GaussianMixture struct {
	base
	means []float64 // K*d
	covs  []float64 // K*d*d, row-major blocks
	cholS []float64 // K*d*d: lower Cholesky factors of the S_i (for sampling)

	general bool // use the general-d kernel for d = 2 too (tests compare the two)
}

// NewGaussian returns the mixture of K = len(means)/d Gaussians with the
// given weights (nil: uniform; positive values are normalised), means
// (row-major), covariances (covs[i] is the d*d row-major S_i) and labels
// (nil: unlabelled; otherwise 0..C-1 with every class present). Each S_i
// must be symmetric (|S_jk - S_kj| <= 1e-12 sqrt(S_jj S_kk); the lower
// triangle is used) and positive definite; the coordinates of the means
// must be finite and at most 1e100 in absolute value (far.go). The slices
// are copied. An error names the offending component.
func NewGaussian(d int, weights, means []float64, covs [][]float64, labels []int) (*GaussianMixture, error) {
	const who = "analytic.NewGaussian"
	if d <= 0 {
		return nil, fmt.Errorf("%s: dimension %d is not positive", who, d)
	}
	if len(means)%d != 0 {
		return nil, fmt.Errorf("%s: len(means) = %d is not a multiple of the dimension %d", who, len(means), d)
	}
	k := len(means) / d
	b, err := newBase(who, d, k, weights, labels)
	if err != nil {
		return nil, err
	}
	if i, ok := finite(means); !ok {
		return nil, fmt.Errorf("%s: coordinate %d of the mean of component %d is %v", who, i%d, i/d, means[i])
	}
	if i, ok := bounded(means); !ok {
		return nil, fmt.Errorf("%s: coordinate %d of the mean of component %d is %v, beyond the supported range |m| <= %g", who, i%d, i/d, means[i], maxCoord)
	}
	if len(covs) != k {
		return nil, fmt.Errorf("%s: %d covariances for %d components", who, len(covs), k)
	}
	// Sizes first, so that what is allocated below is bounded by the input.
	for i, s := range covs {
		if len(s) != d*d {
			return nil, fmt.Errorf("%s: covariance of component %d has %d entries, want %d", who, i, len(s), d*d)
		}
	}
	g := &GaussianMixture{base: b, means: append([]float64(nil), means...),
		covs: make([]float64, 0, k*d*d), cholS: make([]float64, k*d*d)}
	for i, s := range covs {
		if j, ok := finite(s); !ok {
			return nil, fmt.Errorf("%s: covariance of component %d has entry (%d, %d) = %v", who, i, j/d, j%d, s[j])
		}
		for r := range d {
			for c := range r {
				tol := 1e-12 * math.Sqrt(math.Abs(s[r*d+r]*s[c*d+c]))
				if math.Abs(s[r*d+c]-s[c*d+r]) > tol {
					return nil, fmt.Errorf("%s: covariance of component %d is not symmetric: entry (%d, %d) = %v, (%d, %d) = %v",
						who, i, r, c, s[r*d+c], c, r, s[c*d+r])
				}
			}
		}
		if l := g.cholS[i*d*d : (i+1)*d*d]; !posDef(l, s, d) {
			return nil, fmt.Errorf("%s: covariance of component %d is not positive definite", who, i)
		}
		g.covs = append(g.covs, s...)
	}
	return g, nil
}

// posDef writes the Cholesky factor of s into l and reports whether s is
// positive definite beyond rounding. Cholesky's backward error is
// |L L^T - S| <= (d+1) u |L| |L^T| (u = 2^-53), so a pivot l_jj^2 at or
// below 2 (d+1) u S_jj is indistinguishable from a singular one: such
// matrices ([[1, 1], [1, 1]], and [[.5, .5], [.5, .5]] whose rounded pivot
// is 1e-17 instead of 0) are rejected alike.
func posDef(l, s []float64, d int) bool {
	if _, ok := cholesky(l, s, d); !ok {
		return false
	}
	tol := 2 * float64(d+1) * 0x1p-53
	for j := range d {
		if l[j*d+j]*l[j*d+j] <= tol*s[j*d+j] {
			return false
		}
	}
	return true
}

// cholesky writes the lower Cholesky factor L of the symmetric d*d matrix a
// (only its lower triangle is read) into l, and returns log det a. ok is
// false when a is not (numerically) positive definite.
func cholesky(l, a []float64, d int) (logdet float64, ok bool) {
	clear(l)
	for j := range d {
		s := a[j*d+j]
		for k := range j {
			s -= l[j*d+k] * l[j*d+k]
		}
		if !(s > 0) || math.IsInf(s, 0) {
			return 0, false
		}
		ljj := math.Sqrt(s)
		l[j*d+j] = ljj
		logdet += 2 * math.Log(ljj)
		for i := j + 1; i < d; i++ {
			s := a[i*d+j]
			for k := range j {
				s -= l[i*d+k] * l[j*d+k]
			}
			l[i*d+j] = s / ljj
		}
	}
	return logdet, true
}

// Means returns a copy of the means, row-major.
func (g *GaussianMixture) Means() []float64 { return append([]float64(nil), g.means...) }

// Cov returns a copy of the covariance of component i, row-major.
func (g *GaussianMixture) Cov(i int) []float64 {
	d := g.d
	return append([]float64(nil), g.covs[i*d*d:(i+1)*d*d]...)
}

// noised holds, for one alpha, the Cholesky factors of the C_i and the
// per-component constants log w_i - (1/2) log det C_i - (d/2) log(2 pi).
// For d = 2 it also holds the closed-form factors of the 2x2 C_i, as columns
// for the vector kernels (gauss2LogitsGo).
type noised struct {
	sa    float64
	chol  []float64
	lnorm []float64
	c2    [][]float64 // d = 2: the columns of gauss2LogitsGo for all components, then for each class (nil for the general kernel)

	// Far from the means (see logitsFar): their centre m and radius, and per
	// component nu_i = C_i^{-1} (m_i - m) and kappa_i = lnorm_i - (alpha/2) (m_i - m) . nu_i.
	ctr       []float64
	rad       float64
	nu, kappa []float64
}

// noise factors every C_i = alpha S_i + (1-alpha) I once per call.
func (g *GaussianMixture) noise(who string, alpha float64) *noised {
	d, k := g.d, g.k
	nz := &noised{sa: math.Sqrt(alpha), chol: make([]float64, k*d*d), lnorm: make([]float64, k)}
	c := make([]float64, d*d)
	for i := range k {
		for j, s := range g.covs[i*d*d : (i+1)*d*d] {
			c[j] = alpha * s
		}
		for j := range d {
			c[j*d+j] += 1 - alpha
		}
		logdet, ok := cholesky(nz.chol[i*d*d:(i+1)*d*d], c, d)
		if !ok { // cannot happen for a validated S_i; kept as a guard against a silent NaN
			panic(fmt.Sprintf("%s: noised covariance of component %d is not positive definite at alpha = %v", who, i, alpha))
		}
		nz.lnorm[i] = g.logw[i] - logdet/2 - float64(d)/2*math.Log(2*math.Pi)
	}
	g.noiseFar(nz, alpha)
	if d == 2 && !g.general {
		nz.c2 = make([][]float64, 1+g.classes)
		nz.c2[0] = g.cols2(nz, nil)
		for c, idx := range g.members {
			nz.c2[1+c] = g.cols2(nz, idx)
		}
	}
	return nz
}

// cols2 returns the columns of gauss2LogitsGo for the components idx (all
// when nil).
func (g *GaussianMixture) cols2(nz *noised, idx []int) []float64 {
	n := g.k
	if idx != nil {
		n = len(idx)
	}
	c := make([]float64, g2Cols*n)
	for p := range n {
		i := p
		if idx != nil {
			i = idx[p]
		}
		l, m, s := nz.chol[i*4:(i+1)*4], g.means[i*2:(i+1)*2], g.covs[i*4:(i+1)*4]
		c[g2Mu0*n+p], c[g2Mu1*n+p] = nz.sa*m[0], nz.sa*m[1]
		c[g2I11*n+p], c[g2L21*n+p], c[g2I22*n+p] = 1/l[0], l[2], 1/l[3]
		c[g2Norm*n+p] = nz.lnorm[i]
		c[g2M0*n+p], c[g2M1*n+p] = m[0], m[1]
		c[g2S11*n+p], c[g2S12*n+p], c[g2S22*n+p] = s[0], s[2], s[3] // the lower triangle, as cholesky reads it
	}
	return c
}

// logits2v is logits for d = 2 through the vector kernels, for the set s of
// nz.c2 (0: all components, 1+c: class c, whose members are idx): it writes
// z_i into the columns z[:K] and z[K:2K] (K = len(lg)). tmp is scratch of
// length 2K for the far-field path.
func (g *GaussianMixture) logits2v(lg, z, tmp, x []float64, nz *noised, s int, idx []int) (best, off float64) {
	kk := len(lg)
	var gv [2]float64
	if g.far(gv[:], x, nz) {
		best, off = g.logitsFar(lg, tmp, gv[:], x, nz, idx)
		for p := range kk {
			z[p], z[kk+p] = tmp[2*p], tmp[2*p+1]
		}
		return best, off
	}
	return gauss2LogitsK(&kern, lg, z[:kk], z[kk:2*kk], nz.c2[s], x[0], x[1]), 0
}

// logits writes l_i = log w_i N(x | sqrt(alpha) m_i, C_i) for the components
// idx (all when nil) into lg and z_i = C_i^{-1} (x - sqrt(alpha) m_i) into
// z (K*d, indexed by position in idx), and returns the largest l_i and the
// offset to add to it for log q_t: 0, or -Inf where every l_i overflowed
// and limit took over. u is scratch of length d.
func (g *GaussianMixture) logits(lg, z, u, x []float64, nz *noised, idx []int) (best, off float64) {
	if g.far(u, x, nz) {
		return g.logitsFar(lg, z, u, x, nz, idx)
	}
	return g.logitsD(lg, z, u, x, nz, idx), 0
}

// logitsD is logits for any d: triangular solves with the factors of the C_i.
func (g *GaussianMixture) logitsD(lg, z, u, x []float64, nz *noised, idx []int) float64 {
	d := g.d
	best := math.Inf(-1)
	for p := range lg {
		i := p
		if idx != nil {
			i = idx[p]
		}
		l := nz.chol[i*d*d : (i+1)*d*d]
		m := g.means[i*d : (i+1)*d]
		// Forward solve L u = x - sqrt(alpha) m.
		quad := 0.0
		for r := range d {
			s := x[r] - nz.sa*m[r]
			for c := range r {
				s -= l[r*d+c] * u[c]
			}
			u[r] = s / l[r*d+r]
			quad += u[r] * u[r]
		}
		// Back solve L^T z = u.
		zi := z[p*d : (p+1)*d]
		for r := d - 1; r >= 0; r-- {
			s := u[r]
			for c := r + 1; c < d; c++ {
				s -= l[c*d+r] * zi[c]
			}
			zi[r] = s / l[r*d+r]
		}
		lg[p] = nz.lnorm[i] - quad/2
		best = max(best, lg[p])
	}
	return best
}

// memberIdx returns the component indices for label y (nil: all).
func (g *GaussianMixture) memberIdx(y int) []int {
	if y == toy.Empty {
		return nil
	}
	return g.base.members[y]
}

// Denoise writes D*(x) = E[x_0 | x_t = x (, y)] into dst; at alpha = 1 it is x.
func (g *GaussianMixture) Denoise(dst, x []float64, alpha float64, y []int) []float64 {
	return g.field("analytic.(*GaussianMixture).Denoise", outDenoise, dst, x, alpha, y)
}

// Score writes grad_x log q_t(x (| y)) = - sum_i pi_i(x) z_i into dst.
func (g *GaussianMixture) Score(dst, x []float64, alpha float64, y []int) []float64 {
	return g.field("analytic.(*GaussianMixture).Score", outScore, dst, x, alpha, y)
}

// Eps writes eps*(x) = - sqrt(1-alpha) grad log q_t(x (| y)) into dst
// (0 at alpha = 1).
func (g *GaussianMixture) Eps(dst, x []float64, alpha float64, y []int) []float64 {
	return g.field("analytic.(*GaussianMixture).Eps", outEps, dst, x, alpha, y)
}

func (g *GaussianMixture) field(who string, out int, dst, x []float64, alpha float64, y []int) []float64 {
	n, dst := checkBatch(who, dst, x, g.d, alpha, y, g.classes, g.d)
	if alpha == 1 && out == outDenoise {
		copy(dst, x)
		return dst
	}
	d, k := g.d, g.k
	nz := g.noise(who, alpha)
	sv := math.Sqrt(1 - alpha)
	par.For(n, grain(k*d*d), func(lo, hi int) {
		buf := getScratch(k + 2*k*d + 2*d)
		defer putScratch(buf)
		b := *buf
		lg, z, u, xc, tmp := b[:k], b[k:k+k*d], b[k+k*d:k+k*d+d], b[k+k*d+d:k+k*d+2*d], b[k+k*d+2*d:]
		for p := lo; p < hi; p++ {
			yp := label(y, p)
			idx := g.memberIdx(yp)
			kk := k
			if idx != nil {
				kk = len(idx)
			}
			copy(xc, x[p*d:(p+1)*d]) // dst may be x itself
			o := dst[p*d : (p+1)*d]
			if nz.c2 != nil {
				mx, _ := g.logits2v(lg[:kk], z, tmp, xc, nz, yp+1, idx)
				sum, s0, s1 := gauss2SumK(&kern, out == outDenoise, lg[:kk], z[:kk], z[kk:2*kk], nz.c2[yp+1], nz.sa, mx)
				o[0], o[1] = s0/sum, s1/sum
				if out == outEps {
					o[0], o[1] = -sv*o[0], -sv*o[1]
				}
				continue
			}
			mx, _ := g.logits(lg[:kk], z, u, xc, nz, idx)
			sum := expInPlace(lg[:kk], mx)
			clear(o)
			for q, e := range lg[:kk] {
				if e == 0 {
					continue
				}
				e /= sum
				zi := z[q*d : (q+1)*d]
				if out != outDenoise {
					for j := range o {
						o[j] -= e * zi[j]
					}
					continue
				}
				i := q
				if idx != nil {
					i = idx[q]
				}
				// m_i + sqrt(alpha) S_i z_i
				s := g.covs[i*d*d : (i+1)*d*d]
				for r := range d {
					t := 0.0
					for c := range d {
						t += s[r*d+c] * zi[c]
					}
					o[r] += e * (g.means[i*d+r] + nz.sa*t)
				}
			}
			if out == outEps {
				for j := range o {
					o[j] *= -sv
				}
			}
		}
	})
	return dst
}

// eachPoint calls f(p, e, sum) for each of the n points of x, in parallel,
// with e_i = e^(l_i - max_j l_j) the unnormalised component posteriors (the
// largest 1) and mx + log sum = log q_t(x_p).
func (g *GaussianMixture) eachPoint(n int, x []float64, nz *noised, f func(p int, e []float64, mx, sum float64)) {
	d, k := g.d, g.k
	par.For(n, grain(k*d*d), func(lo, hi int) {
		buf := getScratch(k + 2*k*d + d)
		defer putScratch(buf)
		b := *buf
		lg, z, u, tmp := b[:k], b[k:k+k*d], b[k+k*d:k+k*d+d], b[k+k*d+d:]
		for p := lo; p < hi; p++ {
			var mx, off float64
			if nz.c2 != nil {
				mx, off = g.logits2v(lg, z, tmp, x[p*d:(p+1)*d], nz, 0, nil)
			} else {
				mx, off = g.logits(lg, z, u, x[p*d:(p+1)*d], nz, nil)
			}
			sum := expInPlace(lg, mx)
			f(p, lg, mx+off, sum)
		}
	})
}

// LogProb writes log q_t(x) into dst.
func (g *GaussianMixture) LogProb(dst, x []float64, alpha float64) []float64 {
	const who = "analytic.(*GaussianMixture).LogProb"
	n, dst := checkBatch(who, dst, x, g.d, alpha, nil, g.classes, 1)
	g.eachPoint(n, x, g.noise(who, alpha), func(p int, _ []float64, mx, sum float64) {
		dst[p] = mx + math.Log(sum)
	})
	return dst
}

// Posterior writes pi_i(x) (n*K, row-major) into dst.
func (g *GaussianMixture) Posterior(dst, x []float64, alpha float64) []float64 {
	const who = "analytic.(*GaussianMixture).Posterior"
	n, dst := checkBatch(who, dst, x, g.d, alpha, nil, g.classes, g.k)
	k := g.k
	g.eachPoint(n, x, g.noise(who, alpha), func(p int, e []float64, _, sum float64) {
		o := dst[p*k : (p+1)*k]
		for i, ei := range e {
			o[i] = ei / sum
		}
	})
	return dst
}

// ClassPosterior writes q_t(y | x) for y = 0..C-1 (n*C, row-major) into
// dst. It panics for an unlabelled mixture.
func (g *GaussianMixture) ClassPosterior(dst, x []float64, alpha float64) []float64 {
	const who = "analytic.(*GaussianMixture).ClassPosterior"
	if g.classes == 0 {
		panic(who + ": the mixture is unlabelled")
	}
	n, dst := checkBatch(who, dst, x, g.d, alpha, nil, g.classes, g.classes)
	nc := g.classes
	g.eachPoint(n, x, g.noise(who, alpha), func(p int, e []float64, _, sum float64) {
		g.classMass(dst[p*nc:(p+1)*nc], e, sum)
	})
	return dst
}

// Class returns the unlabelled mixture of the components of class y with
// their weights renormalised, q_0(x_0 | y).
func (g *GaussianMixture) Class(y int) (Mixture, error) {
	const who = "analytic.(*GaussianMixture).Class"
	if err := g.checkClass(who, y); err != nil {
		return nil, err
	}
	d := g.d
	idx := g.base.members[y]
	means := make([]float64, 0, len(idx)*d)
	covs := make([][]float64, len(idx))
	for j, i := range idx {
		means = append(means, g.means[i*d:(i+1)*d]...)
		covs[j] = g.covs[i*d*d : (i+1)*d*d]
	}
	return NewGaussian(d, g.classWeights(y), means, covs, nil)
}

// Sample writes n = len(dst)/d independent draws
// x = sqrt(alpha) (m_i + L_i eps) + sqrt(1-alpha) eps', i ~ w, L_i L_i^T = S_i,
// into dst, and the drawn i into comp when comp is not nil. The draws are
// sequential, so a seed gives the same points on any number of cores.
func (g *GaussianMixture) Sample(dst []float64, comp []int, alpha float64, src rand.Source) []float64 {
	const who = "analytic.(*GaussianMixture).Sample"
	n := checkSample(who, dst, comp, g.d, alpha)
	rng := rand.New(src)
	cum := cumulative(g.w)
	sa, sv := math.Sqrt(alpha), math.Sqrt(1-alpha)
	d := g.d
	e := make([]float64, d)
	for p := range n {
		i := pick(cum, rng)
		if comp != nil {
			comp[p] = i
		}
		for j := range e {
			e[j] = rng.NormFloat64()
		}
		l := g.cholS[i*d*d : (i+1)*d*d]
		for r := range d {
			x0 := g.means[i*d+r]
			for c := 0; c <= r; c++ {
				x0 += l[r*d+c] * e[c]
			}
			dst[p*d+r] = sa * x0
			if alpha < 1 {
				dst[p*d+r] += sv * rng.NormFloat64()
			}
		}
	}
	return dst
}
