package analytic

import (
	"fmt"
	"math"
)

// Guidance fields for labelled mixtures (lessons/08-classifier-guidance.md
// and lessons/09-classifier-free-guidance.md). For an exact mixture every
// term is exact: q_t(y | x) is the posterior mass of the components of class
// y, and by Bayes
//
//	grad log q_t(x | y) = grad log q_t(x) + grad log q_t(y | x).
//
// Each function checks its arguments like the methods (labels in
// {Empty, 0..C-1}; Empty or y = nil asks for the unconditional field) and
// then calls m.Score, so dst may be x itself.

// ClassifierGrad writes grad_x log q_t(y | x) = s(x | y) - s(x) into dst,
// where s is m's score; it is 0 for a point whose label is Empty (the empty
// label carries no information), and everywhere when y is nil.
func ClassifierGrad(m Mixture, dst, x []float64, alpha float64, y []int) []float64 {
	dst, uncond := scores("analytic.ClassifierGrad", m, dst, x, alpha, y)
	for i := range dst {
		dst[i] -= uncond[i]
	}
	return dst
}

// GuidedScore writes the classifier-guided field
//
//	grad log q_t(x) + (1 + gamma) grad log q_t(y | x)
//
// into dst. gamma = 0 gives the conditional score s(x | y); gamma = -1 the
// unconditional one. gamma must be finite.
func GuidedScore(m Mixture, dst, x []float64, alpha float64, y []int, gamma float64) []float64 {
	const who = "analytic.GuidedScore"
	checkScale(who, "gamma", gamma)
	dst, uncond := scores(who, m, dst, x, alpha, y)
	for i, s := range uncond {
		dst[i] = s + (1+gamma)*(dst[i]-s)
	}
	return dst
}

// CFGScore writes the classifier-free guidance field
//
//	s(x | y) + gamma (s(x | y) - s(x | Empty))
//
// into dst. For an exact mixture it equals GuidedScore with the same gamma
// (the two differ only by rounding); with learned scores the two terms come
// from one conditional model. gamma must be finite.
func CFGScore(m Mixture, dst, x []float64, alpha float64, y []int, gamma float64) []float64 {
	const who = "analytic.CFGScore"
	checkScale(who, "gamma", gamma)
	dst, uncond := scores(who, m, dst, x, alpha, y)
	for i, s := range uncond {
		dst[i] += gamma * (dst[i] - s)
	}
	return dst
}

// TemperedScore writes a * grad log q_t(x), the score of the sharpened
// density q_t^a / Z (a > 1 sharpens, a < 1 flattens), into dst. a must be
// finite.
func TemperedScore(m Mixture, dst, x []float64, alpha float64, a float64) []float64 {
	const who = "analytic.TemperedScore"
	_, dst = checkBatch(who, dst, x, m.Dim(), alpha, nil, m.Classes(), m.Dim())
	checkScale(who, "a", a)
	checkHasScore(who, m, alpha)
	m.Score(dst, x, alpha, nil)
	for i := range dst {
		dst[i] *= a
	}
	return dst
}

// scores checks the arguments of a guidance function (who) and returns the
// conditional score s(x | y), written into dst, and the unconditional s(x).
func scores(who string, m Mixture, dst, x []float64, alpha float64, y []int) (cond, uncond []float64) {
	_, dst = checkBatch(who, dst, x, m.Dim(), alpha, y, m.Classes(), m.Dim())
	checkHasScore(who, m, alpha)
	uncond = m.Score(nil, x, alpha, nil) // before dst is written: dst may be x
	return m.Score(dst, x, alpha, y), uncond
}

// checkHasScore panics, naming who, for a point set at alpha = 1, which
// has no density and so no score.
func checkHasScore(who string, m Mixture, alpha float64) {
	if _, ok := m.(*DeltaMixture); ok && alpha == 1 {
		panic(who + ": a delta mixture has no density at alpha = 1, so no score")
	}
}

// checkScale panics when a guidance scale is NaN or infinite.
func checkScale(who, name string, v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		panic(fmt.Sprintf("%s: %s = %v is not finite", who, name, v))
	}
}
