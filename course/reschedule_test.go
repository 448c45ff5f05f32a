package course

import (
	"math"
	"testing"

	"difftoy/toy"
	"difftoy/toy/metrics"
	"difftoy/toy/sample"
)

// TestLesson05Matching checks the identities among lesson 5's claims
// (lessons/05-changing-schedule.md, "Claims checked by the tests"), one
// subtest per claim, named by its number there.
func TestLesson05Matching(t *testing.T) {
	for _, c := range []struct {
		name  string
		check func(t *testing.T)
	}{
		{"claim1/matched_levels_agree", lesson05MatchedLevels},
		{"claim2/matched_step_increases", lesson05MatchedStepIncreases},
		{"claim4/rescaling_identity", lesson05Rescaling},
	} {
		t.Run(c.name, c.check)
	}
}

// The step found for a level reproduces it: log-sigma interpolation and
// its inverse lose a few ulps of log sigma (|log sigma| < 10).
const matchTol = 1e-12

// matchedSteps calls f with each cosine step t whose sigma the linear
// schedule covers, its level sigma, and the matched linear step s.
func matchedSteps(t *testing.T, f func(k int, sig, st float64)) {
	lin, cos := toy.DDPM(), cosineSchedule(t)
	for k := 1; k <= cos.T(); k++ {
		sig := cos.Sigma(k)
		if sig < lin.Sigma(1) || sig > lin.Sigma(lin.T()) {
			continue
		}
		st, err := lin.StepForSigma(sig)
		if err != nil {
			t.Fatal(err)
		}
		f(k, sig, st)
	}
}

// Claim 1: alpha_s = alpha^_t at the matched step (the rescaling factor is
// 1 to rounding), and exactly at the steps themselves.
func lesson05MatchedLevels(t *testing.T) {
	lin, cos := toy.DDPM(), cosineSchedule(t)
	matchedSteps(t, func(k int, sig, st float64) {
		if e := math.Abs(math.Sqrt(lin.AlphaAt(st)/cos.Alpha(k)) - 1); e > matchTol {
			t.Fatalf("cosine t=%d: sqrt(alpha_s / alpha^_t) - 1 = %v", k, e)
		}
	})
	for k := 1; k <= lin.T(); k++ {
		st, err := lin.StepForAlpha(lin.Alpha(k))
		if err != nil || math.Abs(st-float64(k)) > 1e-9 {
			t.Fatalf("StepForAlpha(alpha_%d) = %v, %v", k, st, err)
		}
	}
}

// Claim 2: the matched step is strictly increasing and in [1, T] wherever
// the cosine sigma is in the linear schedule's range (at least 900 of the
// 1000 cosine steps).
func lesson05MatchedStepIncreases(t *testing.T) {
	T := float64(toy.DDPM().T())
	prev, inRange := 0.0, 0
	matchedSteps(t, func(k int, sig, st float64) {
		inRange++
		if !(st >= 1 && st <= T) || !(st > prev) {
			t.Fatalf("cosine t=%d: matched step %v (previous %v), want increasing in [1, T]", k, st, prev)
		}
		prev = st
	})
	if inRange < 900 {
		t.Errorf("only %d cosine steps in the linear schedule's sigma range", inRange)
	}
}

// Claim 4: sqrt(alpha_s / alpha^_t) x^_t = sqrt(alpha_s) x_0 + sqrt(1 - alpha_s) eps
// for one x_0 and eps, and sqrt(alpha_s) y = the same for the
// variance-exploding y = x_0 + sigma eps at sigma_s = sigma.
func lesson05Rescaling(t *testing.T) {
	lin, cos := toy.DDPM(), cosineSchedule(t)
	matchedSteps(t, func(k int, sig, st float64) {
		ah, as := cos.Alpha(k), lin.AlphaAt(st)
		x0, eps := 0.7, -1.3
		xh := math.Sqrt(ah)*x0 + math.Sqrt(1-ah)*eps
		if e := math.Abs(math.Sqrt(as/ah)*xh - (math.Sqrt(as)*x0 + math.Sqrt(1-as)*eps)); e > matchTol*10 {
			t.Fatalf("cosine t=%d: rescaled x^_t off x_s by %v", k, e)
		}
		y := x0 + sig*eps
		if e := math.Abs(math.Sqrt(as)*y - (math.Sqrt(as)*x0 + math.Sqrt(1-as)*eps)); e > matchTol*10 {
			t.Fatalf("sigma=%v: sqrt(alpha_s) y off x_s by %v", sig, e)
		}
	})
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
