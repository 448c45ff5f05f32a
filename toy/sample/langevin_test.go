package sample_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/sample"
)

// ulaVariance is the exact stationary variance of unadjusted Langevin with
// step h on a Gaussian of variance v (per coordinate): the move is
//
//	x' - m = (1 - h/(2v)) (x - m) + sqrt(h) z,
//
// an AR(1) whose stationary variance solves V = (1 - h/(2v))^2 V + h:
//
//	V = v / (1 - h/(4v)),   for h < 4v.
//
// Its mean is m. Deviations from stationarity decay like (1 - h/(2v))^k.
func ulaVariance(v, h float64) float64 { return v / (1 - h/(4*v)) }

// checkGaussianLaw compares the per-coordinate sample mean and variance of
// the n points x (dimension 2) with m and V, within 4 standard errors:
// sqrt(V / n) for the mean and V sqrt(2 / (n - 1)) for the variance.
func checkGaussianLaw(t *testing.T, what string, x, m []float64, V float64) {
	t.Helper()
	n := float64(len(x) / 2)
	for k := range 2 {
		mean, v := coordMoments(x, 2, k)
		seM, seV := math.Sqrt(V/n), V*math.Sqrt(2/(n-1))
		t.Logf("%s coordinate %d: mean %.4f (want %.4f ± %.4f), variance %.4f (want %.4f ± %.4f)", what, k, mean, m[k], 4*seM, v, V, 4*seV)
		if math.Abs(mean-m[k]) > 4*seM || math.Abs(v-V) > 4*seV {
			t.Errorf("%s coordinate %d: mean %.4f variance %.4f, want %.4f and %.4f", what, k, mean, v, m[k], V)
		}
	}
}

// gaussData is N(mu, v I) in 2-D, the target of the Langevin tests.
var gaussMu, gaussV = []float64{0.5, -1}, 0.25

func gaussData(t *testing.T) analytic.Mixture {
	m, err := analytic.NewGaussian(2, nil, gaussMu, [][]float64{{gaussV, 0, 0, gaussV}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Plain Langevin with step size s (h = s^2) on N(mu, v I) settles on the
// exact ULA law N(mu, V(v, h)): with s = 0.5 the step is h = 0.25 = v and
// V = v / (1 - 1/4) is a third above v, a bias the test resolves (and so
// pins both h = s^2 and the drift h/2). The start N(0, I) is forgotten
// after 100 moves: (1 - h/(2v))^100 = 2^-100.
func TestLangevinStationaryLaw(t *testing.T) {
	m := gaussData(t)
	const n = 10000
	x := ok((&sample.Langevin{Size: 0.5, Iters: 100}).Sample(nil, gaussians(n, 2, 21), m, nil, rand.NewPCG(22, 22)))
	checkGaussianLaw(t, "Langevin", x, gaussMu, ulaVariance(gaussV, 0.25))
}

// Annealed Langevin ends with Iters moves at the last level a of its plan,
// with the score of q_t = N(sqrt(a) mu, (a v + 1 - a) I) and the step
// h = Ratio (1 - a); with many moves per level its end law is the ULA law
// of that level, which pins the step rule and the level of the score. The
// plan [400, 200] ends at a = alpha_200 = 0.66; Ratio = 1 makes the bias
// h / (4 v_t) = 17%. 100 moves per level forget the previous level:
// (1 - h / (2 v_t))^100 < 1e-17. The predictor-corrector sampler's
// corrector runs the same moves after its last predictor move, so a DDIM
// step to level 200 followed by 100 corrector moves has the same end law.
func TestAnnealedAndCorrectorStationaryLaw(t *testing.T) {
	m := gaussData(t)
	s := toy.DDPM()
	p, err := sample.NewPlan(s, []int{400, 200})
	if err != nil {
		t.Fatal(err)
	}
	a := s.Alpha(200)
	vt := a*gaussV + 1 - a
	const ratio, n = 1.0, 10000
	V := ulaVariance(vt, ratio*(1-a))
	mean := []float64{math.Sqrt(a) * gaussMu[0], math.Sqrt(a) * gaussMu[1]}
	xT := gaussians(n, 2, 23)
	ann := ok((&sample.Annealed{Plan: p, Iters: 100, Ratio: ratio}).Sample(nil, xT, m, nil, rand.NewPCG(24, 24)))
	checkGaussianLaw(t, "annealed", ann, mean, V)
	pc := sample.DDIM(p, 0)
	pc.Corrector = sample.Corrector{Iters: 100, Ratio: ratio}
	x := ok(pc.Sample(nil, xT, m, nil, rand.NewPCG(25, 25)))
	checkGaussianLaw(t, "predictor-corrector", x, mean, V)
}
