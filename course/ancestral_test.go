package course

import (
	"math"
	"testing"

	"difftoy/toy"
	"difftoy/toy/sample"
)

// TestLesson04Identities checks the identities among lesson 4's claims
// (lessons/04-ancestral-sampling.md, "Claims checked by the tests"), one
// subtest per claim, named by its number there; claims 7 and 8 have their
// own tests (TestLesson04FewSteps, TestLesson04GaussianVariance).
func TestLesson04Identities(t *testing.T) {
	for _, c := range []struct {
		name  string
		check func(t *testing.T)
	}{
		{"claim1/DDPM_step_is_the_score_step", lesson04StepIsScoreStep},
		{"claim2/variances_add_to_beta", lesson04VariancesAdd},
		{"claim3/last_step_returns_the_guess", lesson04LastStep},
	} {
		t.Run(c.name, c.check)
	}
}

// Claim 1: A_t x + B_t D*_t(x) = (x + beta_t grad log q_t(x)) / sqrt(1 - beta_t).
func lesson04StepIsScoreStep(t *testing.T) {
	s := toy.DDPM()
	m := load("eight-gaussians", 10, pcg(1)).Exact
	x := gauss(20, pcg(2))
	for i := range x {
		x[i] *= 2
	}
	for _, k := range []int{1, 2, 10, 100, 500, 1000} {
		a, b := s.Alpha(k), s.Beta(k)
		A, B, _ := toy.Coefficients(a, s.Alpha(k-1), toy.PosteriorVariance)
		d := m.Denoise(nil, x, a, nil)
		sc := m.Score(nil, x, a, nil)
		for i := range x {
			got := A*x[i] + B*d[i]
			want := (x[i] + b*sc[i]) / math.Sqrt(1-b)
			// Terms of size |x|, |D| and beta |score| (the score grows like
			// 1/(1 - alpha), the factor beta brings it back to order |x|).
			if tol := 1e-12 * (math.Abs(x[i]) + math.Abs(d[i]) + b*math.Abs(sc[i])); math.Abs(got-want) > tol {
				t.Errorf("t=%d: A x + B D* = %v, (x + beta score)/sqrt(1-beta) = %v", k, got, want)
			}
		}
	}
}

// Claim 2: beta~_t + B_t^2 (1 - alpha_t) = beta_t at every step.
func lesson04VariancesAdd(t *testing.T) {
	s := toy.DDPM()
	for k := 1; k <= s.T(); k++ {
		_, B, C := toy.Coefficients(s.Alpha(k), s.Alpha(k-1), toy.PosteriorVariance)
		if e := math.Abs(C*C+B*B*(1-s.Alpha(k))-s.Beta(k)) / s.Beta(k); e > 1e-12 {
			t.Fatalf("t=%d: beta~ + B^2 (1 - alpha) - beta = %v relative", k, e)
		}
	}
}

// Claim 3: A_1 = 0, B_1 = 1, C_1 = 0, so the last move of DDPM returns the
// denoiser's guess D_1(x_1) exactly.
func lesson04LastStep(t *testing.T) {
	s := toy.DDPM()
	m := load("eight-gaussians", 10, pcg(1)).Exact
	A, B, C := toy.Coefficients(s.Alpha(1), 1, toy.PosteriorVariance)
	if A != 0 || B != 1 || C != 0 {
		t.Errorf("A_1, B_1, C_1 = %v, %v, %v, want 0, 1, 0", A, B, C)
	}
	p, err := sample.NewPlan(s, []int{1, 0})
	if err != nil {
		t.Fatal(err)
	}
	x1 := gauss(50, pcg(3))
	got, err := sample.DDPM(p, toy.PosteriorVariance).Sample(nil, x1, m, nil, pcg(4))
	if err != nil {
		t.Fatal(err)
	}
	want := m.Denoise(nil, x1, s.Alpha(1), nil)
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("last DDPM move [%d] = %v, D_1(x_1) = %v", i, got[i], want[i])
		}
	}
}

func TestLesson04FewSteps(t *testing.T) {
	m := load("eight-gaussians", 10, pcg(1)).Exact
	src := pcg(5)
	fresh := func(n int) []float64 { return exactSample(m, n, 1, src) }
	for _, c := range []struct {
		steps int
		off   bool
	}{{5, true}, {1000, false}} {
		p, err := sample.Strided(toy.DDPM(), c.steps)
		if err != nil {
			t.Fatal(err)
		}
		x, _, err := DDPMSample(m, p, toy.PosteriorVariance, 1000, Config{Seed: 1, Quick: true}, 7)
		if err != nil {
			t.Fatal(err)
		}
		ec := energyCheck(x, fresh, 10)
		r := ec.Energy / ec.Noise
		t.Logf("%d steps: energy distance %.4f = %.1f times its noise level", c.steps, ec.Energy, r)
		if c.off && !(r > 3) || !c.off && !(r < 3) {
			t.Errorf("%d steps: energy distance %.4f = %.1f times its noise level", c.steps, ec.Energy, r)
		}
	}
}

// gaussianVarianceRecursion returns the per-coordinate variance after each
// DDPM move for data N(0, I) when the denoiser is the field a grad log q_t
// = -a x turned into a denoiser by Tweedie (a = 1: the exact D*): each move
// multiplies x by A_t + B_t (1 - a (1 - alpha_t)) / sqrt(alpha_t) and adds
// variance C_t^2.
func gaussianVarianceRecursion(s *toy.Schedule, v toy.Variance, a float64) []float64 {
	vs := []float64{1}
	vt := 1.0
	for k := s.T(); k >= 1; k-- {
		al := s.Alpha(k)
		A, B, C := toy.Coefficients(al, s.Alpha(k-1), v)
		if k == 1 {
			C = 0 // the sampler adds no noise on its last move
		}
		f := A + B*(1-a*(1-al))/math.Sqrt(al)
		vt = f*f*vt + C*C
		vs = append(vs, vt)
	}
	return vs
}

func TestLesson04GaussianVariance(t *testing.T) {
	s := toy.DDPM()
	vb := gaussianVarianceRecursion(s, toy.BetaVariance, 1)
	for i, v := range vb[:len(vb)-1] {
		// One rounding per move, a thousand moves.
		if math.Abs(v-1) > 1e-12 {
			t.Fatalf("C^2 = beta: variance after %d moves %v, want 1", i, v)
		}
	}
	if e := math.Abs(vb[len(vb)-1] - (1 - s.Beta(1))); e > 1e-12 {
		t.Errorf("C^2 = beta: final variance off 1 - beta_1 by %v", e)
	}
	vp := gaussianVarianceRecursion(s, toy.PosteriorVariance, 1)
	final := vp[len(vp)-1]
	t.Logf("C^2 = beta~: final variance %.5f by the recursion", final)
	if math.Abs(final-0.991) > 0.001 {
		t.Errorf("C^2 = beta~: final variance %v, want 0.991 +- 0.001", final)
	}
	// Simulated chains with the exact D* of N(0, I).
	const n = 20000
	x, err := sample.DDPM(sample.Full(s), toy.PosteriorVariance).Sample(nil, gauss(n, pcg(6)), isoGaussian(t, 1), nil, pcg(7))
	if err != nil {
		t.Fatal(err)
	}
	if v, se := variance(x); math.Abs(v-final) > 3*se {
		t.Errorf("simulated final variance %v, recursion %v (SE %v)", v, final, se)
	}
}

// Lesson 4, section 3: the true reverse variance beta~_t + B_t^2
// Cov[x_0 | x_t] exceeds beta_t when the data are wider than N(0, I). For
// data N(0, s^2 I) the ideal denoiser is linear, D*(x) = k x with k =
// sqrt(a) s^2 / (a s^2 + 1 - a), and by the second Tweedie identity
// Cov[x_0 | x_t] = (1 - a) / sqrt(a) dD*/dx = (1 - a) k / sqrt(a) I. The
// test reads k off the exact denoiser (D*(e_1) - D*(0), exact for a linear
// map up to rounding), checks it against the closed form
// s^2 (1 - a) / (a s^2 + 1 - a), and compares the variance with beta_t at
// every step: above for s^2 = 4, equal for s^2 = 1, below for s^2 = 1/4.
func TestLesson04TrueVariance(t *testing.T) {
	s := toy.DDPM()
	for _, tc := range []struct {
		s2   float64
		sign int
	}{{4, 1}, {1, 0}, {0.25, -1}} {
		m := isoGaussian(t, tc.s2)
		for k := 2; k <= s.T(); k++ {
			a := s.Alpha(k)
			d := m.Denoise(nil, []float64{0, 0, 1, 0}, a, nil)
			cov := (1 - a) * (d[2] - d[0]) / math.Sqrt(a)
			want := tc.s2 * (1 - a) / (a*tc.s2 + 1 - a)
			// Rounding of a denoiser value of size <= 1/sqrt(a), scaled by
			// (1 - a)/sqrt(a): relative 1e-12 of 1/a.
			if math.Abs(cov-want) > 1e-12/a {
				t.Fatalf("s^2 = %v, t = %d: Cov[x_0 | x_t] = %v, want %v", tc.s2, k, cov, want)
			}
			_, B, C := toy.Coefficients(a, s.Alpha(k-1), toy.PosteriorVariance)
			v, b := C*C+B*B*cov, s.Beta(k)
			rel := (v - b) / b
			switch {
			case tc.sign > 0 && !(rel > 1e-9), tc.sign < 0 && !(rel < -1e-9), tc.sign == 0 && math.Abs(rel) > 1e-9:
				t.Fatalf("s^2 = %v, t = %d: true variance %v against beta_t %v (relative %v)", tc.s2, k, v, b, rel)
			}
		}
	}
}
