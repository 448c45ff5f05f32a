package course

import (
	"math"
	"testing"

	"difftoy/toy"
)

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
