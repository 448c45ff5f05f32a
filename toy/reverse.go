// Reverse-process coefficients A, B, C and the ELBO weights
// (lessons/03-training.md sections 3 and 4), for single and strided steps.

package toy

import (
	"fmt"
	"math"
)

// Variance chooses the variance C^2 of a reverse step.
type Variance int

const (
	// PosteriorVariance is C_t^2 = beta~_t = beta_t (1 - alpha_{t-1}) / (1 - alpha_t),
	// the variance of q(x_{t-1} | x_t, x_0); it is 0 at the last step.
	PosteriorVariance Variance = iota
	// BetaVariance is C_t^2 = beta_t, the variance of the forward step.
	BetaVariance
)

// String returns "posterior" or "beta".
func (v Variance) String() string {
	switch v {
	case PosteriorVariance:
		return "posterior"
	case BetaVariance:
		return "beta"
	}
	return fmt.Sprintf("Variance(%d)", int(v))
}

// Coefficients returns A, B and C of the reverse step from the level alphaT
// (time t) to the earlier level alphaS (time s < t, so alphaS > alphaT):
//
//	p(x_s | x_t) = N(x_s | A x_t + B D(x_t), C^2 I).
//
// With the effective beta = 1 - alphaT / alphaS of the jump from s to t,
//
//	A   = sqrt(1 - beta) (1 - alphaS) / (1 - alphaT)
//	B   = sqrt(alphaS) beta / (1 - alphaT)
//	C^2 = beta (1 - alphaS) / (1 - alphaT)   (PosteriorVariance)
//	C^2 = beta                               (BetaVariance)
//
// so that A x_t + B x_0 and the posterior C^2 are the mean and variance of
// q(x_s | x_t, x_0). For s = t-1 these are the A_t, B_t, C_t of
// lessons/03-training.md section 3; any s < t gives the strided step of a
// sampler that skips steps. alphaS = 1 (s = 0) is allowed and gives A = 0,
// B = 1 and a posterior C of 0. Levels outside 0 < alphaT < alphaS <= 1, or
// an unknown v, panic.
func Coefficients(alphaT, alphaS float64, v Variance) (A, B, C float64) {
	if !(alphaT > 0 && alphaT < alphaS && alphaS <= 1) {
		panic(fmt.Sprintf("toy.Coefficients: levels alphaT = %v, alphaS = %v, want 0 < alphaT < alphaS <= 1", alphaT, alphaS))
	}
	// (alphaS - alphaT) / alphaS keeps beta accurate when the levels are close.
	beta := (alphaS - alphaT) / alphaS
	oneT, oneS := 1-alphaT, 1-alphaS
	A = math.Sqrt(alphaT/alphaS) * oneS / oneT
	B = math.Sqrt(alphaS) * beta / oneT
	switch v {
	case PosteriorVariance:
		C = math.Sqrt(beta * oneS / oneT)
	case BetaVariance:
		C = math.Sqrt(beta)
	default:
		panic(fmt.Sprintf("toy.Coefficients: unknown variance %d", int(v)))
	}
	return A, B, C
}

// ELBOWeight returns the weight w = B^2 / (2 C^2) of the x_0-prediction loss
// ||D(x_t) - x_0||^2 in the KL term of the step from alphaT to alphaS
// (lessons/03-training.md section 4). For PosteriorVariance it equals
//
//	w = (SNR_s - SNR_t) / 2,   SNR = alpha / (1 - alpha),
//
// and is +Inf at alphaS = 1, where the posterior variance is 0 (the last
// step is a reconstruction term, not a KL between Gaussians). Arguments
// are checked as in Coefficients.
func ELBOWeight(alphaT, alphaS float64, v Variance) float64 {
	_, B, C := Coefficients(alphaT, alphaS, v)
	if C == 0 {
		return math.Inf(1)
	}
	return B * B / (2 * C * C)
}
