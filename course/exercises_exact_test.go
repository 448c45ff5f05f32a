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
