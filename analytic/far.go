package analytic

import "math"

// Query points far from the data.
//
// The logits l_i = log w_i - c ||xq - x^(i)||^2, xq = x / sqrt(alpha),
// c = alpha / (2(1-alpha)), lose the data when ||xq|| is large: xq - x^(i)
// rounds to the same value for every point once |xq| exceeds the spread of
// the points by 2^53 (|x| = 1e17 at alpha = 0.5 picks the wrong point), and
// ||xq - x^(i)||^2 overflows from about 1e154 on (every logit -Inf, 0/0).
// Far from a set's centre m (|xq - m|_inf > farRatio * rad, rad the largest
// ||x^(i) - m||), the logits are taken relative to m instead,
//
//	l_i = log w_i - c ||x^(i) - m||^2 + a . (x^(i) - m),  a = 2c (xq - m) = sqrt(alpha) (x - sqrt(alpha) m) / (1-alpha),
//
// which drops the term -c ||xq - m||^2 common to all i (the softmax does
// not change; LogProb adds it back). The rounding error of a logit is then
// about eps |a| rad rather than eps c ||xq - m||^2, so the posterior keeps
// resolving the points as far out as their logits are finite. Beyond that
// (some |a . (x^(i) - m)| above the float64 range, e.g. |x| = 1e300 or
// alpha = 1 - 1e-12 with |x| = 1e290), the posterior is its limit: the
// points furthest along the direction of a share the mass in proportion to
// w_i e^(-c ||x^(i) - m||^2). At alpha = 1 the nearest point is found the
// same way. Near the data the direct form is the more accurate one
// (its error is about eps c ||xq - x^(i)||^2, small next to eps |a| rad there),
// so it stays in use. A query with a NaN or infinite coordinate gives NaN.

// farRatio sets where the far-field logits take over: |xq - m|_inf >
// farRatio * rad. At that distance both forms have errors of the same
// order (eps c (farRatio+1)^2 rad^2 against eps c 2 farRatio rad^2).
const farRatio = 4

// maxCoord bounds the coordinates of the points of a DeltaMixture and the
// means of a GaussianMixture. With |x^(i)|, |m_i| <= 1e100 every squared
// distance between them and every c ||x^(i) - m||^2 (c <= 1/(2 eps) for
// alpha < 1) stays far inside the float64 range.
const maxCoord = 1e100

// initFar sets the centre (the middle of the bounding box), the radius and
// the centred points of the set.
func (s *deltaSet) initFar(d int) {
	k := len(s.idx)
	s.ctr = make([]float64, d)
	for j := range d {
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := range k {
			lo, hi = min(lo, s.pts[i*d+j]), max(hi, s.pts[i*d+j])
		}
		s.ctr[j] = lo/2 + hi/2
	}
	s.cp, s.r2 = make([]float64, k*d), make([]float64, k)
	for i := range k {
		q := 0.0
		for j := range d {
			c := s.pts[i*d+j] - s.ctr[j]
			s.cp[i*d+j] = c
			q += c * c
		}
		s.r2[i] = q
		s.rad = max(s.rad, math.Sqrt(q))
	}
	s.zero = make([]float64, k)
	if d == 2 {
		s.cx, s.cy = make([]float64, k), make([]float64, k)
		for i := range k {
			s.cx[i], s.cy[i] = s.cp[2*i], s.cp[2*i+1]
		}
	}
}

// far writes g = x - sa m into g and reports whether x is far from the
// set at sqrt(alpha) = sa: |g|_inf > farRatio sa rad (false for NaN).
func (s *deltaSet) far(g, x []float64, sa float64) bool {
	gmax := 0.0
	for j, v := range x {
		g[j] = v - sa*s.ctr[j]
		gmax = max(gmax, math.Abs(g[j]))
	}
	return gmax > farRatio*sa*s.rad
}

// logitsAt writes the logits of the query x at alpha < 1 (sa = sqrt(alpha),
// v = 1 - alpha, c = alpha/(2v)) with log-weights lw into lg, and returns
// their maximum and the offset to add to it for log q_t (0 near the data,
// -||g||^2/(2v) far from it). xq and g are scratch of length d.
func (s *deltaSet) logitsAt(lg, lw, x, xq, g []float64, sa, v, c float64) (best, off float64) {
	d := len(x)
	if !s.far(g, x, sa) {
		for j, t := range x {
			xq[j] = t / sa
		}
		if d == 2 {
			return logits2K(&kern, lg, s.xs, s.ys, lw, xq[0], xq[1], c), 0
		}
		return s.logits(lg, lw, xq, c), 0
	}
	gn := 0.0
	for j, t := range g {
		xq[j] = sa * t / v // a
		gn = math.Hypot(gn, t)
	}
	off = -gn * gn / (2 * v)
	best = s.linear(lg, lw, xq, c)
	if math.Abs(best) <= math.MaxFloat64 {
		return best, off
	}
	return s.limit(lg, lw, xq, g, sa, v, c), math.Inf(-1)
}

// linear writes l_i = lw_i - c r2_i + a . (x^(i) - m) into lg (fused
// multiply-adds in that order) and returns the largest.
func (s *deltaSet) linear(lg, lw, a []float64, c float64) float64 {
	d := len(a)
	if d == 2 {
		return linear2K(&kern, lg, s.cx, s.cy, s.r2, lw, a[0], a[1], c)
	}
	best := math.Inf(-1)
	for i := range lg {
		l := fma(-c, s.r2[i], lw[i])
		for j, aj := range a {
			l = fma(aj, s.cp[i*d+j], l)
		}
		lg[i] = l
		if l > best {
			best = l
		}
	}
	return best
}

// limit handles far logits beyond the float64 range: with g scaled to
// |g|_inf in [1, 2) (a power of two, exact), the points with the largest
// a . (x^(i) - m) keep the logit lw_i - c r2_i, the others -Inf. It returns
// the largest logit, NaN when g is not finite. a is scratch of length d.
func (s *deltaSet) limit(lg, lw, a, g []float64, sa, v, c float64) float64 {
	e := math.MinInt
	for _, t := range g {
		if math.IsNaN(t) || math.IsInf(t, 0) {
			for i := range lg {
				lg[i] = math.NaN()
			}
			return math.NaN()
		}
		if t != 0 {
			e = max(e, math.Ilogb(t))
		}
	}
	for j, t := range g {
		a[j] = sa * math.Ldexp(t, -e) / v
	}
	top := s.linear(lg, s.zero[:len(lg)], a, 0)
	best := math.Inf(-1)
	for i, l := range lg {
		if l != top {
			lg[i] = math.Inf(-1)
			continue
		}
		lg[i] = fma(-c, s.r2[i], lw[i])
		best = max(best, lg[i])
	}
	return best
}

// farDist writes r2_i - 2 g . (x^(i) - m) = ||x - x^(i)||^2 - ||g||^2 into
// q (alpha = 1, g = x - m): the squared distances up to a common term,
// accurate far from the data. Beyond the float64 range it writes
// -g' . (x^(i) - m) with g' = g scaled to |g'|_inf in [1, 2): the same
// order of the points in the limit.
func (s *deltaSet) farDist(q, g []float64) {
	d := len(g)
	ok := true
	for i := range q {
		t := s.r2[i]
		for j, gj := range g {
			t = fma(-2*gj, s.cp[i*d+j], t)
		}
		q[i] = t
		ok = ok && math.Abs(t) <= math.MaxFloat64
	}
	if ok {
		return
	}
	e := math.MinInt
	for _, t := range g {
		if t != 0 {
			e = max(e, math.Ilogb(t))
		}
	}
	for i := range q {
		t := 0.0
		for j, gj := range g {
			t = fma(-math.Ldexp(gj, -e), s.cp[i*d+j], t)
		}
		q[i] = t
	}
}
