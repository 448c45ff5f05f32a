package analytic

import (
	"difftoy/toy"
	"fmt"
	"math"
	"math/rand/v2"
)

// Mixture is an exact data distribution q_0 whose noised marginals
//
//	q_t(x) = integral N(x | sqrt(alpha) x_0, (1 - alpha) I) q_0(x_0) dx_0
//
// are known in closed form. *DeltaMixture and *GaussianMixture implement it.
//
// Every batched method takes the query points x row-major (n = len(x)/Dim()
// points), writes into dst (allocated when nil, otherwise of the stated
// length) and returns dst. A wrong length, an alpha outside (0, 1] (NaN
// included) or a label outside {toy.Empty, 0, ..., Classes()-1} panics with an
// "analytic.Method: ..." message. Labels y are nil (unconditional), or one per
// point where toy.Empty (-1) means unconditional and c >= 0 restricts the
// posterior to the components of class c, i.e. uses q_0(x_0 | y = c).
// Denoise, Score and Eps (and ClassifierGrad) accept dst = x, an
// update in place; the other methods' dst must not overlap x.
type Mixture interface {
	// Dim is the dimension d of the points.
	Dim() int
	// Len is the number of components K.
	Len() int
	// Weights returns a fresh copy of the normalised weights w_i.
	Weights() []float64
	// Labels returns a fresh copy of the component labels, nil when unlabelled.
	Labels() []int
	// Classes is the number of classes C, 0 when unlabelled.
	Classes() int

	// LogProb writes log q_t(x) (n values).
	LogProb(dst, x []float64, alpha float64) []float64
	// Posterior writes the component posteriors pi_i(x) = q(component i | x_t = x)
	// (n*K values, row-major).
	Posterior(dst, x []float64, alpha float64) []float64
	// Denoise writes the ideal denoiser D*(x) = E[x_0 | x_t = x (, y)] (n*d values).
	Denoise(dst, x []float64, alpha float64, y []int) []float64
	// Score writes grad_x log q_t(x (| y)) (n*d values).
	Score(dst, x []float64, alpha float64, y []int) []float64
	// Eps writes eps*(x) = E[eps | x_t = x (, y)] (n*d values).
	Eps(dst, x []float64, alpha float64, y []int) []float64
	// ClassPosterior writes q_t(y | x) for y = 0..C-1 (n*C values, row-major).
	// It panics for an unlabelled mixture.
	ClassPosterior(dst, x []float64, alpha float64) []float64
	// Class returns the (unlabelled) sub-mixture of the components of class y
	// with their weights renormalised: q_0(x_0 | y).
	Class(y int) (Mixture, error)
	// Sample writes n = len(dst)/Dim() independent draws from q_t into dst
	// and, when comp is not nil (it then has length n), each draw's component.
	Sample(dst []float64, comp []int, alpha float64, src rand.Source) []float64
}

// base holds what every mixture has: dimension, weights and labels.
type base struct {
	d, k    int
	w       []float64 // normalised weights
	logw    []float64 // log w
	uniform bool      // all weights equal (as given, or nil)
	labels  []int     // nil when unlabelled
	classes int       // 0 when unlabelled
	members [][]int   // members[c]: indices of the components of class c
}

// newBase validates d, the weights (nil means uniform) and the labels (nil
// means unlabelled) of k components; who names the constructor in errors.
func newBase(who string, d, k int, weights []float64, labels []int) (base, error) {
	b := base{d: d, k: k}
	if d <= 0 {
		return b, fmt.Errorf("%s: dimension %d is not positive", who, d)
	}
	if k == 0 {
		return b, fmt.Errorf("%s: the mixture has no components", who)
	}
	var err error
	if b.w, b.logw, b.uniform, err = mixtureWeights(who, k, weights); err != nil {
		return b, err
	}
	if labels != nil {
		if b.members, err = classMembers(who, k, labels); err != nil {
			return b, err
		}
		b.labels = append([]int(nil), labels...)
		b.classes = len(b.members)
	}
	return b, nil
}

// mixtureWeights returns the normalised weights w of k components, their
// logs and whether they are all equal; nil weights mean uniform ones.
func mixtureWeights(who string, k int, weights []float64) (w, logw []float64, uniform bool, err error) {
	w, logw = make([]float64, k), make([]float64, k)
	if weights == nil {
		for i := range w {
			w[i] = 1 / float64(k)
			logw[i] = -math.Log(float64(k))
		}
		return w, logw, true, nil
	}
	if len(weights) != k {
		return nil, nil, false, fmt.Errorf("%s: %d weights for %d components", who, len(weights), k)
	}
	sum := 0.0
	uniform = true
	for i, v := range weights {
		if !(v > 0) || math.IsInf(v, 0) {
			return nil, nil, false, fmt.Errorf("%s: weight of component %d is %v, want positive and finite", who, i, v)
		}
		sum += v
		uniform = uniform && v == weights[0]
	}
	if math.IsInf(sum, 0) {
		return nil, nil, false, fmt.Errorf("%s: the weights sum to +Inf", who)
	}
	for i, v := range weights {
		w[i] = v / sum
		logw[i] = math.Log(v) - math.Log(sum)
	}
	return w, logw, uniform, nil
}

// classMembers returns, for each class c of labels (one per component of
// k), the indices of its components; the classes are 0..max(labels) and
// each needs a component.
func classMembers(who string, k int, labels []int) ([][]int, error) {
	if len(labels) != k {
		return nil, fmt.Errorf("%s: %d labels for %d components", who, len(labels), k)
	}
	// Every class needs a component, so there are at most k classes and
	// a label above k-1 leaves a class empty: checking that first bounds
	// what is allocated below by k.
	c := 0
	for i, l := range labels {
		if l < 0 || l >= k {
			return nil, fmt.Errorf("%s: label of component %d is %d, want 0..%d (every class needs one of the %d components)", who, i, l, k-1, k)
		}
		c = max(c, l+1)
	}
	members := make([][]int, c)
	for i, l := range labels {
		members[l] = append(members[l], i)
	}
	for y, m := range members {
		if len(m) == 0 {
			return nil, fmt.Errorf("%s: class %d has no component (labels must cover 0..%d)", who, y, c-1)
		}
	}
	return members, nil
}

// Dim returns the dimension of the points.
func (b *base) Dim() int { return b.d }

// Len returns the number of components.
func (b *base) Len() int { return b.k }

// Weights returns a copy of the normalised weights.
func (b *base) Weights() []float64 { return append([]float64(nil), b.w...) }

// Labels returns a copy of the labels, nil when unlabelled.
func (b *base) Labels() []int {
	if b.labels == nil {
		return nil
	}
	return append([]int(nil), b.labels...)
}

// Classes returns the number of classes, 0 when unlabelled.
func (b *base) Classes() int { return b.classes }

// classWeights returns the weights of the members of class y.
func (b *base) classWeights(y int) []float64 {
	w := make([]float64, len(b.members[y]))
	for j, i := range b.members[y] {
		w[j] = b.w[i]
	}
	return w
}

// classMass writes sum_{i in class c} e_i / sum into o[c], c = 0..C-1: the
// class posterior from the unnormalised component posteriors e.
func (b *base) classMass(o, e []float64, sum float64) {
	clear(o)
	for i, ei := range e {
		o[b.labels[i]] += ei
	}
	for c := range o {
		o[c] /= sum
	}
}

// checkClass returns an error unless y is a class of b.
func (b *base) checkClass(who string, y int) error {
	if b.classes == 0 {
		return fmt.Errorf("%s: the mixture is unlabelled", who)
	}
	if y < 0 || y >= b.classes {
		return fmt.Errorf("%s: class %d is outside 0..%d", who, y, b.classes-1)
	}
	return nil
}

// grain is the number of query points per parallel chunk for K components:
// about 2^15 point-component pairs, so that chunks are large against the
// scheduling cost and numerous enough to balance the cores. It depends only
// on K, never on GOMAXPROCS.
func grain(k int) int { return max(1, (1<<15)/max(k, 1)) }

// Both mixtures meet the contract every sampler calls: the ideal denoiser
// and the exact score.
var (
	_ toy.Denoiser = (*DeltaMixture)(nil)
	_ toy.Scorer   = (*DeltaMixture)(nil)
	_ toy.Denoiser = (*GaussianMixture)(nil)
	_ toy.Scorer   = (*GaussianMixture)(nil)
)
