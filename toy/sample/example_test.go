package sample_test

import (
	"fmt"
	"math/rand/v2"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/datasets"
	"difftoy/toy/metrics"
	"difftoy/toy/sample"
)

// normals returns n points of N(0, I_2): the start x_T of a sampler.
func normals(n int, src rand.Source) []float64 { return toy.StandardNormal(nil, n, 2, src) }

// DDPM with the ideal denoiser of lesson 2's three points returns only
// those points: the exact denoiser memorises.
func ExampleDDPM() {
	ds, _ := datasets.Load("three-points", 3, rand.NewPCG(1, 1))
	p, _ := sample.Strided(toy.DDPM(), 100) // 100 moves, coefficients recomputed
	xT := normals(300, rand.NewPCG(2, 2))
	x, err := sample.DDPM(p, toy.PosteriorVariance).Sample(nil, xT, ds.Exact, nil, rand.NewPCG(3, 3))
	if err != nil {
		panic(err)
	}
	fmt.Printf("share within 0.01 of a training point: %.2f\n", metrics.WithinRadius(x, ds.Points, 2, 0.01))
	// Output:
	// share within 0.01 of a training point: 1.00
}

// The Heun PF-ODE solver with the exact denoiser reaches the mean
// log-likelihood of true samples, minus the entropy of eight well-separated
// Gaussians of std 0.15: log(2 pi e 0.15^2) - log 8 = -1.12 (standard error
// 0.02 over 2000 points). With 100 steps uniform in t the last move jumps
// from sigma = 0.03 straight to 0 and returns E[x_0 | x_t], whose spread is
// s^2 / (s^2 + sigma^2) = 96% of the data's: samples come out too sharp and
// score too high, a bias the energy distance hardly sees. The quadratic
// spacing of the same 100 moves and the Karras plan (sigma-spaced, rho = 7)
// both end with t = 3, 2, 1, 0 and have no such bias.
func ExampleODE() {
	ds, _ := datasets.Load("eight-gaussians", 100, rand.NewPCG(1, 1))
	xT := normals(2000, rand.NewPCG(4, 4))
	uniform, _ := sample.Strided(toy.DDPM(), 100)
	quadratic, _ := sample.Spaced(toy.DDPM(), 100, 2)
	karras, _ := sample.Karras(toy.DDPM(), 100, 7)
	for _, p := range []struct {
		name string
		plan *sample.Plan
	}{{"uniform in t", uniform}, {"quadratic in t", quadratic}, {"Karras rho = 7", karras}} {
		x, err := (&sample.ODE{Plan: p.plan, Heun: true}).Sample(nil, xT, ds.Exact, nil)
		if err != nil {
			panic(err)
		}
		ll, _ := metrics.MeanLogLik(ds.Exact, x)
		fmt.Printf("Heun, 100 moves, %-14s: mean log q_0 = %.2f\n", p.name, ll)
	}
	truth := ds.Exact.Sample(make([]float64, 4000), nil, 1, rand.NewPCG(5, 5))
	lt, _ := metrics.MeanLogLik(ds.Exact, truth)
	fmt.Printf("true samples:                     mean log q_0 = %.2f\n", lt)
	// Output:
	// Heun, 100 moves, uniform in t  : mean log q_0 = -1.04
	// Heun, 100 moves, quadratic in t: mean log q_0 = -1.10
	// Heun, 100 moves, Karras rho = 7: mean log q_0 = -1.10
	// true samples:                     mean log q_0 = -1.14
}

// A Trajectory keeps all particles at every 25th state, for a chart.
func ExampleTrajectory() {
	ds, _ := datasets.Load("eight-gaussians", 100, rand.NewPCG(1, 1))
	p, _ := sample.Strided(toy.DDPM(), 100)
	tr := &sample.Trajectory{Every: 25}
	s := sample.DDIM(p, 0)
	s.Record = tr
	if _, err := s.Sample(nil, normals(500, rand.NewPCG(6, 6)), ds.Exact, nil, nil); err != nil {
		panic(err)
	}
	for _, f := range tr.Frames {
		fmt.Printf("state %3d: t = %4d, alpha = %.4f, %d particles\n", f.K, f.T, f.Alpha, len(f.X)/2)
	}
	// Output:
	// state   0: t = 1000, alpha = 0.0000, 500 particles
	// state  25: t =  750, alpha = 0.0034, 500 particles
	// state  50: t =  500, alpha = 0.0786, 500 particles
	// state  75: t =  250, alpha = 0.5241, 500 particles
	// state 100: t =    0, alpha = 1.0000, 500 particles
}

// Classifier-free guidance with the exact conditional denoiser: the exact
// class posterior of the samples rises with the scale gamma.
func ExampleNewCFG() {
	ds, _ := datasets.Load("two-classes", 100, rand.NewPCG(1, 1))
	p, _ := sample.Strided(toy.DDPM(), 200)
	const n = 2000
	y := make([]int, n) // all class 0
	for _, gamma := range []float64{0, 1, 4} {
		g, err := sample.NewCFG(ds.Exact, gamma)
		if err != nil {
			panic(err)
		}
		x, _ := sample.DDPM(p, toy.PosteriorVariance).Sample(nil, normals(n, rand.NewPCG(7, 7)), g, y, rand.NewPCG(8, 8))
		fmt.Printf("gamma %v: mean q(y | x) = %.3f\n", gamma, metrics.MeanClassPosterior(ds.Exact, x, y))
	}
	// Output:
	// gamma 0: mean q(y | x) = 0.976
	// gamma 1: mean q(y | x) = 0.998
	// gamma 4: mean q(y | x) = 1.000
}

// Classifier-free guidance with scale gamma pushes the conditional score
// away from the unconditional one: s(x|y) + gamma (s(x|y) - s(x)). For two
// points at -1 and +1 (classes 0 and 1), the class-1 score at x = 0 with
// alpha = 0.5 is (sqrt(0.5) - 0) / 0.5 = 1.4142 and the unconditional score is 0.
func ExampleCFG_Score() {
	m, err := analytic.NewDelta(1, []float64{-1, 1}, nil, []int{0, 1})
	if err != nil {
		panic(err)
	}
	x, y := []float64{0}, []int{1}
	for _, gamma := range []float64{0, 1, 3} {
		g, err := sample.NewCFG(m, gamma)
		if err != nil {
			panic(err)
		}
		fmt.Printf("gamma=%v: %.4f\n", gamma, g.Score(nil, x, 0.5, y)[0])
	}
	// Output:
	// gamma=0: 1.4142
	// gamma=1: 2.8284
	// gamma=3: 5.6569
}

// Plain Langevin keeps the particles in the mode they start near; annealed
// Langevin finds the weights of two far-apart modes (0.2 left, 0.8 right).
func ExampleAnnealed() {
	m, _ := analytic.NewGaussian(2, []float64{0.2, 0.8}, []float64{-4, 0, 4, 0},
		[][]float64{{0.25, 0, 0, 0.25}, {0.25, 0, 0, 0.25}}, nil)
	p, _ := sample.Strided(toy.DDPM(), 100)
	xT := normals(2000, rand.NewPCG(9, 9))
	plain, _ := (&sample.Langevin{Size: 0.1, Iters: 500}).Sample(nil, xT, m, nil, rand.NewPCG(10, 10))
	ann, _ := (&sample.Annealed{Plan: p, Iters: 5, Ratio: 0.1}).Sample(nil, xT, m, nil, rand.NewPCG(11, 11))
	left := func(x []float64) float64 {
		k := 0
		for i := 0; i < len(x); i += 2 {
			if x[i] < 0 {
				k++
			}
		}
		return float64(k) / float64(len(x)/2)
	}
	fmt.Printf("share in the left mode: plain %.1f, annealed %.1f\n", left(plain), left(ann))
	// Output:
	// share in the left mode: plain 0.5, annealed 0.2
}
