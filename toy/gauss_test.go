package toy_test

import (
	"math"

	"difftoy/toy"
)

// gaussModel is a closed-form test model written independently of package
// analytic: given the label y, the data are N(m_y, v I) in d dimensions
// (means[0] serves nil labels and toy.Empty, means[y+1] the class y). Then
//
//	q_t(x | y) = N(sqrt(alpha) m_y, (alpha v + 1 - alpha) I)
//	score      = -(x - sqrt(alpha) m_y) / (alpha v + 1 - alpha)
//	E[x_0 | x] = m_y + sqrt(alpha) v (x - sqrt(alpha) m_y) / (alpha v + 1 - alpha)
//
// It meets toy.Denoiser and toy.Scorer.
type gaussModel struct {
	means [][]float64
	v     float64
}

func (g gaussModel) Dim() int { return len(g.means[0]) }

func (g gaussModel) mean(y []int, i int) []float64 {
	if y == nil {
		return g.means[0]
	}
	return g.means[y[i]+1]
}

func (g gaussModel) Denoise(dst, x []float64, alpha float64, y []int) []float64 {
	d := g.Dim()
	n, dst := toy.CheckBatch("gaussModel.Denoise", dst, x, d, alpha, y)
	sa := math.Sqrt(alpha)
	k := sa * g.v / (alpha*g.v + 1 - alpha)
	for i := range n {
		m := g.mean(y, i)
		for j := range d {
			dst[i*d+j] = m[j] + k*(x[i*d+j]-sa*m[j])
		}
	}
	return dst
}

func (g gaussModel) Score(dst, x []float64, alpha float64, y []int) []float64 {
	d := g.Dim()
	n, dst := toy.CheckBatch("gaussModel.Score", dst, x, d, alpha, y)
	sa := math.Sqrt(alpha)
	s2 := alpha*g.v + 1 - alpha
	for i := range n {
		m := g.mean(y, i)
		for j := range d {
			dst[i*d+j] = -(x[i*d+j] - sa*m[j]) / s2
		}
	}
	return dst
}

// testModel is a 2-D gaussModel with two classes.
var testModel = gaussModel{
	means: [][]float64{{0.2, -0.1}, {-1, 0.5}, {1.5, 1}},
	v:     0.3,
}
