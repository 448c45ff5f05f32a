// Adam and AdamW (Kingma & Ba 2015; Loshchilov & Hutter 2019) and an
// exponential moving average of the weights.

package nn

import (
	"math"

	"difftoy/internal/par"
)

// Adam is the Adam optimiser, AdamW when WeightDecay > 0:
//
//	m <- b1 m + (1 - b1) g,   v <- b2 v + (1 - b2) g^2
//	p <- p - lr ( m/(1 - b1^k) / (sqrt(v/(1 - b2^k)) + eps) + wd p )
type Adam struct {
	Beta1, Beta2, Eps float64
	WeightDecay       float64 // decoupled (AdamW); 0 is plain Adam

	m, v []float64
	k    int
}

// NewAdam returns Adam with the usual constants b1 = 0.9, b2 = 0.999,
// eps = 1e-8 and the given decoupled weight decay.
func NewAdam(weightDecay float64) *Adam {
	return &Adam{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: weightDecay}
}

// Step updates params with the gradient grad at learning rate lr.
func (a *Adam) Step(params, grad []float64, lr float64) {
	if len(grad) != len(params) {
		panic("nn.Adam.Step: len(grad) != len(params)")
	}
	c1, c2 := a.begin(len(params))
	// Element-wise, so the split over cores cannot change the result.
	par.For(len(params), 4096, func(lo, hi int) {
		a.update(params[lo:hi], a.m[lo:hi], a.v[lo:hi], grad[lo:hi], lr, c1, c2)
	})
}

// update applies the step to a range of parameters p with moments m, v.
func (a *Adam) update(p, m, v, g []float64, lr, c1, c2 float64) {
	if simdAdam != nil {
		simdAdam(p, m, v, g, lr, c1, c2, a.Beta1, a.Beta2, a.Eps, a.WeightDecay)
		return
	}
	adamScalar(p, m, v, g, lr, c1, c2, a.Beta1, a.Beta2, a.Eps, a.WeightDecay)
}

func adamScalar(p, m, v, g []float64, lr, c1, c2, b1, b2, eps, wd float64) {
	for i, gi := range g {
		mi := b1*m[i] + (1-b1)*gi
		vi := b2*v[i] + (1-b2)*gi*gi
		m[i], v[i] = mi, vi
		p[i] -= lr * (mi*c1/(math.Sqrt(vi*c2)+eps) + wd*p[i])
	}
}

// simdAdam is the vector version of adamScalar (kernel_simd.go), with the
// same operations in the same order and no fused multiply-adds, so it
// gives bit-identical results.
var simdAdam func(p, m, v, g []float64, lr, c1, c2, b1, b2, eps, wd float64)

// begin counts a step over n parameters and returns the bias corrections
// 1/(1 - b1^k) and 1/(1 - b2^k).
func (a *Adam) begin(n int) (c1, c2 float64) {
	if a.m == nil {
		a.m = make([]float64, n)
		a.v = make([]float64, n)
	} else if len(a.m) != n {
		panic("nn.Adam.Step: the number of parameters changed")
	}
	a.k++
	return 1 / (1 - math.Pow(a.Beta1, float64(a.k))), 1 / (1 - math.Pow(a.Beta2, float64(a.k)))
}

// EMA is an exponential moving average of parameters,
//
//	e <- d e + (1 - d) p,   d = min(Decay, (1 + k) / (10 + k)) at update k,
//
// where the warm-up form of d keeps the first steps from being dominated
// by the random initialisation.
type EMA struct {
	Decay  float64
	Params []float64
	k      int
}

// Update folds p into the average.
func (e *EMA) Update(p []float64) {
	if e.Params == nil {
		e.Params = append([]float64(nil), p...)
		e.k = 1
		return
	}
	d := math.Min(e.Decay, float64(1+e.k)/float64(10+e.k))
	e.k++
	for i, v := range p {
		e.Params[i] = d*e.Params[i] + (1-d)*v
	}
}
