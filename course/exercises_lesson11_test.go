package course

import (
	"context"
	"math"
	"testing"

	"difftoy/toy"
	"difftoy/toy/sample"
)

// Lesson 11's exercises (lessons/11-langevin.md), each run at quick size
// (see exercises_test.go).

// Exercise 2: the Langevin steps until a chain first changes mode grow like
// e^barrier. Kramers' law for dx = grad log p dt + sqrt(2) dW (one move of
// step s is a time s^2/2) gives the mean time
//
//	pi / sqrt(U''(a) |U''(b)|) e^(U(b) - U(a)),   U = -log p,
//
// to reach the saddle b from the mode a: log(count) against the barrier
// has slope 1 less the change of the prefactor's log. The test fits the
// slope over four separations and compares it with Kramers' own slope
// (with the prefactor); each log mean count has Monte Carlo error
// 1/sqrt(chains) = 0.07 (first-passage times are nearly exponential), so
// over a barrier range of 2.5 the slope's error is about 0.04; with the
// step's discretisation error the bound is 0.15.
func TestExerciseL11E2_HowLongToCross(t *testing.T) {
	const chains, s = 200, 0.1
	var barriers, logCount, logKramers []float64
	for i, sep := range []float64{0.6, 0.7, 0.8, 0.9} {
		m, err := TwoModes(sep, []float64{0.5, 0.5})
		if err != nil {
			t.Fatal(err)
		}
		u := func(x float64) float64 { return -m.LogProb(nil, []float64{x, 0}, 1)[0] }
		// Second differences with h = 1e-4: relative error about
		// 1e-16 / h^2 = 1e-8, and h^2 U'''' / 12 far below that.
		const h = 1e-4
		d2 := func(x float64) float64 { return (u(x+h) - 2*u(x) + u(x-h)) / (h * h) }
		a := sep // the mode: Newton on U' from the component's mean
		for k := 0; k < 50; k++ {
			a -= (u(a+h) - u(a-h)) / (2 * h) / d2(a)
		}
		barrier := u(0) - u(a)
		kramers := math.Pi / math.Sqrt(d2(a)*math.Abs(d2(0))) * math.Exp(barrier) / (s * s / 2)
		start := make([]float64, 2*chains)
		first := make([]int, chains)
		for c := range first {
			start[2*c], first[c] = a, -1
		}
		rec := sample.RecorderFunc(func(f sample.Frame) {
			for c := range first {
				if first[c] < 0 && f.X[2*c] < 0 {
					first[c] = f.K
				}
			}
		})
		// 20 Kramers times: an exponential passage time exceeds it with
		// probability e^-20 per chain.
		iters := int(20 * kramers)
		if _, err := (&sample.Langevin{Size: s, Iters: iters, Record: rec}).Sample(nil, start, m, nil, pcg(300+uint64(i))); err != nil {
			t.Fatal(err)
		}
		var mean float64
		for c, k := range first {
			if k < 0 {
				t.Fatalf("separation %v: chain %d did not cross in %d moves", sep, c, iters)
			}
			mean += float64(k) / chains
		}
		t.Logf("modes at +-%.1f: barrier %.3f, mean moves to cross %.0f, Kramers %.0f", sep, barrier, mean, kramers)
		barriers = append(barriers, barrier)
		logCount = append(logCount, math.Log(mean))
		logKramers = append(logKramers, math.Log(kramers))
	}
	slope, kslope := fitSlope(barriers, logCount), fitSlope(barriers, logKramers)
	t.Logf("slope of log(moves) against the barrier: %.3f (Kramers %.3f)", slope, kslope)
	if math.Abs(slope-kslope) > 0.15 || slope < 0.6 || slope > 1.1 {
		t.Errorf("slope %.3f, want within 0.15 of Kramers' %.3f and in [0.6, 1.1]", slope, kslope)
	}
}

// fitSlope is the least-squares slope of y against x.
func fitSlope(x, y []float64) float64 {
	mx, my := mean(x), mean(y)
	var sxy, sxx float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
	}
	return sxy / sxx
}

// Exercise 3: the same budget of 1000 moves split into few levels with
// many moves or many levels with few. The hint: the mode shares hardly
// change; the shape does: the chains end at the plan's last level t = T/L,
// so with 5 levels they sample the blurred q_200, not q_0; with 50 levels
// of 20 moves or 1000 of one, the last levels are near t = 0 but their
// steps s^2 = Ratio (1 - alpha_t) are tiny, so the chains lag behind and
// the modes come out wider than q_0's, by the same amount for both splits.
// The shape is measured by the variance of the y coordinate, the same for
// both modes (centred at y = 0): v = alpha 0.3^2 + 1 - alpha at level
// alpha, times 1/(1 - s^2/(4v)) for Langevin's step (claim 1 of the
// lesson), with Monte Carlo standard error v sqrt(2/n).
func TestExerciseL11E3_AnnealingSchedule(t *testing.T) {
	ls := DefaultLangevin(quickCfg())
	m, err := TwoModes(ls.Separated, ls.Weights)
	if err != nil {
		t.Fatal(err)
	}
	w := ls.Weights[0] / (ls.Weights[0] + ls.Weights[1])
	se := math.Sqrt(w * (1 - w) / float64(ls.Chains))
	vy := map[int]float64{}
	for _, split := range [][2]int{{5, 200}, {50, 20}, {1000, 1}} {
		ls.Levels, ls.PerLevel = split[0], split[1]
		plan, err := sample.Strided(toy.DDPM(), ls.Levels)
		if err != nil {
			t.Fatal(err)
		}
		ann := &sample.Annealed{Plan: plan, Iters: ls.PerLevel, Ratio: ls.Ratio}
		x, err := ann.Sample(nil, gauss(ls.Chains, pcg(310)), m, nil, pcg(311))
		if err != nil {
			t.Fatal(err)
		}
		var v float64
		for i := 1; i < len(x); i += 2 {
			v += x[i] * x[i] / float64(ls.Chains)
		}
		a := plan.Alpha(plan.Len() - 1) // the last level
		law := a*0.09 + 1 - a
		want := law / (1 - ls.Ratio*(1-a)/(4*law))
		vy[ls.Levels] = v
		share := shareLeft(x)
		t.Logf("%d levels x %d moves: share %.3f (weight %.1f); variance of y %.4f, at the last level t = %d %.4f (q_0: 0.09)", ls.Levels, ls.PerLevel, share, w, v, plan.Step(plan.Len()-1), want)
		// Lesson 11's claim 4 bound: the bias of finitely many moves per
		// level (0.03) plus 3 binomial standard errors.
		if d := math.Abs(share - w); d > 0.03+3*se {
			t.Errorf("%d levels x %d moves: |share - weight| = %.3f, want below %.3f", ls.Levels, ls.PerLevel, d, 0.03+3*se)
		}
		if sev := want * math.Sqrt(2/float64(ls.Chains)); ls.Levels == 5 && math.Abs(v-want) > 3*sev {
			t.Errorf("%d levels: variance of y %.4f, want the last level's %.4f within 3 s.e. (%.4f)", ls.Levels, v, want, sev)
		}
	}
	// Many levels: wider than q_0 (0.09) and the same for both splits,
	// within 3 standard errors of a difference of two variances.
	sed := vy[50] * math.Sqrt(4/float64(ls.Chains))
	if !(vy[50] > 0.09*(1+3*math.Sqrt(2/float64(ls.Chains)))) || math.Abs(vy[50]-vy[1000]) > 3*sed {
		t.Errorf("variance of y: 50 levels %.4f, 1000 levels %.4f; want both above q_0's 0.09 by 3 s.e. and within %.4f of each other", vy[50], vy[1000], 3*sed)
	}
	if !(vy[5] > 2*vy[50]) {
		t.Errorf("variance of y: 5 levels %.3f, want above twice 50 levels' %.3f", vy[5], vy[50])
	}
}

// Exercise 4: the corrector's step s_t^2 = Ratio (1 - alpha_t) scaled by
// 0.1 and by 10 (5 predictor levels on the eight Gaussians, 10 corrector
// moves per level, as the lesson's run). Measured: a tenth of the default
// does almost nothing, and ten times the default helps more than the
// default (the bias of section 2 at each level is outweighed by faster
// mixing; the step stays below the stability limit s^2 < 4 v). Six paired
// repetitions (the same x_T and noise for every ratio); the comparisons
// are of means against 3 standard errors of the paired differences.
func TestExerciseL11E4_CorrectorStep(t *testing.T) {
	ls := DefaultLangevin(quickCfg())
	ds := load("eight-gaussians", 10, pcg(1))
	plan, err := sample.Strided(toy.DDPM(), ls.PCLevels)
	if err != nil {
		t.Fatal(err)
	}
	ratios := []float64{0, ls.Ratio / 10, ls.Ratio, ls.Ratio * 10} // 0: the predictor alone
	const reps = 6
	e := make([][]float64, len(ratios))
	for r := uint64(0); r < reps; r++ {
		for i, ratio := range ratios {
			s := sample.DDPM(plan, toy.PosteriorVariance)
			if ratio > 0 {
				s.Corrector = sample.Corrector{Iters: ls.PCIters, Ratio: ratio}
			}
			x, err := s.Sample(nil, gauss(ls.Chains, pcg(320+10*r)), ds.Exact, nil, pcg(321+10*r))
			if err != nil {
				t.Fatal(err)
			}
			src := pcg(322 + 10*r)
			ec := energyCheck(x, func(n int) []float64 { return exactSample(ds.Exact, n, 1, src) }, 10)
			e[i] = append(e[i], ec.Energy/ec.Noise)
		}
	}
	diff := func(a, b []float64) (float64, float64) {
		d := make([]float64, len(a))
		for i := range a {
			d[i] = a[i] - b[i]
		}
		return meanSE(d)
	}
	gainSmall, seSmall := diff(e[0], e[1])
	gainDefault, seDefault := diff(e[0], e[2])
	better, seBetter := diff(e[2], e[3])
	t.Logf("energy / noise level, mean of %d: predictor %.2f, corrector x0.1 %.2f, default %.2f, x10 %.2f", reps, mean(e[0]), mean(e[1]), mean(e[2]), mean(e[3]))
	if !(gainDefault > 3*seDefault) || !(gainSmall < gainDefault/3+3*seSmall) {
		t.Errorf("gain over the predictor: x0.1 %.2f +- %.2f, default %.2f +- %.2f; want the default's above 3 s.e. and x0.1's within 3 s.e. of a third of it", gainSmall, seSmall, gainDefault, seDefault)
	}
	if !(better > 3*seBetter) {
		t.Errorf("x10 against the default: energy lower by %.2f +- %.2f, want above 3 s.e.", better, seBetter)
	}
}

// Exercise 5: Langevin with the trained denoiser's score (Tweedie) at a
// small noise level (t = 10, sigma about 0.07), 500 moves of s^2 = 0.1
// (1 - alpha_t). Started from the data's q_10, the chains stay near the
// modes with either score; started from N(0, 4 I), far from the data,
// many more chains stay away from every mode with the trained score than
// with the exact one: there the network was never trained. Counts are
// compared with 3 binomial standard errors of the difference.
func TestExerciseL11E5_TrainedScore(t *testing.T) {
	cfg := quickCfg()
	tr, err := TrainDenoiser(context.Background(), cfg, DefaultTraining(cfg), nil)
	if err != nil {
		t.Fatal(err)
	}
	ex := tr.Data.Exact
	const k, n = 10, 1000
	a := toy.DDPM().Alpha(k)
	plan, err := sample.NewPlan(toy.DDPM(), []int{k, 0}) // one level: t = 10
	if err != nil {
		t.Fatal(err)
	}
	// A chain is lost when it is farther than 4 standard deviations of
	// q_t's components (sqrt(alpha 0.15^2 + 1 - alpha)) from every mode.
	sd := math.Sqrt(a*0.15*0.15 + 1 - a)
	lost := func(x []float64) float64 {
		c := 0
		for i := 0; i < n; i++ {
			best := math.Inf(1)
			for j := 0; j < 8; j++ {
				th := 2 * math.Pi * float64(j) / 8
				best = math.Min(best, math.Hypot(x[2*i]-2*math.Sqrt(a)*math.Cos(th), x[2*i+1]-2*math.Sqrt(a)*math.Sin(th)))
			}
			if best > 4*sd {
				c++
			}
		}
		return float64(c) / n
	}
	share := map[string]float64{}
	for _, start := range []string{"data", "far"} {
		for _, who := range []string{"exact", "trained"} {
			var sc toy.Scorer = ex
			if who == "trained" {
				sc = toy.ScoreFrom(tr.Model)
			}
			x0 := exactSample(ex, n, a, pcg(330))
			if start == "far" {
				x0 = gauss(n, pcg(331))
				for i := range x0 {
					x0[i] *= 2
				}
			}
			x, err := (&sample.Annealed{Plan: plan, Iters: 500, Ratio: 0.1}).Sample(nil, x0, sc, nil, pcg(332))
			if err != nil {
				t.Fatal(err)
			}
			share[start+"/"+who] = lost(x)
		}
	}
	t.Logf("share of lost chains: from the data exact %.3f, trained %.3f; from far exact %.3f, trained %.3f",
		share["data/exact"], share["data/trained"], share["far/exact"], share["far/trained"])
	se := func(p, q float64) float64 { return math.Sqrt((p*(1-p) + q*(1-q)) / n) }
	far := share["far/trained"] - share["far/exact"]
	near := share["data/trained"] - share["data/exact"]
	if !(far > 3*se(share["far/trained"], share["far/exact"])) {
		t.Errorf("from far: trained loses %.3f more chains than exact, want above 3 s.e.", far)
	}
	if !(near < far/5) {
		t.Errorf("from the data: trained loses %.3f more chains than exact, want below a fifth of the %.3f from far", near, far)
	}
}

func TestExercisesLesson11(t *testing.T) {
	// Exercise 1: Langevin on N(0, v I) with step s: x <- c x + s z, c = 1 -
	// s^2 / (2v). For |c| < 1 the stationary variance is s^2 / (1 - c^2) =
	// v / (1 - s^2 / (4v)); for s^2 > 4v, |c| > 1 and the chain diverges.
	t.Run("1 step size", func(t *testing.T) {
		const v, n = 1.0, 2000
		g := isoGaussian(t, v)
		for _, s2 := range []float64{0.1, 1, 3.9, 4.1} {
			x, err := (&sample.Langevin{Size: math.Sqrt(s2 * v), Iters: 400}).Sample(nil, gauss(n, pcg(30)), g, nil, pcg(31))
			if err != nil {
				t.Fatal(err)
			}
			got := norm2(x) * norm2(x) / float64(2*n) // norm2 is the Euclidean norm
			if s2 > 4 {
				if !(got > 1e6) {
					t.Errorf("s^2 = %vv: mean square %v, want divergence", s2, got)
				}
				continue
			}
			want := v / (1 - s2/4)
			// Variance estimate of 2n independent coordinates: relative
			// s.e. sqrt(2 / (2n)); 4 s.e.
			if math.Abs(got/want-1) > 4*math.Sqrt(1.0/n) {
				t.Errorf("s^2 = %vv: variance %v, want %v", s2, got, want)
			}
		}
	})
}
