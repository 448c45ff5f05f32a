package sample_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/metrics"
	"difftoy/toy/sample"
)

func TestSettingErrors(t *testing.T) {
	m := load(t, "eight-gaussians")
	p := plan(t, toy.DDPM(), 10)
	xT := gaussians(4, 2, 1)
	src := rand.NewPCG(1, 1)
	run := func(s *sample.Sampler) error { _, err := s.Sample(nil, xT, m, nil, src); return err }
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"no plan", run(&sample.Sampler{}), "without a plan"},
		{"eta < 0", run(sample.DDIM(p, -0.1)), "eta = -0.1 is not in [0, 1]"},
		{"eta > 1", run(sample.DDIM(p, 1.5)), "eta = 1.5"},
		{"eta NaN", run(sample.DDIM(p, math.NaN())), "eta = NaN"},
		{"variance", run(&sample.Sampler{Plan: p, Variance: 7}), "unknown variance 7"},
		{"churn without drift", run(&sample.Sampler{Plan: p, Eta: 2}), "eta = 2 is not in [0, 1]"},
		{"churn infinite", run(&sample.Sampler{Plan: p, Eta: math.Inf(1), Form: sample.DriftForm}), "eta = +Inf"},
		{"ancestral eta", run(&sample.Sampler{Plan: p, Eta: 0.5, Form: sample.AncestralForm}), "eta = 0.5 in the ancestral form"},
		{"form", run(&sample.Sampler{Plan: p, Form: 7}), "unknown form 7"},
		{"variances length", run(&sample.Sampler{Plan: p, Eta: 1, Form: sample.AncestralForm, Variances: make([]float64, 3)}), "3 variances for a plan of 10 moves"},
		{"variances negative", run(&sample.Sampler{Plan: p, Eta: 1, Form: sample.AncestralForm, Variances: []float64{0, 0, -1, 0, 0, 0, 0, 0, 0, 0}}), "variance -1 of move 3"},
		{"beta variance DDIM mean", run(&sample.Sampler{Plan: p, Eta: 1, Variance: toy.BetaVariance}), "exceeds 1 - alpha"},
		{"corrector iterations", run(&sample.Sampler{Plan: p, Corrector: sample.Corrector{Iters: -1}}), "negative"},
		{"corrector ratio", run(&sample.Sampler{Plan: p, Corrector: sample.Corrector{Iters: 1, Ratio: math.NaN()}}), "ratio NaN"},
		{"no source", func() error { _, err := sample.DDIM(p, 0.5).Sample(nil, xT, m, nil, nil); return err }(), "random source"},
		{"NaN start", func() error {
			_, err := sample.DDIM(p, 0).Sample(nil, []float64{0, math.NaN()}, m, nil, nil)
			return err
		}(), "x[1] = NaN"},
		{"ODE no plan", func() error { _, err := (&sample.ODE{}).Sample(nil, xT, m, nil); return err }(), "without a plan"},
		{"inversion refine", func() error {
			_, err := (&sample.Inversion{Plan: p, Refine: -1}).Invert(nil, xT, m, nil)
			return err
		}(), "refine = -1"},
		{"Langevin size", func() error { _, err := (&sample.Langevin{Size: 0, Iters: 1}).Sample(nil, xT, m, nil, src); return err }(), "step size 0"},
		{"Langevin iterations", func() error {
			_, err := (&sample.Langevin{Size: 1, Iters: -2}).Sample(nil, xT, m, nil, src)
			return err
		}(), "iterations -2"},
		{"Langevin no iterations", func() error {
			_, err := (&sample.Langevin{Size: 1}).Sample(nil, xT, m, nil, src)
			return err
		}(), "iterations 0, want at least 1"},
		{"annealed no iterations", func() error {
			_, err := (&sample.Annealed{Plan: p, Ratio: 0.1}).Sample(nil, xT, m, nil, src)
			return err
		}(), "iterations per level 0"},
		{"annealed no plan", func() error {
			_, err := (&sample.Annealed{Iters: 1, Ratio: 0.1}).Sample(nil, xT, m, nil, src)
			return err
		}(), "without a plan"},
		{"Langevin no source", func() error { _, err := (&sample.Langevin{Size: 1, Iters: 1}).Sample(nil, xT, m, nil, nil); return err }(), "random source"},
		{"inversion no plan", func() error { _, err := (&sample.Inversion{}).Invert(nil, xT, m, nil); return err }(), "without a plan"},
		{"ODE map no plan", func() error { _, err := (&sample.ODE{}).Map(m); return err }(), "without a plan"},
		{"NaN start ODE", func() error {
			_, err := (&sample.ODE{Plan: p}).Sample(nil, []float64{math.Inf(1), 0}, m, nil)
			return err
		}(), "x[0] = +Inf"},
		{"classifier dimension", func() error {
			m3, err := analytic.NewDelta(3, []float64{0, 0, 0, 1, 1, 1}, nil, []int{0, 1})
			if err != nil {
				return err
			}
			_, err = sample.NewClassifierGuided(m, sample.ExactClassifier{M: m3}, 1)
			return err
		}(), "dimension 2 with a classifier of dimension 3"},
		{"annealed ratio", func() error {
			_, err := (&sample.Annealed{Plan: p, Iters: 1, Ratio: -1}).Sample(nil, xT, m, nil, src)
			return err
		}(), "ratio -1"},
		{"map of a stochastic sampler", func() error { _, err := sample.DDPM(p, toy.PosteriorVariance).Map(m); return err }(), "deterministic"},
		{"gamma -Inf", func() error { _, err := sample.NewCFG(m, math.Inf(-1)); return err }(), "gamma = -Inf"},
		{"gamma NaN", func() error {
			_, err := sample.NewClassifierGuided(m, sample.ExactClassifier{M: m}, math.NaN())
			return err
		}(), "gamma = NaN"},
		{"gamma Inf", func() error { _, err := sample.NewCFG(m, math.Inf(1)); return err }(), "gamma = +Inf"},
		{"tempered a", func() error { _, err := sample.NewTempered(m, -0.5); return err }(), "a = -0.5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
				t.Errorf("error = %v, want one containing %q", tc.err, tc.want)
			}
		})
	}
	if err := run(sample.DDIM(p, 0.5)); err != nil {
		t.Errorf("valid DDIM(0.5): %v", err)
	}
	_, err := sample.DDIM(p, 0.5).Sample(nil, xT, m, nil, nil)
	if !errors.Is(err, sample.ErrNoSource) {
		t.Errorf("no source: error %v, want ErrNoSource", err)
	}
}

func TestWrongLengthsPanic(t *testing.T) {
	m := load(t, "eight-gaussians")
	p := plan(t, toy.DDPM(), 10)
	for name, f := range map[string]func(){
		"odd x":      func() { sample.DDIM(p, 0).Sample(nil, []float64{1, 2, 3}, m, nil, nil) },
		"dst length": func() { sample.DDIM(p, 0).Sample(make([]float64, 2), []float64{1, 2, 3, 4}, m, nil, nil) },
		"labels":     func() { sample.DDIM(p, 0).Sample(nil, []float64{1, 2, 3, 4}, m, []int{0}, nil) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(r.(string), "sample.Sampler.Sample") {
					t.Errorf("panic %v, want one naming sample.Sampler.Sample", r)
				}
			}()
			f()
		})
	}
}

// onePointMove returns a single data point x0, its exact law (whose
// denoiser is x0 everywhere) and the one-move strided plan t = 800 -> 300
// of the DDPM schedule.
func onePointMove(t *testing.T) ([]float64, analytic.Mixture, *sample.Plan) {
	x0 := []float64{1, -2}
	m, err := analytic.NewDelta(2, x0, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := sample.NewPlan(toy.DDPM(), []int{800, 300})
	if err != nil {
		t.Fatal(err)
	}
	return x0, m, p
}

// With a single data point x0 the exact denoiser is x0 everywhere, and a
// move of the DDIM family from q_t = N(sqrt(a_t) x0, (1 - a_t) I) must land
// on q_s = N(sqrt(a_s) x0, (1 - a_s) I) for every eta, also on a strided
// move (t = 800 -> 300). The tolerances are 4 standard errors of the sample
// mean, sqrt((1 - a_s) / n), and of the sample variance, (1 - a_s)
// sqrt(2 / n).
func TestMoveKeepsMarginals(t *testing.T) {
	x0, m, p := onePointMove(t)
	at, as := p.Alpha(0), p.Alpha(1)
	const n = 20000
	eps := gaussians(n, 2, 5)
	xt := make([]float64, 2*n)
	for i := range xt {
		xt[i] = math.Sqrt(at)*x0[i%2] + math.Sqrt(1-at)*eps[i]
	}
	for _, smp := range []*sample.Sampler{sample.DDIM(p, 0), sample.DDIM(p, 0.5), sample.DDIM(p, 1), sample.DDPM(p, toy.PosteriorVariance)} {
		x := ok(smp.Sample(nil, xt, m, nil, rand.NewPCG(6, 6)))
		for k := range 2 {
			mean, v := coordMoments(x, 2, k)
			if want := math.Sqrt(as) * x0[k]; math.Abs(mean-want) > 4*math.Sqrt((1-as)/n) {
				t.Errorf("eta %v %v form: mean[%d] = %v, want %v", smp.Eta, smp.Form, k, mean, want)
			}
			if math.Abs(v-(1-as)) > 4*(1-as)*math.Sqrt(2.0/n) {
				t.Errorf("eta %v %v form: var[%d] = %v, want %v", smp.Eta, smp.Form, k, v, 1-as)
			}
		}
	}
}

// One move from a fixed x_t, with the exact denoiser of a single point x0
// (D = x0 everywhere), has the law each form's lesson gives it: in the DDIM
// form (Song et al. 2021, eq. 12 and 16; lessons/10-deterministic-sampling.md
// section 1)
//
//	mean     sqrt(a_s) x0 + sqrt(1 - a_s - c^2) (x_t - sqrt(a_t) x0) / sqrt(1 - a_t)
//	variance c^2 = eta^2 (1 - a_s) / (1 - a_t) (1 - a_t / a_s),
//
// in the drift form the DDPM mean A x_t + B x0 minus ((C^2 - c^2) / 2) times
// the score (sqrt(a_t) x0 - x_t) / (1 - a_t) (section 3), and in the
// ancestral form (eta = 1) the mean A x_t + B x0
// (lessons/04-ancestral-sampling.md section 1). This pins what Eta means;
// the marginal test above holds for any noise share. With n particles the
// mean is checked within 4 standard errors c / sqrt(n), the variance within
// 4 c^2 sqrt(2 / n); at eta = 0 the move is deterministic (rounding level).
func TestMoveConditionalLaw(t *testing.T) {
	x0, m, p := onePointMove(t)
	at, as := p.Alpha(0), p.Alpha(1)
	const n = 10000
	xt := make([]float64, 2*n)
	for i := range xt {
		xt[i] = []float64{0.3, 0.7}[i%2]
	}
	A, B, C := toy.Coefficients(at, as, toy.PosteriorVariance)
	for _, eta := range []float64{0, 0.3, 0.7, 1} {
		c := eta * math.Sqrt((1-as)/(1-at)*(1-at/as))
		forms := []sample.Form{sample.DDIMForm, sample.DriftForm}
		if eta == 1 {
			forms = append(forms, sample.AncestralForm)
		}
		for _, form := range forms {
			smp := &sample.Sampler{Plan: p, Eta: eta, Form: form}
			x := ok(smp.Sample(nil, xt, m, nil, rand.NewPCG(16, 16)))
			for k := range 2 {
				var want float64
				switch form {
				case sample.DDIMForm:
					want = math.Sqrt(as)*x0[k] + math.Sqrt(1-as-c*c)*(xt[k]-math.Sqrt(at)*x0[k])/math.Sqrt(1-at)
				case sample.DriftForm:
					score := (math.Sqrt(at)*x0[k] - xt[k]) / (1 - at)
					want = A*xt[k] + B*x0[k] - (C*C-c*c)/2*score
				case sample.AncestralForm:
					want = A*xt[k] + B*x0[k]
				}
				mean, v := coordMoments(x, 2, k)
				tolM, tolV := 4*c/math.Sqrt(n), 4*c*c*math.Sqrt(2.0/n)
				if eta == 0 {
					tolM, tolV = 1e-12, 1e-24
				}
				if math.Abs(mean-want) > tolM || math.Abs(v-c*c) > tolV {
					t.Errorf("eta %v %v form coordinate %d: mean %.6f variance %.6f, want %.6f and %.6f", eta, form, k, mean, v, want, c*c)
				}
			}
		}
	}
}

// Churn (Eta > 1 in the drift form) and given variances keep the law of
// TestMoveConditionalLaw's drift form, x_s = A x_t + B x0 - ((C^2 - c^2)/2)
// score + c z with c = Eta C: with churn the score term changes sign (a
// Langevin move on top of the step, lessons/13-sde.md section 3); with
// Variances, C^2 is the given value instead of beta or beta~. Same
// tolerances as there.
func TestMoveChurnAndGivenVariance(t *testing.T) {
	x0, m, p := onePointMove(t)
	at, as := p.Alpha(0), p.Alpha(1)
	const n = 10000
	xt := make([]float64, 2*n)
	for i := range xt {
		xt[i] = []float64{0.3, 0.7}[i%2]
	}
	A, B, Cb := toy.Coefficients(at, as, toy.BetaVariance)
	for _, tc := range []struct {
		eta, given float64 // given < 0: C^2 = beta
	}{{1.5, -1}, {3, -1}, {1, 0.2}, {0.5, 0.05}, {2, 0.01}} {
		C := Cb
		smp := &sample.Sampler{Plan: p, Eta: tc.eta, Variance: toy.BetaVariance, Form: sample.DriftForm}
		if tc.given >= 0 {
			C = math.Sqrt(tc.given)
			smp.Variances = []float64{tc.given}
		}
		c := tc.eta * C
		x := ok(smp.Sample(nil, xt, m, nil, rand.NewPCG(17, 17)))
		for k := range 2 {
			score := (math.Sqrt(at)*x0[k] - xt[k]) / (1 - at)
			want := A*xt[k] + B*x0[k] - (C*C-c*c)/2*score
			mean, v := coordMoments(x, 2, k)
			if math.Abs(mean-want) > 4*c/math.Sqrt(n) || math.Abs(v-c*c) > 4*c*c*math.Sqrt(2.0/n) {
				t.Errorf("eta %v given %v coordinate %d: mean %.6f variance %.6f, want %.6f and %.6f", tc.eta, tc.given, k, mean, v, want, c*c)
			}
		}
	}
}

// The last move, to alpha = 1, adds no noise in any setting
// (lessons/04-ancestral-sampling.md section 1: "no noise at the last step"):
// with the exact denoiser of one point x0 (D = x0 everywhere) a move from
// t = 10 to 0 lands every particle on x0 exactly (A = 0, B = 1), also with
// C^2 = beta, which would otherwise scatter them by sqrt(1 - alpha_10) = 0.05.
func TestLastMoveHasNoNoise(t *testing.T) {
	x0 := []float64{1, -2}
	m, err := analytic.NewDelta(2, x0, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := sample.NewPlan(toy.DDPM(), []int{10, 0})
	if err != nil {
		t.Fatal(err)
	}
	xt := gaussians(100, 2, 18)
	for _, smp := range []*sample.Sampler{
		sample.DDPM(p, toy.PosteriorVariance), sample.DDPM(p, toy.BetaVariance), sample.DDIM(p, 0.5),
		sample.DriftSampler(p), {Plan: p, Variance: toy.BetaVariance, Form: sample.DriftForm}, {Plan: p, Eta: 1, Variance: toy.BetaVariance},
	} {
		x := ok(smp.Sample(nil, xt, m, nil, rand.NewPCG(19, 19)))
		for i := range x {
			if math.Abs(x[i]-x0[i%2]) > 1e-12 {
				t.Fatalf("eta %v %v variance %v form: x[%d] = %v, want %v", smp.Eta, smp.Variance, smp.Form, i, x[i], x0[i%2])
			}
		}
	}
}

// At Eta = 1 with the posterior variance the three forms are one step
// (lessons/10-deterministic-sampling.md section 1, "eta = 1 is DDPM"):
// DDIM(p, 1) writes sqrt(a_s) D + sqrt(1 - a_s - C^2) eps^ + C z, DDPM
// writes A x_t + B D + C z, and the drift form at Eta = 1 trades no
// variance (C^2 - c^2 = 0 exactly), so it is the ancestral step bit for bit,
// for either variance. One move from the same x_t with the same noise is
// compared on strided, single and last moves of the DDPM schedule, with
// the exact eight-gaussians denoiser.
//
// Tolerance, with eps = 2^-52 and S = |x_t| + |D| + |x_s| per coordinate:
// each form sums at most four terms bounded by S whose coefficients come
// from the levels through at most six correctly rounded operations, so each
// is within about 9 eps S of the exact step: 20 eps S covers both. The DDIM
// form's sqrt(1 - a_s - c^2) cancels more: at Eta = 1, 1 - a_s - c^2 =
// (1 - a_s)^2 SNR_t / SNR_s, so its absolute rounding error, about 8 eps
// (1 - a_s), becomes 4 eps sqrt(SNR_s / SNR_t) |eps^| on the kept noise
// term (SNR = alpha / (1 - alpha); sqrt(SNR_s / SNR_t) is 21 on the strided move
// 800 -> 300). Measured: at most 1.3 eps S, and 8.4 eps S on 800 -> 300.
func TestFormsAgreeAtEtaOne(t *testing.T) {
	const eps = 0x1p-52
	m := load(t, "eight-gaussians")
	s := toy.DDPM()
	snr := func(a float64) float64 { return a / (1 - a) }
	for _, pr := range [][2]int{{1000, 999}, {1000, 900}, {800, 300}, {500, 499}, {100, 20}, {60, 40}, {3, 1}, {2, 1}, {10, 0}} {
		p, err := sample.NewPlan(s, pr[:])
		if err != nil {
			t.Fatal(err)
		}
		at, as := p.Alpha(0), p.Alpha(1)
		xt := gaussians(1000, 2, 3)
		for i := range xt {
			xt[i] *= 2
		}
		D := m.Denoise(nil, xt, at, nil)
		run := func(smp *sample.Sampler) []float64 { return ok(smp.Sample(nil, xt, m, nil, rand.NewPCG(1, 1))) }
		ddpm := run(sample.DDPM(p, toy.PosteriorVariance))
		ddim := run(sample.DDIM(p, 1))
		drift := run(&sample.Sampler{Plan: p, Eta: 1, Form: sample.DriftForm})
		if !slices.Equal(drift, ddpm) {
			t.Errorf("move %v: the drift form at eta 1 is not the ancestral step", pr)
		}
		beta := run(sample.DDPM(p, toy.BetaVariance))
		if !slices.Equal(run(&sample.Sampler{Plan: p, Eta: 1, Variance: toy.BetaVariance, Form: sample.DriftForm}), beta) {
			t.Errorf("move %v: the drift form at eta 1 with C^2 = beta is not DDPM with beta", pr)
		}
		g := 0.0
		if as < 1 {
			g = math.Sqrt(snr(as) / snr(at))
		}
		for i := range ddpm {
			e := math.Abs(xt[i]-math.Sqrt(at)*D[i]) / math.Sqrt(1-at)
			tol := eps * (20*(math.Abs(xt[i])+math.Abs(D[i])+math.Abs(ddpm[i])) + 4*g*e)
			if d := math.Abs(ddim[i] - ddpm[i]); d > tol || ddpm[i] == xt[i] {
				t.Fatalf("move %v [%d]: DDIM(1) %v, DDPM %v (difference %.3e, allowed %.3e)", pr, i, ddim[i], ddpm[i], d, tol)
			}
		}
	}
}

// Whole runs of forms that are one step: DDIM(1) and DDPM with beta~, and
// DDIM(0) and Euler on the PF-ODE in sigma (lessons/10-deterministic-sampling.md
// section 1, "DDIM is Euler's method"; ODE.move writes it in the scaled
// variable). Per move they differ by rounding, at most 20 eps S ~ 2e-14
// here (|x| < 5; TestFormsAgreeAtEtaOne). If the later moves did not
// amplify a difference (Jacobians A + B dD/dx of norm <= 1, as for one data
// point, where dD/dx = 0) the 50 moves would end within 50 x 2e-14 = 1e-12;
// between the modes dD/dx is large and amplifies, so 1e-10 RMS allows a
// factor of 100 on top (measured: about 2e-15 and 7e-15).
func TestEquivalentSettings(t *testing.T) {
	m := load(t, "eight-gaussians")
	p := plan(t, toy.DDPM(), 50)
	xT := gaussians(500, 2, 7)
	a := ok(sample.DDIM(p, 1).Sample(nil, xT, m, nil, rand.NewPCG(8, 8)))
	b := ok(sample.DDPM(p, toy.PosteriorVariance).Sample(nil, xT, m, nil, rand.NewPCG(8, 8)))
	if e := rms(a, b, 2); e > 1e-10 || slices.Equal(a, xT) {
		t.Errorf("DDIM(1) vs DDPM with beta~: RMS %.3e, want rounding level", e)
	}
	c := ok(sample.DDIM(p, 0).Sample(nil, xT, m, nil, nil))
	d := ok((&sample.ODE{Plan: p}).Sample(nil, xT, m, nil))
	if e := rms(c, d, 2); e > 1e-10 {
		t.Errorf("DDIM vs Euler PF-ODE: RMS %.3e, want rounding level", e)
	}
}

// The same seed gives bit-identical samples on one core and on two, for
// every stochastic sampler (noise per fixed chunk of 256 particles; 3000
// particles make 12 chunks).
func TestSameResultAnyGOMAXPROCS(t *testing.T) {
	m := load(t, "eight-gaussians")
	p := plan(t, toy.DDPM(), 20)
	xT := gaussians(3000, 2, 11)
	runs := map[string]func() []float64{
		"DDIM eta 0.5": func() []float64 { return ok(sample.DDIM(p, 0.5).Sample(nil, xT, m, nil, rand.NewPCG(1, 2))) },
		"DDPM + corrector": func() []float64 {
			s := sample.DDPM(p, toy.PosteriorVariance)
			s.Corrector = sample.Corrector{Iters: 2, Ratio: 0.1}
			return ok(s.Sample(nil, xT, m, nil, rand.NewPCG(1, 2)))
		},
		"Langevin": func() []float64 {
			return ok((&sample.Langevin{Size: 0.05, Iters: 20}).Sample(nil, xT, m, nil, rand.NewPCG(1, 2)))
		},
		"annealed": func() []float64 {
			return ok((&sample.Annealed{Plan: p, Iters: 2, Ratio: 0.1}).Sample(nil, xT, m, nil, rand.NewPCG(1, 2)))
		},
	}
	old := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(old)
	for name, f := range runs {
		runtime.GOMAXPROCS(1)
		one := f()
		runtime.GOMAXPROCS(2)
		two := f()
		if !slices.Equal(one, two) {
			t.Errorf("%s: samples differ between GOMAXPROCS 1 and 2", name)
		}
		if slices.Equal(one, xT) {
			t.Errorf("%s: the particles did not move", name)
		}
	}
}

// A Trajectory sees every chosen state through the same code path: the
// final frame is the returned sample, which equals a run without recorder,
// and the frames carry the plan's steps and levels.
func TestTrajectory(t *testing.T) {
	m := load(t, "eight-gaussians")
	p := plan(t, toy.DDPM(), 50)
	xT := gaussians(100, 2, 12)
	for _, eta := range []float64{0, 1} {
		tr := &sample.Trajectory{Every: 10}
		s := sample.DDIM(p, eta)
		plain := ok(s.Sample(nil, xT, m, nil, rand.NewPCG(3, 3)))
		s.Record = tr
		x := ok(s.Sample(nil, xT, m, nil, rand.NewPCG(3, 3)))
		if !slices.Equal(x, plain) {
			t.Errorf("eta %v: recording changed the samples", eta)
		}
		var ks []int
		for _, f := range tr.Frames {
			ks = append(ks, f.K)
			if f.T != p.Step(f.K) || f.Alpha != p.Alpha(f.K) {
				t.Errorf("frame %d: T = %d alpha = %v, want %d, %v", f.K, f.T, f.Alpha, p.Step(f.K), p.Alpha(f.K))
			}
		}
		if want := []int{0, 10, 20, 30, 40, 50}; !slices.Equal(ks, want) {
			t.Errorf("eta %v: frames %v, want %v", eta, ks, want)
		}
		if !slices.Equal(tr.Frames[0].X, xT) || !slices.Equal(tr.Frames[len(tr.Frames)-1].X, x) || !tr.Frames[len(tr.Frames)-1].Final {
			t.Errorf("eta %v: first/last frame are not the start and the returned sample", eta)
		}
	}
	// The final frame is kept even when its K is not a multiple of Every.
	tr := &sample.Trajectory{Every: 20}
	s := sample.DDIM(p, 0)
	s.Record = tr
	ok(s.Sample(nil, xT, m, nil, nil))
	var ks []int
	for _, f := range tr.Frames {
		ks = append(ks, f.K)
	}
	if want := []int{0, 20, 40, 50}; !slices.Equal(ks, want) {
		t.Errorf("Every 20: frames %v, want %v", ks, want)
	}
	defer func() {
		if r, _ := recover().(string); !strings.Contains(r, "Every = -1 is negative") {
			t.Errorf("negative Every: panic %q", r)
		}
	}()
	(&sample.Trajectory{Every: -1}).Record(sample.Frame{})
}

// Every sampler hands its states to Record in order: K = 0, 1, ..., N,
// only the last one Final, and that last state is the returned sample.
func TestRecordEverySampler(t *testing.T) {
	m := load(t, "eight-gaussians")
	p := plan(t, toy.DDPM(), 6)
	xT := gaussians(10, 2, 17)
	for _, tc := range []struct {
		name   string
		states int
		run    func(r sample.Recorder) ([]float64, error)
	}{
		{"DDPM", 7, func(r sample.Recorder) ([]float64, error) {
			s := sample.DDPM(p, toy.PosteriorVariance)
			s.Record = r
			return s.Sample(nil, xT, m, nil, rand.NewPCG(1, 1))
		}},
		{"ODE", 7, func(r sample.Recorder) ([]float64, error) {
			return (&sample.ODE{Plan: p, Heun: true, Record: r}).Sample(nil, xT, m, nil)
		}},
		{"inversion", 7, func(r sample.Recorder) ([]float64, error) {
			return (&sample.Inversion{Plan: p, Record: r}).Invert(nil, xT, m, nil)
		}},
		{"Langevin", 5, func(r sample.Recorder) ([]float64, error) {
			return (&sample.Langevin{Size: 0.1, Iters: 4, Record: r}).Sample(nil, xT, m, nil, rand.NewPCG(1, 1))
		}},
		// 6 levels below alpha = 1 (the plan's t = 0 is skipped), 2 moves each.
		{"annealed", 13, func(r sample.Recorder) ([]float64, error) {
			return (&sample.Annealed{Plan: p, Iters: 2, Ratio: 0.1, Record: r}).Sample(nil, xT, m, nil, rand.NewPCG(1, 1))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ks []int
			var finals []bool
			var last []float64
			x := ok(tc.run(sample.RecorderFunc(func(f sample.Frame) {
				ks = append(ks, f.K)
				finals = append(finals, f.Final)
				last = append(last[:0], f.X...)
			})))
			if len(ks) != tc.states {
				t.Fatalf("%d states recorded, want %d", len(ks), tc.states)
			}
			for i := range ks {
				if ks[i] != i || finals[i] != (i == tc.states-1) {
					t.Errorf("state %d: K = %d, Final = %v", i, ks[i], finals[i])
				}
			}
			if !slices.Equal(last, x) {
				t.Error("the final state is not the returned sample")
			}
		})
	}
}

// The guidance wrappers agree with the closed-form fields of the exact
// mixture (guidedField, cfgField and temperedField, written out from its
// scores in guidance_test.go), at alpha < 1 and at alpha = 1
// (the mixture's own score), for labelled and Empty points; their Denoise
// is the denoiser of their Score by Tweedie.
func TestGuidanceMatchesAnalytic(t *testing.T) {
	m := load(t, "three-classes")
	x := gaussians(40, 2, 13)
	y := make([]int, 40)
	for i := range y {
		y[i] = i%4 - 1 // Empty, 0, 1, 2
	}
	const gamma = 2.5
	cg, cfg := exactGuidance(t, m, gamma)
	tmp, _ := sample.NewTempered(m, gamma)
	for _, alpha := range []float64{0.2, 0.9, 1} {
		for _, tc := range []struct {
			name      string
			got, want []float64
			d         toy.Denoiser
			labels    []int
		}{
			{"classifier", cg.Score(nil, x, alpha, y), guidedField(m, x, alpha, y, gamma), cg, y},
			{"CFG", cfg.Score(nil, x, alpha, y), cfgField(m, x, alpha, y, gamma), cfg, y},
			{"tempered", tmp.Score(nil, x, alpha, nil), temperedField(m, x, alpha, gamma), tmp, nil},
		} {
			for i := range tc.got {
				if math.Abs(tc.got[i]-tc.want[i]) > 1e-9*(1+math.Abs(tc.want[i])) {
					t.Fatalf("%s alpha %v: score[%d] = %v, want %v", tc.name, alpha, i, tc.got[i], tc.want[i])
				}
			}
			if alpha == 1 {
				continue
			}
			d := tc.d.Denoise(nil, x, alpha, tc.labels)
			for i := range d {
				want := ((1-alpha)*tc.want[i] + x[i]) / math.Sqrt(alpha)
				if math.Abs(d[i]-want) > 1e-9*(1+math.Abs(want)) {
					t.Fatalf("%s alpha %v: Denoise[%d] = %v, want %v from the score", tc.name, alpha, i, d[i], want)
				}
			}
		}
	}
}

// The step Jacobian that metrics.FlowLogLik takes by central differences
// matches the closed form for the exact delta-mixture denoiser: for one
// DDIM move x_s = r x_t + (sqrt(a_s) - r sqrt(a_t)) D(x_t), r =
// sqrt((1 - a_s) / (1 - a_t)), and the second Tweedie identity
// dD/dx = sqrt(a_t) / (1 - a_t) Cov[x_0 | x_t], the covariance of the points
// under the posterior weights. Tolerance: the posterior logits have slope
// sqrt(a_t) |x^(i)| / (1 - a_t) < 4 here, so third derivatives of D are
// below ~4^3 = 64; with the difference step h <= 1e-5 (1 + |x|) < 3e-5 the
// truncation error of a Jacobian entry is h^2 64 / 6 < 1e-8 and rounding
// 2e-16 / h < 1e-10. The determinant is of order r^2 = 0.4 (entries below
// 1), so -log|det J| moves by at most a few times 1e-8: 1e-7 is allowed.
func TestMapJacobian(t *testing.T) {
	pts := []float64{0, 0, 1, 0.5, -0.5, 1, 0.3, -0.8}
	m, err := analytic.NewDelta(2, pts, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := toy.DDPM()
	p, err := sample.NewPlan(s, []int{200, 120})
	if err != nil {
		t.Fatal(err)
	}
	at, as := s.Alpha(200), s.Alpha(120)
	f, err := sample.DDIM(p, 0).Map(m)
	if err != nil {
		t.Fatal(err)
	}
	x := gaussians(20, 2, 14)
	for i := range x {
		x[i] *= 0.6
	}
	_, lp := metrics.FlowLogLik(nil, nil, x, make([]float64, 20), f, nil)
	post := m.Posterior(nil, x, at)
	r := math.Sqrt((1 - as) / (1 - at))
	cd := math.Sqrt(as) - r*math.Sqrt(at)
	K := 4
	for i := 0; i < 20; i++ {
		var e [2]float64
		var s2 [4]float64
		for k := 0; k < K; k++ {
			w := post[i*K+k]
			px, py := pts[2*k], pts[2*k+1]
			e[0] += w * px
			e[1] += w * py
			s2[0] += w * px * px
			s2[1] += w * px * py
			s2[3] += w * py * py
		}
		c := math.Sqrt(at) / (1 - at)
		j00 := r + cd*c*(s2[0]-e[0]*e[0])
		j01 := cd * c * (s2[1] - e[0]*e[1])
		j11 := r + cd*c*(s2[3]-e[1]*e[1])
		want := -math.Log(math.Abs(j00*j11 - j01*j01))
		if math.Abs(lp[i]-want) > 1e-7 {
			t.Errorf("point %d: -log|det J| = %.9f by differences, %.9f in closed form", i, lp[i], want)
		}
	}
}

// Negative guidance scales: gamma = -1 is the unconditional field (by
// Bayes, s(x | y) - s(x | y) + s(x) for classifier guidance; the Empty
// field for CFG), gamma = -3 agrees with the closed forms of
// guidance_test.go, and sampling with gamma = -3 lowers the exact class
// posterior q_0(y | x) of the samples below that of unconditional samples.
func TestNegativeGamma(t *testing.T) {
	m := load(t, "three-classes")
	const n = 400
	x := gaussians(n, 2, 21)
	y := make([]int, n)
	empty := make([]int, n)
	for i := range empty {
		empty[i] = toy.Empty
	}
	for _, alpha := range []float64{0.2, 0.9} {
		uncond := m.Score(nil, x, alpha, empty)
		for _, gamma := range []float64{-1, -3} {
			cg, cfg := exactGuidance(t, m, gamma)
			for _, tc := range []struct {
				name      string
				got, want []float64
			}{
				{"classifier", cg.Score(nil, x, alpha, y), guidedField(m, x, alpha, y, gamma)},
				{"CFG", cfg.Score(nil, x, alpha, y), cfgField(m, x, alpha, y, gamma)},
			} {
				want := tc.want
				if gamma == -1 {
					want = uncond
				}
				for i := range tc.got {
					// Sums of a few terms of size |score|: rounding.
					if math.Abs(tc.got[i]-want[i]) > 1e-9*(1+math.Abs(want[i])) {
						t.Fatalf("%s gamma %v alpha %v: score[%d] = %v, want %v", tc.name, gamma, alpha, i, tc.got[i], want[i])
					}
				}
			}
		}
	}
	// Guidance away from class 0: the mean q_0(0 | x) of the samples falls
	// below the unconditional one by more than four standard errors of the
	// difference (each mean of n values in [0, 1] has s.e. <= 0.5/sqrt(n)).
	p, err := sample.Strided(toy.DDPM(), 50)
	if err != nil {
		t.Fatal(err)
	}
	away, _ := sample.NewCFG(m, -3)
	mean := func(den toy.Denoiser, labels []int) float64 {
		xs, err := sample.DDIM(p, 0).Sample(nil, gaussians(n, 2, 22), den, labels, nil)
		if err != nil {
			t.Fatal(err)
		}
		return metrics.MeanClassPosterior(m, xs, y)
	}
	base, guided := mean(m, empty), mean(away, y)
	t.Logf("mean q_0(0 | x): unconditional %.3f, gamma = -3 %.3f", base, guided)
	if bound := 4 * math.Sqrt(2) * 0.5 / math.Sqrt(n); !(guided < base-bound) {
		t.Errorf("gamma = -3: mean q_0(0 | x) = %v, want below the unconditional %v by %v", guided, base, bound)
	}
}

// Interval: the guided field inside the interval of levels, the plain one
// outside (compared exactly: the same calls), and bad intervals rejected.
func TestInterval(t *testing.T) {
	m := load(t, "three-classes")
	x := gaussians(30, 2, 31)
	y := make([]int, 30)
	guided, _ := sample.NewCFG(m, 3)
	plain, _ := sample.NewCFG(m, 0)
	iv, err := sample.NewInterval(guided, plain, 0.2, 0.6)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		alpha float64
		want  toy.Denoiser
	}{{0.1, plain}, {0.2, guided}, {0.4, guided}, {0.6, guided}, {0.9, plain}} {
		got, want := iv.Denoise(nil, x, tc.alpha, y), tc.want.Denoise(nil, x, tc.alpha, y)
		gs, ws := iv.Score(nil, x, tc.alpha, y), tc.want.(toy.Scorer).Score(nil, x, tc.alpha, y)
		for i := range got {
			if got[i] != want[i] || gs[i] != ws[i] {
				t.Fatalf("alpha %v: [%d] = %v (score %v), want %v (score %v)", tc.alpha, i, got[i], gs[i], want[i], ws[i])
			}
		}
	}
	for _, lh := range [][2]float64{{0.6, 0.2}, {-0.1, 0.5}, {0.5, 1.5}, {math.NaN(), 1}} {
		if _, err := sample.NewInterval(guided, plain, lh[0], lh[1]); err == nil || !strings.Contains(err.Error(), "interval") {
			t.Errorf("interval %v: err = %v, want one naming the interval", lh, err)
		}
	}
}
