package course

import (
	"context"
	"math"
	"testing"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/metrics"
	"difftoy/toy/sample"
)

// Lesson 12's exercises (lessons/12-memorisation.md), each run at quick
// size (see exercises_test.go).

// binomialSE is the standard error of the difference of two independent
// shares p and q of n samples each.
func binomialSE(p, q float64, n int) float64 {
	return math.Sqrt((p*(1-p) + q*(1-q)) / float64(n))
}

// Exercise 1: one network per N = 4, 16, 64, 256 (setup.Train), the same
// steps. The hint: the share of samples within r of a training point falls
// with N, from copies at N = 4 to the fresh data's share at N = 256.
// Comparisons are against 3 binomial standard errors.
func TestExerciseL12E1_FewerPoints(t *testing.T) {
	if testing.Short() {
		t.Skip("runs lesson 12 four times (about 25 s); skipped with -short")
	}
	cfg := quickCfg()
	ms := DefaultMemorisation(cfg)
	ms.SweepN = nil
	var shares []float64
	for _, n := range []int{4, 16, 64, 256} {
		ms.Train = n
		r, err := Memorisation(context.Background(), cfg, ms, nil)
		if err != nil {
			t.Fatal(err)
		}
		net, fresh := numOf(t, r, "trained/within_r"), numOf(t, r, "fresh/within_r")
		t.Logf("N = %d: share within r: network %.3f, fresh data %.3f", n, net, fresh)
		if k := len(shares); k > 0 && shares[k-1] > 3*binomialSE(shares[k-1], shares[k-1], ms.Samples) && !(net < shares[k-1]-3*binomialSE(net, shares[k-1], ms.Samples)) {
			t.Errorf("N = %d: share %.3f, want below the previous %.3f by 3 s.e.", n, net, shares[k-1])
		}
		shares = append(shares, net)
		switch n {
		case 4:
			if !(net > 0.9) {
				t.Errorf("N = 4: share %.3f, want above 0.9 (copies)", net)
			}
		case 256:
			if math.Abs(net-fresh) > 3*binomialSE(net, fresh, ms.Samples) {
				t.Errorf("N = 256: share %.3f, want the fresh data's %.3f within 3 s.e.", net, fresh)
			}
		}
	}
}

// Exercise 2: N = 16, ten times the steps, or twice the width
// (setup.Hidden). The hint: the network starts to memorise: its field at
// small t comes closer to D̂*'s (trained/field_error_t5, on the same
// points for every network: compared with 3 standard errors of the
// larger), and more of its samples are copies.
func TestExerciseL12E2_LongerOrWider(t *testing.T) {
	if testing.Short() {
		t.Skip("runs lesson 12 three times, one network of 15000 steps (about 40 s); skipped with -short")
	}
	cfg := quickCfg()
	run := func(steps, width int) (float64, float64, float64) {
		ms := DefaultMemorisation(cfg)
		ms.Train, ms.SweepN, ms.Steps = 16, nil, steps
		if width > 0 {
			ms.Hidden = []int{width, width, width}
		}
		r, err := Memorisation(context.Background(), cfg, ms, nil)
		if err != nil {
			t.Fatal(err)
		}
		return numOf(t, r, "trained/field_error_t5"), numOf(t, r, "trained/field_error_se_t5"), numOf(t, r, "trained/within_r")
	}
	base := DefaultMemorisation(cfg).Steps
	e0, s0, c0 := run(base, 0)
	e1, _, c1 := run(10*base, 0)
	e2, _, c2 := run(base, 256)
	n := DefaultMemorisation(cfg).Samples
	t.Logf("E||D - D̂*||^2 at t = 5 and share within r: default %.3g (+- %.2g), %.3f; 10x steps %.3g, %.3f; width 256 %.3g, %.3f", e0, s0, c0, e1, c1, e2, c2)
	// "Ten times longer nearly copies": above 0.9 of the samples within r.
	if !(c1 > 0.9) {
		t.Errorf("ten times the steps: share within r %.3f, want above 0.9", c1)
	}
	for _, c := range []struct {
		name      string
		err, copy float64
	}{{"ten times the steps", e1, c1}, {"twice the width", e2, c2}} {
		if !(c.err < e0-3*s0) || !(c.copy > c0+3*binomialSE(c.copy, c0, n)) {
			t.Errorf("%s: field error %.3g (default %.3g +- %.2g), share within r %.3f (default %.3f); want both beyond 3 s.e.", c.name, c.err, e0, s0, c.copy, c0)
		}
	}
}

// Exercise 3: DDPM with D̂* stopped at t_min = 30, output x/sqrt(alpha):
// distributed as x^(i) + sigma eps, a kernel density estimate of the
// training points with bandwidth sigma_30 = sqrt((1 - alpha)/alpha). The
// energy distance to draws of that estimate is within its two-sample noise
// level (a ratio below 3: EnergyCheck).
func TestExerciseL12E3_StopEarly(t *testing.T) {
	ds := load("moons", 32, quickCfg().rng(1))
	s := toy.DDPM()
	const tmin, n = 30, 600
	steps := make([]int, 0, s.T()-tmin+1)
	for k := s.T(); k >= tmin; k-- {
		steps = append(steps, k)
	}
	plan, err := sample.NewPlan(s, steps)
	if err != nil {
		t.Fatal(err)
	}
	x, err := sample.DDPM(plan, toy.PosteriorVariance).Sample(nil, gauss(n, pcg(400)), ds.Exact, nil, pcg(401))
	if err != nil {
		t.Fatal(err)
	}
	a := s.Alpha(tmin)
	for i := range x {
		x[i] /= math.Sqrt(a)
	}
	bw := math.Sqrt((1 - a) / a)
	src := pcg(402)
	kde := func(k int) []float64 { // x^(i) + sigma eps, i uniform
		y := exactSample(ds.Exact, k, a, src)
		for i := range y {
			y[i] /= math.Sqrt(a)
		}
		return y
	}
	ec := energyCheck(x, kde, 10)
	copies := metrics.WithinRadius(x, ds.Points, 2, 0.1*medianNN(ds.Points))
	t.Logf("stopped at t = %d (bandwidth %.3f): energy distance to the kernel estimate %.2f noise levels; share within r %.3f", tmin, bw, ec.Energy/ec.Noise, copies)
	if r := ec.Energy / ec.Noise; r > 3 {
		t.Errorf("stopped at t = %d: energy distance to the kernel estimate %.2f noise levels, want within 3", tmin, r)
	}
}

// Exercise 5: D̂*'s held-out loss at t = 1 against the mean squared
// distance of fresh data to the nearest training point. At t = 1 (sigma
// about 0.01, far below the spacing of 32 points) D̂* returns the training
// point nearest to x_1, nearly always the one nearest to x_0, so the two
// agree per sample except in the rare border bands; the test compares them
// on the same fresh points with 3 standard errors of the paired difference.
func TestExerciseL12E5_HeldOutLoss(t *testing.T) {
	ds := load("moons", 32, quickCfg().rng(1))
	const n = 4000
	fresh := load("moons", n, pcg(410)).Points
	d := metrics.Nearest(nil, fresh, ds.Points, 2)
	a := toy.DDPM().Alpha(1)
	xt := toy.AddNoise(nil, nil, fresh, a, pcg(411))
	den := ds.Exact.Denoise(nil, xt, a, nil)
	loss, diff := make([]float64, n), make([]float64, n)
	for i := range loss {
		loss[i] = sq(den[2*i]-fresh[2*i]) + sq(den[2*i+1]-fresh[2*i+1])
		diff[i] = loss[i] - d[i]*d[i]
	}
	l, _ := meanSE(loss)
	m, se := meanSE(diff)
	t.Logf("held-out loss at t = 1 %.5f; minus the mean squared nearest distance: %.2g +- %.2g", l, m, se)
	if math.Abs(m) > 3*se || math.Abs(m) > 0.01*l {
		t.Errorf("held-out loss minus mean squared nearest distance %.3g +- %.2g, want within 3 s.e. and 1%% of the loss %.4f", m, se, l)
	}
}

func TestExercisesLesson12(t *testing.T) {
	// Exercise 4: at t = 1 the border band (no weight above 0.99) of two
	// points at distance d is about (1 - alpha_1) log 99 / d wide, and a
	// sample of q_1 reaches it only when d is a few sigma_1 at most: every
	// sample in a band is between two points closer than 10 sigma_1 (these
	// 32 moons points have a pair 0.007 apart). Reaching the band of a pair
	// 10 sigma_1 apart takes a noise of 5 standard deviations along the
	// pair: probability 3e-7 per sample, 1.4e-3 for the 5000.
	t.Run("4 cell borders", func(t *testing.T) {
		ds := load("moons", 32, pcg(1))
		m, err := analytic.NewDelta(2, ds.Points, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		a := toy.DDPM().Alpha(1)
		const n = 5000
		x := m.Sample(make([]float64, 2*n), nil, a, pcg(40))
		w := m.Posterior(nil, x, a)
		in, far := 0, 0
		for i := 0; i < n; i++ {
			b1, b2 := -1, -1 // the two largest weights
			for j, v := range w[32*i : 32*i+32] {
				switch {
				case b1 < 0 || v > w[32*i+b1]:
					b1, b2 = j, b1
				case b2 < 0 || v > w[32*i+b2]:
					b2 = j
				}
			}
			if w[32*i+b1] >= 0.99 {
				continue
			}
			in++
			p := ds.Points
			if math.Hypot(p[2*b1]-p[2*b2], p[2*b1+1]-p[2*b2+1]) > 10*toy.DDPM().Sigma(1) {
				far++
			}
		}
		t.Logf("%d of %d samples of q_1 in a border band, %d of them between points farther than 10 sigma_1", in, n, far)
		if far > 0 {
			t.Errorf("%d samples in the band of two points farther apart than 10 sigma_1", far)
		}
	})
}
