package course

import (
	"context"
	"math"
	"testing"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/sample"
)

// Lesson 5's exercises run (see exercises_test.go for the convention).

func TestExerciseL05E1_Respace(t *testing.T) {
	// Exercise 1: 20, 50, 100 and 250 evenly spaced steps (setup.FewSteps).
	// The hint: beta^_k = 1 - alpha_{t_k} / alpha_{t_{k-1}} from the kept
	// levels (their product gives back alpha_{t_k}: lesson 4's exercise 1
	// test checks it and that the sampler is that schedule's chain). With the
	// exact denoiser every one of these runs ends within 3 noise levels of
	// the data (a perfect sampler is at about 1), while 5 steps is not
	// (claim 7).
	if testing.Short() {
		t.Skip("four runs of lesson 5's experiment (about 10 s); skipped with -short")
	}
	cfg := quickCfg()
	for _, k := range []int{20, 50, 100, 250} {
		rs := DefaultReschedule(cfg)
		rs.FewSteps = k
		r, err := Reschedule(context.Background(), cfg, rs, nil)
		if err != nil {
			t.Fatal(err)
		}
		e := numOf(t, r, "exact/few_steps")
		t.Logf("%d respaced steps, exact D*: energy distance %.2f noise levels", k, e)
		if e > 3 {
			t.Errorf("%d respaced steps: energy distance %.2f noise levels, want within 3", k, e)
		}
	}
}

func TestExerciseL05E3_InterpolateInWhat(t *testing.T) {
	// Exercise 3: a coarse old schedule (the 20 kept levels of the linear
	// schedule, as a schedule of its own), the exact denoiser evaluated only
	// at its integer steps, and a new level alpha between old steps k and
	// k + 1 served by (1 - f) D_k + f D_{k+1}, f from log sigma (the old
	// schedule's StepForAlpha, section 3) or from alpha linear between the
	// steps. The error E||D - D*||^2 at the cosine schedule's levels (t = 5,
	// 10, ..., 1000), x ~ q_t, both methods on the same x: the mean paired
	// difference is compared with 4 of its standard errors. Neither variable
	// wins everywhere: log sigma on the eight Gaussians, alpha on the three
	// points, as the corrected hint says.
	lin := toy.DDPM()
	plan, err := sample.Strided(lin, 20)
	if err != nil {
		t.Fatal(err)
	}
	const K = 20
	al := plan.Alphas()
	betas := make([]float64, K)
	for j := 1; j <= K; j++ {
		betas[j-1] = 1 - al[K-j]/al[K-j+1]
	}
	old, err := toy.FromBetas("coarse", betas)
	if err != nil {
		t.Fatal(err)
	}
	cos, err := toy.Cosine(1000, 0.008)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		lo, hi float64 // bounds on err(log sigma) / err(alpha)
	}{{"eight-gaussians", 0.65, 0.85}, {"three-points", 1.15, 1.45}} {
		m := load(c.name, 3, pcg(1)).Exact
		const n = 200
		var diff []float64
		var eLog, eLin float64
		for tn := 5; tn <= cos.T(); tn += 5 {
			a := cos.Alpha(tn)
			s, err := old.StepForAlpha(a)
			if err != nil {
				continue // the last cosine levels are below alpha_T: out of range
			}
			k := min(int(s), K-1)
			ak, ak1 := old.Alpha(k), old.Alpha(k+1)
			fLog, fLin := s-float64(k), (ak-a)/(ak-ak1)
			x := exactSample(m, n, a, pcg(uint64(tn)))
			want := m.Denoise(nil, x, a, nil)
			dk, dk1 := m.Denoise(nil, x, ak, nil), m.Denoise(nil, x, ak1, nil)
			for i := 0; i < n; i++ {
				var l, q float64
				for j := 0; j < 2; j++ {
					p := 2*i + j
					l += sq((1-fLog)*dk[p] + fLog*dk1[p] - want[p])
					q += sq((1-fLin)*dk[p] + fLin*dk1[p] - want[p])
				}
				eLog += l
				eLin += q
				diff = append(diff, l-q)
			}
		}
		mm, se := meanSE(diff)
		r := eLog / eLin
		t.Logf("%s: E||D - D*||^2 over the cosine levels, log sigma %.3g, alpha linear %.3g (ratio %.2f; paired difference %.3g +- %.2g)",
			c.name, eLog/float64(len(diff)), eLin/float64(len(diff)), r, mm, se)
		if math.Abs(mm) < 4*se || r < c.lo || r > c.hi {
			t.Errorf("%s: error ratio log sigma / alpha %.3f, want in [%.2f, %.2f] with the difference beyond 4 se", c.name, r, c.lo, c.hi)
		}
	}
}

func TestExerciseL05E4_VarianceExploding(t *testing.T) {
	// Exercise 4: for y = x_0 + sigma eps, D^VE(y, sigma) = D_s(sqrt(alpha_s)
	// y) with sigma_s = sigma. Checked against the independent closed form
	// for q_0 = N(m, v I): E[x_0 | y] = m + v / (v + sigma^2) (y - m), with
	// s found on the linear schedule (StepForSigma, log sigma interpolation)
	// and alpha_s = AlphaAt(s). Rounding only: relative 1e-9.
	mean, v := []float64{0.7, -0.4}, 0.3
	g, err := analytic.NewGaussian(2, nil, mean, [][]float64{{v, 0, 0, v}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	lin := toy.DDPM()
	y := gauss(30, pcg(30))
	for i := range y {
		y[i] *= 3
	}
	for _, sigma := range []float64{0.02, 0.5, 3, 40} {
		s, err := lin.StepForSigma(sigma)
		if err != nil {
			t.Fatal(err)
		}
		a := lin.AlphaAt(s)
		xs := make([]float64, len(y))
		for i := range y {
			xs[i] = math.Sqrt(a) * y[i]
		}
		d := g.Denoise(nil, xs, a, nil)
		for i := range d {
			want := mean[i%2] + v/(v+sigma*sigma)*(y[i]-mean[i%2])
			if math.Abs(d[i]-want) > 1e-9*(1+math.Abs(want)) {
				t.Fatalf("sigma = %v (s = %.2f): D_s(sqrt(alpha_s) y)[%d] = %v, E[x_0 | y] = %v", sigma, s, i, d[i], want)
			}
		}
	}
}

func TestExerciseL05E5_ReuseAcrossDatasets(t *testing.T) {
	// Exercise 5: the denoiser of one dataset on another with the same
	// schedule. The hint: the schedule trick relabels noise, not data. With
	// the exact denoiser of the eight Gaussians (a perfectly trained
	// network), the full DDPM chain gives samples within 3 noise levels of
	// the eight Gaussians (claim 4) and far (> 10) from the moons.
	cfg := quickCfg()
	eight, moons := load("eight-gaussians", 10, pcg(1)), load("moons", 2000, pcg(2))
	x, _, err := DDPMSample(eight.Exact, sample.Full(toy.DDPM()), toy.PosteriorVariance, 400, cfg, 40)
	if err != nil {
		t.Fatal(err)
	}
	src := pcg(3)
	own := energyCheck(x, func(n int) []float64 { return exactSample(eight.Exact, n, 1, src) }, 10)
	other := energyCheck(x, func(n int) []float64 { return exactSample(moons.Exact, n, 1, src) }, 10)
	t.Logf("eight-Gaussians denoiser: energy distance to its data %.2f, to the moons %.1f noise levels", own.Energy/own.Noise, other.Energy/other.Noise)
	if own.Energy/own.Noise > 3 || other.Energy/other.Noise < 10 {
		t.Errorf("energy distances %.2f (own data, want within 3) and %.2f (moons, want above 10) noise levels", own.Energy/own.Noise, other.Energy/other.Noise)
	}
}

func TestExercisesLesson05(t *testing.T) {
	// Exercise 2: a cosine schedule with s = 0 starts below the linear
	// schedule's smallest noise level sigma_1 = 0.01, so its first steps
	// match no step t >= 1 of the linear schedule (they fall between its
	// steps 0 and 1, where a network trained on t >= 1 was never trained).
	t.Run("2 out of range", func(t *testing.T) {
		c0, err := toy.Cosine(1000, 0)
		if err != nil {
			t.Fatal(err)
		}
		lin := toy.DDPM()
		out := 0
		for k := 1; k <= c0.T() && c0.Sigma(k) < lin.Sigma(1); k++ {
			s, err := lin.StepForSigma(c0.Sigma(k))
			if err != nil {
				t.Fatal(err)
			}
			if !(s < 1) {
				t.Errorf("cosine step %d (sigma %v) matched linear step %v, want below 1", k, c0.Sigma(k), s)
			}
			out++
		}
		t.Logf("%d steps of the cosine schedule with s = 0 fall below the linear range (sigma_1 = %.2e against %.2e)", out, c0.Sigma(1), lin.Sigma(1))
		if out == 0 {
			t.Errorf("no step out of range")
		}
	})
}
