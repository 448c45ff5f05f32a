package sample_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/sample"
)

// gaussFlow is the exact probability-flow solution for Gaussian data
// N(mu, s^2 I): in the scaled variable xbar = x / sqrt(alpha),
// (xbar(sigma) - mu) / sqrt(s^2 + sigma^2) is constant. It maps the points
// x (at level aFrom) to level aTo.
func gaussFlow(x, mu []float64, s, aFrom, aTo float64) []float64 {
	sf, st := math.Sqrt((1-aFrom)/aFrom), math.Sqrt((1-aTo)/aTo)
	out := make([]float64, len(x))
	for i := range x {
		xb := x[i] / math.Sqrt(aFrom)
		m := mu[i%len(mu)]
		out[i] = math.Sqrt(aTo) * (m + math.Sqrt(s*s+st*st)*(xb-m)/math.Sqrt(s*s+sf*sf))
	}
	return out
}

// For Gaussian data the probability-flow ODE is solved in closed form
// (gaussFlow). Halving the step must halve the error of the first-order
// methods (Euler, and the drift sampler of MATH.md section 8, whose drift
// -(C^2/2) grad log q is the ODE's only to first order) and quarter the
// Heun error (second order); the asymptotic ratios 2 and 4 are checked
// within [1.6, 2.5] and above 3.2, on moves t = 520 -> 20 of the linear
// schedule. A drift with the wrong factor or sign follows another ODE and
// does not converge at all. The plan stops at t = 20: a move to sigma = 0
// is always an Euler move, and near t = 0 sigma ~ sqrt(beta_1 t) is not
// smooth in t, so on plans uniform in t that last move alone is first order.
func TestODEOrder(t *testing.T) {
	mu, s := []float64{0.5, -1}, 0.3
	m, err := analytic.NewGaussian(2, nil, mu, [][]float64{{s * s, 0, 0, s * s}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	sch := toy.DDPM()
	const top, bottom = 520, 20
	xT := gaussians(50, 2, 9)
	want := gaussFlow(xT, mu, s, sch.Alpha(top), sch.Alpha(bottom))
	for _, tc := range []struct {
		name  string
		order int
		run   func(p *sample.Plan) ([]float64, error)
	}{
		{"Euler", 1, func(p *sample.Plan) ([]float64, error) { return (&sample.ODE{Plan: p}).Sample(nil, xT, m, nil) }},
		{"Heun", 2, func(p *sample.Plan) ([]float64, error) {
			return (&sample.ODE{Plan: p, Heun: true}).Sample(nil, xT, m, nil)
		}},
		{"drift", 1, func(p *sample.Plan) ([]float64, error) { return sample.DriftSampler(p).Sample(nil, xT, m, nil, nil) }},
	} {
		var errs []float64
		for _, n := range []int{25, 50, 100} {
			steps := make([]int, n+1)
			for k := range steps {
				steps[k] = top - k*(top-bottom)/n
			}
			p, err := sample.NewPlan(sch, steps)
			if err != nil {
				t.Fatal(err)
			}
			errs = append(errs, rms(ok(tc.run(p)), want, 2))
		}
		r1, r2 := errs[0]/errs[1], errs[1]/errs[2]
		t.Logf("%s: errors %.3e %.3e %.3e, ratios %.2f %.2f", tc.name, errs[0], errs[1], errs[2], r1, r2)
		if tc.order == 1 && (r2 < 1.6 || r2 > 2.5) {
			t.Errorf("%s: error ratio %.2f on halving the step, want about 2", tc.name, r2)
		}
		if tc.order == 2 && r2 < 3.2 {
			t.Errorf("%s: error ratio %.2f on halving the step, want about 4", tc.name, r2)
		}
	}
}

// The local error of one move from sigma_t to sigma_t - h is O(h^2) for
// Euler and O(h^3) for Heun, at high noise and at low noise alike (a move
// ending above alpha = 0.999 is as much a Heun move as any other; only the
// move to sigma = 0 falls back to Euler). Each move is the only one of a
// two-step schedule built for it, whose levels are exactly sigma_t and
// sigma_t - h. Halving h must divide the error by about 4 (Euler, checked
// within [3.2, 4.8]) and 8 (Heun, above 6.4). Gaussian data of std 0.15,
// whose flow bends on the scale sigma ~ 0.15; h <= sigma_t / 8 is in the
// asymptotic regime there.
func TestODELocalOrder(t *testing.T) {
	mu, s := []float64{0.5, -1}, 0.15
	m, err := analytic.NewGaussian(2, nil, mu, [][]float64{{s * s, 0, 0, s * s}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	level := func(sigma float64) float64 { return 1 / (1 + sigma*sigma) }
	for _, sigmaT := range []float64{0.03, 0.2, 3} {
		aT := level(sigmaT)
		xT := gaussians(20, 2, 19)
		for i := range xT {
			xT[i] = math.Sqrt(aT) * (mu[i%2] + math.Sqrt(s*s+sigmaT*sigmaT)*xT[i])
		}
		for _, heun := range []bool{false, true} {
			var errs []float64
			for _, h := range []float64{sigmaT / 8, sigmaT / 16, sigmaT / 32} {
				aS := level(sigmaT - h)
				sch, err := toy.FromBetas("one move", []float64{1 - aS, 1 - aT/aS})
				if err != nil {
					t.Fatal(err)
				}
				p, err := sample.NewPlan(sch, []int{2, 1})
				if err != nil {
					t.Fatal(err)
				}
				x := ok((&sample.ODE{Plan: p, Heun: heun}).Sample(nil, xT, m, nil))
				errs = append(errs, rms(x, gaussFlow(xT, mu, s, sch.Alpha(2), sch.Alpha(1)), 2))
			}
			r1, r2 := errs[0]/errs[1], errs[1]/errs[2]
			t.Logf("sigma_t = %v Heun %v: local errors %.3e %.3e %.3e, ratios %.2f %.2f", sigmaT, heun, errs[0], errs[1], errs[2], r1, r2)
			if !heun && (r2 < 3.2 || r2 > 4.8) {
				t.Errorf("sigma_t = %v Euler: local error ratio %.2f on halving h, want about 4", sigmaT, r2)
			}
			if heun && r2 < 6.4 {
				t.Errorf("sigma_t = %v Heun: local error ratio %.2f on halving h, want about 8", sigmaT, r2)
			}
		}
	}
}

// One move of the DDIM family from a fixed x_t, with the exact denoiser of
// a single point x0 (D = x0 everywhere), has the law Song et al. (2021,
// eq. 12 and 16) give it:
//
//	mean     sqrt(a_s) x0 + sqrt(1 - a_s - c^2) (x_t - sqrt(a_t) x0) / sqrt(1 - a_t)
//	variance c^2 = eta^2 (1 - a_s) / (1 - a_t) (1 - a_t / a_s),
//
// and in the drift mode the mean is the DDPM mean A x_t + B x0 minus
// ((C^2 - c^2) / 2) times the score (sqrt(a_t) x0 - x_t) / (1 - a_t)
// (MATH.md section 8). This pins what Eta means; the marginal test above
// holds for any noise share. With n particles the mean is checked within 4
// standard errors c / sqrt(n), the variance within 4 c^2 sqrt(2 / n); at
// eta = 0 the move is deterministic (rounding level).
func TestMoveConditionalLaw(t *testing.T) {
	x0 := []float64{1, -2}
	m, err := analytic.NewDelta(2, x0, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := toy.DDPM()
	p, err := sample.NewPlan(s, []int{800, 300})
	if err != nil {
		t.Fatal(err)
	}
	at, as := s.Alpha(800), s.Alpha(300)
	const n = 10000
	xt := make([]float64, 2*n)
	for i := range xt {
		xt[i] = []float64{0.3, 0.7}[i%2]
	}
	A, B, C := toy.Coefficients(at, as, toy.PosteriorVariance)
	for _, eta := range []float64{0, 0.3, 0.7, 1} {
		c := eta * math.Sqrt((1-as)/(1-at)*(1-at/as))
		for _, drift := range []bool{false, true} {
			smp := &sample.Sampler{Plan: p, Eta: eta, Drift: drift}
			x := ok(smp.Sample(nil, xt, m, nil, rand.NewPCG(16, 16)))
			for k := range 2 {
				var want float64
				if drift {
					score := (math.Sqrt(at)*x0[k] - xt[k]) / (1 - at)
					want = A*xt[k] + B*x0[k] - (C*C-c*c)/2*score
				} else {
					want = math.Sqrt(as)*x0[k] + math.Sqrt(1-as-c*c)*(xt[k]-math.Sqrt(at)*x0[k])/math.Sqrt(1-at)
				}
				mean, v := 0.0, 0.0
				for i := range n {
					mean += x[2*i+k]
				}
				mean /= n
				for i := range n {
					v += (x[2*i+k] - mean) * (x[2*i+k] - mean)
				}
				v /= n - 1
				tolM, tolV := 4*c/math.Sqrt(n), 4*c*c*math.Sqrt(2.0/n)
				if eta == 0 {
					tolM, tolV = 1e-12, 1e-24
				}
				if math.Abs(mean-want) > tolM || math.Abs(v-c*c) > tolV {
					t.Errorf("eta %v drift %v coordinate %d: mean %.6f variance %.6f, want %.6f and %.6f", eta, drift, k, mean, v, want, c*c)
				}
			}
		}
	}
}

// The last move, to alpha = 1, adds no noise in any setting (MATH.md
// section 2: "no noise at the last step"): with the exact denoiser of one
// point x0 (D = x0 everywhere) a move from t = 10 to 0 lands every particle
// on x0 exactly (A = 0, B = 1), also with C^2 = beta, which would otherwise
// scatter them by sqrt(1 - alpha_10) = 0.05.
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
		sample.DriftSampler(p), {Plan: p, Variance: toy.BetaVariance, Drift: true}, {Plan: p, Eta: 1, Variance: toy.BetaVariance},
	} {
		x := ok(smp.Sample(nil, xt, m, nil, rand.NewPCG(19, 19)))
		for i := range x {
			if math.Abs(x[i]-x0[i%2]) > 1e-12 {
				t.Fatalf("eta %v %v variance drift %v: x[%d] = %v, want %v", smp.Eta, smp.Variance, smp.Drift, i, x[i], x0[i%2])
			}
		}
	}
}
