package toy_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"difftoy/toy"
)

// meanVar returns the sample mean and (n-1) variance of x[i*stride+off].
func meanVar(x []float64, stride, off int) (m, v float64) {
	n := 0
	for i := off; i < len(x); i += stride {
		m += x[i]
		n++
	}
	m /= float64(n)
	for i := off; i < len(x); i += stride {
		v += (x[i] - m) * (x[i] - m)
	}
	return m, v / float64(n-1)
}

func TestNoiseFormula(t *testing.T) {
	x0 := []float64{1, -2, 0.5}
	eps := []float64{0.3, 0.1, -1}
	got := toy.Noise(nil, x0, eps, 0.64)
	want := []float64{0.8*1 + 0.6*0.3, 0.8*-2 + 0.6*0.1, 0.8*0.5 - 0.6}
	for i := range want {
		if !relClose(got[i], want[i], 1e-15) {
			t.Errorf("Noise[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	// In place over x0 is allowed: each entry is read before it is written.
	toy.Noise(x0, x0, eps, 0.64)
	for i := range want {
		if !relClose(x0[i], want[i], 1e-15) {
			t.Errorf("in place Noise[%d] = %v, want %v", i, x0[i], want[i])
		}
	}
	if got := toy.Noise(nil, []float64{3}, []float64{7}, 1); got[0] != 3 {
		t.Errorf("Noise at alpha = 1: %v, want x0", got)
	}
}

// x_t given x_0 is N(sqrt(alpha) x_0, (1 - alpha) I). With n draws the
// sample mean has standard error sqrt((1-alpha)/n) and the sample variance
// (1-alpha) sqrt(2/(n-1)); the checks allow 5 standard errors (a fixed
// seed, so the test is deterministic; 5 se is exceeded with probability
// 6e-7 per check for a correct implementation).
func TestAddNoiseMoments(t *testing.T) {
	const n = 100000
	for _, alpha := range []float64{0.999, 0.5, 1e-3} {
		x0 := make([]float64, 2*n)
		for i := 0; i < n; i++ {
			x0[2*i], x0[2*i+1] = 1.5, -0.7
		}
		eps := make([]float64, 2*n)
		xt := toy.AddNoise(nil, eps, x0, alpha, rand.NewPCG(4, 4))
		for j, c := range []float64{1.5, -0.7} {
			m, v := meanVar(xt, 2, j)
			if se := math.Sqrt((1 - alpha) / n); math.Abs(m-math.Sqrt(alpha)*c) > 5*se {
				t.Errorf("alpha=%v coord %d: mean %v, want %v (se %v)", alpha, j, m, math.Sqrt(alpha)*c, se)
			}
			if se := (1 - alpha) * math.Sqrt(2.0/(n-1)); math.Abs(v-(1-alpha)) > 5*se {
				t.Errorf("alpha=%v coord %d: variance %v, want %v (se %v)", alpha, j, v, 1-alpha, se)
			}
		}
		// The two coordinates' noises are independent: sample
		// correlation within 5/sqrt(n).
		var c01 float64
		for i := 0; i < n; i++ {
			c01 += eps[2*i] * eps[2*i+1]
		}
		if r := c01 / n; math.Abs(r) > 5/math.Sqrt(n) {
			t.Errorf("alpha=%v: correlation of coordinates %v", alpha, r)
		}
		// The returned eps is the noise actually used.
		want := toy.Noise(nil, x0, eps, alpha)
		for i := range want {
			if want[i] != xt[i] {
				t.Fatalf("alpha=%v: x_t[%d] = %v, Noise(x0, eps) = %v", alpha, i, xt[i], want[i])
			}
		}
	}
	// Same seed, with and without eps: same x_t.
	x0 := []float64{1, 2, 3, 4}
	a := toy.AddNoise(nil, nil, x0, 0.3, rand.NewPCG(9, 9))
	b := toy.AddNoise(nil, make([]float64, 4), x0, 0.3, rand.NewPCG(9, 9))
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("AddNoise with nil eps differs at %d: %v vs %v", i, a[i], b[i])
		}
	}
}

func TestNoisePanics(t *testing.T) {
	x := []float64{1, 2}
	mustPanic(t, "toy.Noise", func() { toy.Noise(nil, x, []float64{1}, 0.5) })
	mustPanic(t, "toy.Noise", func() { toy.Noise(make([]float64, 3), x, x, 0.5) })
	mustPanic(t, "toy.Noise", func() { toy.Noise(nil, x, x, 0) })
	mustPanic(t, "toy.Noise", func() { toy.Noise(nil, x, x, math.NaN()) })
	mustPanic(t, "toy.AddNoise", func() { toy.AddNoise(nil, []float64{1}, x, 0.5, rand.NewPCG(1, 1)) })
	mustPanic(t, "toy.AddNoise", func() { toy.AddNoise(nil, nil, x, 1.5, rand.NewPCG(1, 1)) })
}

// The Markov chain's marginals are q(x_t | x_0) = N(sqrt(alpha_t) x_0,
// (1 - alpha_t) I), and for s < t Cov(x_s, x_t) = sqrt(alpha_t / alpha_s)
// (1 - alpha_s). n chains from the same x_0: standard errors as in
// TestAddNoiseMoments, and for the covariance sqrt((v_s v_t + c^2)/n).
func TestChainMarginals(t *testing.T) {
	n := 20000
	if testing.Short() {
		n = 5000
	}
	for _, s := range []*toy.Schedule{toy.DDPM(), mustCosine(t, 200)} {
		x0 := make([]float64, n)
		for i := range x0 {
			x0[i] = 2
		}
		steps := []int{0, 1, 10, s.T() / 2, s.T()}
		out := toy.Chain(s, x0, steps, rand.NewPCG(5, 5))
		if len(out) != len(steps) {
			t.Fatalf("Chain returned %d states, want %d", len(out), len(steps))
		}
		for i := range x0 {
			if out[0][i] != 2 {
				t.Fatalf("step 0 is not x0")
			}
		}
		for k, st := range steps[1:] {
			a := s.Alpha(st)
			m, v := meanVar(out[k+1], 1, 0)
			if se := math.Sqrt((1 - a) / float64(n)); math.Abs(m-2*math.Sqrt(a)) > 5*se {
				t.Errorf("%s step %d: mean %v, want %v (se %v)", s.Name, st, m, 2*math.Sqrt(a), se)
			}
			if se := (1 - a) * math.Sqrt(2/float64(n-1)); math.Abs(v-(1-a)) > 5*se {
				t.Errorf("%s step %d: variance %v, want %v (se %v)", s.Name, st, v, 1-a, se)
			}
		}
		// Covariance between step 10 and step T/2.
		as, at := s.Alpha(10), s.Alpha(s.T()/2)
		ms, _ := meanVar(out[2], 1, 0)
		mt, _ := meanVar(out[3], 1, 0)
		var c float64
		for i := range n {
			c += (out[2][i] - ms) * (out[3][i] - mt)
		}
		c /= float64(n - 1)
		want := math.Sqrt(at/as) * (1 - as)
		se := math.Sqrt(((1-as)*(1-at) + want*want) / float64(n))
		if math.Abs(c-want) > 5*se {
			t.Errorf("%s: Cov(x_10, x_%d) = %v, want %v (se %v)", s.Name, s.T()/2, c, want, se)
		}
	}
	if out := toy.Chain(toy.DDPM(), []float64{1}, nil, rand.NewPCG(1, 1)); len(out) != 0 {
		t.Errorf("Chain with no steps returned %d states", len(out))
	}
}

func TestChainPanics(t *testing.T) {
	s := toy.DDPM()
	x := []float64{0, 0}
	mustPanic(t, "toy.Chain", func() { toy.Chain(s, x, []int{5, 5}, rand.NewPCG(1, 1)) })
	mustPanic(t, "toy.Chain", func() { toy.Chain(s, x, []int{3, 1}, rand.NewPCG(1, 1)) })
	mustPanic(t, "toy.Chain", func() { toy.Chain(s, x, []int{-1}, rand.NewPCG(1, 1)) })
	mustPanic(t, "toy.Chain", func() { toy.Chain(s, x, []int{1001}, rand.NewPCG(1, 1)) })
}
