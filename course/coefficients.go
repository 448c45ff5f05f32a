// The reverse-step coefficients A_t, B_t, C_t of lessons 3 and 4 checked
// against Gaussian conditioning (lessons/03-training.md section 3).

package course

import (
	"math"

	"difftoy/toy"
)

// addCoefficientChecks adds to r, over every step of the schedule, the
// largest departures of A_t, B_t, C_t^2 and the ELBO weight w_t from the
// formulas of Gaussian conditioning:
//
//	B_t = sqrt(alpha_{t-1}) - A_t sqrt(alpha_t)
//	beta~_t = (1 - alpha_{t-1}) - A_t^2 (1 - alpha_t) = beta_t - B_t^2 (1 - alpha_t)
//	w_t = B_t^2 / (2 beta~_t) = (SNR_{t-1} - SNR_t) / 2
//
// and whether 0 < beta~_t < beta_t for t >= 2.
func addCoefficientChecks(r *Result, s *toy.Schedule) {
	var bErr, vErr, v2Err, wErr float64
	below := 0
	for t := 1; t <= s.T(); t++ {
		at, as := s.Alpha(t), 1.0
		if t > 1 {
			as = s.Alpha(t - 1)
		}
		A, B, C := toy.Coefficients(at, as, toy.PosteriorVariance)
		bt := s.Beta(t)
		rel := func(a, b float64) float64 { return math.Abs(a-b) / math.Max(math.Abs(b), 1e-300) }
		bErr = math.Max(bErr, math.Abs(B-(math.Sqrt(as)-A*math.Sqrt(at))))
		if t >= 2 {
			vErr = math.Max(vErr, rel(C*C, (1-as)-A*A*(1-at)))
			v2Err = math.Max(v2Err, rel(C*C+B*B*(1-at), bt))
			w := toy.ELBOWeight(at, as, toy.PosteriorVariance)
			wErr = math.Max(wErr, rel(w, (as/(1-as)-at/(1-at))/2))
			if C*C > 0 && C*C < bt {
				below++
			}
		}
	}
	A1, B1, C1 := toy.Coefficients(s.Alpha(1), 1, toy.PosteriorVariance)
	r.add("coef/B_error", bErr, "largest |B_t - (sqrt(alpha_{t-1}) - A_t sqrt(alpha_t))|")
	r.add("coef/var_error", vErr, "largest relative |beta~_t - ((1 - alpha_{t-1}) - A_t^2 (1 - alpha_t))|, t >= 2")
	r.add("coef/var_sum_error", v2Err, "largest relative |beta~_t + B_t^2 (1 - alpha_t) - beta_t|, t >= 2")
	r.add("coef/w_snr_error", wErr, "largest relative |w_t - (SNR_{t-1} - SNR_t)/2|, t >= 2")
	r.add("coef/var_below_beta", float64(below), "steps t >= 2 with 0 < beta~_t < beta_t (of T - 1)")
	r.add("coef/A_1", A1, "A_1 (the last step returns the denoiser's guess)")
	r.add("coef/B_1", B1, "B_1")
	r.add("coef/C_1", C1, "C_1")
}

// coefficientClaims: the reverse coefficients (lessons 3 and 4).
func coefficientClaims(r *Result) {
	r.claims(
		cl(1, "B_t = √α_{t−1} − A_t √α_t to rounding.", "largest |B_t − formula|", r.value("coef/B_error"), Below, 1e-12),
		// Relative errors: 1 - alpha at t = 2 is 3e-4, so differences of
		// order-1 terms lose about 4 digits.
		cl(1, "β̃_t = (1 − α_{t−1}) − A_t² (1 − α_t) to rounding.", "largest relative gap", r.value("coef/var_error"), Below, 1e-9),
		cl(1, "β̃_t + B_t² (1 − α_t) = β_t to rounding (lesson 4, claim 2).", "largest relative gap", r.value("coef/var_sum_error"), Below, 1e-9),
		cl(1, "A_1 = 0: the last step forgets x_1.", "A_1", r.value("coef/A_1"), Near, 0).hi(0),
		cl(1, "B_1 = 1: the last step returns the denoiser's guess.", "B_1", r.value("coef/B_1"), Near, 1).hi(1e-15),
		cl(1, "C_1 = 0: the last step adds no noise.", "C_1", r.value("coef/C_1"), Near, 0).hi(0),
		cl(3, "0 < β̃_t < β_t at every step t ≥ 2.", "steps of 999 with 0 < β̃_t < β_t", r.value("coef/var_below_beta"), AtLeast, 999),
		cl(4, "w_t = (SNR_{t−1} − SNR_t)/2 to rounding.", "largest relative gap", r.value("coef/w_snr_error"), Below, 1e-9),
		cl(4, "With C² = β̃ the ELBO weight w_2 lies in (2600, 2800).", "w_2", r.value("w_2_posterior"), Between, 2600).hi(2800),
		cl(4, "With C² = β̃ the ELBO weight w_T is below 1e-6.", "w_T", r.value("w_T_posterior"), Below, 1e-6),
	)
}
