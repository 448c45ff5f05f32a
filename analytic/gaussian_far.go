package analytic

import "math"

// Gaussian components far from the means. With m the centre of the means'
// bounding box, G = x - sqrt(alpha) m, delta_i = m_i - m and P_i = C_i^{-1},
//
//	(x - sqrt(alpha) m_i)^T P_i (x - sqrt(alpha) m_i)
//	    = G^T P_i G - 2 sqrt(alpha) delta_i^T P_i G + alpha delta_i^T P_i delta_i.
//
// Computed directly, x - sqrt(alpha) m_i loses m_i once |x| exceeds the
// spread of the means by 2^53, and components with the same covariance can
// no longer be told apart (means at (+-1e100, 0) and x = (1e200, 0) gave
// 1/2 each instead of 1 and 0). In the expanded form G^T P_i G has the same
// bits for equal covariances and the linear term decides, as it does
// exactly. Far from the means (|G|_inf > farRatio sqrt(alpha) rad, rad the
// largest ||delta_i||) the expanded form is no less accurate than the direct
// one (both err by about eps G^T P_i G), so it takes over there. Where
// G^T P_i G overflows, the posterior is its limit: the components with the
// smallest G'^T P_i G' (G scaled by a power of two to |G'|_inf in [1, 2)),
// among them those with the largest sqrt(alpha) nu_i . G', share the mass in
// proportion to e^kappa_i.

// noiseFar sets the far-field constants of nz (noise calls it).
func (g *GaussianMixture) noiseFar(nz *noised, alpha float64) {
	d, k := g.d, g.k
	nz.ctr = make([]float64, d)
	for j := range d {
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := range k {
			lo, hi = min(lo, g.means[i*d+j]), max(hi, g.means[i*d+j])
		}
		nz.ctr[j] = lo/2 + hi/2
	}
	nz.nu, nz.kappa = make([]float64, k*d), make([]float64, k)
	u := make([]float64, d)
	dl := make([]float64, d)
	for i := range k {
		q := 0.0
		for j := range d {
			dl[j] = g.means[i*d+j] - nz.ctr[j]
			q += dl[j] * dl[j]
		}
		nz.rad = max(nz.rad, math.Sqrt(q))
		nu := nz.nu[i*d : (i+1)*d]
		solve(nu, u, dl, nz.chol[i*d*d:(i+1)*d*d], d)
		dn := 0.0
		for j := range d {
			dn += dl[j] * nu[j]
		}
		nz.kappa[i] = nz.lnorm[i] - alpha/2*dn
	}
}

// solve writes C^{-1} b into z, with L the lower Cholesky factor of C, and
// L^{-1} b into u; it returns ||L^{-1} b||^2.
func solve(z, u, b, l []float64, d int) float64 {
	quad := 0.0
	for r := range d {
		s := b[r]
		for c := range r {
			s -= l[r*d+c] * u[c]
		}
		u[r] = s / l[r*d+r]
		quad += u[r] * u[r]
	}
	for r := d - 1; r >= 0; r-- {
		s := u[r]
		for c := r + 1; c < d; c++ {
			s -= l[c*d+r] * z[c]
		}
		z[r] = s / l[r*d+r]
	}
	return quad
}

// far writes G = x - sqrt(alpha) m into gv and reports whether x is far
// from the means (false for NaN).
func (g *GaussianMixture) far(gv, x []float64, nz *noised) bool {
	gmax := 0.0
	for j, v := range x {
		gv[j] = v - nz.sa*nz.ctr[j]
		gmax = max(gmax, math.Abs(gv[j]))
	}
	return gmax > farRatio*nz.sa*nz.rad
}

// logitsFar is logits in the expanded form: l_i = kappa_i - G^T P_i G / 2
// + sqrt(alpha) nu_i . G and z_i = P_i G - sqrt(alpha) nu_i. gv holds G
// (from far) and is overwritten.
func (g *GaussianMixture) logitsFar(lg, z, gv, x []float64, nz *noised, idx []int) (best, off float64) {
	d := g.d
	G := append(make([]float64, 0, 8), gv...)
	best = math.Inf(-1)
	ok := true
	for p := range lg {
		i := p
		if idx != nil {
			i = idx[p]
		}
		zi, nu := z[p*d:(p+1)*d], nz.nu[i*d:(i+1)*d]
		quad := solve(zi, gv, G, nz.chol[i*d*d:(i+1)*d*d], d)
		lin := 0.0
		for j := range d {
			lin += nu[j] * G[j]
			zi[j] -= nz.sa * nu[j]
		}
		l := nz.kappa[i] - quad/2 + nz.sa*lin
		lg[p] = l
		best = max(best, l)
		ok = ok && math.Abs(l) <= math.MaxFloat64
	}
	if ok {
		return best, 0 // the expanded form is the whole quadratic form: no offset
	}
	return g.limitFar(lg, gv, G, nz, idx), math.Inf(-1)
}

// limitFar writes the limit logits (see the file comment) into lg and
// returns the largest, NaN when G is not finite. u is scratch of length d.
func (g *GaussianMixture) limitFar(lg, u, G []float64, nz *noised, idx []int) float64 {
	d := g.d
	e := math.MinInt
	for _, t := range G {
		if math.IsNaN(t) || math.IsInf(t, 0) {
			for p := range lg {
				lg[p] = math.NaN()
			}
			return math.NaN()
		}
		if t != 0 {
			e = max(e, math.Ilogb(t))
		}
	}
	Gs := make([]float64, d)
	for j, t := range G {
		Gs[j] = math.Ldexp(t, -e)
	}
	z := make([]float64, d)
	quads, lins := make([]float64, len(lg)), make([]float64, len(lg))
	qmin := math.Inf(1)
	for p := range lg {
		i := p
		if idx != nil {
			i = idx[p]
		}
		quads[p] = solve(z, u, Gs, nz.chol[i*d*d:(i+1)*d*d], d)
		for j := range d {
			lins[p] += nz.nu[i*d+j] * Gs[j]
		}
		qmin = min(qmin, quads[p])
	}
	lmax := math.Inf(-1)
	for p := range lg {
		if quads[p] == qmin {
			lmax = max(lmax, lins[p])
		}
	}
	best := math.Inf(-1)
	for p := range lg {
		i := p
		if idx != nil {
			i = idx[p]
		}
		if quads[p] != qmin || lins[p] != lmax {
			lg[p] = math.Inf(-1)
			continue
		}
		lg[p] = nz.kappa[i]
		best = max(best, lg[p])
	}
	return best
}
