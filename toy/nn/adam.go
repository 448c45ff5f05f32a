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
//
// The arithmetic is float64; the moments m and v are stored in float32
// (as PyTorch stores them), which halves the memory the step streams
// through and leaves the parameters themselves in float64.
type Adam struct {
	Beta1, Beta2, Eps float64
	WeightDecay       float64 // decoupled (AdamW); 0 is plain Adam

	m, v []float32
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
	b1, b2, eps, wd := a.Beta1, a.Beta2, a.Eps, a.WeightDecay
	// Element-wise, so the split over cores cannot change the result.
	par.For(len(params), 4096, func(lo, hi int) {
		m, v := a.m[lo:hi], a.v[lo:hi]
		for i, g := range grad[lo:hi] {
			params[lo+i] = adamElem(params[lo+i], &m[i], &v[i], g, lr, c1, c2, b1, b2, eps, wd)
		}
	})
}

// adamFused is Step on p[lo:hi] for the gradient sum_c grads[c][i]
// (summed in float64 in chunk order), also writing F(p_i) to out. It is
// what the training loop runs: one pass instead of three.
func adamFused[F float](a *Adam, p []float64, grads [][]F, out []F, lo, hi int, lr, c1, c2 float64) {
	if g32, ok := any(grads).([][]float32); ok && fast != nil {
		fast.adam(p[lo:hi], a.m[lo:hi], a.v[lo:hi], g32, any(out).([]float32)[lo:hi], lo, lr, c1, c2, a.Beta1, a.Beta2, a.Eps, a.WeightDecay)
		return
	}
	adamFusedGo(p[lo:hi], a.m[lo:hi], a.v[lo:hi], grads, out[lo:hi], lo, lr, c1, c2, a.Beta1, a.Beta2, a.Eps, a.WeightDecay)
}

// adamFusedGo is adamFused's loop on p, m, v, out (the same length) with
// the gradients at grads[c][off:].
func adamFusedGo[F float](p []float64, m, v []float32, grads [][]F, out []F, off int, lr, c1, c2, b1, b2, eps, wd float64) {
	for i := range p {
		g := float64(grads[0][off+i])
		for c := 1; c < len(grads); c++ {
			g += float64(grads[c][off+i])
		}
		pi := adamElem(p[i], &m[i], &v[i], g, lr, c1, c2, b1, b2, eps, wd)
		p[i] = pi
		out[i] = F(pi)
	}
}

// adamElem is the Adam step of one parameter p with moments m, v and
// gradient g. Every product is rounded by an explicit float64 conversion
// before it is added, which forbids the compiler to fuse it into a
// multiply-add (Go does on arm64 and with GOAMD64=v3): so Adam.Step, the
// training loop's fused pass and its vector versions (separate multiplies
// and adds) give the same bits on every platform.
func adamElem(p float64, m, v *float32, g, lr, c1, c2, b1, b2, eps, wd float64) float64 {
	mi := float64(b1*float64(*m)) + float64((1-b1)*g)
	vi := float64(b2*float64(*v)) + float64(float64((1-b2)*g)*g)
	*m, *v = float32(mi), float32(vi)
	step := float64(mi*c1)/(math.Sqrt(float64(vi*c2))+eps) + float64(wd*p)
	return p - float64(lr*step)
}

// begin counts a step over n parameters and returns the bias corrections
// 1/(1 - b1^k) and 1/(1 - b2^k).
func (a *Adam) begin(n int) (c1, c2 float64) {
	if a.m == nil {
		a.m = make([]float32, n)
		a.v = make([]float32, n)
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
