package course

import (
	"math"
	"testing"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/sample"
)

// More exercises with exact or cheap answers (see exercises_test.go).

func TestExercisesLesson08More(t *testing.T) {
	// Exercise 5: grad log q_t(y | x) = sqrt(a)/(1 - a) (D*(x | y) - D*(x)).
	m := load("two-classes", 10, pcg(1)).Exact
	x := gauss(30, pcg(61))
	y := make([]int, 30)
	for _, k := range []int{20, 300, 900} {
		a := toy.DDPM().Alpha(k)
		g := analytic.ClassifierGrad(m, nil, x, a, y)
		dy, d := m.Denoise(nil, x, a, y), m.Denoise(nil, x, a, nil)
		for i := range g {
			want := math.Sqrt(a) / (1 - a) * (dy[i] - d[i])
			// A difference of two denoisers of size ~1 scaled by 1/(1 - a).
			if math.Abs(g[i]-want) > 1e-9/(1-a)*(1+math.Abs(dy[i])+math.Abs(d[i])) {
				t.Fatalf("t = %d: classifier gradient %v, from the denoisers %v", k, g[i], want)
			}
		}
	}
}

func TestExercisesLesson09More(t *testing.T) {
	// Exercise 4: sharpening N(0, I) with a = 3: DDPM's variance is about
	// 1/(2a - 1) = 0.2, not the sharpened 1/a = 1/3.
	t.Run("4 sharpen with DDPM", func(t *testing.T) {
		const a, n = 3.0, 2000
		temp, err := sample.NewTempered(isoGaussian(t, 1), a)
		if err != nil {
			t.Fatal(err)
		}
		x, err := sample.DDPM(sample.Full(toy.DDPM()), toy.PosteriorVariance).Sample(nil, gauss(n, pcg(62)), temp, nil, pcg(63))
		if err != nil {
			t.Fatal(err)
		}
		v := norm2(x) * norm2(x) / (2 * n) // norm2 is the Euclidean norm
		th := 1 / (2*a - 1)
		// 3% (the lesson's approximation) plus 3 s.e. of a variance of 2n
		// coordinates, v sqrt(2/(2n)).
		if math.Abs(v-th) > 0.03*th+3*th*math.Sqrt(1.0/n) || !(v < 1/a-0.1) {
			t.Errorf("a = 3: DDPM variance %.4f, want %.4f (and far below 1/a = %.4f)", v, th, 1/a)
		}
		t.Logf("a = 3: DDPM variance %.4f; 1/(2a - 1) = %.4f, 1/a = %.4f", v, th, 1/a)
	})
}

func TestExercisesLesson10More(t *testing.T) {
	// Exercise 3: invert an outlier, (5, 5) on the eight Gaussians (radius
	// 2), with 100 moves. The hint: the ODE is defined everywhere, so x_T
	// exists and lies far in the tail of N(0, I); the one-call inversion
	// does not bring it back, the refined (exact) inversion does.
	t.Run("3 invert an outlier", func(t *testing.T) {
		m := load("eight-gaussians", 10, pcg(1)).Exact
		x0 := []float64{5, 5}
		p, err := sample.Strided(toy.DDPM(), 100)
		if err != nil {
			t.Fatal(err)
		}
		var errs [2]float64
		for i, refine := range []int{0, 3} {
			z, err := (&sample.Inversion{Plan: p, Refine: refine}).Invert(nil, x0, m, nil)
			if err != nil {
				t.Fatal(err)
			}
			back, err := sample.DDIM(p, 0).Sample(nil, z, m, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			errs[i] = math.Hypot(back[0]-x0[0], back[1]-x0[1])
			t.Logf("refine %d: |x_T| = %.1f, round-trip error %.2g", refine, math.Hypot(z[0], z[1]), errs[i])
			if r := math.Hypot(z[0], z[1]); !(r > 10) {
				t.Errorf("refine %d: |x_T| = %v, want far in the tail (> 10)", refine, r)
			}
		}
		if !(errs[0] > 1 && errs[1] < 1e-2) {
			t.Errorf("round-trip errors %v (plain, refined), want above 1 and below 0.01", errs)
		}
	})
}

func TestExercisesLesson09Fields(t *testing.T) {
	// Exercise 3: with exact scores CFG and classifier guidance give the
	// same field.
	m := load("two-classes", 10, pcg(1)).Exact
	x := gauss(40, pcg(70))
	y := make([]int, 40)
	cg, err := sample.NewClassifierGuided(m, sample.ExactClassifier{M: m}, 3)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := sample.NewCFG(m, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []int{50, 500} {
		a := toy.DDPM().Alpha(k)
		u, v := cg.Score(nil, x, a, y), cfg.Score(nil, x, a, y)
		for i := range u {
			if math.Abs(u[i]-v[i]) > 1e-9*(1+math.Abs(u[i])) {
				t.Fatalf("t = %d: classifier-guided %v, CFG %v", k, u[i], v[i])
			}
		}
	}
}

func TestExercisesLesson07More(t *testing.T) {
	// Exercise 3: conditional samples mixed in proportion q(y) = 1/3 are
	// samples of q_0: energy distance to the data within its noise level.
	m := load("three-classes", 10, pcg(1)).Exact
	const per = 200
	p, err := sample.Strided(toy.DDPM(), 200)
	if err != nil {
		t.Fatal(err)
	}
	var mix []float64
	for y := 0; y < 3; y++ {
		x, err := sample.DDPM(p, toy.PosteriorVariance).Sample(nil, gauss(per, pcg(80+uint64(y))), m, labels(per, y), pcg(90+uint64(y)))
		if err != nil {
			t.Fatal(err)
		}
		mix = append(mix, x...)
	}
	stream := uint64(100)
	ec := energyCheck(mix, func(k int) []float64 { stream++; return exactSample(m, k, 1, pcg(stream)) }, 10)
	if r := ec.Energy / ec.Noise; r > 3 {
		t.Errorf("conditional samples mixed by q(y): energy distance %.2f noise levels, want within 3", r)
	}
}
