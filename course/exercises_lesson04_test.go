package course

import (
	"math"
	"testing"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/metrics"
	"difftoy/toy/sample"
)

// Lesson 4's exercises run (see exercises_test.go for the convention).

func TestExerciseL04E1_FewSteps(t *testing.T) {
	// Exercise 1: 10 or 50 steps (setup.FewSteps). The hint: the kept steps
	// t_K > ... > t_1 are a schedule of their own, beta'_k = 1 -
	// alpha_{t_k} / alpha_{t_{k-1}}, whose A, B, C drive the sampler. Check:
	// that schedule's alpha'_k (a product of k factors) is alpha_{t_k} to a
	// few ulps per factor, and the full chain of the new schedule gives the
	// respaced sampler's samples from the same x_T and noise, to rounding
	// (the coefficients agree to rounding; the exact denoiser is smooth).
	cfg := quickCfg()
	m := load("eight-gaussians", 10, pcg(1)).Exact
	for _, k := range []int{10, 50} {
		as := DefaultAncestral(cfg)
		as.FewSteps = k
		if _, err := Ancestral(cfg, as, nil); err != nil {
			t.Fatal(err)
		}
		plan, err := sample.Strided(toy.DDPM(), k)
		if err != nil {
			t.Fatal(err)
		}
		al := plan.Alphas() // alpha at t_0 = T, ..., t_K = 0
		betas := make([]float64, k)
		for j := 1; j <= k; j++ { // beta'_j between the kept levels, j = 1 nearest the data
			betas[j-1] = 1 - al[k-j]/al[k-j+1]
		}
		sub, err := toy.FromBetas("respaced", betas)
		if err != nil {
			t.Fatal(err)
		}
		for j := 1; j <= k; j++ {
			if got, want := sub.Alpha(j), al[k-j]; math.Abs(got/want-1) > 1e-14*float64(j) {
				t.Errorf("%d steps: alpha'_%d = %v, want alpha_{t_%d} = %v", k, j, got, j, want)
			}
		}
		const n = 500
		for _, v := range []toy.Variance{toy.PosteriorVariance, toy.BetaVariance} {
			a, err := sample.DDPM(plan, v).Sample(nil, gauss(n, pcg(7)), m, nil, pcg(8))
			if err != nil {
				t.Fatal(err)
			}
			b, err := sample.DDPM(sample.Full(sub), v).Sample(nil, gauss(n, pcg(7)), m, nil, pcg(8))
			if err != nil {
				t.Fatal(err)
			}
			worst := 0.0
			for i := range a {
				worst = math.Max(worst, math.Abs(a[i]-b[i]))
			}
			if worst > 1e-9 {
				t.Errorf("%d steps, C^2 = %v: respaced and re-derived schedules differ by %.3g", k, v, worst)
			}
		}
	}
}

func TestExerciseL04E3_LastStepNoise(t *testing.T) {
	// Exercise 3: noise C_1 eps with C_1^2 = beta_1 at the last step, on the
	// three points. The last step is then x_0 = D*_1(x_1) + sqrt(beta_1) eps
	// (A_1 = 0, B_1 = 1), and D*_1 is one-hot (claim 5): every sample lands
	// sqrt(beta_1) = 0.01 per coordinate off its point. Check: without the
	// noise the samples sit on the points (below 1e-6), with it the
	// per-coordinate variance around the nearest point is beta_1 within 4
	// standard errors (relative se sqrt(2 / (2n)) for 2n coordinates).
	ds := load("three-points", 3, pcg(1))
	const n = 2000
	x, err := sample.DDPM(sample.Full(toy.DDPM()), toy.PosteriorVariance).Sample(nil, gauss(n, pcg(20)), ds.Exact, nil, pcg(21))
	if err != nil {
		t.Fatal(err)
	}
	b1 := toy.DDPM().Beta(1)
	noise := gauss(n, pcg(22))
	off := func(x []float64) (worst, v float64) {
		for i := 0; i < n; i++ {
			best := math.Inf(1)
			var dx, dy float64
			for j := 0; j < 3; j++ {
				ex, ey := x[2*i]-ds.Points[2*j], x[2*i+1]-ds.Points[2*j+1]
				if d := math.Hypot(ex, ey); d < best {
					best, dx, dy = d, ex, ey
				}
			}
			worst = math.Max(worst, best)
			v += (dx*dx + dy*dy) / (2 * n)
		}
		return worst, v
	}
	w0, _ := off(x)
	for i := range x {
		x[i] += math.Sqrt(b1) * noise[i]
	}
	_, v := off(x)
	t.Logf("largest distance to a point without last noise %.2g; with C_1^2 = beta_1 variance per coordinate %.4g (beta_1 = %g)", w0, v, b1)
	if w0 > 1e-6 {
		t.Errorf("without last noise: a sample %.3g from every point", w0)
	}
	if math.Abs(v/b1-1) > 4*math.Sqrt(1.0/n) {
		t.Errorf("with C_1^2 = beta_1: variance around the points %.4g, want beta_1 = %g", v, b1)
	}
}

func TestExercisesLesson04More(t *testing.T) {
	// Exercise 5: unequal weights on the three points; the share of samples
	// on each point matches its weight within 4 binomial standard errors.
	t.Run("5 count the points", func(t *testing.T) {
		pts := []float64{-1, 0, 1, 0, 0, 1.5}
		w := []float64{0.6, 0.3, 0.1}
		m, err := analytic.NewDelta(2, pts, w, nil)
		if err != nil {
			t.Fatal(err)
		}
		const n = 2000
		p, err := sample.Strided(toy.DDPM(), 200)
		if err != nil {
			t.Fatal(err)
		}
		x, err := sample.DDPM(p, toy.PosteriorVariance).Sample(nil, gauss(n, pcg(12)), m, nil, pcg(13))
		if err != nil {
			t.Fatal(err)
		}
		count := make([]float64, 3)
		for i := 0; i < n; i++ {
			best, bd := 0, math.Inf(1)
			for j := 0; j < 3; j++ {
				if d := math.Hypot(x[2*i]-pts[2*j], x[2*i+1]-pts[2*j+1]); d < bd {
					best, bd = j, d
				}
			}
			count[best]++
		}
		for j := range w {
			share, se := count[j]/n, math.Sqrt(w[j]*(1-w[j])/n)
			if math.Abs(share-w[j]) > 4*se {
				t.Errorf("point %d: share %.3f, want %.1f within 4 s.e. (%.3f)", j, share, w[j], se)
			}
		}
	})
}

func TestExercisesLesson04(t *testing.T) {
	// Exercise 4: start from N(0, 4 I). The hint: the excess variance is
	// multiplied by about alpha_T overall, so the samples still match.
	t.Run("4 wrong start", func(t *testing.T) {
		ds := load("eight-gaussians", 10, pcg(1))
		const n = 400
		xT := gauss(n, pcg(5))
		for i := range xT {
			xT[i] *= 2
		}
		x, err := sample.DDPM(sample.Full(toy.DDPM()), toy.PosteriorVariance).Sample(nil, xT, ds.Exact, nil, pcg(6))
		if err != nil {
			t.Fatal(err)
		}
		stream := uint64(7)
		ec := energyCheck(x, func(k int) []float64 { stream++; return exactSample(ds.Exact, k, 1, pcg(stream)) }, 10)
		if r := ec.Energy / ec.Noise; r > 3 {
			t.Errorf("start N(0, 4I): energy distance %.3g noise levels, want within 3", r)
		}
	})
}

func TestExercisesLesson04Variance(t *testing.T) {
	// Exercise 2: 10 steps, C^2 = beta~ against beta, on the three points and
	// on the Gaussian mixture: energy distances to one reference sample from
	// the same x_T, over six independent repetitions.
	for _, name := range []string{"three-points", "eight-gaussians"} {
		m := load(name, 3, pcg(1)).Exact
		const n, reps = 2000, 6
		p, err := sample.Strided(toy.DDPM(), 10)
		if err != nil {
			t.Fatal(err)
		}
		var diff []float64 // ED(beta) - ED(beta~)
		for r := uint64(0); r < reps; r++ {
			ref := exactSample(m, n, 1, pcg(50+10*r))
			var ed [2]float64
			for i, v := range []toy.Variance{toy.PosteriorVariance, toy.BetaVariance} {
				x, err := sample.DDPM(p, v).Sample(nil, gauss(n, pcg(51+10*r)), m, nil, pcg(52+10*r))
				if err != nil {
					t.Fatal(err)
				}
				ed[i] = metrics.Energy(x, ref, 2)
			}
			diff = append(diff, ed[1]-ed[0])
		}
		mean, se := meanSE(diff)
		t.Logf("%s, 10 steps: ED(beta) - ED(beta~) = %.5f +- %.5f", name, mean, se)
		// The hint: beta wins on the mixture (by more than 3 s.e.); on the
		// three points neither is better beyond 4 s.e.
		switch {
		case name == "eight-gaussians" && !(mean < -3*se):
			t.Errorf("%s: beta does not beat beta~ by 3 s.e.", name)
		case name == "three-points" && math.Abs(mean) > 4*se:
			t.Errorf("%s: the two variances differ by %.1f s.e.", name, mean/se)
		}
	}
}
