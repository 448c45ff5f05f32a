// The gap between guidance and the noised tilt
// (lessons/09-classifier-free-guidance.md section 4). With p = 1 + gamma,
// the noised tilted density is
//
//	q_t(x) E[q_0(y | x_0)^p | x_t = x]
//
// while guidance samples the field of
//
//	q_t(x) E[q_0(y | x_0) | x_t = x]^p = q_t(x) q_t(y | x)^p.
//
// Their log ratio g_t(x) = log E[f^p | x_t = x] - p log E[f | x_t = x], f =
// q_0(y | .), is >= 0 by Jensen (p >= 1). It tends to 0 as t -> 0 (the
// posterior of x_0 collapses onto one point) and to a constant as t -> T
// (the posterior tends to q_0 whatever x): at both ends the two densities
// are proportional. The total variation between the two normalised
// densities measures how far apart they are in between.

package course

import (
	"fmt"
	"math"

	"difftoy/analytic"
	"difftoy/toy"
)

// jensenSteps are the steps t of the linear schedule where the gap is
// measured: from sigma_t ~ 0.1 (twice the grid spacing) to T.
var jensenSteps = []int{30, 60, 125, 250, 500, 750, 1000}

// streamJensen + t (Config.rng) draws the points of q_t where the gap is
// measured at step t.
const streamJensen = 700

// jensenNumbers adds, per t of jensenSteps, the total variation between the
// noised tilt and the guided density of class 0 of m at guidance scale
// gamma (numbers jensen/tv_t<t>), and the smallest log ratio of their
// weights over all points (jensen/min_log_ratio), from n points of q_t per
// t.
func jensenNumbers(r *Result, m analytic.Mixture, gamma float64, n int, cfg Config) {
	g := newJensenGrid(m, 0, 4, 0.05)
	s := toy.DDPM()
	lo := math.Inf(1)
	for _, k := range jensenSteps {
		a := s.Alpha(k)
		x := exactSample(m, n, a, cfg.rng(streamJensen+uint64(k)))
		tv, l := g.tv(x, a, 1+gamma)
		lo = math.Min(lo, l)
		r.add(fmt.Sprintf("jensen/tv_t%d", k), tv, fmt.Sprintf("t = %d: total variation between q_t E[q_0(0|x_0)^%g | x_t] and q_t E[q_0(0|x_0) | x_t]^%g (normalised), from %d points of q_t", k, 1+gamma, 1+gamma, n))
	}
	r.add("jensen/min_log_ratio", lo, "smallest log E[f^p | x_t] - p log E[f | x_t] over all points and t (Jensen: >= 0)")
}

// jensenGrid is a quadrature of q_0 over a square grid: log weights
// log(q_0(x_0) h^2) and log f(x_0) = log q_0(y | x_0) at the nodes.
type jensenGrid struct {
	x0, lw, lf []float64
}

// newJensenGrid lays nodes of spacing h over [-r, r]^2. The integrand of
// E[. | x_t] is a Gaussian in x_0 of standard deviation sigma_t times
// smooth factors; the grid sum of a Gaussian of standard deviation s is
// exact up to a relative error about exp(-2 pi^2 s^2 / h^2), below 1e-30
// for s >= 2h.
func newJensenGrid(m analytic.Mixture, y int, r, h float64) *jensenGrid {
	n := int(2*r/h) + 1
	g := &jensenGrid{x0: make([]float64, 0, 2*n*n)}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			g.x0 = append(g.x0, -r+float64(i)*h, -r+float64(j)*h)
		}
	}
	lp := m.LogProb(nil, g.x0, 1)
	cp := m.ClassPosterior(nil, g.x0, 1)
	k := len(cp) / (n * n)
	g.lw, g.lf = make([]float64, n*n), make([]float64, n*n)
	for i := range g.lw {
		g.lw[i] = lp[i] + 2*math.Log(h)
		g.lf[i] = math.Log(cp[i*k+y]) // -Inf where q_0(y | x_0) underflows: a zero term
	}
	return g
}

// logs returns log E[f^p | x_t = x] and p log E[f | x_t = x] for the
// point x at level alpha: the log weights of the noised tilt and of
// guidance against q_t.
func (g *jensenGrid) logs(x []float64, alpha, p float64) (tilt, guided float64) {
	sa, v := math.Sqrt(alpha), 1-alpha
	lk := make([]float64, len(g.lw))
	for i := range lk {
		dx, dy := x[0]-sa*g.x0[2*i], x[1]-sa*g.x0[2*i+1]
		lk[i] = g.lw[i] - (dx*dx+dy*dy)/(2*v)
	}
	lse := func(c float64) float64 { // log sum_i exp(lk_i + c lf_i)
		mx := math.Inf(-1)
		for i, l := range lk {
			if c != 0 {
				l += c * g.lf[i]
			}
			mx = math.Max(mx, l)
		}
		var s float64
		for i, l := range lk {
			if c != 0 {
				l += c * g.lf[i]
			}
			s += math.Exp(l - mx)
		}
		return mx + math.Log(s)
	}
	z := lse(0)
	return lse(p) - z, p * (lse(1) - z)
}

// tv returns the total variation distance between the noised tilt and
// the guided density at level alpha, estimated from the points x ~ q_t
// (n of them, dimension 2) by self-normalised importance weights:
// (1/2) sum_i |w1_i / sum w1 - w2_i / sum w2|. It also returns the smallest
// log ratio log w1 - log w2 over the points, which Jensen's inequality
// keeps >= 0 for p >= 1.
func (g *jensenGrid) tv(x []float64, alpha, p float64) (tv, lo float64) {
	n := len(x) / 2
	l1, l2 := make([]float64, n), make([]float64, n)
	lo = math.Inf(1)
	for i := range l1 {
		l1[i], l2[i] = g.logs(x[2*i:2*i+2], alpha, p)
		lo = math.Min(lo, l1[i]-l2[i])
	}
	norm := func(l []float64) {
		mx := math.Inf(-1)
		for _, v := range l {
			mx = math.Max(mx, v)
		}
		var s float64
		for i := range l {
			l[i] = math.Exp(l[i] - mx)
			s += l[i]
		}
		for i := range l {
			l[i] /= s
		}
	}
	norm(l1)
	norm(l2)
	for i := range l1 {
		tv += math.Abs(l1[i]-l2[i]) / 2
	}
	return tv, lo
}
