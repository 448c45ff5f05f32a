package datasets_test

import (
	"fmt"
	"math/rand/v2"

	"difftoy/toy"
	"difftoy/toy/datasets"
)

func ExampleNames() {
	fmt.Println(datasets.Names())
	// Output:
	// [three-points eight-gaussians two-classes three-classes ring moons swiss-roll checkerboard]
}

// The three points of lesson 2 under the DDPM schedule: the posterior
// weights pi_i(x), the ideal denoiser D*(x) = E[x_0 | x_t = x] and the
// score at x = (0.5, 0.5) for a few steps (lessons/02-ideal-denoiser.md
// section 4). Near t = 0 the nearest point takes all the weight; at large
// t the weights approach the prior 1/3 and D* the mean of the points.
// (Expected values computed separately with NumPy from that section's
// formulas.)
func ExampleLoad_threePoints() {
	ds, err := datasets.Load("three-points", 3, rand.NewPCG(1, 1))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ds.Points)
	s := toy.DDPM()
	x := []float64{0.5, 0.5}
	for _, t := range []int{50, 200, 400} {
		a := s.Alpha(t)
		pi := ds.Exact.Posterior(nil, x, a)
		d := ds.Exact.Denoise(nil, x, a, nil)
		sc := ds.Exact.Score(nil, x, a, nil)
		fmt.Printf("t=%d alpha=%.4f pi=[%.3f %.3f %.3f] D=(%.3f, %.3f) score=(%.3f, %.3f)\n",
			t, a, pi[0], pi[1], pi[2], d[0], d[1], sc[0], sc[1])
	}
	// Output:
	// [-1 0 1 0 0 1.5]
	// t=50 alpha=0.9710 pi=[0.000 1.000 0.000] D=(1.000, 0.000) score=(16.747, -17.251)
	// t=200 alpha=0.6590 pi=[0.057 0.612 0.332] D=(0.555, 0.497) score=(-0.144, -0.282)
	// t=400 alpha=0.1951 pi=[0.225 0.390 0.385] D=(0.165, 0.577) score=(-0.531, -0.305)
}
