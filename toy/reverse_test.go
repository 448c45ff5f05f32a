package toy_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"difftoy/toy"
)

// logNormal is log N(x | m, v) in one dimension.
func logNormal(x, m, v float64) float64 {
	d := x - m
	return -0.5*math.Log(2*math.Pi*v) - d*d/(2*v)
}

// levelPairs returns (alpha_t, alpha_s) pairs to test: single steps of
// DDPM and cosine (early, middle, late, including s = 0) and strided jumps.
func levelPairs(t *testing.T) [][2]float64 {
	var out [][2]float64
	for _, s := range []*toy.Schedule{toy.DDPM(), mustCosine(t, 1000)} {
		for _, k := range []int{1, 2, 10, 500, 999, 1000} {
			out = append(out, [2]float64{s.Alpha(k), s.Alpha(k - 1)})
		}
		for _, p := range [][2]int{{20, 0}, {100, 50}, {1000, 900}, {700, 1}} {
			out = append(out, [2]float64{s.Alpha(p[0]), s.Alpha(p[1])})
		}
	}
	return out
}

// Bayes' rule gives the identity, for every x_s,
//
//	log q(x_t | x_s) + log q(x_s | x_0) - log q(x_s | x_t, x_0) = log q(x_t | x_0),
//
// with q(x_t | x_s) = N(sqrt(alpha_t/alpha_s) x_s, 1 - alpha_t/alpha_s) and
// q(x_s | x_0) = N(sqrt(alpha_s) x_0, 1 - alpha_s) straight from the forward
// process. So N(A x_t + B x_0, C^2) is the posterior exactly when the left
// side, with it in the third term, is constant in x_s and equal to the
// right side. The terms are O(10) here (x_s within 3 posterior standard
// deviations of the mean, x_t typical), so rounding stays below 1e-10.
func TestCoefficientsArePosterior(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for _, p := range levelPairs(t) {
		aT, aS := p[0], p[1]
		if aS == 1 {
			continue // posterior is a point mass; see TestCoefficientsLastStep
		}
		A, B, C := toy.Coefficients(aT, aS, toy.PosteriorVariance)
		for range 5 {
			x0 := 2 * rng.NormFloat64()
			xt := math.Sqrt(aT)*x0 + math.Sqrt(1-aT)*rng.NormFloat64()
			want := logNormal(xt, math.Sqrt(aT)*x0, 1-aT)
			mean := A*xt + B*x0
			for _, z := range []float64{-3, -1, 0, 0.5, 2.5} {
				xs := mean + z*C
				got := logNormal(xt, math.Sqrt(aT/aS)*xs, 1-aT/aS) +
					logNormal(xs, math.Sqrt(aS)*x0, 1-aS) -
					logNormal(xs, mean, C*C)
				if math.Abs(got-want) > 1e-10*math.Max(1, math.Abs(want)) {
					t.Errorf("alpha_t=%v alpha_s=%v x0=%v xt=%v xs=%v: Bayes residual %v, want %v",
						aT, aS, x0, xt, xs, got, want)
				}
			}
		}
	}
}

// A Monte Carlo check of the same fact, independent of any density code:
// run the forward process x_0 -> x_s -> x_t from a fixed x_0 and regress
// x_s on x_t. The least-squares slope, intercept and residual variance
// estimate A, B x_0 and C^2. With n draws the standard errors are about
// C / (sd(x_t) sqrt(n)) for the slope, C / sqrt(n) for the intercept and
// C^2 sqrt(2/n) for the variance; 5 of them bound the check.
func TestCoefficientsMonteCarlo(t *testing.T) {
	const n = 200000
	rng := rand.New(rand.NewPCG(3, 3))
	s := toy.DDPM()
	for _, p := range [][2]int{{100, 99}, {600, 400}, {1000, 1}} {
		aT, aS := s.Alpha(p[0]), s.Alpha(p[1])
		A, B, C := toy.Coefficients(aT, aS, toy.PosteriorVariance)
		x0 := 1.3
		var sx, sy, sxx, sxy float64
		xs, xt := make([]float64, n), make([]float64, n)
		for i := range n {
			xs[i] = math.Sqrt(aS)*x0 + math.Sqrt(1-aS)*rng.NormFloat64()
			xt[i] = math.Sqrt(aT/aS)*xs[i] + math.Sqrt(1-aT/aS)*rng.NormFloat64()
			sx += xt[i]
			sy += xs[i]
		}
		mx, my := sx/n, sy/n
		for i := range n {
			sxx += (xt[i] - mx) * (xt[i] - mx)
			sxy += (xt[i] - mx) * (xs[i] - my)
		}
		slope := sxy / sxx
		icept := my - slope*mx
		var res float64
		for i := range n {
			r := xs[i] - icept - slope*xt[i]
			res += r * r
		}
		res /= n - 2
		sdx := math.Sqrt(sxx / n)
		if se := C / (sdx * math.Sqrt(n)); math.Abs(slope-A) > 5*se {
			t.Errorf("steps %v: slope %v, want A = %v (se %v)", p, slope, A, se)
		}
		// The intercept error grows with |mean x_t| / sd(x_t).
		if se := C * math.Sqrt(1/float64(n)+mx*mx/(n*sdx*sdx)); math.Abs(icept-B*x0) > 5*se {
			t.Errorf("steps %v: intercept %v, want B x0 = %v (se %v)", p, icept, B*x0, se)
		}
		if se := C * C * math.Sqrt(2.0/n); math.Abs(res-C*C) > 5*se {
			t.Errorf("steps %v: residual variance %v, want C^2 = %v (se %v)", p, res, C*C, se)
		}
	}
}

// For s = t-1 the coefficients are the A_t, B_t, C_t of
// lessons/03-training.md section 3, written here with the schedule's beta_t.
func TestCoefficientsSingleStep(t *testing.T) {
	for _, s := range []*toy.Schedule{toy.DDPM(), mustCosine(t, 1000)} {
		for k := 1; k <= s.T(); k++ {
			b, at, as := s.Beta(k), s.Alpha(k), s.Alpha(k-1)
			A, B, C := toy.Coefficients(at, as, toy.PosteriorVariance)
			wantA := math.Sqrt(1-b) * (1 - as) / (1 - at)
			wantB := math.Sqrt(as) * b / (1 - at)
			wantC := math.Sqrt(b * (1 - as) / (1 - at))
			// beta_t is recovered from the alphas as 1 - alpha_t/alpha_{t-1};
			// with beta_t >= 4e-5 its relative error is ~ 1e-16 / 4e-5 < 1e-11.
			if !relClose(A, wantA, 1e-10) || !relClose(B, wantB, 1e-10) || !relClose(C, wantC, 1e-10) {
				t.Errorf("%s t=%d: A,B,C = %v,%v,%v, want %v,%v,%v", s.Name, k, A, B, C, wantA, wantB, wantC)
			}
			_, _, Cb := toy.Coefficients(at, as, toy.BetaVariance)
			if !relClose(Cb*Cb, b, 1e-10) {
				t.Errorf("%s t=%d: C^2 with BetaVariance = %v, want beta = %v", s.Name, k, Cb*Cb, b)
			}
		}
	}
}

func TestCoefficientsLastStep(t *testing.T) {
	s := toy.DDPM()
	A, B, C := toy.Coefficients(s.Alpha(1), 1, toy.PosteriorVariance)
	if A != 0 || B != 1 || C != 0 {
		t.Errorf("last step: A,B,C = %v,%v,%v, want 0,1,0", A, B, C)
	}
	if w := toy.ELBOWeight(s.Alpha(1), 1, toy.PosteriorVariance); !math.IsInf(w, 1) {
		t.Errorf("last-step ELBO weight = %v, want +Inf", w)
	}
	if _, _, C := toy.Coefficients(s.Alpha(1), 1, toy.BetaVariance); !relClose(C*C, s.Beta(1), 1e-12) {
		t.Errorf("last step, beta variance: C^2 = %v, want %v", C*C, s.Beta(1))
	}
}

// The ELBO weight is defined by what it does: for q = N(mu, v_q) and p =
// N(mu + B delta, C^2), the KL (in one dimension)
//
//	KL(q || p) = log(C / sqrt(v_q)) + (v_q + B^2 delta^2) / (2 C^2) - 1/2
//
// grows by w delta^2 when the denoiser errs by delta. This is checked for
// both variances, together with the closed form w = (SNR_s - SNR_t)/2 of
// the posterior variance.
func TestELBOWeight(t *testing.T) {
	kl := func(vq, mdiff, vp float64) float64 {
		return 0.5*math.Log(vp/vq) + (vq+mdiff*mdiff)/(2*vp) - 0.5
	}
	for _, p := range levelPairs(t) {
		aT, aS := p[0], p[1]
		if aS == 1 {
			continue
		}
		_, _, Cq := toy.Coefficients(aT, aS, toy.PosteriorVariance)
		for _, v := range []toy.Variance{toy.PosteriorVariance, toy.BetaVariance} {
			_, B, C := toy.Coefficients(aT, aS, v)
			w := toy.ELBOWeight(aT, aS, v)
			for _, delta := range []float64{0.1, 1, 3} {
				got := kl(Cq*Cq, B*delta, C*C) - kl(Cq*Cq, 0, C*C)
				if !relClose(got, w*delta*delta, 1e-9) {
					t.Errorf("%v alpha_t=%v alpha_s=%v: KL increase %v, want w delta^2 = %v", v, aT, aS, got, w*delta*delta)
				}
			}
		}
		snr := func(a float64) float64 { return a / (1 - a) }
		want := (snr(aS) - snr(aT)) / 2
		// SNR_s - SNR_t cancels when the levels are close; the relative
		// error of the difference is ~1e-16 SNR_s / (SNR_s - SNR_t) < 1e-9.
		if w := toy.ELBOWeight(aT, aS, toy.PosteriorVariance); !relClose(w/want, 1, 1e-9) {
			t.Errorf("alpha_t=%v alpha_s=%v: w = %v, want (SNR_s - SNR_t)/2 = %v", aT, aS, w, want)
		}
	}
}

func TestCoefficientsPanics(t *testing.T) {
	for _, c := range [][2]float64{{0.5, 0.5}, {0.6, 0.5}, {0, 0.5}, {0.5, 1.1}, {math.NaN(), 0.5}, {0.5, math.NaN()}} {
		mustPanic(t, "toy.Coefficients", func() { toy.Coefficients(c[0], c[1], toy.PosteriorVariance) })
	}
	mustPanic(t, "unknown variance", func() { toy.Coefficients(0.3, 0.5, toy.Variance(7)) })
	if toy.PosteriorVariance.String() != "posterior" || toy.BetaVariance.String() != "beta" {
		t.Errorf("Variance names: %v, %v", toy.PosteriorVariance, toy.BetaVariance)
	}
}
