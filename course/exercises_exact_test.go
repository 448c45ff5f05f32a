package course

import (
	"math"
	"testing"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/sample"
)

// Exercises whose hints make exact or cheap predictions: each subtest
// computes what the exercise asks with the library and checks the hint.

func TestExercisesLesson01(t *testing.T) {
	// Exercise 1: T = 100 with the same beta range. The hint: alpha_T ~
	// exp(-sum beta), about e^-1, far from 0: q_T is not N(0, I).
	t.Run("1 change T", func(t *testing.T) {
		s, err := toy.Linear(100, 1e-4, 0.02)
		if err != nil {
			t.Fatal(err)
		}
		var sum float64
		for k := 1; k <= 100; k++ {
			sum += s.Beta(k)
		}
		// log(1 - b) = -b - b^2/2 - ...: the gap is below sum b^2 <= 0.02 sum b.
		a := s.Alpha(100)
		if math.Abs(math.Log(a)+sum) > 0.02*sum || a < 0.3 {
			t.Errorf("T = 100: alpha_T = %v, exp(-sum beta) = %v; want them close and alpha_T above 0.3", a, math.Exp(-sum))
		}
	})
	// Exercise 3: constant beta with alpha_T = 1e-4 at T = 1000: beta = 1 -
	// 1e-4^(1/1000).
	t.Run("3 constant beta", func(t *testing.T) {
		b := 1 - math.Pow(1e-4, 1.0/1000)
		betas := make([]float64, 1000)
		for i := range betas {
			betas[i] = b
		}
		s, err := toy.FromBetas("constant", betas)
		if err != nil {
			t.Fatal(err)
		}
		// A product of 1000 factors: relative rounding about 1000 ulps.
		if a := s.Alpha(1000); math.Abs(a/1e-4-1) > 1e-12 {
			t.Errorf("alpha_T = %v, want 1e-4", a)
		}
	})
	// Exercise 5: the cosine offset s = 0 makes the first step tiny:
	// sigma_1 about pi / (2T), far below s = 0.008's and the linear
	// schedule's 0.01.
	t.Run("5 cosine offset", func(t *testing.T) {
		c0, err := toy.Cosine(1000, 0)
		if err != nil {
			t.Fatal(err)
		}
		c8, err := toy.Cosine(1000, 0.008)
		if err != nil {
			t.Fatal(err)
		}
		s0, s8, lin := c0.Sigma(1), c8.Sigma(1), toy.DDPM().Sigma(1)
		t.Logf("sigma_1: cosine s = 0 %.2e, s = 0.008 %.2e, linear %.2e", s0, s8, lin)
		// tan(pi/(2T)) = pi/(2T) (1 + O(1e-6)).
		if math.Abs(s0/(math.Pi/2000)-1) > 1e-5 || !(s0 < s8) || !(s0 < lin) {
			t.Errorf("sigma_1 with s = 0 is %v, want pi/2000 and below %v and %v", s0, s8, lin)
		}
	})
}

func TestExercisesLesson02(t *testing.T) {
	// Exercise 1: weights 0.6, 0.3, 0.1. The hint: the border of cells 0
	// and 1 moves (in y = x / sqrt(alpha)) from the midpoint toward the
	// lighter point by sigma_t^2 log(w_0 / w_1) / |x_1 - x_0|, which goes
	// back to 0 as t -> 0.
	t.Run("1 unequal weights", func(t *testing.T) {
		pts := []float64{-1, 0, 1, 0, 0, 1.5}
		w := []float64{0.6, 0.3, 0.1}
		m, err := analytic.NewDelta(2, pts, w, nil)
		if err != nil {
			t.Fatal(err)
		}
		s := toy.DDPM()
		prev := math.Inf(1)
		for _, k := range []int{600, 300, 100, 20} {
			a, sg := s.Alpha(k), s.Sigma(k)
			shift := sg * sg * math.Log(w[0]/w[1]) / 2 // |x_1 - x_0| = 2
			x := []float64{math.Sqrt(a) * shift, 0}    // midpoint (0, 0) moved toward x_1 = (1, 0)
			pi := m.Posterior(nil, x, a)
			// Two exponents of size up to |x|^2 / (1 - a): rounding.
			if r := math.Log(pi[0] / pi[1]); math.Abs(r) > 1e-9 {
				t.Errorf("t = %d: log(pi_0/pi_1) = %v at the predicted border, want 0", k, r)
			}
			if !(shift < prev) {
				t.Errorf("t = %d: shift %v does not fall as t falls", k, shift)
			}
			prev = shift
		}
	})
	// Exercise 3: without the max subtracted, at t = 1 a point one unit
	// away has weight exp(-5000) = 0 for every point: 0/0.
	t.Run("3 break the softmax", func(t *testing.T) {
		a := toy.DDPM().Alpha(1)
		e := math.Exp(-1 / (2 * (1 - a)))
		if r := e / (3 * e); e != 0 || !math.IsNaN(r) {
			t.Errorf("exp(-1/(2(1 - alpha_1))) = %v, ratio %v; want 0 and NaN", e, r)
		}
	})
	// Exercise 5: a Gaussian N(m, s^2 I): the exact denoiser equals the
	// conditional-mean formula.
	t.Run("5 a Gaussian", func(t *testing.T) {
		mean, s2 := []float64{0.7, -0.4}, 0.3
		g, err := analytic.NewGaussian(2, nil, mean, [][]float64{{s2, 0, 0, s2}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		x := gauss(20, pcg(11))
		for _, k := range []int{10, 300, 900} {
			a := toy.DDPM().Alpha(k)
			d := g.Denoise(nil, x, a, nil)
			c := math.Sqrt(a) * s2 / (a*s2 + 1 - a)
			for i := range d {
				want := mean[i%2] + c*(x[i]-math.Sqrt(a)*mean[i%2])
				if math.Abs(d[i]-want) > 1e-12*(1+math.Abs(want)) {
					t.Fatalf("t = %d: D*[%d] = %v, want %v", k, i, d[i], want)
				}
			}
		}
	})
}

func TestExercisesLesson04More(t *testing.T) {
	// Exercise 5: unequal weights on the three points; the share of samples
	// on each point matches its weight within 4 binomial standard errors.
	t.Run("5 count the points", func(t *testing.T) {
		pts := []float64{-1, 0, 1, 0, 0, 1.5}
		w := []float64{0.6, 0.3, 0.1}
		m, err := analytic.NewDelta(2, pts, w, nil)
		if err != nil {
			t.Fatal(err)
		}
		const n = 2000
		p, err := sample.Strided(toy.DDPM(), 200)
		if err != nil {
			t.Fatal(err)
		}
		x, err := sample.DDPM(p, toy.PosteriorVariance).Sample(nil, gauss(n, pcg(12)), m, nil, pcg(13))
		if err != nil {
			t.Fatal(err)
		}
		count := make([]float64, 3)
		for i := 0; i < n; i++ {
			best, bd := 0, math.Inf(1)
			for j := 0; j < 3; j++ {
				if d := math.Hypot(x[2*i]-pts[2*j], x[2*i+1]-pts[2*j+1]); d < bd {
					best, bd = j, d
				}
			}
			count[best]++
		}
		for j := range w {
			share, se := count[j]/n, math.Sqrt(w[j]*(1-w[j])/n)
			if math.Abs(share-w[j]) > 4*se {
				t.Errorf("point %d: share %.3f, want %.1f within 4 s.e. (%.3f)", j, share, w[j], se)
			}
		}
	})
}

func TestExercisesLesson05(t *testing.T) {
	// Exercise 2: a cosine schedule with s = 0 starts below the linear
	// schedule's smallest noise level sigma_1 = 0.01, so its first steps
	// match no step t >= 1 of the linear schedule (they fall between its
	// steps 0 and 1, where a network trained on t >= 1 was never trained).
	t.Run("2 out of range", func(t *testing.T) {
		c0, err := toy.Cosine(1000, 0)
		if err != nil {
			t.Fatal(err)
		}
		lin := toy.DDPM()
		out := 0
		for k := 1; k <= c0.T() && c0.Sigma(k) < lin.Sigma(1); k++ {
			s, err := lin.StepForSigma(c0.Sigma(k))
			if err != nil {
				t.Fatal(err)
			}
			if !(s < 1) {
				t.Errorf("cosine step %d (sigma %v) matched linear step %v, want below 1", k, c0.Sigma(k), s)
			}
			out++
		}
		t.Logf("%d steps of the cosine schedule with s = 0 fall below the linear range (sigma_1 = %.2e against %.2e)", out, c0.Sigma(1), lin.Sigma(1))
		if out == 0 {
			t.Errorf("no step out of range")
		}
	})
}

func TestExercisesLesson07(t *testing.T) {
	// Exercise 5: the tower identity holds with q_t(y | x) and breaks with
	// q(y), most at small t.
	t.Run("5 tower identity", func(t *testing.T) {
		m := load("three-classes", 10, pcg(1)).Exact
		const n = 300
		broken := map[int]float64{}
		for _, k := range []int{50, 800} {
			a := toy.DDPM().Alpha(k)
			x := exactSample(m, n, a, pcg(uint64(20+k)))
			d := m.Denoise(nil, x, a, nil)
			cp := m.ClassPosterior(nil, x, a)
			tower, prior := make([]float64, 2*n), make([]float64, 2*n)
			for y := 0; y < 3; y++ {
				dy := m.Denoise(nil, x, a, labels(n, y))
				for i := range tower {
					tower[i] += cp[(i/2)*3+y] * dy[i]
					prior[i] += dy[i] / 3
				}
			}
			var e float64
			for i := range d {
				if math.Abs(tower[i]-d[i]) > 1e-12*(1+math.Abs(d[i])) {
					t.Fatalf("t = %d: tower %v, D* %v", k, tower[i], d[i])
				}
				e += (prior[i] - d[i]) * (prior[i] - d[i]) / n
			}
			broken[k] = e
		}
		t.Logf("E||sum_y q(y) D(x|y) - D*(x)||^2: t = 50 %.3g, t = 800 %.3g", broken[50], broken[800])
		if !(broken[50] > broken[800]) {
			t.Errorf("the broken tower is not worse at small t: %v", broken)
		}
	})
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
