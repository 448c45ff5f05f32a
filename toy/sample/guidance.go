// Guidance wrappers (lessons/08-classifier-guidance.md section 3,
// lessons/09-classifier-free-guidance.md sections 1, 2 and 4): classifier
// guidance from any source of grad log q_t(y | x), classifier-free guidance
// from any conditional denoiser, and the tempered score. Each wrapper is
// itself a toy.Denoiser and a toy.Scorer, so every sampler runs guided
// without knowing it.

package sample

import (
	"fmt"
	"math"

	"difftoy/analytic"
	"difftoy/toy"
)

// ClassifierGradient is a source of grad_x log q_t(y | x): the exact class
// posterior of a labelled mixture (ExactClassifier) or a classifier trained
// on noisy points. Grad writes the gradient for each point of x and its
// label into dst (allocated when nil) and returns it; a point labelled
// toy.Empty, and every point when y is nil, gets 0.
type ClassifierGradient interface {
	Dim() int
	Grad(dst, x []float64, alpha float64, y []int) []float64
}

// ExactClassifier is the exact grad log q_t(y | x) = s(x | y) - s(x) of a
// labelled analytic mixture (analytic.ClassifierGrad).
type ExactClassifier struct{ M analytic.Mixture }

// Dim returns the dimension of the mixture.
func (c ExactClassifier) Dim() int { return c.M.Dim() }

// Grad writes grad_x log q_t(y | x) into dst.
func (c ExactClassifier) Grad(dst, x []float64, alpha float64, y []int) []float64 {
	return analytic.ClassifierGrad(c.M, dst, x, alpha, y)
}

// checkScale returns an error unless v is a finite number >= 0.
func checkScale(name string, v float64) error {
	if !(v >= 0) || math.IsInf(v, 1) {
		return fmt.Errorf("sample: guidance %s = %v is not a finite number >= 0", name, v)
	}
	return nil
}

// checkGamma returns an error unless the guidance scale gamma is finite.
// Every finite gamma defines the guided field: gamma = -1 is the
// unconditional score, gamma < -1 guides away from the class.
func checkGamma(gamma float64) error {
	if math.IsNaN(gamma) || math.IsInf(gamma, 0) {
		return fmt.Errorf("sample: guidance gamma = %v is not a finite number", gamma)
	}
	return nil
}

// score returns the score of d at alpha: d's own when it is a toy.Scorer
// (which may define alpha = 1), otherwise the one implied by Tweedie.
func score(d toy.Denoiser, dst, x []float64, alpha float64, y []int) []float64 {
	if s, ok := d.(toy.Scorer); ok {
		return s.Score(dst, x, alpha, y)
	}
	return toy.ScoreFrom(d).Score(dst, x, alpha, y)
}

// ClassifierGuided is classifier guidance with scale gamma:
//
//	s~(x | y) = grad log q_t(x) + (1 + gamma) grad log q_t(y | x),
//	D~(x | y) = D(x) + (1 - alpha) (1 + gamma) grad log q_t(y | x) / sqrt(alpha),
//
// with D the unconditional base denoiser (called with no labels) and the
// gradient from any ClassifierGradient. gamma = 0 is the conditional score
// (by Bayes); larger gamma pushes samples toward certainty about y;
// gamma = -1 ignores y and gamma < -1 pushes samples away from y.
type ClassifierGuided struct {
	base  toy.Denoiser
	clf   ClassifierGradient
	gamma float64
}

// NewClassifierGuided returns the guided denoiser. gamma must be finite
// (negative values guide away from y) and the dimensions must agree.
func NewClassifierGuided(base toy.Denoiser, clf ClassifierGradient, gamma float64) (*ClassifierGuided, error) {
	if err := checkGamma(gamma); err != nil {
		return nil, err
	}
	if base.Dim() != clf.Dim() {
		return nil, fmt.Errorf("sample: denoiser of dimension %d with a classifier of dimension %d", base.Dim(), clf.Dim())
	}
	return &ClassifierGuided{base, clf, gamma}, nil
}

// Dim returns the dimension.
func (g *ClassifierGuided) Dim() int { return g.base.Dim() }

// Gamma returns the guidance scale.
func (g *ClassifierGuided) Gamma() float64 { return g.gamma }

// Denoise writes D~(x | y) into dst.
func (g *ClassifierGuided) Denoise(dst, x []float64, alpha float64, y []int) []float64 {
	_, dst = toy.CheckBatch("sample.ClassifierGuided.Denoise", dst, x, g.Dim(), alpha, y)
	grad := g.clf.Grad(nil, x, alpha, y)
	g.base.Denoise(dst, x, alpha, nil)
	c := (1 - alpha) * (1 + g.gamma) / math.Sqrt(alpha)
	for i := range dst {
		dst[i] += c * grad[i]
	}
	return dst
}

// Score writes s~(x | y) into dst. alpha = 1 needs a base that is itself a
// toy.Scorer defined there.
func (g *ClassifierGuided) Score(dst, x []float64, alpha float64, y []int) []float64 {
	_, dst = toy.CheckBatch("sample.ClassifierGuided.Score", dst, x, g.Dim(), alpha, y)
	grad := g.clf.Grad(nil, x, alpha, y)
	score(g.base, dst, x, alpha, nil)
	for i := range dst {
		dst[i] += (1 + g.gamma) * grad[i]
	}
	return dst
}

// CFG is classifier-free guidance with scale gamma from one
// conditional denoiser that also answers the empty label:
//
//	D~(x | y) = D(x | y) + gamma (D(x | y) - D(x | Empty)),
//
// which is the score s(x | y) + gamma (s(x | y) - s(x | Empty)) of
// lessons/09-classifier-free-guidance.md section 2 (the score is affine in D
// with coefficients that do not depend on the label). Points labelled Empty
// get D(x | Empty); gamma = 0 is plain conditional sampling, gamma = -1
// unconditional sampling, gamma < -1 guidance away from y.
type CFG struct {
	cond  toy.Denoiser
	gamma float64
}

// NewCFG returns the classifier-free guided denoiser; gamma must be
// finite (negative values guide away from y).
func NewCFG(cond toy.Denoiser, gamma float64) (*CFG, error) {
	if err := checkGamma(gamma); err != nil {
		return nil, err
	}
	return &CFG{cond, gamma}, nil
}

// Dim returns the dimension.
func (g *CFG) Dim() int { return g.cond.Dim() }

// Gamma returns the guidance scale.
func (g *CFG) Gamma() float64 { return g.gamma }

// Denoise writes D~(x | y) into dst.
func (g *CFG) Denoise(dst, x []float64, alpha float64, y []int) []float64 {
	n, dst := toy.CheckBatch("sample.CFG.Denoise", dst, x, g.Dim(), alpha, y)
	return g.combine(dst, x, alpha, y, n, g.cond.Denoise)
}

// Score writes s(x | y) + gamma (s(x | y) - s(x | Empty)) into dst. alpha
// = 1 needs a conditional model that is itself a toy.Scorer defined there.
func (g *CFG) Score(dst, x []float64, alpha float64, y []int) []float64 {
	n, dst := toy.CheckBatch("sample.CFG.Score", dst, x, g.Dim(), alpha, y)
	return g.combine(dst, x, alpha, y, n, func(dst, x []float64, alpha float64, y []int) []float64 {
		return score(g.cond, dst, x, alpha, y)
	})
}

func (g *CFG) combine(dst, x []float64, alpha float64, y []int, n int, f func(dst, x []float64, alpha float64, y []int) []float64) []float64 {
	empty := make([]int, n)
	for i := range empty {
		empty[i] = toy.Empty
	}
	u := f(nil, x, alpha, empty)
	f(dst, x, alpha, y)
	for i := range dst {
		dst[i] += g.gamma * (dst[i] - u[i])
	}
	return dst
}

// Tempered is the denoiser of the sharpened density q_t^a / Z (a > 1
// sharpens, a < 1 flattens, a = 1 is the base):
//
//	s~(x) = a grad log q_t(x),   D~(x) = a D(x) + (1 - a) x / sqrt(alpha).
//
// Note that (q^a)_t is not q_t^a: sampling with the tempered score only
// approximates the tempered data density.
type Tempered struct {
	base toy.Denoiser
	a    float64
}

// NewTempered returns the tempered denoiser; a must be a finite number >= 0.
func NewTempered(base toy.Denoiser, a float64) (*Tempered, error) {
	if err := checkScale("temperature exponent a", a); err != nil {
		return nil, err
	}
	return &Tempered{base, a}, nil
}

// Dim returns the dimension.
func (t *Tempered) Dim() int { return t.base.Dim() }

// Denoise writes D~(x) into dst; labels are passed to the base.
func (t *Tempered) Denoise(dst, x []float64, alpha float64, y []int) []float64 {
	_, dst = toy.CheckBatch("sample.Tempered.Denoise", dst, x, t.Dim(), alpha, y)
	t.base.Denoise(dst, x, alpha, y)
	c := (1 - t.a) / math.Sqrt(alpha)
	for i := range dst {
		dst[i] = t.a*dst[i] + c*x[i]
	}
	return dst
}

// Score writes a grad log q_t(x) into dst.
func (t *Tempered) Score(dst, x []float64, alpha float64, y []int) []float64 {
	_, dst = toy.CheckBatch("sample.Tempered.Score", dst, x, t.Dim(), alpha, y)
	score(t.base, dst, x, alpha, y)
	for i := range dst {
		dst[i] *= t.a
	}
	return dst
}

// The wrappers, the guidance interval included, are denoisers and
// scorers; the exact classifier is a ClassifierGradient.
var (
	_ toy.Denoiser       = (*ClassifierGuided)(nil)
	_ toy.Scorer         = (*ClassifierGuided)(nil)
	_ toy.Denoiser       = (*CFG)(nil)
	_ toy.Scorer         = (*CFG)(nil)
	_ toy.Denoiser       = (*Tempered)(nil)
	_ toy.Scorer         = (*Tempered)(nil)
	_ toy.Denoiser       = (*Interval)(nil)
	_ toy.Scorer         = (*Interval)(nil)
	_ ClassifierGradient = ExactClassifier{}
)

// Interval applies guidance only on an interval of noise levels: the
// guided denoiser where lo <= alpha <= hi, the plain one elsewhere (for
// guidance, the same guidance at gamma = 0: plain conditional sampling).
// Guiding only in the middle of the chain is a common way to keep most of
// the effect of guidance while losing less diversity.
type Interval struct {
	guided, plain toy.Denoiser
	lo, hi        float64
}

// NewInterval returns the denoiser that is guided for alpha in [lo, hi] and
// plain otherwise. lo <= hi must lie in [0, 1] and the dimensions agree.
func NewInterval(guided, plain toy.Denoiser, lo, hi float64) (*Interval, error) {
	if !(0 <= lo && lo <= hi && hi <= 1) {
		return nil, fmt.Errorf("sample: guidance interval of levels [%v, %v] is not inside [0, 1] with lo <= hi", lo, hi)
	}
	if guided.Dim() != plain.Dim() {
		return nil, fmt.Errorf("sample: guided denoiser of dimension %d with a plain one of dimension %d", guided.Dim(), plain.Dim())
	}
	return &Interval{guided, plain, lo, hi}, nil
}

// Dim returns the dimension.
func (g *Interval) Dim() int { return g.guided.Dim() }

// at returns the denoiser used at level alpha.
func (g *Interval) at(alpha float64) toy.Denoiser {
	if g.lo <= alpha && alpha <= g.hi {
		return g.guided
	}
	return g.plain
}

// Denoise writes the guided or the plain D(x | y) at alpha into dst.
func (g *Interval) Denoise(dst, x []float64, alpha float64, y []int) []float64 {
	return g.at(alpha).Denoise(dst, x, alpha, y)
}

// Score writes the guided or the plain score at alpha into dst.
func (g *Interval) Score(dst, x []float64, alpha float64, y []int) []float64 {
	return score(g.at(alpha), dst, x, alpha, y)
}
