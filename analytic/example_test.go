package analytic_test

import (
	"fmt"
	"math"

	"difftoy/analytic"
)

// Lesson 2's example: three points with weights 1/3. At x = (0, 0) the
// points (-1, 0) and (1, 0) are equally far, so they share the posterior and
// D* has first coordinate 0. With l = ||x - sqrt(alpha) x^(i)||^2 / (2(1-alpha)),
// l = alpha / (2(1-alpha)) for the first two and 2.25 alpha / (2(1-alpha))
// for (0, 1.5), so
//
//	pi_3 = 1 / (1 + 2 exp(1.25 alpha / (2(1-alpha)))),  D* = (0, 1.5 pi_3),
//	score = (sqrt(alpha) D* - x) / (1-alpha) = (0, 1.5 sqrt(alpha) pi_3 / (1-alpha)).
//
// At alpha = 0.5: pi_3 = 1/(1 + 2 e^0.625) = 0.2111, D* = (0, 0.3167),
// score = (0, 0.4479). With less noise (alpha = 0.9) the far point loses its
// share; with more (alpha = 0.1) the posterior tends to the prior 1/3 each.
func Example() {
	m, err := analytic.NewDelta(2, []float64{-1, 0, 1, 0, 0, 1.5}, nil, nil)
	if err != nil {
		panic(err)
	}
	x := []float64{0, 0}
	for _, alpha := range []float64{0.9, 0.5, 0.1} {
		pi := m.Posterior(nil, x, alpha)
		d := m.Denoise(nil, x, alpha, nil)
		s := m.Score(nil, x, alpha, nil)
		fmt.Printf("alpha=%.1f  pi=(%.4f %.4f %.4f)  D*=(%.4f, %.4f)  score=(%.4f, %.4f)\n",
			alpha, pi[0], pi[1], pi[2], d[0], d[1], s[0], s[1])
	}
	// Output:
	// alpha=0.9  pi=(0.4991 0.4991 0.0018)  D*=(0.0000, 0.0027)  score=(0.0000, 0.0256)
	// alpha=0.5  pi=(0.3944 0.3944 0.2111)  D*=(0.0000, 0.3167)  score=(0.0000, 0.4479)
	// alpha=0.1  pi=(0.3410 0.3410 0.3181)  D*=(0.0000, 0.4771)  score=(0.0000, 0.1676)
}

// At alpha = 1 the ideal denoiser of a point set returns the nearest point:
// it memorises the data.
func ExampleDeltaMixture_Denoise() {
	m, err := analytic.NewDelta(2, []float64{-1, 0, 1, 0, 0, 1.5}, nil, nil)
	if err != nil {
		panic(err)
	}
	x := []float64{-0.7, 0.4, 0.9, -2, 0.2, 1.1}
	fmt.Println(m.Denoise(nil, x, 1, nil))
	// Output:
	// [-1 0 1 0 0 1.5]
}

// For standard normal data, q_t is standard normal for every alpha, so
// the score is -x and D*(x) = sqrt(alpha) x (Tweedie: (-(1-alpha) x + x) / sqrt(alpha)).
func ExampleNewGaussian() {
	g, err := analytic.NewGaussian(2, nil, []float64{0, 0}, [][]float64{{1, 0, 0, 1}}, nil)
	if err != nil {
		panic(err)
	}
	x := []float64{2, -1}
	alpha := 0.25
	fmt.Println(g.Score(nil, x, alpha, nil), g.Denoise(nil, x, alpha, nil))
	fmt.Printf("%.4f\n", g.LogProb(nil, x, alpha)[0]+2.5+math.Log(2*math.Pi)) // log N(x | 0, I) = -|x|^2/2 - log(2 pi)
	// Output:
	// [-2 1] [1 -0.5]
	// 0.0000
}
