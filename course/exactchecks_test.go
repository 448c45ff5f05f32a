package course

import (
	"math"
	"testing"

	"difftoy/toy"
	"difftoy/toy/metrics"
	"difftoy/toy/sample"
)

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

// Lessons 5 and 10: with the exact denoiser of the eight Gaussians and 5
// moves of the linear schedule, DDIM (eta = 0) beats DDPM with C^2 = beta~
// but not DDPM with C^2 = beta. The three samplers start from the same x_T
// and are judged against one reference sample of q_0 (common random
// numbers); over independent repetitions the mean difference of energy
// distances must exceed three standard errors of that mean (estimated from
// the repetitions' spread).
func TestLesson05FewStepSamplers(t *testing.T) {
	m := load("eight-gaussians", 10, pcg(1)).Exact
	const n, reps = 2000, 6 // 0.2 s; smaller sets leave the DDIM-DDPM(beta) gap within 3 s.e.
	p, err := sample.Strided(toy.DDPM(), 5)
	if err != nil {
		t.Fatal(err)
	}
	var tilde, beta []float64 // ED(DDPM beta~) - ED(DDIM), ED(DDIM) - ED(DDPM beta)
	for r := uint64(1); r <= uint64(reps); r++ {
		ref := m.Sample(make([]float64, 2*n), nil, 1, pcg(100+r))
		xT := gauss(n, pcg(200+r))
		ed := func(s *sample.Sampler, seed uint64) float64 {
			x, err := s.Sample(nil, xT, m, nil, pcg(seed))
			if err != nil {
				t.Fatal(err)
			}
			return metrics.Energy(x, ref, 2)
		}
		ddim := ed(sample.DDIM(p, 0), 0)
		pt := ed(sample.DDPM(p, toy.PosteriorVariance), 300+r)
		pb := ed(sample.DDPM(p, toy.BetaVariance), 300+r)
		t.Logf("5 moves: energy distance DDIM %.4f, DDPM beta~ %.4f, DDPM beta %.4f", ddim, pt, pb)
		tilde, beta = append(tilde, pt-ddim), append(beta, ddim-pb)
	}
	for _, c := range []struct {
		name string
		d    []float64
	}{{"ED(DDPM beta~) - ED(DDIM)", tilde}, {"ED(DDIM) - ED(DDPM beta)", beta}} {
		mean, se := meanSE(c.d)
		if !(mean > 3*se) {
			t.Errorf("%s = %.4f +- %.4f, want > 3 s.e.", c.name, mean, se)
		}
	}
}

// Lesson 2, "What to look for": for point data the cell borders are
// straight at every t. log(pi_i / pi_j) is affine in x with gradient
// sqrt(a) (x_i - x_j) / (1 - a); the test checks that gradient by a central
// difference (exact for an affine function up to rounding) at points on a
// ring, and that the ratio vanishes on the bisector of the shrunk points
// when the weights are equal.
func TestLesson02StraightBorders(t *testing.T) {
	ds := load("three-points", 3, pcg(1))
	m, pts := ds.Exact, ds.Points
	s := toy.DDPM()
	logRatio := func(x []float64, a float64) float64 {
		w := m.Posterior(nil, x, a)
		return math.Log(w[0]) - math.Log(w[1])
	}
	for _, k := range []int{100, 300, 600, 1000} {
		a := s.Alpha(k)
		gx := math.Sqrt(a) * (pts[0] - pts[2]) / (1 - a)
		gy := math.Sqrt(a) * (pts[1] - pts[3]) / (1 - a)
		for p := 0; p < 12; p++ {
			th := 2 * math.Pi * float64(p) / 12
			x := []float64{0.7 * math.Cos(th), 0.7 * math.Sin(th)}
			const h = 0.1
			dx := (logRatio([]float64{x[0] + h, x[1]}, a) - logRatio([]float64{x[0] - h, x[1]}, a)) / (2 * h)
			dy := (logRatio([]float64{x[0], x[1] + h}, a) - logRatio([]float64{x[0], x[1] - h}, a)) / (2 * h)
			// An affine function: the central difference is exact; rounding of
			// log-ratios of size <= |g| (1 + |x|) over 2h.
			tol := 1e-12 * (math.Abs(gx) + math.Abs(gy) + 1) / h
			if math.Abs(dx-gx) > tol || math.Abs(dy-gy) > tol {
				t.Fatalf("t=%d x=%v: gradient of log(pi_0/pi_1) = (%v, %v), want (%v, %v)", k, x, dx, dy, gx, gy)
			}
		}
		// The midpoint of the shrunk points 0 and 1 lies on their border.
		mid := []float64{math.Sqrt(a) * (pts[0] + pts[2]) / 2, math.Sqrt(a) * (pts[1] + pts[3]) / 2}
		if r := logRatio(mid, a); math.Abs(r) > 1e-12 {
			t.Errorf("t=%d: log(pi_0/pi_1) at the shrunk midpoint = %v, want 0", k, r)
		}
	}
}
