package course

import (
	"math"
	"testing"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/sample"
)

// TestLesson10Identities checks the identities among lesson 10's claims
// (lessons/10-deterministic-sampling.md, "Claims checked by the tests"),
// one subtest per claim, named by its number there.
func TestLesson10Identities(t *testing.T) {
	for _, c := range []struct {
		name  string
		check func(t *testing.T)
	}{
		{"claim1/DDIM_eta1_is_the_DDPM_step", lesson10DDIMEta1IsDDPM},
		{"claim2/DDIM_splits_the_variance", lesson10VarianceSplit},
		{"claim3/DDIM_is_Euler_in_sigma", lesson10DDIMIsEuler},
		{"claim4/drift_step_variance", lesson10DriftVariance},
		{"claim7/drift_sampler_approaches_DDIM", lesson10DriftApproachesDDIM},
		{"claim8/DDIM_on_a_Gaussian_rotates", lesson10GaussianRotation},
		{"claim11/Jacobians", lesson10Jacobians},
	} {
		t.Run(c.name, c.check)
	}
}

// Claim 1: at eta = 1 and s = t - 1 the coefficients of x_t and D of the
// DDIM step
//
//	x_s = sqrt(a_s) D + sqrt(1 - a_s - C^2) (x_t - sqrt(a_t) D) / sqrt(1 - a_t) + C z
//
// are DDPM's A_t and B_t.
func lesson10DDIMEta1IsDDPM(t *testing.T) {
	s := toy.DDPM()
	for k := 2; k <= s.T(); k++ {
		at, as := s.Alpha(k), s.Alpha(k-1)
		A, B, C := toy.Coefficients(at, as, toy.PosteriorVariance)
		// The coefficient of D, sqrt(a_s) - r sqrt(a_t), is B_t ~ beta_t, a
		// difference of numbers near 1: about 4 digits of 1e-16 are lost.
		r := math.Sqrt(1-as-C*C) / math.Sqrt(1-at)
		if math.Abs(r-A) > 1e-12*A || math.Abs(math.Sqrt(as)-r*math.Sqrt(at)-B) > 1e-9*B {
			t.Fatalf("t=%d: DDIM (eta 1) coefficients %v, %v, DDPM A_t, B_t = %v, %v", k, r, math.Sqrt(as)-r*math.Sqrt(at), A, B)
		}
	}
}

// Claim 2: the DDIM step with c = eta C keeps the variance 1 - alpha_s
// split between the eps^ term and the fresh noise.
func lesson10VarianceSplit(t *testing.T) {
	s := toy.DDPM()
	for k := 1; k <= s.T(); k++ {
		at, as := s.Alpha(k), s.Alpha(k-1)
		_, _, C := toy.Coefficients(at, as, toy.PosteriorVariance)
		for _, eta := range []float64{0, 0.3, 1} {
			c2 := eta * eta * C * C
			// The split: two roundings of numbers below 1.
			if !(c2 >= 0 && c2 <= 1-as) || math.Abs((1-as-c2)+c2-(1-as)) > 4e-16 {
				t.Fatalf("t=%d eta=%v: c^2 = %v outside [0, 1 - alpha_s = %v]", k, eta, c2, 1-as)
			}
		}
	}
}

// Claim 3: one DDIM move is an Euler step in (sigma, x / sqrt(alpha)).
func lesson10DDIMIsEuler(t *testing.T) {
	s := toy.DDPM()
	m := load("eight-gaussians", 10, pcg(1)).Exact
	x := gauss(30, pcg(2))
	for _, pr := range [][2]int{{1000, 900}, {500, 499}, {100, 20}, {5, 1}} {
		p, err := sample.NewPlan(s, pr[:])
		if err != nil {
			t.Fatal(err)
		}
		mp, err := sample.DDIM(p, 0).Map(m)
		if err != nil {
			t.Fatal(err)
		}
		at, as := s.Alpha(pr[0]), s.Alpha(pr[1])
		xs := mp.Step(nil, x, nil, 1)
		eh := toy.Eps(m, nil, x, at, nil)
		for i := range x {
			lhs := xs[i]/math.Sqrt(as) - x[i]/math.Sqrt(at)
			rhs := (s.Sigma(pr[1]) - s.Sigma(pr[0])) * eh[i]
			if e := math.Abs(lhs - rhs); e > 1e-12*(1+math.Abs(x[i])/math.Sqrt(at)+math.Abs(xs[i])/math.Sqrt(as)) {
				t.Errorf("move %v [%d]: x_s/sqrt(a_s) - x_t/sqrt(a_t) = %v, (sigma_s - sigma_t) eps^ = %v", pr, i, lhs, rhs)
			}
		}
	}
}

// Claim 4: on N(0, v I), a drift step x - (g^2/2) grad log q(x) and a
// noise step x + g z, applied to exact samples.
func lesson10DriftVariance(t *testing.T) {
	for _, c := range [][2]float64{{1, 0.5}, {0.3, 0.4}} {
		v, g := c[0], c[1]
		q := isoGaussian(t, v)
		const n = 100000
		x0 := exactSample(q, n, 1, pcg(3))
		sc := q.Score(nil, x0, 1, nil)
		z := gauss(n, pcg(4))
		drift, noise := make([]float64, 2*n), make([]float64, 2*n)
		for i := range x0 {
			drift[i] = x0[i] - g*g/2*sc[i]
			noise[i] = x0[i] + g*z[i]
		}
		for _, d := range []struct {
			name string
			x    []float64
			want float64
		}{{"drift", drift, v + g*g + g*g*g*g/(4*v)}, {"noise", noise, v + g*g}} {
			if got, se := variance(d.x); math.Abs(got-d.want) > 4*se {
				t.Errorf("v=%v g=%v: %s step variance %v, want %v (SE %v)", v, g, d.name, got, d.want, se)
			}
		}
	}
}

// Claim 7: the drift sampler's end points approach DDIM's from the same
// x_T as the number of steps grows.
func lesson10DriftApproachesDDIM(t *testing.T) {
	s := toy.DDPM()
	m := load("eight-gaussians", 10, pcg(1)).Exact
	xT := gauss(300, pcg(5))
	prev := math.Inf(1)
	for _, n := range []int{10, 100, 1000} {
		p, err := sample.Strided(s, n)
		if err != nil {
			t.Fatal(err)
		}
		a, err := sample.DriftSampler(p).Sample(nil, xT, m, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := sample.DDIM(p, 0).Sample(nil, xT, m, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		var d float64
		for i := 0; i < len(a)/2; i++ {
			d += math.Hypot(a[2*i]-b[2*i], a[2*i+1]-b[2*i+1])
		}
		d /= float64(len(a) / 2)
		if !(d < prev) {
			t.Errorf("%d steps: mean distance drift - DDIM %v, not below %v", n, d, prev)
		}
		prev = d
	}
}

// Claim 8: data N(0, I): a DDIM move multiplies x by cos(theta_t -
// theta_s), alpha = cos^2 theta; the product over a plan is below 1 and
// rises to 1 with the number of steps.
func lesson10GaussianRotation(t *testing.T) {
	s := toy.DDPM()
	theta := func(a float64) float64 { return math.Acos(math.Sqrt(a)) }
	g1 := isoGaussian(t, 1)
	prevProd := 0.0
	for _, n := range []int{5, 20, 100, 1000} {
		p, err := sample.Strided(s, n)
		if err != nil {
			t.Fatal(err)
		}
		mp, err := sample.DDIM(p, 0).Map(g1)
		if err != nil {
			t.Fatal(err)
		}
		pt := []float64{1, -0.5}
		prod := 1.0
		for k := 1; k <= mp.Steps(); k++ {
			next := mp.Step(nil, pt, nil, k)
			at, as := s.Alpha(p.Steps()[k-1]), s.Alpha(p.Steps()[k])
			f := math.Cos(theta(at) - theta(as))
			for i := range pt {
				if e := math.Abs(next[i] - f*pt[i]); e > 1e-12*math.Abs(pt[i]) {
					t.Fatalf("%d steps, move %d: x -> %v, want cos(dtheta) x = %v", n, k, next[i], f*pt[i])
				}
			}
			prod *= f
			pt = next
		}
		if !(prod < 1 && prod > prevProd) {
			t.Errorf("%d steps: product of cosines %v, want below 1 and above %v", n, prod, prevProd)
		}
		prevProd = prod
	}
}

// Claim 11: the Jacobian of D* is sqrt(a)/(1 - a) Cov[x_0 | x_t = x]
// (symmetric), and that of a DDIM move, r I + (sqrt(a_s) - r sqrt(a_t)) dD/dx
// with r = sqrt((1 - a_s)/(1 - a_t)), matches central differences.
func lesson10Jacobians(t *testing.T) {
	s := toy.DDPM()
	pts := []float64{0, 0, 1, 0.5, -0.5, 1, 0.3, -0.8}
	dm, err := analytic.NewDelta(2, pts, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := sample.NewPlan(s, []int{200, 120})
	if err != nil {
		t.Fatal(err)
	}
	mp, err := sample.DDIM(p, 0).Map(dm)
	if err != nil {
		t.Fatal(err)
	}
	at, as := s.Alpha(200), s.Alpha(120)
	r := math.Sqrt((1 - as) / (1 - at))
	for _, xp := range [][]float64{{0.1, 0.2}, {-0.4, 0.5}, {0.6, -0.3}} {
		post := dm.Posterior(nil, xp, at)
		var e [2]float64
		var s2 [2][2]float64
		for k := range post {
			for i := 0; i < 2; i++ {
				e[i] += post[k] * pts[2*k+i]
				for j := 0; j < 2; j++ {
					s2[i][j] += post[k] * pts[2*k+i] * pts[2*k+j]
				}
			}
		}
		c := math.Sqrt(at) / (1 - at)
		for j := 0; j < 2; j++ {
			fD := func(z []float64) float64 { return dm.Denoise(nil, z, at, nil)[j] }
			fF := func(z []float64) float64 { return mp.Step(nil, z, nil, 1)[j] }
			// Log terms of a delta mixture: |x - sqrt(a) x_i|^2 / (2 (1 - a)) < 3 here.
			gD, bD := fdGrad(fD, xp, 1e-4, 3)
			gF, bF := fdGrad(fF, xp, 1e-4, 3)
			for i := 0; i < 2; i++ {
				jd := c * (s2[j][i] - e[j]*e[i])
				if math.Abs(gD[i]-jd) > bD+1e-12 {
					t.Errorf("x=%v: dD_%d/dx_%d = %v by differences, sqrt(a)/(1-a) Cov = %v (bound %v)", xp, j, i, gD[i], jd, bD)
				}
				jf := (math.Sqrt(as) - r*math.Sqrt(at)) * jd
				if i == j {
					jf += r
				}
				if math.Abs(gF[i]-jf) > bF+1e-12 {
					t.Errorf("x=%v: dF_%d/dx_%d = %v by differences, analytic %v (bound %v)", xp, j, i, gF[i], jf, bF)
				}
			}
		}
	}
}
