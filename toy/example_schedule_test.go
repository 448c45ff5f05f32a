package toy_test

import (
	"fmt"

	"difftoy/toy"
)

// The expected outputs of these examples were computed separately with a
// plain running product of (1 - beta_t) in double precision.

func ExampleDDPM() {
	s := toy.DDPM()
	fmt.Printf("T = %d, beta_1 = %.4g, beta_T = %.4g, alpha_T = %.4g\n", s.T(), s.Beta(1), s.Beta(s.T()), s.Alpha(s.T()))
	// Output:
	// T = 1000, beta_1 = 0.0001, beta_T = 0.02, alpha_T = 4.036e-05
}

func ExampleCosine() {
	s, err := toy.Cosine(1000, 0.008)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range []int{0, 250, 500, 750, 1000} {
		fmt.Printf("alpha_%d = %.4g\n", t, s.Alpha(t))
	}
	// Output:
	// alpha_0 = 1
	// alpha_250 = 0.847
	// alpha_500 = 0.4938
	// alpha_750 = 0.1443
	// alpha_1000 = 2.429e-09
}

// The step of the linear schedule with the noise level of cosine step 500: a
// denoiser trained on the linear schedule serves cosine step 500 at linear
// step 261.44 (lessons/05-changing-schedule.md sections 2 and 3).
func ExampleSchedule_StepForSigma() {
	lin := toy.DDPM()
	cos, _ := toy.Cosine(1000, 0.008)
	s, err := lin.StepForSigma(cos.Sigma(500))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("sigma = %.4f, linear step %.2f\n", cos.Sigma(500), s)
	// Output:
	// sigma = 1.0124, linear step 261.44
}

func ExampleScheduleByName() {
	_, err := toy.ScheduleByName("quadratic", 100)
	fmt.Println(err)
	// Output:
	// toy: invalid schedule: unknown schedule name "quadratic" (valid names: linear, cosine)
}

// One reverse step of DDPM at t = 500:
// x_499 = A x_500 + B D(x_500) + C eps.
func ExampleCoefficients() {
	s := toy.DDPM()
	A, B, C := toy.Coefficients(s.Alpha(500), s.Alpha(499), toy.PosteriorVariance)
	w := toy.ELBOWeight(s.Alpha(500), s.Alpha(499), toy.PosteriorVariance)
	fmt.Printf("A = %.6f, B = %.6f, C = %.6f, w = %.4g\n", A, B, C, w)
	// Output:
	// A = 0.994107, B = 0.003070, C = 0.100157, w = 0.0004698
}
