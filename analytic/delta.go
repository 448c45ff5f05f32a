package analytic

import (
	"fmt"
	"math"
	"math/rand/v2"

	"difftoy/internal/par"
	"difftoy/toy"
)

// DeltaMixture is q_0 = sum_i w_i delta(x - x^(i)): a finite training set.
// Its noised marginal is q_t(x) = sum_i w_i N(x | sqrt(alpha) x^(i), (1-alpha) I).
//
// At alpha = 1, q_t is q_0 itself, which has no density. There, as the limit
// alpha -> 1 of the formulas, Posterior puts all mass on the point(s) nearest
// to x (shared in proportion to their weights when several are equally near),
// Denoise returns the (weighted mean of the) nearest point(s) and
// ClassPosterior the class mass among them; LogProb, Score and Eps panic.
type DeltaMixture struct {
	base
	pts []float64  // K*d, row-major
	all deltaSet   // every component
	cls []deltaSet // cls[c]: the components of class c
}

// deltaSet is a subset of the points laid out for the softmax loops.
type deltaSet struct {
	idx     []int     // the components in the set, in order
	pts     []float64 // their points, row-major
	xs, ys  []float64 // for d = 2: the two coordinate columns
	zero    []float64 // len(idx) zeros, the log-weights of mean2 when uniform
	w, logw []float64 // weights renormalised within the set, and their logs
	uniform bool      // all weights in the set are equal

	// For query points far from the data (far.go).
	ctr    []float64 // centre m of the bounding box
	rad    float64   // largest ||x^(i) - m||
	cp, r2 []float64 // x^(i) - m (row-major) and ||x^(i) - m||^2
	cx, cy []float64 // for d = 2: the columns of cp
}

// NewDelta returns the mixture of the K = len(points)/d points (row-major)
// with the given weights (nil: uniform; positive values are normalised) and
// labels (nil: unlabelled; otherwise 0..C-1 with every class present).
// Coordinates must be finite and at most 1e100 in absolute value (far.go).
// The slices are copied. An error names the offending component.
func NewDelta(d int, points, weights []float64, labels []int) (*DeltaMixture, error) {
	const who = "analytic.NewDelta"
	if d <= 0 {
		return nil, fmt.Errorf("%s: dimension %d is not positive", who, d)
	}
	if len(points)%d != 0 {
		return nil, fmt.Errorf("%s: len(points) = %d is not a multiple of the dimension %d", who, len(points), d)
	}
	k := len(points) / d
	b, err := newBase(who, d, k, weights, labels)
	if err != nil {
		return nil, err
	}
	if i, ok := finite(points); !ok {
		return nil, fmt.Errorf("%s: coordinate %d of point %d is %v", who, i%d, i/d, points[i])
	}
	if i, ok := bounded(points); !ok {
		return nil, fmt.Errorf("%s: coordinate %d of point %d is %v, beyond the supported range |x| <= %g", who, i%d, i/d, points[i], maxCoord)
	}
	m := &DeltaMixture{base: b, pts: append([]float64(nil), points...)}
	all := make([]int, k)
	for i := range all {
		all[i] = i
	}
	m.all = m.newSet(all)
	m.cls = make([]deltaSet, b.classes)
	for c, idx := range b.members {
		m.cls[c] = m.newSet(idx)
	}
	return m, nil
}

func (m *DeltaMixture) newSet(idx []int) deltaSet {
	d := m.d
	s := deltaSet{idx: idx, pts: make([]float64, 0, len(idx)*d), w: make([]float64, len(idx)), logw: make([]float64, len(idx)), uniform: true}
	sum := 0.0
	for _, i := range idx {
		sum += m.w[i]
	}
	for j, i := range idx {
		s.pts = append(s.pts, m.pts[i*d:(i+1)*d]...)
		s.w[j] = m.w[i] / sum
		s.logw[j] = m.logw[i] - math.Log(sum)
		s.uniform = s.uniform && m.w[i] == m.w[idx[0]]
	}
	if d == 2 {
		s.xs, s.ys = make([]float64, len(idx)), make([]float64, len(idx))
		for j := range idx {
			s.xs[j], s.ys[j] = s.pts[2*j], s.pts[2*j+1]
		}
	}
	s.initFar(d)
	return s
}

// Points returns a copy of the points, row-major.
func (m *DeltaMixture) Points() []float64 { return append([]float64(nil), m.pts...) }

// set returns the components q_0(. | y) conditions on (all for toy.Empty).
func (m *DeltaMixture) set(y int) *deltaSet {
	if y == toy.Empty {
		return &m.all
	}
	return &m.cls[y]
}

// logits writes l_i = lw_i - c ||xq - x^(i)||^2 into lg and returns their
// maximum. With xq = x / sqrt(alpha) and c = alpha / (2(1-alpha)),
// c ||xq - x^(i)||^2 = ||x - sqrt(alpha) x^(i)||^2 / (2(1-alpha)).
func (s *deltaSet) logits(lg, lw, xq []float64, c float64) float64 {
	d := len(xq)
	best := math.Inf(-1)
	for i := range lg {
		q := sqDist(xq, s.pts[i*d:(i+1)*d])
		l := lw[i] - c*q
		lg[i] = l
		if l > best {
			best = l
		}
	}
	return best
}

// sqDist returns ||a - b||^2.
func sqDist(a, b []float64) float64 {
	b = b[:len(a)]
	q := 0.0
	for j, v := range a {
		diff := v - b[j]
		q += diff * diff
	}
	return q
}

// nearest writes a weight proportional to w_i for each point nearest to x
// into lg, 0 elsewhere, and returns their sum: the alpha -> 1 limit of the
// posterior. Far from the data the distances come from farDist. g is
// scratch of length d.
func (s *deltaSet) nearest(lg, x, g []float64) float64 {
	d := len(x)
	if s.far(g, x, 1) {
		s.farDist(lg, g)
	} else {
		for i := range lg {
			lg[i] = sqDist(x, s.pts[i*d:(i+1)*d])
		}
	}
	qmin := math.Inf(1)
	for _, q := range lg {
		qmin = min(qmin, q)
	}
	// Relative to the first nearest point's weight, so that a unique nearest
	// point gets weight exactly 1 (and the denoiser returns it exactly).
	sum, ref := 0.0, 0.0
	for i, q := range lg {
		if q != qmin {
			lg[i] = 0
			continue
		}
		if ref == 0 {
			ref = s.w[i]
		}
		lg[i] = s.w[i] / ref
		sum += lg[i]
	}
	return sum
}

// posterior writes the unnormalised posterior weights e_i (the largest
// equal to 1 when alpha < 1) into lg and returns the maximum logit
// (log w_i - ||x - sqrt(alpha) x^(i)||^2 / (2(1-alpha)); 0 at alpha = 1)
// and the sum of the e_i. xq and g are scratch of length d.
func (s *deltaSet) posterior(lg, xq, g, x []float64, alpha float64) (mx, sum float64) {
	if alpha == 1 {
		return 0, s.nearest(lg, x, g)
	}
	v := 1 - alpha
	best, off := s.logitsAt(lg, s.logw, x, xq, g, math.Sqrt(alpha), v, alpha/(2*v))
	return best + off, expInPlace(lg, best)
}

// mean writes sum_i e_i x^(i) / sum into out.
func (s *deltaSet) mean(out, e []float64, sum float64) {
	d := len(out)
	clear(out)
	for i, ei := range e {
		if ei == 0 {
			continue
		}
		for j, v := range s.pts[i*d : (i+1)*d] {
			out[j] += ei * v
		}
	}
	for j := range out {
		out[j] /= sum
	}
}

// mean2 returns the posterior mean sum_i pi_i x^(i) for d = 2 at the query
// x and alpha < 1 (sa = sqrt(alpha), v = 1 - alpha, c = alpha/(2v)): the
// hot loop of Denoise, two passes over the points through the vector
// kernels (kernel.go), logits and their maximum, then the exponentials and
// the weighted sums. xq and g are scratch of length 2.
func (s *deltaSet) mean2(lg, x, xq, g []float64, sa, v, c float64) (float64, float64) {
	lw := s.logw
	if s.uniform {
		lw = s.zero // log w_i is the same for all i and cancels
	}
	best, _ := s.logitsAt(lg, lw, x, xq, g, sa, v, c)
	sum, sx, sy := expSum2K(&kern, lg, s.xs, s.ys, best)
	return sx / sum, sy / sum
}

// What a field method writes, derived from D*(x) (Tweedie's formula,
// lessons/02-ideal-denoiser.md section 3; eps and v:
// lessons/06-parametrisations.md section 1).
const (
	outDenoise = iota // D*(x)
	outScore          // (sqrt(alpha) D*(x) - x) / (1 - alpha)
	outEps            // (x - sqrt(alpha) D*(x)) / sqrt(1 - alpha)
)

// Denoise writes the ideal denoiser D*(x) = E[x_0 | x_t = x] = sum_i pi_i(x) x^(i)
// (restricted to class y[p] when y[p] != toy.Empty) into dst.
func (m *DeltaMixture) Denoise(dst, x []float64, alpha float64, y []int) []float64 {
	return m.field("analytic.(*DeltaMixture).Denoise", outDenoise, dst, x, alpha, y)
}

// Score writes grad_x log q_t(x (| y)) = (sqrt(alpha) D*(x) - x) / (1 - alpha)
// into dst. It panics at alpha = 1.
func (m *DeltaMixture) Score(dst, x []float64, alpha float64, y []int) []float64 {
	return m.field("analytic.(*DeltaMixture).Score", outScore, dst, x, alpha, y)
}

// Eps writes eps*(x) = (x - sqrt(alpha) D*(x)) / sqrt(1 - alpha) into dst.
// It panics at alpha = 1.
func (m *DeltaMixture) Eps(dst, x []float64, alpha float64, y []int) []float64 {
	return m.field("analytic.(*DeltaMixture).Eps", outEps, dst, x, alpha, y)
}

func (m *DeltaMixture) field(who string, out int, dst, x []float64, alpha float64, y []int) []float64 {
	n, dst := checkBatch(who, dst, x, m.d, alpha, y, m.classes, m.d)
	if alpha == 1 && out != outDenoise {
		panic(who + ": a delta mixture has no density at alpha = 1, so no score or noise prediction")
	}
	d := m.d
	sa, v := math.Sqrt(alpha), 1-alpha
	sv := math.Sqrt(v)
	c := alpha / (2 * v)
	par.For(n, grain(m.k), func(lo, hi int) {
		buf := getScratch(m.k + 3*d)
		defer putScratch(buf)
		lg, xq, xc, g := (*buf)[:m.k], (*buf)[m.k:m.k+d], (*buf)[m.k+d:m.k+2*d], (*buf)[m.k+2*d:]
		for p := lo; p < hi; p++ {
			s := m.set(label(y, p))
			copy(xc, x[p*d:(p+1)*d]) // dst may be x itself
			o := dst[p*d : (p+1)*d]
			lgs := lg[:len(s.idx)]
			switch {
			case alpha == 1:
				s.mean(o, lgs, s.nearest(lgs, xc, g))
			case d == 2:
				o[0], o[1] = s.mean2(lgs, xc, xq, g, sa, v, c)
			default:
				_, sum := s.posterior(lgs, xq, g, xc, alpha)
				s.mean(o, lgs, sum)
			}
			switch out {
			case outScore:
				for j := range o {
					o[j] = (sa*o[j] - xc[j]) / v
				}
			case outEps:
				for j := range o {
					o[j] = (xc[j] - sa*o[j]) / sv
				}
			}
		}
	})
	return dst
}

// eachPoint calls f(p, e, mx, sum) for each of the n points of x, in
// parallel, with e the unnormalised posterior weights (see posterior), mx
// the largest logit and sum the sum of the e_i.
func (m *DeltaMixture) eachPoint(n int, x []float64, alpha float64, f func(p int, e []float64, mx, sum float64)) {
	d, k := m.d, m.k
	par.For(n, grain(k), func(lo, hi int) {
		buf := getScratch(k + 2*d)
		defer putScratch(buf)
		lg, xq, g := (*buf)[:k], (*buf)[k:k+d], (*buf)[k+d:]
		for p := lo; p < hi; p++ {
			mx, sum := m.all.posterior(lg, xq, g, x[p*d:(p+1)*d], alpha)
			f(p, lg, mx, sum)
		}
	})
}

// LogProb writes log q_t(x) = logsumexp_i(log w_i - ||x - sqrt(alpha) x^(i)||^2 / (2(1-alpha)))
// - (d/2) log(2 pi (1-alpha)) into dst. It panics at alpha = 1.
func (m *DeltaMixture) LogProb(dst, x []float64, alpha float64) []float64 {
	const who = "analytic.(*DeltaMixture).LogProb"
	n, dst := checkBatch(who, dst, x, m.d, alpha, nil, m.classes, 1)
	if alpha == 1 {
		panic(who + ": a delta mixture has no density at alpha = 1")
	}
	norm := float64(m.d) / 2 * math.Log(2*math.Pi*(1-alpha))
	m.eachPoint(n, x, alpha, func(p int, _ []float64, mx, sum float64) {
		dst[p] = mx + math.Log(sum) - norm
	})
	return dst
}

// Posterior writes pi_i(x) = softmax_i(log w_i - ||x - sqrt(alpha) x^(i)||^2 / (2(1-alpha)))
// into dst (n*K, row-major).
func (m *DeltaMixture) Posterior(dst, x []float64, alpha float64) []float64 {
	const who = "analytic.(*DeltaMixture).Posterior"
	n, dst := checkBatch(who, dst, x, m.d, alpha, nil, m.classes, m.k)
	k := m.k
	m.eachPoint(n, x, alpha, func(p int, e []float64, _, sum float64) {
		o := dst[p*k : (p+1)*k]
		for i, ei := range e {
			o[i] = ei / sum
		}
	})
	return dst
}

// ClassPosterior writes q_t(y | x) = sum_{i: label i = y} pi_i(x) for
// y = 0..C-1 into dst (n*C, row-major). It panics for an unlabelled mixture.
func (m *DeltaMixture) ClassPosterior(dst, x []float64, alpha float64) []float64 {
	const who = "analytic.(*DeltaMixture).ClassPosterior"
	if m.classes == 0 {
		panic(who + ": the mixture is unlabelled")
	}
	n, dst := checkBatch(who, dst, x, m.d, alpha, nil, m.classes, m.classes)
	nc := m.classes
	m.eachPoint(n, x, alpha, func(p int, e []float64, _, sum float64) {
		m.classMass(dst[p*nc:(p+1)*nc], e, sum)
	})
	return dst
}

// Class returns the unlabelled mixture of the points of class y with their
// weights renormalised, q_0(x_0 | y).
func (m *DeltaMixture) Class(y int) (Mixture, error) {
	const who = "analytic.(*DeltaMixture).Class"
	if err := m.checkClass(who, y); err != nil {
		return nil, err
	}
	s := &m.cls[y]
	return NewDelta(m.d, s.pts, s.w, nil)
}

// Sample writes n = len(dst)/d independent draws
// x = sqrt(alpha) x^(i) + sqrt(1-alpha) eps, i ~ w, eps ~ N(0, I), into dst,
// and the drawn i into comp when comp is not nil. The draws are sequential,
// so a seed gives the same points on any number of cores.
func (m *DeltaMixture) Sample(dst []float64, comp []int, alpha float64, src rand.Source) []float64 {
	const who = "analytic.(*DeltaMixture).Sample"
	n := checkSample(who, dst, comp, m.d, alpha)
	rng := rand.New(src)
	cum := cumulative(m.w)
	sa, sv := math.Sqrt(alpha), math.Sqrt(1-alpha)
	d := m.d
	for p := range n {
		i := pick(cum, rng)
		if comp != nil {
			comp[p] = i
		}
		for j := range d {
			dst[p*d+j] = sa*m.pts[i*d+j] + sv*rng.NormFloat64()
		}
	}
	return dst
}
