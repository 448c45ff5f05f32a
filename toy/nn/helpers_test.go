package nn

import (
	"math"
	"math/rand/v2"
)

// deltaMix is the weighted delta mixture of MATH.md section 6, written out
// here from the formula so that the tests do not lean on package analytic:
//
//	D*(x) = sum_i pi_i(x) x^(i),  pi = softmax(log w_i - ||x - sqrt(alpha) x^(i)||^2 / (2 (1 - alpha)))
type deltaMix struct {
	pts    []float64 // k points of dimension 2
	w      []float64
	labels []int
}

func (m *deltaMix) Dim() int      { return 2 }
func (m *deltaMix) Labels() []int { return m.labels }

func (m *deltaMix) post(x []float64, alpha float64, y int) []float64 {
	k := len(m.w)
	lp := make([]float64, k)
	best := math.Inf(-1)
	for i := 0; i < k; i++ {
		if y >= 0 && m.labels[i] != y {
			lp[i] = math.Inf(-1)
			continue
		}
		dx := x[0] - math.Sqrt(alpha)*m.pts[2*i]
		dy := x[1] - math.Sqrt(alpha)*m.pts[2*i+1]
		lp[i] = math.Log(m.w[i]) - (dx*dx+dy*dy)/(2*(1-alpha))
		best = math.Max(best, lp[i])
	}
	s := 0.0
	for i := range lp {
		lp[i] = math.Exp(lp[i] - best)
		s += lp[i]
	}
	for i := range lp {
		lp[i] /= s
	}
	return lp
}

func (m *deltaMix) Denoise(dst, x []float64, alpha float64, y []int) []float64 {
	if dst == nil {
		dst = make([]float64, len(x))
	}
	for p := 0; p < len(x)/2; p++ {
		l := -1
		if y != nil {
			l = y[p]
		}
		pi := m.post(x[2*p:2*p+2], alpha, l)
		dst[2*p], dst[2*p+1] = 0, 0
		for i, v := range pi {
			dst[2*p] += v * m.pts[2*i]
			dst[2*p+1] += v * m.pts[2*i+1]
		}
	}
	return dst
}

// classPosterior returns q_t(y | x) for one point.
func (m *deltaMix) classPosterior(x []float64, alpha float64, classes int) []float64 {
	pi := m.post(x, alpha, -1)
	p := make([]float64, classes)
	for i, v := range pi {
		p[m.labels[i]] += v
	}
	return p
}

func (m *deltaMix) Sample(dst []float64, comp []int, alpha float64, src rand.Source) []float64 {
	r := rand.New(src)
	for p := 0; p < len(dst)/2; p++ {
		u, i := r.Float64(), 0
		for ; i < len(m.w)-1 && u >= m.w[i]; i++ {
			u -= m.w[i]
		}
		if comp != nil {
			comp[p] = i
		}
		sa, sv := math.Sqrt(alpha), math.Sqrt(1-alpha)
		dst[2*p] = sa*m.pts[2*i] + sv*r.NormFloat64()
		dst[2*p+1] = sa*m.pts[2*i+1] + sv*r.NormFloat64()
	}
	return dst
}

// threePoints is the lecture's example: three equally weighted points,
// labelled 0, 1, 2.
func threePoints() *deltaMix {
	return &deltaMix{pts: []float64{-1, -0.5, 1, -0.5, 0, 1}, w: []float64{1. / 3, 1. / 3, 1. / 3}, labels: []int{0, 1, 2}}
}

// dataFrom draws n training points (and labels) from m.
func dataFrom(m *deltaMix, n int, seed uint64) Data {
	comp := make([]int, n)
	pts := m.Sample(make([]float64, 2*n), comp, 1, rand.NewPCG(seed, seed))
	labels := make([]int, n)
	for i, c := range comp {
		labels[i] = m.labels[c]
	}
	return Data{Points: pts, Labels: labels, Classes: 3, Exact: m}
}
