package course

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"difftoy/toy"
)

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
	cnt, s, s2 := boxSums(x0, xt, x, h)
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

// Lesson 2, "What to look for": for point data the cell borders are
// straight at every t. log(pi_i / pi_j) is affine in x with gradient
// sqrt(a) (x_i - x_j) / (1 - a); the test checks that gradient by a central
// difference (exact for an affine function up to rounding) at points on a
// ring, and that the ratio vanishes on the bisector of the shrunk points
// when the weights are equal.
func TestLesson02StraightBorders(t *testing.T) {
	ds := load("three-points", 3, pcg(1))
	m, pts := ds.Exact, ds.Points
	s := toy.DDPM()
	logRatio := func(x []float64, a float64) float64 {
		w := m.Posterior(nil, x, a)
		return math.Log(w[0]) - math.Log(w[1])
	}
	for _, k := range []int{100, 300, 600, 1000} {
		a := s.Alpha(k)
		gx := math.Sqrt(a) * (pts[0] - pts[2]) / (1 - a)
		gy := math.Sqrt(a) * (pts[1] - pts[3]) / (1 - a)
		for p := 0; p < 12; p++ {
			th := 2 * math.Pi * float64(p) / 12
			x := []float64{0.7 * math.Cos(th), 0.7 * math.Sin(th)}
			const h = 0.1
			dx := (logRatio([]float64{x[0] + h, x[1]}, a) - logRatio([]float64{x[0] - h, x[1]}, a)) / (2 * h)
			dy := (logRatio([]float64{x[0], x[1] + h}, a) - logRatio([]float64{x[0], x[1] - h}, a)) / (2 * h)
			// An affine function: the central difference is exact; rounding of
			// log-ratios of size <= |g| (1 + |x|) over 2h.
			tol := 1e-12 * (math.Abs(gx) + math.Abs(gy) + 1) / h
			if math.Abs(dx-gx) > tol || math.Abs(dy-gy) > tol {
				t.Fatalf("t=%d x=%v: gradient of log(pi_0/pi_1) = (%v, %v), want (%v, %v)", k, x, dx, dy, gx, gy)
			}
		}
		// The midpoint of the shrunk points 0 and 1 lies on their border.
		mid := []float64{math.Sqrt(a) * (pts[0] + pts[2]) / 2, math.Sqrt(a) * (pts[1] + pts[3]) / 2}
		if r := logRatio(mid, a); math.Abs(r) > 1e-12 {
			t.Errorf("t=%d: log(pi_0/pi_1) at the shrunk midpoint = %v, want 0", k, r)
		}
	}
}

// TestIdealAt checks that the notebook's slider over t draws, at each
// step, the very charts the lesson's run draws when given that one step,
// and that a step outside the schedule is refused by name.
func TestIdealAt(t *testing.T) {
	cfg := Config{Seed: 1, Quick: true}
	setup := DefaultIdeal(cfg)
	for _, step := range []int{1, 300, 1000} {
		got, err := IdealAt(cfg, setup, step)
		if err != nil {
			t.Fatal(err)
		}
		one := setup
		one.Steps = []int{step}
		res, err := Ideal(cfg, one)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(res.Charts) {
			t.Fatalf("t = %d: %d charts, the lesson's run draws %d", step, len(got), len(res.Charts))
		}
		for i := range got {
			a, err := got[i].JSON()
			if err != nil {
				t.Fatal(err)
			}
			b, err := res.Charts[i].JSON()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a, b) {
				t.Errorf("t = %d: chart %q differs from the lesson's run", step, got[i].Title)
			}
		}
	}
	for _, bad := range []int{0, 1001} {
		if _, err := IdealAt(cfg, setup, bad); err == nil || !strings.Contains(err.Error(), "outside 1..1000") {
			t.Errorf("IdealAt(t = %d) = %v, want an error naming the range", bad, err)
		}
	}
	bad := setup
	bad.Dataset = "no-such-data"
	if _, err := IdealAt(cfg, bad, 10); err == nil || !strings.Contains(err.Error(), "no-such-data") {
		t.Errorf("IdealAt on an unknown dataset = %v, want an error naming it", err)
	}
}

// boxSums returns how many of the pairs (x_0, x_t) have x_t in the box of
// half-width h around x, and the sums of x_0 and of its squares over them.
func boxSums(x0, xt, x []float64, h float64) (cnt float64, s, s2 [2]float64) {
	for i := 0; i < len(xt)/2; i++ {
		if math.Abs(xt[2*i]-x[0]) <= h && math.Abs(xt[2*i+1]-x[1]) <= h {
			cnt++
			for j := 0; j < 2; j++ {
				s[j] += x0[2*i+j]
				s2[j] += x0[2*i+j] * x0[2*i+j]
			}
		}
	}
	return cnt, s, s2
}
