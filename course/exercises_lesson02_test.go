package course

import (
	"math"
	"testing"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/datasets"
)

// Lesson 2's exercises run (see exercises_test.go for the convention).

func TestExerciseL02E2_MorePoints(t *testing.T) {
	// Exercise 2: ten random points (in the notebook's first cell,
	// datasets.Load("checkerboard", 10, ...) in place of the three points, with
	// weights 1/10). The hint: compare sigma_t with the typical
	// distance between points. Why: log(pi_i / pi_j) is affine in x with
	// slope sqrt(alpha) (x_i - x_j) / (1 - alpha), so over x ~ q_t its
	// standard deviation is exactly
	//	sqrt(alpha) / (1 - alpha) sqrt(u' (alpha S + (1 - alpha) I) u),
	// u = x_i - x_j, S the covariance of the points: about |u| / sigma_t
	// when sigma_t is large. The weights stay near w_i while sigma_t is many
	// distances (spread of the log-weights about d / sigma_t), and one
	// point takes all the weight once sigma_t is well below d.
	ds, err := datasets.Load("checkerboard", 10, pcg(1))
	if err != nil {
		t.Fatal(err)
	}
	m, p, K := ds.Exact, ds.Points, 10
	var mean [2]float64
	for i := 0; i < K; i++ {
		mean[0] += p[2*i] / float64(K)
		mean[1] += p[2*i+1] / float64(K)
	}
	var S [3]float64 // covariance of the points (weights 1/K): xx, xy, yy
	for i := 0; i < K; i++ {
		dx, dy := p[2*i]-mean[0], p[2*i+1]-mean[1]
		S[0] += dx * dx / float64(K)
		S[1] += dx * dy / float64(K)
		S[2] += dy * dy / float64(K)
	}
	var d2 float64
	for i := 0; i < K; i++ {
		for j := 0; j < i; j++ {
			d2 += sq(p[2*i]-p[2*j]) + sq(p[2*i+1]-p[2*j+1])
		}
	}
	d := math.Sqrt(d2 / float64(K*(K-1)/2)) // RMS distance between two points
	lin := toy.DDPM()
	const n = 4000
	for _, c := range []struct {
		r float64 // sigma_t / d
	}{{10}, {1}, {0.1}} {
		sigma := c.r * d
		a := 1 / (1 + sigma*sigma)
		step, err := lin.StepForSigma(sigma)
		if err != nil {
			t.Fatal(err)
		}
		x := m.Sample(make([]float64, 2*n), nil, a, pcg(uint64(200+10*c.r)))
		pi := m.Posterior(nil, x, a)
		// Every pair: the sample standard deviation of log(pi_i/pi_j)
		// against the exact one, within 4.5 standard errors (45 pairs);
		// se of a variance estimate sqrt((m4 - v^2) / n), carried to the
		// standard deviation by the delta method.
		var rms, rmsScaled float64
		for i := 0; i < K; i++ {
			for j := 0; j < i; j++ {
				ux, uy := p[2*i]-p[2*j], p[2*i+1]-p[2*j+1]
				q := a*(ux*ux*S[0]+2*ux*uy*S[1]+uy*uy*S[2]) + (1-a)*(ux*ux+uy*uy)
				want := math.Sqrt(a) / (1 - a) * math.Sqrt(q)
				var s1, s2, s4 float64
				for k := 0; k < n; k++ {
					s1 += math.Log(pi[K*k+i] / pi[K*k+j])
				}
				mu := s1 / n
				for k := 0; k < n; k++ {
					e := sq(math.Log(pi[K*k+i]/pi[K*k+j]) - mu)
					s2 += e
					s4 += e * e
				}
				v := s2 / n
				got := math.Sqrt(v)
				se := math.Sqrt((s4/n-v*v)/n) / (2 * got)
				if math.Abs(got-want) > 4.5*se {
					t.Errorf("sigma_t = %g d, pair (%d, %d): sd of log(pi_i/pi_j) %.4g, want %.4g (se %.2g)", c.r, i, j, got, want, se)
				}
				rms += want * want
				rmsScaled += sq(want / (math.Hypot(ux, uy) / sigma))
			}
		}
		rms = math.Sqrt(rms / float64(K*(K-1)/2))
		rmsScaled = math.Sqrt(rmsScaled / float64(K*(K-1)/2))
		var top float64 // mean of the largest weight
		for k := 0; k < n; k++ {
			mx := 0.0
			for i := 0; i < K; i++ {
				mx = math.Max(mx, pi[K*k+i])
			}
			top += mx / n
		}
		t.Logf("sigma_t = %4.1f d (t = %6.1f): RMS sd of log(pi_i/pi_j) %.3g (%.3f |u|/sigma_t), mean largest weight %.3f (prior 0.1)",
			c.r, step, rms, rmsScaled, top)
		// The three regimes, with margins far beyond the Monte Carlo error
		// of a mean of n weights (below 0.01): near the prior w_i = 0.1 at
		// 10 d (spread 0.1), concentrated at d/10 (spread 10; below 1 only
		// because a few of the ten points are much closer than d).
		switch c.r {
		case 10:
			if top > 0.15 || rmsScaled > 1.01 {
				t.Errorf("sigma_t = 10 d: mean largest weight %.3f (want below 0.15), spread %.3f |u|/sigma_t (want within 1%%)", top, rmsScaled)
			}
		case 1:
			if !(top > 0.15 && top < 0.5) {
				t.Errorf("sigma_t = d: mean largest weight %.3f, want between the two regimes (0.15, 0.5)", top)
			}
		case 0.1:
			if top < 0.5 {
				t.Errorf("sigma_t = d/10: mean largest weight %.3f, want above 0.5", top)
			}
		}
	}
}

func TestExerciseL02E4_MonteCarloTweedie(t *testing.T) {
	// Exercise 4: Tweedie by Monte Carlo, at x = sqrt(alpha_t) (0, 0.3)
	// between the points (-1, 0) and (1, 0), in a box of half-width h =
	// sqrt(1 - alpha_t) / 10. The hint: the box average of x_0 is D*_t(x),
	// and small t needs many samples. The box holds a share
	// P = integral of q_t over the box of the pairs, computed here by the
	// midpoint rule on a 20 x 20 grid (relative error O((h/sigma)^2 / 100)
	// for a Gaussian bump of width sqrt(1 - alpha_t), below 1e-3); near the
	// border q_t(x) ~ exp(-alpha_t / (2 (1 - alpha_t))) / (1 - alpha_t), so
	// P falls fast as t falls.
	m := load("three-points", 3, pcg(1)).Exact
	const n, g = 1_000_000, 20
	x0 := m.Sample(make([]float64, 2*n), nil, 1, pcg(2))
	var expect [2]float64
	for c, step := range []int{300, 100} {
		a := toy.DDPM().Alpha(step)
		h := math.Sqrt(1-a) / 10
		x := []float64{0, 0.3 * math.Sqrt(a)}
		xt := toy.AddNoise(nil, nil, x0, a, pcg(3+uint64(step)))
		cnt, s, s2 := boxSums(x0, xt, x, h)
		grid := make([]float64, 0, 2*g*g)
		for i := 0; i < g; i++ {
			for j := 0; j < g; j++ {
				grid = append(grid, x[0]-h+2*h*(float64(i)+0.5)/g, x[1]-h+2*h*(float64(j)+0.5)/g)
			}
		}
		lp := m.LogProb(nil, grid, a)
		for _, v := range lp {
			expect[c] += math.Exp(v) * sq(2*h/g) * n
		}
		// The count is binomial: 4 standard deviations sqrt(expect), plus the
		// quadrature's 1e-3.
		if math.Abs(cnt-expect[c]) > 4*math.Sqrt(expect[c])+1e-3*expect[c] {
			t.Errorf("t = %d: %v pairs in the box, want %.0f", step, cnt, expect[c])
		}
		// The box's bias: D* varies by at most its range over the box (grid
		// of the box's points, plus the change between grid neighbours).
		dg := m.Denoise(nil, grid, a, nil)
		d := m.Denoise(nil, x, a, nil)
		for j := 0; j < 2; j++ {
			var bias float64
			for p := 0; p < g*g; p++ {
				bias = math.Max(bias, math.Abs(dg[2*p+j]-d[j]))
			}
			bias *= 1 + 2.0/g
			mean := s[j] / cnt
			se := math.Sqrt((s2[j]/cnt - mean*mean) / cnt)
			t.Logf("t = %d, coordinate %d: %v pairs in the box (expected %.0f), mean of x_0 %.4f, D*(x) %.4f, se %.4f, box bias bound %.4f",
				step, j, cnt, expect[c], mean, d[j], se, bias)
			if e := math.Abs(mean - d[j]); e > 4*se+bias {
				t.Errorf("t = %d, coordinate %d: box mean of x_0 %.4f, D*(x) %.4f: gap %.4f > 4 se %.4f + bias %.4f", step, j, mean, d[j], e, 4*se, bias)
			}
		}
	}
	t.Logf("pairs needed per pair in the box: t = 300 %.0f, t = 100 %.0f", n/expect[0], n/expect[1])
	if !(expect[1] < expect[0]/20) {
		t.Errorf("expected counts in the box %v (t = 300, 100): want t = 100's twenty times smaller", expect)
	}
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
