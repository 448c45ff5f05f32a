// One move of the reverse process, from the level a_t down to a_s, in the
// three forms the lessons write it: ancestral
// (lessons/04-ancestral-sampling.md section 1), DDIM
// (lessons/10-deterministic-sampling.md section 1) and the score drift
// (lessons/10-deterministic-sampling.md section 3, lessons/13-sde.md
// section 3).

package sample

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Form names the formula a move of the Sampler computes. All three take
// one denoiser call, D = D(x_t), the coefficients A, B, C of the move
// (toy.Coefficients) and the fresh noise c z, c = Eta C, z ~ N(0, I).
type Form int

const (
	// DDIMForm (the zero value) is the DDIM family of
	// lessons/10-deterministic-sampling.md section 1: the noise eps^ that
	// D implies is reused for the part of the variance not drawn fresh,
	//
	//	eps^ = (x_t - sqrt(a_t) D) / sqrt(1 - a_t),
	//	x_s  = sqrt(a_s) D + sqrt(1 - a_s - c^2) eps^ + c z.
	//
	// It needs Eta in [0, 1] and c^2 <= 1 - a_s (true for every Eta with
	// the posterior variance). Every Eta keeps the marginals q(x_s | x_0)
	// when D is exact, so one denoiser serves all; Eta = 0 is DDIM, and
	// Eta = 1 with the posterior variance is the DDPM step.
	DDIMForm Form = iota
	// AncestralForm is the DDPM step of lessons/04-ancestral-sampling.md
	// section 1, a draw from p(x_s | x_t) = N(A x_t + B D, C^2 I):
	//
	//	x_s = A x_t + B D + C z.
	//
	// All of the noise is fresh: Eta must be 1. It takes either variance
	// (the DDIM form cannot carry C^2 = beta, which may exceed 1 - a_s).
	AncestralForm
	// DriftForm is the ancestral step with the withheld noise variance
	// C^2 - c^2 traded for the score drift of equal effect on the density
	// (lessons/10-deterministic-sampling.md sections 2 and 3):
	//
	//	x_s = A x_t + B D + c z - ((C^2 - c^2) / 2) grad log q_t(x_t),
	//	grad log q_t(x_t) = (sqrt(a_t) D - x_t) / (1 - a_t)   (Tweedie).
	//
	// Eta = 0 with the posterior variance is the deterministic drift
	// sampler; with C^2 = beta, Eta = lambda >= 0 is the churn family of
	// lessons/13-sde.md section 3, whose Eta > 1 makes C^2 - c^2 negative:
	// a Langevin move on top of the step.
	DriftForm
)

// String returns "DDIM", "ancestral" or "drift".
func (f Form) String() string {
	switch f {
	case DDIMForm:
		return "DDIM"
	case AncestralForm:
		return "ancestral"
	case DriftForm:
		return "drift"
	}
	return fmt.Sprintf("Form(%d)", int(f))
}

// step holds the numbers of one move from a_t to a_s in its form.
type step struct {
	form    Form
	A, B, C float64 // the reverse coefficients of the move
	c       float64 // Eta C: the standard deviation of the fresh noise
	sqrtAt  float64 // sqrt(a_t)
	sqrtAs  float64 // sqrt(a_s)
	invSdT  float64 // 1 / sqrt(1 - a_t), the noise level of x_t inverted
	invVarT float64 // 1 / (1 - a_t)
	keep    float64 // sqrt(1 - a_s - c^2): the eps^ kept by the DDIM form
	traded  float64 // (C^2 - c^2) / 2: the noise variance traded for drift, halved
}

// newStep returns move k of s: levels a_t = alpha_{t_{k-1}}, a_s = alpha_{t_k}.
// s has been checked (so 1 - a_s - c^2 >= 0 in the DDIM form).
func (s *Sampler) newStep(k int) step {
	at, as := s.Plan.Alpha(k-1), s.Plan.Alpha(k)
	A, B, C := s.coefficients(k)
	m := step{form: s.Form, A: A, B: B, C: C, c: s.Eta * C, sqrtAt: math.Sqrt(at), sqrtAs: math.Sqrt(as), invSdT: 1 / math.Sqrt(1-at), invVarT: 1 / (1 - at)}
	switch s.Form {
	case DDIMForm:
		m.keep = math.Sqrt(1 - as - m.c*m.c)
	case DriftForm:
		m.traded = (C*C - m.c*m.c) / 2
	}
	return m
}

// apply writes x_s into dst (which may be x) coordinate by coordinate: the
// form's formula without its noise term, then the fresh noise c z with z
// drawn from rng (nil when c = 0: no noise).
func (m *step) apply(dst, x, D []float64, rng *rand.Rand) {
	x, D = x[:len(dst)], D[:len(dst)] // one length check, none in the loops
	switch m.form {
	case AncestralForm:
		for i := range dst {
			dst[i] = m.ancestral(x[i], D[i])
		}
	case DDIMForm:
		for i := range dst {
			dst[i] = m.ddim(x[i], D[i])
		}
	case DriftForm:
		for i := range dst {
			dst[i] = m.drift(x[i], D[i])
		}
	}
	if rng != nil {
		for i := range dst {
			dst[i] += m.c * rng.NormFloat64()
		}
	}
}

// ancestral returns A x_t + B D, to which apply adds C z
// (lessons/04-ancestral-sampling.md section 1); one coordinate.
func (m *step) ancestral(x, d float64) float64 {
	return m.A*x + m.B*d
}

// ddim returns sqrt(a_s) D + sqrt(1 - a_s - c^2) eps^, to which apply adds
// c z (lessons/10-deterministic-sampling.md section 1); one coordinate.
func (m *step) ddim(x, d float64) float64 {
	eps := (x - m.sqrtAt*d) * m.invSdT // (x_t - sqrt(a_t) D) / sqrt(1 - a_t)
	return m.sqrtAs*d + m.keep*eps
}

// drift returns A x_t + B D - ((C^2 - c^2) / 2) grad log q_t(x_t), to which
// apply adds c z (lessons/10-deterministic-sampling.md section 3); one
// coordinate.
func (m *step) drift(x, d float64) float64 {
	score := (m.sqrtAt*d - x) * m.invVarT // (sqrt(a_t) D - x_t) / (1 - a_t)
	return m.A*x + m.B*d - m.traded*score
}
