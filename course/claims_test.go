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

// Fast checks of the lessons' claims that are identities or small
// computations, beside the experiments of course_test.go. They take a few
// seconds in all and run with -short. Tolerances are stated where they are
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

// Lesson 1, claim 1.
func TestLesson01ScheduleMonotone(t *testing.T) {
	for _, s := range []*toy.Schedule{toy.DDPM(), cosineSchedule(t)} {
		for k := 1; k <= s.T(); k++ {
			a := s.Alpha(k)
			if !(a > 0 && a < 1) || !(a < s.Alpha(k-1)) {
				t.Fatalf("%s: alpha_%d = %v, alpha_%d = %v: not decreasing in (0, 1)", s.Name, k, a, k-1, s.Alpha(k-1))
			}
			if k > 1 && !(s.SNR(k) < s.SNR(k-1) && s.Sigma(k) > s.Sigma(k-1)) {
				t.Fatalf("%s: SNR or sigma not monotone at t = %d", s.Name, k)
			}
			// Both come from log alpha through a handful of roundings.
			if e := math.Abs(s.Sigma(k)*math.Sqrt(s.SNR(k)) - 1); e > 1e-12 {
				t.Fatalf("%s: sigma_%d sqrt(SNR_%d) - 1 = %v", s.Name, k, k, e)
			}
		}
	}
}

// Lesson 2, claim 8: E[x_0 | x_t in a box around x] by Monte Carlo against
// D*_t(x). The box average is an average of D* over the box (weighted by
// q_t), so it lies within the range of D* on the box: that range (measured
// on a grid, plus the largest step between neighbouring grid values for
// what the grid misses) bounds the bias. The Monte Carlo error is the
// standard error of the mean of x_0 over the points in the box.
func TestLesson02MonteCarloTweedie(t *testing.T) {
	m := load("three-points", 3, pcg(1)).Exact
	a := toy.DDPM().Alpha(300)
	// Between the points (-1, 0) and (0, 1.5), where D* is far from every point.
	x := []float64{-0.5 * math.Sqrt(a), 0.75 * math.Sqrt(a)}
	const h, n, g = 0.05, 1_000_000, 20
	x0 := m.Sample(make([]float64, 2*n), nil, 1, pcg(2))
	xt := toy.AddNoise(nil, nil, x0, a, pcg(3))
	var cnt float64
	var s, s2 [2]float64
	for i := 0; i < n; i++ {
		if math.Abs(xt[2*i]-x[0]) <= h && math.Abs(xt[2*i+1]-x[1]) <= h {
			cnt++
			for j := 0; j < 2; j++ {
				s[j] += x0[2*i+j]
				s2[j] += x0[2*i+j] * x0[2*i+j]
			}
		}
	}
	if cnt < 500 {
		t.Fatalf("only %v points in the box", cnt)
	}
	grid := make([]float64, 0, 2*(g+1)*(g+1))
	for i := 0; i <= g; i++ {
		for j := 0; j <= g; j++ {
			grid = append(grid, x[0]-h+2*h*float64(i)/g, x[1]-h+2*h*float64(j)/g)
		}
	}
	dg := m.Denoise(nil, grid, a, nil)
	d := m.Denoise(nil, x, a, nil)
	for j := 0; j < 2; j++ {
		var bias, step float64
		for p := 0; p < len(dg)/2; p++ {
			bias = math.Max(bias, math.Abs(dg[2*p+j]-d[j]))
			if p >= g+1 {
				step = math.Max(step, math.Abs(dg[2*p+j]-dg[2*(p-g-1)+j]))
			}
			if p%(g+1) != 0 {
				step = math.Max(step, math.Abs(dg[2*p+j]-dg[2*(p-1)+j]))
			}
		}
		mean := s[j] / cnt
		se := math.Sqrt((s2[j]/cnt - mean*mean) / cnt)
		t.Logf("coordinate %d: %v points in the box, mean of x_0 %.4f, D*(x) %.4f, SE %.4f, bias bound %.4f", j, cnt, mean, d[j], se, bias+step)
		// Two coordinates: 4 standard errors.
		if e := math.Abs(mean - d[j]); e > 4*se+bias+step {
			t.Errorf("coordinate %d: box mean of x_0 %.4f, D*(x) %.4f: gap %.4f > 4 SE %.4f + box bias %.4f + %.4f",
				j, mean, d[j], e, 4*se, bias, step)
		}
	}
}

// Lesson 3, claims 4 (both variances) and 8 (MMSE non-decreasing).
func TestLesson03Weights(t *testing.T) {
	s := toy.DDPM()
	for _, c := range []struct {
		v      toy.Variance
		lo, hi float64
	}{{toy.PosteriorVariance, 2600, 2800}, {toy.BetaVariance, 1200, 1300}} {
		prev := math.Inf(1)
		for k := 2; k <= s.T(); k++ {
			w := toy.ELBOWeight(s.Alpha(k), s.Alpha(k-1), c.v)
			if !(w < prev) {
				t.Fatalf("%v: w_%d = %v not below w_%d = %v", c.v, k, w, k-1, prev)
			}
			if k == 2 && !(w > c.lo && w < c.hi) {
				t.Errorf("%v: w_2 = %v, want in (%v, %v)", c.v, w, c.lo, c.hi)
			}
			prev = w
		}
		if !(prev < 1e-6) {
			t.Errorf("%v: w_T = %v, want below 1e-6", c.v, prev)
		}
	}
}

func TestLesson03MMSENonDecreasing(t *testing.T) {
	m := load("eight-gaussians", 10, pcg(1)).Exact
	s := toy.DDPM()
	const n = 20000
	var pm, pse float64
	for i, k := range []int{1, 50, 200, 500, 1000} {
		a := s.Alpha(k)
		x0 := m.Sample(make([]float64, 2*n), nil, 1, pcg(10+uint64(k)))
		xt := toy.AddNoise(nil, nil, x0, a, pcg(20+uint64(k)))
		d := m.Denoise(nil, xt, a, nil)
		e := make([]float64, n)
		for p := range e {
			e[p] = (d[2*p]-x0[2*p])*(d[2*p]-x0[2*p]) + (d[2*p+1]-x0[2*p+1])*(d[2*p+1]-x0[2*p+1])
		}
		mm, se := meanSE(e)
		// Independent samples at each t: the standard errors add; four
		// comparisons, bound 4.
		if i > 0 && mm < pm-4*math.Hypot(se, pse) {
			t.Errorf("MMSE_%d = %.4f below the previous %.4f by more than 4 SE", k, mm, pm)
		}
		pm, pse = mm, se
	}
}

// Lesson 4, claims 1, 2, 3, 7 and 8.
func TestLesson04Identities(t *testing.T) {
	s := toy.DDPM()
	m := load("eight-gaussians", 10, pcg(1)).Exact
	x := gauss(20, pcg(2))
	for i := range x {
		x[i] *= 2
	}
	for _, k := range []int{1, 2, 10, 100, 500, 1000} {
		a, b := s.Alpha(k), s.Beta(k)
		A, B, _ := toy.Coefficients(a, s.Alpha(k-1), toy.PosteriorVariance)
		d := m.Denoise(nil, x, a, nil)
		sc := m.Score(nil, x, a, nil)
		for i := range x {
			got := A*x[i] + B*d[i]
			want := (x[i] + b*sc[i]) / math.Sqrt(1-b)
			// Terms of size |x|, |D| and beta |score| (the score grows like
			// 1/(1 - alpha), the factor beta brings it back to order |x|).
			if tol := 1e-12 * (math.Abs(x[i]) + math.Abs(d[i]) + b*math.Abs(sc[i])); math.Abs(got-want) > tol {
				t.Errorf("t=%d: A x + B D* = %v, (x + beta score)/sqrt(1-beta) = %v", k, got, want)
			}
		}
	}
	for k := 1; k <= s.T(); k++ {
		_, B, C := toy.Coefficients(s.Alpha(k), s.Alpha(k-1), toy.PosteriorVariance)
		if e := math.Abs(C*C+B*B*(1-s.Alpha(k))-s.Beta(k)) / s.Beta(k); e > 1e-12 {
			t.Fatalf("t=%d: beta~ + B^2 (1 - alpha) - beta = %v relative", k, e)
		}
	}
	// The last move of DDPM returns the denoiser's guess, with no noise.
	A, B, C := toy.Coefficients(s.Alpha(1), 1, toy.PosteriorVariance)
	if A != 0 || B != 1 || C != 0 {
		t.Errorf("A_1, B_1, C_1 = %v, %v, %v, want 0, 1, 0", A, B, C)
	}
	p, err := sample.NewPlan(s, []int{1, 0})
	if err != nil {
		t.Fatal(err)
	}
	x1 := gauss(50, pcg(3))
	got, err := sample.DDPM(p, toy.PosteriorVariance).Sample(nil, x1, m, nil, pcg(4))
	if err != nil {
		t.Fatal(err)
	}
	want := m.Denoise(nil, x1, s.Alpha(1), nil)
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("last DDPM move [%d] = %v, D_1(x_1) = %v", i, got[i], want[i])
		}
	}
}

func TestLesson04FewSteps(t *testing.T) {
	m := load("eight-gaussians", 10, pcg(1)).Exact
	src := pcg(5)
	fresh := func(n int) []float64 { return exactSample(m, n, 1, src) }
	for _, c := range []struct {
		steps int
		off   bool
	}{{5, true}, {1000, false}} {
		p, err := sample.Strided(toy.DDPM(), c.steps)
		if err != nil {
			t.Fatal(err)
		}
		x, _, err := DDPMSample(m, p, toy.PosteriorVariance, 1000, Config{Seed: 1, Quick: true}, 7)
		if err != nil {
			t.Fatal(err)
		}
		ec := energyCheck(x, fresh, 10)
		r := ec.Energy / ec.Noise
		t.Logf("%d steps: energy distance %.4f = %.1f times its noise level", c.steps, ec.Energy, r)
		if c.off && !(r > 3) || !c.off && !(r < 3) {
			t.Errorf("%d steps: energy distance %.4f = %.1f times its noise level", c.steps, ec.Energy, r)
		}
	}
}

// gaussianVarianceRecursion returns the per-coordinate variance after each
// DDPM move for data N(0, I) when the denoiser is the field a grad log q_t
// = -a x turned into a denoiser by Tweedie (a = 1: the exact D*): each move
// multiplies x by A_t + B_t (1 - a (1 - alpha_t)) / sqrt(alpha_t) and adds
// variance C_t^2.
func gaussianVarianceRecursion(s *toy.Schedule, v toy.Variance, a float64) []float64 {
	vs := []float64{1}
	vt := 1.0
	for k := s.T(); k >= 1; k-- {
		al := s.Alpha(k)
		A, B, C := toy.Coefficients(al, s.Alpha(k-1), v)
		if k == 1 {
			C = 0 // the sampler adds no noise on its last move
		}
		f := A + B*(1-a*(1-al))/math.Sqrt(al)
		vt = f*f*vt + C*C
		vs = append(vs, vt)
	}
	return vs
}

func TestLesson04GaussianVariance(t *testing.T) {
	s := toy.DDPM()
	vb := gaussianVarianceRecursion(s, toy.BetaVariance, 1)
	for i, v := range vb[:len(vb)-1] {
		// One rounding per move, a thousand moves.
		if math.Abs(v-1) > 1e-12 {
			t.Fatalf("C^2 = beta: variance after %d moves %v, want 1", i, v)
		}
	}
	if e := math.Abs(vb[len(vb)-1] - (1 - s.Beta(1))); e > 1e-12 {
		t.Errorf("C^2 = beta: final variance off 1 - beta_1 by %v", e)
	}
	vp := gaussianVarianceRecursion(s, toy.PosteriorVariance, 1)
	final := vp[len(vp)-1]
	t.Logf("C^2 = beta~: final variance %.5f by the recursion", final)
	if math.Abs(final-0.991) > 0.001 {
		t.Errorf("C^2 = beta~: final variance %v, want 0.991 +- 0.001", final)
	}
	// Simulated chains with the exact D* of N(0, I).
	const n = 20000
	x, err := sample.DDPM(sample.Full(s), toy.PosteriorVariance).Sample(nil, gauss(n, pcg(6)), isoGaussian(t, 1), nil, pcg(7))
	if err != nil {
		t.Fatal(err)
	}
	if v, se := variance(x); math.Abs(v-final) > 3*se {
		t.Errorf("simulated final variance %v, recursion %v (SE %v)", v, final, se)
	}
}

// Lesson 5, claims 1, 2 and 4.
func TestLesson05Matching(t *testing.T) {
	lin, cos := toy.DDPM(), cosineSchedule(t)
	// The step found for a level reproduces it: log-sigma interpolation and
	// its inverse lose a few ulps of log sigma (|log sigma| < 10).
	const tol = 1e-12
	prev := 0.0
	inRange := 0
	for k := 1; k <= cos.T(); k++ {
		sig := cos.Sigma(k)
		if sig < lin.Sigma(1) || sig > lin.Sigma(lin.T()) {
			continue
		}
		inRange++
		st, err := lin.StepForSigma(sig)
		if err != nil {
			t.Fatal(err)
		}
		if !(st >= 1 && st <= float64(lin.T())) || !(st > prev) {
			t.Fatalf("cosine t=%d: matched step %v (previous %v), want increasing in [1, T]", k, st, prev)
		}
		prev = st
		ah := cos.Alpha(k)
		as := lin.AlphaAt(st)
		if e := math.Abs(math.Sqrt(as/ah) - 1); e > tol {
			t.Fatalf("cosine t=%d: sqrt(alpha_s / alpha^_t) - 1 = %v", k, e)
		}
		// Rescaling identity for one x_0, eps.
		x0, eps := 0.7, -1.3
		xh := math.Sqrt(ah)*x0 + math.Sqrt(1-ah)*eps
		if e := math.Abs(math.Sqrt(as/ah)*xh - (math.Sqrt(as)*x0 + math.Sqrt(1-as)*eps)); e > tol*10 {
			t.Fatalf("cosine t=%d: rescaled x^_t off x_s by %v", k, e)
		}
		// Variance exploding: y = x0 + sigma eps at sigma_s = sigma.
		y := x0 + sig*eps
		if e := math.Abs(math.Sqrt(as)*y - (math.Sqrt(as)*x0 + math.Sqrt(1-as)*eps)); e > tol*10 {
			t.Fatalf("sigma=%v: sqrt(alpha_s) y off x_s by %v", sig, e)
		}
	}
	if inRange < 900 {
		t.Errorf("only %d cosine steps in the linear schedule's sigma range", inRange)
	}
	// Exactly at the steps themselves.
	for k := 1; k <= lin.T(); k++ {
		st, err := lin.StepForAlpha(lin.Alpha(k))
		if err != nil || math.Abs(st-float64(k)) > 1e-9 {
			t.Fatalf("StepForAlpha(alpha_%d) = %v, %v", k, st, err)
		}
	}
}

// shifted is a deliberately wrong denoiser: D* + c.
type shifted struct {
	m analytic.Mixture
	c []float64
}

func (s shifted) Dim() int { return 2 }
func (s shifted) Denoise(dst, x []float64, alpha float64, y []int) []float64 {
	dst = s.m.Denoise(dst, x, alpha, y)
	for i := range dst {
		dst[i] += s.c[i%2]
	}
	return dst
}

// epsShift is the exact score with the eps prediction moved by delta:
// s = -(eps* + delta) / sqrt(1 - alpha).
type epsShift struct {
	m     analytic.Mixture
	delta []float64
}

func (e epsShift) Dim() int { return 2 }
func (e epsShift) Score(dst, x []float64, alpha float64, y []int) []float64 {
	dst = e.m.Score(dst, x, alpha, y)
	for i := range dst {
		dst[i] -= e.delta[i%2] / math.Sqrt(1-alpha)
	}
	return dst
}

// Lesson 6, claims 2, 3 and 5.
func TestLesson06Identities(t *testing.T) {
	m := load("eight-gaussians", 10, pcg(1)).Exact
	s := toy.DDPM()
	const n = 50
	x0 := exactSample(m, n, 1, pcg(2))
	eps := gauss(n, pcg(3))
	c := []float64{0.3, -0.2}
	wrong := shifted{m, c}
	for _, k := range []int{10, 300, 900} {
		a := s.Alpha(k)
		sa, sv := math.Sqrt(a), math.Sqrt(1-a)
		x := toy.Noise(nil, x0, eps, a)
		dh := wrong.Denoise(nil, x, a, nil)
		eh := toy.Eps(wrong, nil, x, a, nil)
		sh := toy.ScoreFrom(wrong).Score(nil, x, a, nil)
		vh := toy.V(wrong, nil, x, a, nil)
		for i := range x {
			v := sa*eps[i] - sv*x0[i]
			dd := dh[i] - x0[i]
			// The conversions divide by sqrt(1 - alpha): rounding of terms of
			// size |x| + |D| becomes that over sqrt(1 - alpha).
			tol := 1e-13 * (1 + math.Abs(x[i]) + math.Abs(dh[i]) + math.Abs(eps[i])) / sv
			// Componentwise, hence for the squared norms:
			// eps^ - eps = -sqrt(SNR) (D^ - x0), s^ - s = sqrt(SNR) (D^ - x0) / sqrt(1 - alpha),
			// v^ - v = -(D^ - x0) / sqrt(1 - alpha).
			if e := math.Abs((eh[i] - eps[i]) + sa/sv*dd); e > tol {
				t.Errorf("t=%d [%d]: eps^ - eps off -sqrt(SNR)(D^ - x0) by %v", k, i, e)
			}
			if e := math.Abs((sh[i] - (-eps[i] / sv)) - sa/sv*dd/sv); e > tol/sv {
				t.Errorf("t=%d [%d]: s^ - s off sqrt(SNR)(D^ - x0)/sqrt(1-alpha) by %v", k, i, e)
			}
			if e := math.Abs((vh[i] - v) + dd/sv); e > tol {
				t.Errorf("t=%d [%d]: v^ - v off -(D^ - x0)/sqrt(1-alpha) by %v", k, i, e)
			}
			// Claim 3: the rotation with the true v.
			if e := math.Abs(sa*x[i] - sv*v - x0[i]); e > 1e-14*(math.Abs(x0[i])+math.Abs(eps[i])+1) {
				t.Errorf("t=%d [%d]: sqrt(a) x - sqrt(1-a) v - x0 = %v", k, i, e)
			}
			if e := math.Abs(sv*x[i] + sa*v - eps[i]); e > 1e-14*(math.Abs(x0[i])+math.Abs(eps[i])+1) {
				t.Errorf("t=%d [%d]: sqrt(1-a) x + sqrt(a) v - eps = %v", k, i, e)
			}
		}
		// Claim 5: an eps error delta gives an x0 error sigma_t |delta|; a v
		// error delta gives sqrt(1 - alpha) |delta|.
		delta := []float64{0.05, -0.02}
		dExact := toy.DenoiserFrom(m).Denoise(nil, x, a, nil)
		dEps := toy.DenoiserFrom(epsShift{m, delta}).Denoise(nil, x, a, nil)
		vExact := toy.V(m, nil, x, a, nil)
		sigma := sv / sa
		for p := 0; p < n; p++ {
			gotD := math.Hypot(dEps[2*p]-dExact[2*p], dEps[2*p+1]-dExact[2*p+1])
			// Rounding of terms of size |x| / sqrt(alpha).
			if e := math.Abs(gotD - sigma*norm2(delta)); e > 1e-13*(1+maxAbs(x[2*p:2*p+2]))/sa {
				t.Errorf("t=%d point %d: eps error |delta| gives x0 error %v, want sigma |delta| = %v", k, p, gotD, sigma*norm2(delta))
			}
			dv := math.Hypot(vh[2*p]-vExact[2*p], vh[2*p+1]-vExact[2*p+1])
			if e := math.Abs(sv*dv - norm2(c)); e > 1e-13*(1+maxAbs(x[2*p:2*p+2])) {
				t.Errorf("t=%d point %d: v error %v times sqrt(1-alpha) = %v, want the x0 error %v", k, p, dv, sv*dv, norm2(c))
			}
		}
	}
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

// Lesson 2, claim 1: the posterior weights at the extremes the lesson
// names (t = 1, |x| = 100) are finite, non-negative and sum to 1.
func TestLesson02PosteriorWeights(t *testing.T) {
	m := load("three-points", 3, pcg(1)).Exact
	s := toy.DDPM()
	var x []float64
	for k := 0; k < 16; k++ {
		th := 2 * math.Pi * float64(k) / 16
		for _, r := range []float64{0, 0.5, 1.3, 100} {
			x = append(x, r*math.Cos(th), r*math.Sin(th))
		}
	}
	for _, k := range []int{1, 2, 50, 500, 1000} {
		w := m.Posterior(nil, x, s.Alpha(k))
		for p := 0; p < len(x)/2; p++ {
			var sum float64
			for _, v := range w[3*p : 3*p+3] {
				if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
					t.Fatalf("t=%d x=%v: weight %v", k, x[2*p:2*p+2], v)
				}
				sum += v
			}
			// Three terms of at most 1: a few ulps.
			if math.Abs(sum-1) > 1e-15 {
				t.Errorf("t=%d x=%v: weights sum to 1 + %v", k, x[2*p:2*p+2], sum-1)
			}
		}
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
