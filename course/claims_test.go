package course

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/sample"
)

// Helpers of the fast checks of the lessons' claims that are identities or
// small computations, which sit in the test file of each lesson's file
// (forward_test.go, ideal_test.go, ...), beside the experiments of
// course_test.go. They take a few seconds in all and run with -short.
// Tolerances are stated where they are
// used; "rounding" bounds are a few hundred ulps of the largest term that
// enters a difference, and Monte Carlo bounds are 4 standard errors (3 for a
// single comparison).

func pcg(seed uint64) rand.Source { return rand.NewPCG(seed, seed) }

func cosineSchedule(t *testing.T) *toy.Schedule {
	t.Helper()
	s, err := toy.Cosine(1000, 0.008)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// isoGaussian is N(0, v I) in two dimensions.
func isoGaussian(t *testing.T, v float64) *analytic.GaussianMixture {
	t.Helper()
	m, err := analytic.NewGaussian(2, nil, []float64{0, 0}, [][]float64{{v, 0, 0, v}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func norm2(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s)
}

func maxAbs(x []float64) float64 {
	var m float64
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

// variance returns the per-coordinate variance of x about mean 0 (the
// laws here are centred) and its standard error v sqrt(2/n), n = len(x).
func variance(x []float64) (float64, float64) {
	var s float64
	for _, v := range x {
		s += v * v
	}
	v := s / float64(len(x))
	return v, v * math.Sqrt(2/float64(len(x)))
}

// fdGrad is the central-difference gradient of f at x with step h and an
// estimate of its error: the truncation error of central differences is
// c h^2 + O(h^4), so the gradient with step h differs from the one with
// step h/2 by (3/4) c h^2; the error of the step-h result is then about
// (4/3) |g(h) - g(h/2)|, doubled for the O(h^4) terms and the rounding in
// g(h/2). The rounding error 16 eps (1 + L) / h is added, with L a bound on
// the size of the log terms that f sums (as analytic's own finite-difference
// tests do).
func fdGrad(f func([]float64) float64, x []float64, h, L float64) (g []float64, errBound float64) {
	grad := func(h float64) []float64 {
		g := make([]float64, len(x))
		for i := range x {
			xp := append([]float64(nil), x...)
			xm := append([]float64(nil), x...)
			xp[i] += h
			xm[i] -= h
			g[i] = (f(xp) - f(xm)) / (2 * h)
		}
		return g
	}
	g, g2 := grad(h), grad(h/2)
	var d float64
	for i := range g {
		d = math.Max(d, math.Abs(g[i]-g2[i]))
	}
	return g, 2*4.0/3*d + 16*2.3e-16*(1+L)/h
}

// Lesson 7, claims 3 and 4.
func TestLesson07BayesScores(t *testing.T) {
	m := load("two-classes", 10, pcg(1)).Exact
	s := toy.DDPM()
	pts := []float64{-1, 0, 0, 0.2, 1.2, 0.5, 0.3, -1}
	gm := m.(*analytic.GaussianMixture)
	mu := gm.Means()
	var maxMean float64
	for i := 0; i < len(mu)/2; i++ {
		maxMean = math.Max(maxMean, math.Hypot(mu[2*i], mu[2*i+1]))
	}
	for _, k := range []int{10, 200, 600} {
		a := s.Alpha(k)
		for p := 0; p < len(pts)/2; p++ {
			x := pts[2*p : 2*p+2]
			for y := 0; y < m.Classes(); y++ {
				f := func(z []float64) float64 { return math.Log(m.ClassPosterior(nil, z, a)[y]) }
				// The Gaussian exponents are at most
				// (|x| + max |mu|)^2 / (2 (1 - alpha)): a S + (1 - alpha) I >= (1 - alpha) I.
				L := math.Pow(norm2(x)+maxMean, 2) / (2 * (1 - a))
				fd, bound := fdGrad(f, x, 1e-4, L)
				sy := m.Score(nil, x, a, []int{y})
				s0 := m.Score(nil, x, a, nil)
				for j := 0; j < 2; j++ {
					if e := math.Abs(sy[j] - s0[j] - fd[j]); e > bound+1e-12*(math.Abs(sy[j])+math.Abs(s0[j])) {
						t.Errorf("t=%d x=%v y=%d: score(x|y) - score(x) = %v, finite differences %v (error bound %v)", k, x, y, sy[j]-s0[j], fd[j], bound)
					}
				}
			}
		}
	}
	// Claim 4: at t = T the class posterior is the prior on [-3, 3]^2.
	for i := 0; i < len(mu)/2; i++ {
		if math.Hypot(mu[2*i], mu[2*i+1]) > 2 {
			t.Fatalf("component %d mean %v farther than 2 from the origin", i, mu[2*i:2*i+2])
		}
	}
	prior := make([]float64, m.Classes())
	for i, w := range m.Weights() {
		prior[m.Labels()[i]] += w
	}
	var grid []float64
	for i := 0; i <= 30; i++ {
		for j := 0; j <= 30; j++ {
			grid = append(grid, -3+0.2*float64(i), -3+0.2*float64(j))
		}
	}
	cp := m.ClassPosterior(nil, grid, s.Alpha(s.T()))
	for i, v := range cp {
		if e := math.Abs(v - prior[i%len(prior)]); e >= 0.05 {
			t.Fatalf("t = T, x = %v: |q_T(y|x) - q(y)| = %v", grid[2*(i/len(prior)):2*(i/len(prior))+2], e)
		}
	}
}

// classSamplesMatch runs DDPM (1000 steps) with den and label y and
// returns the energy distance to class-y data in units of its noise level.
func classSamplesMatch(t *testing.T, den toy.Denoiser, m analytic.Mixture, y int, stream uint64) float64 {
	t.Helper()
	cls, err := m.Class(y)
	if err != nil {
		t.Fatal(err)
	}
	const n = 600
	x, err := sample.DDPM(sample.Full(toy.DDPM()), toy.PosteriorVariance).Sample(nil, gauss(n, pcg(stream)), den, labels(n, y), pcg(stream+1))
	if err != nil {
		t.Fatal(err)
	}
	src := pcg(stream + 2)
	ec := energyCheck(x, func(n int) []float64 { return exactSample(cls, n, 1, src) }, 10)
	return ec.Energy / ec.Noise
}

// Lesson 8, claims 1 (Tweedie form), 2, 3 and 7.
func TestLesson08Identities(t *testing.T) {
	m := load("two-classes", 10, pcg(1)).Exact
	s := toy.DDPM()
	x := gauss(20, pcg(2))
	y := make([]int, 20)
	for i := range y {
		y[i] = i % 2
	}
	for _, k := range []int{5, 100, 500, 1000} {
		a := s.Alpha(k)
		cg := analytic.ClassifierGrad(m, nil, x, a, y)
		dy := m.Denoise(nil, x, a, y)
		d := m.Denoise(nil, x, a, nil)
		f := math.Sqrt(a) / (1 - a)
		for i := range cg {
			// Rounding of D(x|y) - D(x), magnified by sqrt(alpha)/(1 - alpha).
			if e := math.Abs(cg[i] - f*(dy[i]-d[i])); e > 1e-13*f*(1+math.Abs(dy[i])+math.Abs(d[i]))+1e-13*math.Abs(cg[i]) {
				t.Errorf("t=%d [%d]: classifier gradient %v, sqrt(a)/(1-a) (D(x|y) - D(x)) = %v", k, i, cg[i], f*(dy[i]-d[i]))
			}
		}
		for _, gamma := range []float64{0, 2} {
			g, err := sample.NewClassifierGuided(m, sample.ExactClassifier{M: m}, gamma)
			if err != nil {
				t.Fatal(err)
			}
			gd := g.Denoise(nil, x, a, y)
			gs := g.Score(nil, x, a, y)
			sy := m.Score(nil, x, a, y)
			for i := range gd {
				want := d[i] + (1-a)/math.Sqrt(a)*(1+gamma)*cg[i]
				// Terms of size |D| and (1 - alpha)/sqrt(alpha) (1 + gamma) |grad|.
				tol := 1e-13 * (1 + math.Abs(d[i]) + (1-a)/math.Sqrt(a)*(1+gamma)*math.Abs(cg[i]))
				if e := math.Abs(gd[i] - want); e > tol {
					t.Errorf("t=%d gamma=%v [%d]: guided D %v, D + (1-a)/sqrt(a) (1+gamma) grad = %v", k, gamma, i, gd[i], want)
				}
				if gamma == 0 {
					if e := math.Abs(gd[i] - dy[i]); e > tol {
						t.Errorf("t=%d [%d]: guided D at gamma 0 = %v, D*(x|y) = %v", k, i, gd[i], dy[i])
					}
					if e := math.Abs(gs[i] - sy[i]); e > 1e-12*(1+math.Abs(sy[i])) {
						t.Errorf("t=%d [%d]: guided score at gamma 0 = %v, score(x|y) = %v", k, i, gs[i], sy[i])
					}
				}
			}
		}
	}
	g, err := sample.NewClassifierGuided(m, sample.ExactClassifier{M: m}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for y := 0; y < m.Classes(); y++ {
		if r := classSamplesMatch(t, g, m, y, 30+10*uint64(y)); !(r < 3) {
			t.Errorf("classifier guidance at gamma 0, class %d: energy distance %.2f times its noise level", y, r)
		}
	}
}

// Lesson 9, claims 3, 5 (recursion and deterministic sampler) and 6.
func TestLesson09Identities(t *testing.T) {
	m := load("two-classes", 10, pcg(1)).Exact
	c, err := sample.NewCFG(m, 0)
	if err != nil {
		t.Fatal(err)
	}
	for y := 0; y < m.Classes(); y++ {
		if r := classSamplesMatch(t, c, m, y, 60+10*uint64(y)); !(r < 3) {
			t.Errorf("CFG at gamma 0, class %d: energy distance %.2f times its noise level", y, r)
		}
	}
	s := toy.DDPM()
	// Claim 1, the denoiser: the CFG denoiser is the Tweedie conversion of
	// the guided field, D = (x + (1 - alpha) s~) / sqrt(alpha).
	x := gauss(20, pcg(9))
	y := make([]int, 20)
	for i := range y {
		y[i] = i % 2
	}
	for _, k := range []int{5, 100, 500, 1000} {
		al := s.Alpha(k)
		for _, gamma := range []float64{0.5, 3} {
			cfg, err := sample.NewCFG(m, gamma)
			if err != nil {
				t.Fatal(err)
			}
			cg, err := sample.NewClassifierGuided(m, sample.ExactClassifier{M: m}, gamma)
			if err != nil {
				t.Fatal(err)
			}
			d := cfg.Denoise(nil, x, al, y)
			f := cg.Score(nil, x, al, y)
			for i := range d {
				want := (x[i] + (1-al)*f[i]) / math.Sqrt(al)
				// Terms of size |x| and (1 - alpha) |s~|, over sqrt(alpha).
				if e := math.Abs(d[i] - want); e > 1e-12*(1+math.Abs(x[i])+(1-al)*math.Abs(f[i]))/math.Sqrt(al) {
					t.Errorf("t=%d gamma=%v [%d]: CFG denoiser %v, Tweedie of the guided field %v", k, gamma, i, d[i], want)
				}
			}
		}
	}
	const a = 2.0
	for _, c := range []struct {
		v    toy.Variance
		want float64
	}{{toy.PosteriorVariance, 0.328}, {toy.BetaVariance, 0.334}} {
		vs := gaussianVarianceRecursion(s, c.v, a)
		got := vs[len(vs)-1]
		if math.Abs(got-c.want) > 0.0005 || math.Abs(got-1/(2*a-1)) > 0.03/(2*a-1) {
			t.Errorf("%v: sharpened variance %v by the exact recursion, want %v (within 3%% of 1/3)", c.v, got, c.want)
		}
	}
	temp, err := sample.NewTempered(isoGaussian(t, 1), a)
	if err != nil {
		t.Fatal(err)
	}
	xd, err := sample.DDIM(sample.Full(s), 0).Sample(nil, gauss(5000, pcg(8)), temp, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := variance(xd); !(v < 1e-4) {
		t.Errorf("deterministic sampler with the field 2 grad log q_t: variance %v, want below 1e-4", v)
	}
	// Claim 6: the tempered score of q_t and the score of the noised
	// sharpened law N(0, I/a) differ by the factor alpha + a (1 - alpha).
	sharp := isoGaussian(t, 1/a)
	pt := []float64{0.7, -1.1}
	prevGap := math.Inf(1)
	tempered, err := sample.NewTempered(m0(t), a)
	if err != nil {
		t.Fatal(err)
	}
	for k := s.T(); k >= 1; k-- {
		al := s.Alpha(k)
		ts := tempered.Score(nil, pt, al, nil)
		ss := sharp.Score(nil, pt, al, nil)
		r := ts[0] / ss[0]
		if math.Abs(ts[1]/ss[1]-r) > 1e-12 {
			t.Fatalf("t=%d: the two scores are not parallel", k)
		}
		// Rounding: 1e-12; the factor is 1 + (a - 1)(1 - alpha) >= 1 + beta_1.
		if math.Abs(r-(al+a*(1-al))) > 1e-12 || !(r-1 > 0.5*(a-1)*(1-al)) {
			t.Fatalf("t=%d: ratio %v, want alpha + a (1 - alpha) = %v > 1", k, r, al+a*(1-al))
		}
		if !(r-1 < prevGap) {
			t.Fatalf("t=%d: ratio %v does not approach 1 as alpha -> 1", k, r)
		}
		prevGap = r - 1
	}
	if !(prevGap < 2e-4) {
		t.Errorf("ratio at t = 1 is 1 + %v", prevGap)
	}
}

// m0 is N(0, I) as a mixture.
func m0(t *testing.T) analytic.Mixture { return isoGaussian(t, 1) }

// Lesson 10, claims 1, 2, 3, 4, 7 (distance to DDIM), 8 and 11.
func TestLesson10Identities(t *testing.T) {
	s := toy.DDPM()
	// Claims 1 and 2: the DDIM step with c = eta C keeps the variance
	// 1 - alpha_s split between the eps^ term and the fresh noise; at eta = 1
	// and s = t - 1 its coefficients of x_t and D are A_t and B_t.
	for k := 1; k <= s.T(); k++ {
		at, as := s.Alpha(k), s.Alpha(k-1)
		A, B, C := toy.Coefficients(at, as, toy.PosteriorVariance)
		for _, eta := range []float64{0, 0.3, 1} {
			c2 := eta * eta * C * C
			// The split: two roundings of numbers below 1.
			if !(c2 >= 0 && c2 <= 1-as) || math.Abs((1-as-c2)+c2-(1-as)) > 4e-16 {
				t.Fatalf("t=%d eta=%v: c^2 = %v outside [0, 1 - alpha_s = %v]", k, eta, c2, 1-as)
			}
		}
		// x_s = sqrt(a_s) D + sqrt(1 - a_s - C^2) (x_t - sqrt(a_t) D) / sqrt(1 - a_t) + C z.
		// The coefficient of D, sqrt(a_s) - r sqrt(a_t), is B_t ~ beta_t, a
		// difference of numbers near 1: about 4 digits of 1e-16 are lost.
		r := math.Sqrt(1-as-C*C) / math.Sqrt(1-at)
		if k > 1 && (math.Abs(r-A) > 1e-12*A || math.Abs(math.Sqrt(as)-r*math.Sqrt(at)-B) > 1e-9*B) {
			t.Fatalf("t=%d: DDIM (eta 1) coefficients %v, %v, DDPM A_t, B_t = %v, %v", k, r, math.Sqrt(as)-r*math.Sqrt(at), A, B)
		}
	}
	m := load("eight-gaussians", 10, pcg(1)).Exact
	x := gauss(30, pcg(2))
	// Claim 3: one DDIM move is an Euler step in (sigma, x / sqrt(alpha)).
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
	// Claim 4: on N(0, v I), a drift step x - (g^2/2) grad log q(x) and a
	// noise step x + g z, applied to exact samples.
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
	// Claim 7: the drift sampler's end points approach DDIM's from the same
	// x_T as the number of steps grows.
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
	// Claim 8: data N(0, I): a DDIM move multiplies x by cos(theta_t -
	// theta_s), alpha = cos^2 theta; the product over a plan is below 1 and
	// rises to 1 with the number of steps.
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
	// Claim 11: the Jacobian of D* is sqrt(a)/(1 - a) Cov[x_0 | x_t = x]
	// (symmetric), and that of a DDIM move, r I + (sqrt(a_s) - r sqrt(a_t)) dD/dx
	// with r = sqrt((1 - a_s)/(1 - a_t)), matches central differences.
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

// Lesson 11, claim 1: Langevin on N(0, v I) from exact samples.
func TestLesson11GaussianLangevin(t *testing.T) {
	const n = 50000
	for _, c := range [][2]float64{{1, 0.5}, {1, 1.2}, {0.5, 0.8}} {
		v, s := c[0], c[1]
		q := isoGaussian(t, v)
		x0 := exactSample(q, n, 1, pcg(1))
		one, err := (&sample.Langevin{Size: s, Iters: 1}).Sample(nil, x0, q, nil, pcg(2))
		if err != nil {
			t.Fatal(err)
		}
		// Six comparisons (three settings, one step and chain): 4 SE.
		if got, se := variance(one); math.Abs(got-(v+s*s*s*s/(4*v))) > 4*se {
			t.Errorf("v=%v s=%v: variance after one step %v, want v + s^4/(4v) = %v (SE %v)", v, s, got, v+s*s*s*s/(4*v), se)
		}
		// Independent chains, each moved until the start is forgotten:
		// the distance to the stationary variance shrinks by (1 - s^2/(2v))^2
		// per move; 300 moves make it below 1e-6 of v here.
		long, err := (&sample.Langevin{Size: s, Iters: 300}).Sample(nil, x0, q, nil, pcg(3))
		if err != nil {
			t.Fatal(err)
		}
		want := v / (1 - s*s/(4*v))
		if got, se := variance(long); math.Abs(got-want) > 4*se {
			t.Errorf("v=%v s=%v: chain variance %v, want v/(1 - s^2/(4v)) = %v (SE %v)", v, s, got, want, se)
		}
	}
}

// Lesson 12, claim 2: the empirical ideal denoiser's samples land on the
// training points with frequencies 1/N each (chi-square test at level
// 0.001; the 0.999 quantile of chi-square with 31 degrees of freedom is
// 61.10).
func TestLesson12HitFrequencies(t *testing.T) {
	ds := load("moons", 32, pcg(1))
	const n = 3200
	x, _, err := DDPMSample(ds.Exact, sample.Full(toy.DDPM()), toy.PosteriorVariance, n, Config{Seed: 1, Quick: true}, 9)
	if err != nil {
		t.Fatal(err)
	}
	counts := make([]float64, 32)
	for i := 0; i < n; i++ {
		best, bd := 0, math.Inf(1)
		for k := 0; k < 32; k++ {
			if d := math.Hypot(x[2*i]-ds.Points[2*k], x[2*i+1]-ds.Points[2*k+1]); d < bd {
				best, bd = k, d
			}
		}
		counts[best]++
	}
	var chi2 float64
	for _, c := range counts {
		chi2 += (c - n/32.0) * (c - n/32.0) / (n / 32.0)
	}
	t.Logf("chi-square %.1f (31 degrees of freedom)", chi2)
	if chi2 > 61.10 {
		t.Errorf("chi-square %v with 31 degrees of freedom, above 61.10 (counts %v)", chi2, counts)
	}
}

// TestClaimFormat: the claims table prints values, standard errors and
// bounds readably, and Holds compares as each Op says.
func TestClaimFormat(t *testing.T) {
	for _, tc := range []struct {
		c               Claim
		measured, bound string
		holds           bool
	}{
		{Claim{Value: 2.433, Op: Below, Bound: 3}, "2.433", "< 3", true},
		{Claim{Value: 4.64, SE: 0.123, Op: Below, Bound: 3.249, Against: "no matching"}, "4.64 ± 0.12", "< 3.249 (no matching)", false},
		{Claim{Value: 4.036e-5, Op: Below, Bound: 1e-4}, "4.036e-5", "< 1e-4", true},
		{Claim{Value: 0.07859, Op: Between, Bound: 0.07, Hi: 0.09}, "0.07859", "in (0.07, 0.09)", true},
		{Claim{Value: 266, Op: Near, Bound: 260, Hi: 5}, "266", "260 ± 5", false},
		{Claim{Value: 990, Op: AtLeast, Bound: 990}, "990", "≥ 990", true},
		{Claim{Value: 0, Op: AtMost, Bound: 0}, "0", "≤ 0", true},
		{Claim{Value: -2.9, Op: Above, Bound: -3}, "-2.9", "> -3", true},
		{Claim{Value: 2726, Op: Between, Bound: 2600, Hi: 2800}, "2726", "in (2600, 2800)", true},
		{Claim{Value: 2.5e7, Op: Below, Bound: 1e8}, "2.5e7", "< 1e8", true},
		{Claim{Value: math.NaN(), Op: Below, Bound: 3}, "NaN", "< 3", false},
	} {
		if got := tc.c.Measured(); got != tc.measured {
			t.Errorf("Measured(%+v) = %q, want %q", tc.c, got, tc.measured)
		}
		if got := tc.c.BoundText(); got != tc.bound {
			t.Errorf("BoundText(%+v) = %q, want %q", tc.c, got, tc.bound)
		}
		if got := tc.c.Holds(); got != tc.holds {
			t.Errorf("Holds(%+v) = %v, want %v", tc.c, got, tc.holds)
		}
	}
	// The indicative claim (failing) is neither held nor counted.
	r := &Result{Claims: []Claim{{Value: 1, Op: Below, Bound: 2}, {Value: 3, Op: Below, Bound: 2}, {Value: 3, Op: Below, Bound: 2, Indicative: true}}}
	if h, n := r.Held(); h != 1 || n != 2 {
		t.Errorf("Held = %d of %d, want 1 of 2", h, n)
	}
	if v := r.Claims[2].Verdict(); v != "FAILS, indicative" {
		t.Errorf("Verdict of a failing indicative claim = %q", v)
	}
	md := (&Result{Claims: []Claim{{Text: "|x| is small.", Name: "|x|", Value: 0.5, SE: 0.01, Op: Below, Bound: 1}}}).ClaimsTable()
	if want := "| claim | measured | bound | verdict |\n| --- | --- | --- | --- |\n| \\|x\\| is small. | \\|x\\|: 0.5 ± 0.01 | < 1 | holds |\n"; md != want {
		t.Errorf("ClaimsTable = %q, want %q", md, want)
	}
	if s := r.String(); !strings.HasPrefix(s, "Claims: 1 of 2 hold\n(and 1 indicative") || !strings.Contains(s, "[FAILS] ") {
		t.Errorf("String does not start with the claims count and verdicts:\n%s", s)
	}
}
