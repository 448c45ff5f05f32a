package course

import (
	"math"
	"testing"

	"difftoy/toy"
	"difftoy/toy/metrics"
	"difftoy/toy/sample"
)

// Lesson 10's exercises (lessons/10-deterministic-sampling.md), each run at
// quick size with the exact denoisers (see exercises_test.go).

// Exercise 1: the smallest DDIM step count within the noise level, against
// DDPM's. The hint: with the exact denoiser on the eight Gaussians both get
// there between 5 and 10 moves; DDIM's few-step edge over DDPM is small.
func TestExerciseL10E1_HowFewSteps(t *testing.T) {
	m := load("eight-gaussians", 10, pcg(1)).Exact
	const n, reps = 1000, 4
	samplers := []struct {
		name string
		make func(p *sample.Plan) *sample.Sampler
	}{
		{"DDIM", func(p *sample.Plan) *sample.Sampler { return sample.DDIM(p, 0) }},
		{"DDPM, C^2 = beta~", func(p *sample.Plan) *sample.Sampler { return sample.DDPM(p, toy.PosteriorVariance) }},
		{"DDPM, C^2 = beta", func(p *sample.Plan) *sample.Sampler { return sample.DDPM(p, toy.BetaVariance) }},
	}
	for si, s := range samplers {
		// The energy distance in units of its two-sample noise level,
		// averaged over independent repetitions: a perfect sampler scores
		// 1 on average and above 3 rarely (EnergyCheck), so a mean above 3
		// at 5 moves and below 3 at 10 puts the smallest count within the
		// noise level in 6..10.
		ratio := map[int]float64{}
		for _, steps := range []int{5, 10} {
			p, err := sample.Strided(toy.DDPM(), steps)
			if err != nil {
				t.Fatal(err)
			}
			for r := uint64(0); r < reps; r++ {
				x, err := s.make(p).Sample(nil, gauss(n, pcg(200+10*r)), m, nil, pcg(201+10*r))
				if err != nil {
					t.Fatal(err)
				}
				src := pcg(202 + 10*r + 100*uint64(si))
				ec := energyCheck(x, func(k int) []float64 { return exactSample(m, k, 1, src) }, 10)
				ratio[steps] += ec.Energy / ec.Noise / reps
			}
		}
		t.Logf("%s: energy distance / noise level, mean of %d runs: %.2f at 5 moves, %.2f at 10", s.name, reps, ratio[5], ratio[10])
		if !(ratio[5] > 3 && ratio[10] < 3) {
			t.Errorf("%s: mean ratio %.2f at 5 moves (want above 3) and %.2f at 10 (want below 3)", s.name, ratio[5], ratio[10])
		}
	}
}

// Exercise 2: the eta sweep at 20 steps (setup.EtaSteps = 20). The hint:
// with the exact denoiser there are few errors for the noise to repair, and
// at 20 steps every eta is within the noise level (mean ratio over 4 runs
// below 3, EnergyCheck); the added variance shows with fewer steps: at 5
// steps (the notebook's default) eta = 1 is further from the data than
// eta = 0, by more than 3 standard errors of the paired differences (the
// same x_T and noise for both).
func TestExerciseL10E2_Eta(t *testing.T) {
	m := load("eight-gaussians", 10, pcg(1)).Exact
	const n, reps = 1000, 4
	ratios := func(steps int, eta float64) []float64 {
		p, err := sample.Strided(toy.DDPM(), steps)
		if err != nil {
			t.Fatal(err)
		}
		var out []float64
		for r := uint64(0); r < reps; r++ {
			x, err := sample.DDIM(p, eta).Sample(nil, gauss(n, pcg(230+10*r)), m, nil, pcg(231+10*r))
			if err != nil {
				t.Fatal(err)
			}
			src := pcg(232 + 10*r)
			ec := energyCheck(x, func(k int) []float64 { return exactSample(m, k, 1, src) }, 10)
			out = append(out, ec.Energy/ec.Noise)
		}
		return out
	}
	for _, eta := range []float64{0, 0.5, 1} {
		r := mean(ratios(20, eta))
		t.Logf("20 steps, eta = %g: mean energy distance %.2f noise levels", eta, r)
		if r > 3 {
			t.Errorf("20 steps, eta = %g: mean ratio %.2f, want below 3", eta, r)
		}
	}
	r0, r1 := ratios(5, 0), ratios(5, 1)
	d := make([]float64, reps)
	for i := range d {
		d[i] = r1[i] - r0[i]
	}
	md, se := meanSE(d)
	t.Logf("5 steps: mean ratio %.2f at eta = 0, %.2f at eta = 1 (difference %.2f +- %.2f)", mean(r0), mean(r1), md, se)
	if !(md > 3*se) {
		t.Errorf("5 steps: eta = 1 minus eta = 0 is %.2f +- %.2f, want above 3 s.e.", md, se)
	}
}

// Exercise 4: data N(0, I). The true PF-ODE's velocity is zero (the score
// is -x), so the flow leaves x unchanged; DDIM multiplies x by c = prod
// cos(theta_t - theta_s) < 1 (claim 8), so its model density is N(0, c^2 I):
// log p_F(x) - log q_0(x) = -2 log c - (1/c^2 - 1) |x|^2 / 2, above zero
// near the centre, below in the tails, and on average over q_0
// 2 log(1/c) - (1/c^2 - 1) < 0.
func TestExerciseL10E4_GaussianData(t *testing.T) {
	g := isoGaussian(t, 1)
	s := toy.DDPM()
	x := gauss(50, pcg(210))
	for _, k := range []int{1, 300, 1000} {
		// x + score = 0 to rounding: the drift -beta/2 (x + score) vanishes.
		sc := g.Score(nil, x, s.Alpha(k), nil)
		for i := range x {
			if math.Abs(x[i]+sc[i]) > 1e-12*(1+math.Abs(x[i])) {
				t.Fatalf("t = %d: x + score = %v, want 0", k, x[i]+sc[i])
			}
		}
	}
	theta := func(a float64) float64 { return math.Acos(math.Sqrt(a)) }
	for _, steps := range []int{10, 100} {
		p, err := sample.Strided(s, steps)
		if err != nil {
			t.Fatal(err)
		}
		c := 1.0
		for k := 1; k <= p.Len(); k++ {
			c *= math.Cos(theta(p.Alpha(k-1)) - theta(p.Alpha(k)))
		}
		// Heun on the same plan follows the true (constant) flow far more
		// closely than DDIM's Euler steps.
		heun, err := (&sample.ODE{Plan: p, Heun: true}).Sample(nil, x, g, nil)
		if err != nil {
			t.Fatal(err)
		}
		shrinkHeun := 1 - norm2(heun)/norm2(x)
		if !(math.Abs(shrinkHeun) < (1-c)/4) {
			t.Errorf("%d moves: Heun changes |x| by %.3g, want far less than DDIM's 1 - c = %.3g", steps, shrinkHeun, 1-c)
		}
		mp, err := sample.DDIM(p, 0).Map(g)
		if err != nil {
			t.Fatal(err)
		}
		x0, logp := metrics.FlowLogLik(nil, nil, x, metrics.StdNormalLogPDF(nil, x, 2), mp, nil)
		for i := 0; i < len(x)/2; i++ {
			r2 := x0[2*i]*x0[2*i] + x0[2*i+1]*x0[2*i+1]
			want := -math.Log(2*math.Pi*c*c) - r2/(2*c*c)
			// Central differences of a linear map: rounding only, about
			// 2e-11 |F| / h per step (metrics' fdStep), far below 1e-6.
			if math.Abs(logp[i]-want) > 1e-6 {
				t.Fatalf("%d moves: log p_F = %v, want log N(x; 0, c^2 I) = %v", steps, logp[i], want)
			}
		}
		avg := 2*math.Log(1/c) - (1/(c*c) - 1)
		center := -2 * math.Log(c)
		t.Logf("%d moves: c = %.5f (Heun: 1 - %.2g); log p_F - log q_0 = %.4f at 0, %.3g on average over q_0", steps, c, shrinkHeun, center, avg)
		if !(c < 1 && center > 0 && avg < 0) {
			t.Errorf("%d moves: c = %v, gain at 0 %v, average gain %v; want c < 1, gain > 0 at 0, average < 0", steps, c, center, avg)
		}
	}
}

// Exercise 5: log det(I + hM) against h tr M. Each DDIM move's Jacobian
// J = r I + b dD*/dx is symmetric (dD*/dx is a posterior covariance), with
// positive eigenvalues lambda, and log lambda <= lambda - 1: the trace
// version's log-likelihood is below the exact one at every point. Per move
// the gap is h^2 tr(M^2)/2 + O(h^3); summed over the moves it is O(h): it
// halves when the moves double (first order; the factor is in [1.6, 2.5]
// as for an Euler step in claim 10 of the lesson).
func TestExerciseL10E5_TraceVsDeterminant(t *testing.T) {
	m := load("eight-gaussians", 10, pcg(1)).Exact
	const n = 200
	zs := gauss(n, pcg(220))
	var gaps []float64
	for _, steps := range []int{50, 100, 200} {
		p, err := sample.Strided(toy.DDPM(), steps)
		if err != nil {
			t.Fatal(err)
		}
		mp, err := sample.DDIM(p, 0).Map(m)
		if err != nil {
			t.Fatal(err)
		}
		x := append([]float64(nil), zs...)
		gap := make([]float64, n) // sum over moves of tr(J - I) - log det J
		for k := 1; k <= steps; k++ {
			for i := 0; i < n; i++ {
				J := jacobianFD(mp, x[2*i:2*i+2], k)
				gap[i] += J[0] + J[3] - 2 - math.Log(math.Abs(J[0]*J[3]-J[1]*J[2]))
			}
			x = mp.Step(nil, x, nil, k)
		}
		var mean float64
		for i, g := range gap {
			// Central differences: relative error about 1e-9 per entry
			// (metrics' fdStep analysis), summed over the moves.
			if g < -1e-6 {
				t.Fatalf("%d moves, point %d: trace version above the exact log-likelihood by %v", steps, i, -g)
			}
			mean += g / n
		}
		gaps = append(gaps, mean)
	}
	t.Logf("mean (exact - trace) log-likelihood at 50, 100, 200 moves: %.4g, %.4g, %.4g", gaps[0], gaps[1], gaps[2])
	for i := 1; i < len(gaps); i++ {
		if r := gaps[i-1] / gaps[i]; r < 1.6 || r > 2.5 {
			t.Errorf("doubling the moves divides the gap by %.3f, want in [1.6, 2.5]", r)
		}
	}
}

// jacobianFD is the 2x2 Jacobian (row-major) of move k of the map at the
// point x by central differences with step 1e-5 (1 + |x_j|).
func jacobianFD(mp *sample.Map, x []float64, k int) [4]float64 {
	var J [4]float64
	for j := 0; j < 2; j++ {
		h := 1e-5 * (1 + math.Abs(x[j]))
		xp, xm := []float64{x[0], x[1]}, []float64{x[0], x[1]}
		xp[j] += h
		xm[j] -= h
		fp, fm := mp.Step(nil, xp, nil, k), mp.Step(nil, xm, nil, k)
		J[j], J[2+j] = (fp[0]-fm[0])/(2*h), (fp[1]-fm[1])/(2*h)
	}
	return J
}

func TestExercisesLesson10More(t *testing.T) {
	// Exercise 3: invert an outlier, (5, 5) on the eight Gaussians (radius
	// 2), with 100 moves. The hint: the ODE is defined everywhere, so x_T
	// exists and lies far in the tail of N(0, I); the one-call inversion
	// does not bring it back, the refined (exact) inversion does.
	t.Run("3 invert an outlier", func(t *testing.T) {
		m := load("eight-gaussians", 10, pcg(1)).Exact
		x0 := []float64{5, 5}
		p, err := sample.Strided(toy.DDPM(), 100)
		if err != nil {
			t.Fatal(err)
		}
		var errs [2]float64
		for i, refine := range []int{0, 3} {
			z, err := (&sample.Inversion{Plan: p, Refine: refine}).Invert(nil, x0, m, nil)
			if err != nil {
				t.Fatal(err)
			}
			back, err := sample.DDIM(p, 0).Sample(nil, z, m, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			errs[i] = math.Hypot(back[0]-x0[0], back[1]-x0[1])
			t.Logf("refine %d: |x_T| = %.1f, round-trip error %.2g", refine, math.Hypot(z[0], z[1]), errs[i])
			if r := math.Hypot(z[0], z[1]); !(r > 10) {
				t.Errorf("refine %d: |x_T| = %v, want far in the tail (> 10)", refine, r)
			}
		}
		if !(errs[0] > 1 && errs[1] < 1e-2) {
			t.Errorf("round-trip errors %v (plain, refined), want above 1 and below 0.01", errs)
		}
	})
}
