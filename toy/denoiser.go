package toy

import "math"

// Denoiser is the one contract every sampler calls. The exact mixtures of
// package analytic and the trained networks of package toy/nn both meet it,
// so a sampler cannot tell the ideal denoiser from a learned one.
//
// Points are stored row-major: x holds n = len(x)/Dim() points of Dim()
// coordinates. Denoise writes the prediction of x_0 from
//
//	x_t = sqrt(alpha) x_0 + sqrt(1-alpha) eps
//
// into dst (allocated when nil) and returns it. alpha is the cumulative
// signal level alpha_t in (0, 1]. y is nil (unconditional) or holds one
// label per point, where Empty asks for the unconditional prediction.
type Denoiser interface {
	Dim() int
	Denoise(dst, x []float64, alpha float64, y []int) []float64
}

// Scorer gives grad_x log q_t(x | y) with the same conventions as Denoiser.
// Unlike a Denoiser it may be asked for alpha = 1 (a fixed density, as in
// plain Langevin dynamics) when the source defines it there.
type Scorer interface {
	Dim() int
	Score(dst, x []float64, alpha float64, y []int) []float64
}

// scoreView is the score implied by a denoiser (Tweedie's formula,
// lessons/02-ideal-denoiser.md section 3):
//
//	grad log q_t(x) = (sqrt(alpha) D(x) - x) / (1 - alpha)
type scoreView struct{ d Denoiser }

// ScoreFrom returns the score implied by d through Tweedie's formula. It
// panics when asked for alpha = 1, where a denoiser defines no score.
func ScoreFrom(d Denoiser) Scorer { return scoreView{d} }

func (s scoreView) Dim() int { return s.d.Dim() }

func (s scoreView) Score(dst, x []float64, alpha float64, y []int) []float64 {
	_, dst = CheckBatch("toy.ScoreFrom", dst, x, s.d.Dim(), alpha, y)
	if alpha == 1 {
		panic("toy.ScoreFrom: a denoiser defines no score at alpha = 1")
	}
	s.d.Denoise(dst, x, alpha, y)
	sa, v := math.Sqrt(alpha), 1-alpha
	for i := range dst {
		dst[i] = (sa*dst[i] - x[i]) / v
	}
	return dst
}

// denoiserView is the denoiser implied by a score (Tweedie's formula,
// lessons/02-ideal-denoiser.md section 3):
//
//	D(x) = ((1 - alpha) grad log q_t(x) + x) / sqrt(alpha)
type denoiserView struct{ s Scorer }

// DenoiserFrom returns the denoiser implied by the score s.
func DenoiserFrom(s Scorer) Denoiser { return denoiserView{s} }

func (d denoiserView) Dim() int { return d.s.Dim() }

func (d denoiserView) Denoise(dst, x []float64, alpha float64, y []int) []float64 {
	_, dst = CheckBatch("toy.DenoiserFrom", dst, x, d.s.Dim(), alpha, y)
	if alpha == 1 {
		copy(dst, x)
		return dst
	}
	d.s.Score(dst, x, alpha, y)
	sa, v := math.Sqrt(alpha), 1-alpha
	for i := range dst {
		dst[i] = (v*dst[i] + x[i]) / sa
	}
	return dst
}

// Eps writes the noise prediction implied by d
// (lessons/06-parametrisations.md section 1),
//
//	eps(x) = (x - sqrt(alpha) D(x)) / sqrt(1 - alpha),
//
// into dst and returns it. alpha must be below 1.
func Eps(d Denoiser, dst, x []float64, alpha float64, y []int) []float64 {
	return noisePrediction("toy.Eps", "noise prediction", false, d, dst, x, alpha, y)
}

// V writes the v-prediction implied by d,
//
//	v = sqrt(alpha) eps - sqrt(1 - alpha) x_0,
//
// with eps and x_0 replaced by their predictions, into dst and returns it.
// alpha must be below 1.
func V(d Denoiser, dst, x []float64, alpha float64, y []int) []float64 {
	return noisePrediction("toy.V", "v-prediction", true, d, dst, x, alpha, y)
}

// noisePrediction calls d once and writes eps(x) into dst, or v when v is
// true; who and what name the call and its result in a panic.
func noisePrediction(who, what string, v bool, d Denoiser, dst, x []float64, alpha float64, y []int) []float64 {
	_, dst = CheckBatch(who, dst, x, d.Dim(), alpha, y)
	if alpha == 1 {
		panic(who + ": no " + what + " at alpha = 1")
	}
	d.Denoise(dst, x, alpha, y)
	sa, sv := math.Sqrt(alpha), math.Sqrt(1-alpha)
	for i := range dst {
		eps := (x[i] - sa*dst[i]) / sv
		if v {
			dst[i] = sa*eps - sv*dst[i]
		} else {
			dst[i] = eps
		}
	}
	return dst
}
