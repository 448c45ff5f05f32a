package sample_test

import (
	"math"
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
// methods (Euler, and the drift sampler of
// lessons/10-deterministic-sampling.md section 3, whose drift
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
