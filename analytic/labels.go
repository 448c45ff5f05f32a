package analytic

// The exact classifier gradient of a labelled mixture
// (lessons/08-classifier-guidance.md section 1). For an exact mixture it is
// exact: q_t(y | x) is the posterior mass of the components of class y,
// and by Bayes
//
//	grad log q_t(x | y) = grad log q_t(x) + grad log q_t(y | x).
//
// The guidance fields built on it (classifier guidance, classifier-free
// guidance, the tempered score) are the wrappers of toy/sample, which take
// any denoiser, an exact mixture included.

// ClassifierGrad writes grad_x log q_t(y | x) = s(x | y) - s(x) into dst,
// where s is m's score; it is 0 for a point whose label is toy.Empty (the
// empty label carries no information), and everywhere when y is nil. It
// checks its arguments like the methods (labels in {toy.Empty, 0..C-1})
// and then calls m.Score, so dst may be x itself.
func ClassifierGrad(m Mixture, dst, x []float64, alpha float64, y []int) []float64 {
	const who = "analytic.ClassifierGrad"
	_, dst = checkBatch(who, dst, x, m.Dim(), alpha, y, m.Classes(), m.Dim())
	checkHasScore(who, m, alpha)
	uncond := m.Score(nil, x, alpha, nil) // before dst is written: dst may be x
	m.Score(dst, x, alpha, y)
	for i := range dst {
		dst[i] -= uncond[i]
	}
	return dst
}

// checkHasScore panics, naming who, for a point set at alpha = 1, which
// has no density and so no score.
func checkHasScore(who string, m Mixture, alpha float64) {
	if _, ok := m.(*DeltaMixture); ok && alpha == 1 {
		panic(who + ": a delta mixture has no density at alpha = 1, so no score")
	}
}
