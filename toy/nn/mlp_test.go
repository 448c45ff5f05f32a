package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// fdTol is the tolerance of a central difference with step fdStep = 1e-5
// in float64: truncation error ~ h^2 |L3| / 6 ~ 1e-11 (L3 the third
// derivative) and rounding error ~ 1e-16 |L| / h ~ 1e-10 for the O(1..10)
// losses here. Observed errors lie between 1e-10 and 1e-9 relative (the
// tests fail at 1e-10), so 1e-8 keeps a margin of 10 or more while a wrong
// backprop term gives O(1e-3..1) errors. These checks run in float64 only:
// see TestFloat32MatchesFloat64 for the float32 paths.
const (
	fdStep = 1e-5
	fdTol  = 1e-8
)

func closeRel(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*(1+math.Max(math.Abs(a), math.Abs(b)))
}

// probeLoss is L = sum_ij R_ij out_ij, so dL/dout = R.
func probeLoss(m *MLP, in, R []float64, rows int) float64 {
	w := newWork[float64](m.Sizes, m.Act, rows, true)
	copy(w.input(rows), in)
	out := w.forward(m.Params, rows)
	s := 0.0
	for i, o := range out {
		s += R[i] * o
	}
	return s
}

func TestMLPGradients(t *testing.T) {
	cases := []struct {
		sizes []int
		act   Activation
		rows  int
	}{
		{[]int{3, 2}, SiLU, 1},
		{[]int{5, 7, 6, 3}, SiLU, 5},
		{[]int{5, 7, 6, 3}, ReLU, 5},
		{[]int{4, 9, 8, 2}, SiLU, 6},
		{[]int{18, 16, 16, 16, 2}, SiLU, 7},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%v/%v/rows%d", c.act, c.sizes, c.rows), func(t *testing.T) {
			src := rand.NewPCG(1, 2)
			r := rand.New(src)
			m, err := NewMLP(c.sizes, c.act, src)
			if err != nil {
				t.Fatal(err)
			}
			for i := range m.Params { // non-zero biases too
				m.Params[i] += 0.1 * r.NormFloat64()
			}
			in := make([]float64, c.rows*c.sizes[0])
			for i := range in {
				in[i] = r.NormFloat64()
			}
			R := make([]float64, c.rows*c.sizes[len(c.sizes)-1])
			for i := range R {
				R[i] = r.NormFloat64()
			}
			w := newWork[float64](m.Sizes, m.Act, c.rows, true)
			copy(w.input(c.rows), in)
			w.forward(m.Params, c.rows)
			w.backward(m.Params, c.rows, R, true)
			// The transposed-weights path computes the same products.
			pT := append([]float64(nil), m.Params...)
			transposeWeights(pT, m.Params, m.Sizes)
			wT := newWork[float64](m.Sizes, m.Act, c.rows, true)
			copy(wT.input(c.rows), in)
			wT.forward(m.Params, c.rows)
			wT.backwardT(m.Params, pT, c.rows, R, true)
			for i := range w.grad {
				if !closeRel(w.grad[i], wT.grad[i], 1e-12) {
					t.Fatalf("backwardT: dL/dparam[%d] = %v, backward %v", i, wT.grad[i], w.grad[i])
				}
			}
			for i := range m.Params {
				old := m.Params[i]
				m.Params[i] = old + fdStep
				up := probeLoss(m, in, R, c.rows)
				m.Params[i] = old - fdStep
				dn := probeLoss(m, in, R, c.rows)
				m.Params[i] = old
				fd := (up - dn) / (2 * fdStep)
				if !closeRel(w.grad[i], fd, fdTol) {
					t.Errorf("dL/dparam[%d] = %v, finite difference %v", i, w.grad[i], fd)
				}
			}
			for i := range in {
				old := in[i]
				in[i] = old + fdStep
				up := probeLoss(m, in, R, c.rows)
				in[i] = old - fdStep
				dn := probeLoss(m, in, R, c.rows)
				in[i] = old
				fd := (up - dn) / (2 * fdStep)
				if !closeRel(w.dIn[i], fd, fdTol) {
					t.Errorf("dL/dinput[%d] = %v, finite difference %v", i, w.dIn[i], fd)
				}
			}
		})
	}
}

// TestFloat32MatchesFloat64 measures the float32 path against float64 on
// the canonical shape. float32 has relative precision 6e-8; a dot product of
// length 128 and four layers accumulate it to about sqrt(128) * 4 * 6e-8 ~
// 3e-6 relative to the sizes of the terms (~1 here); observed: 1e-6 on the
// outputs and 5e-7 of the largest gradient. The bound 2e-5 is about 7x the
// estimate, and far below the 1e-3..1 that a wrong float32 kernel gives. (This comparison, not a
// finite difference, is the test of the float32 paths: a central difference
// in float32 has rounding error ~6e-8 |L| / h, which for any usable step is
// far above the 1e-6 that the float64 checks can ask for.)
func TestFloat32MatchesFloat64(t *testing.T) { forEachKernel(t, testFloat32MatchesFloat64) }

func testFloat32MatchesFloat64(t *testing.T) {
	src := rand.NewPCG(3, 4)
	r := rand.New(src)
	sizes := []int{18, 128, 128, 128, 2}
	m, _ := NewMLP(sizes, SiLU, src)
	rows := 67
	in := make([]float64, rows*18)
	for i := range in {
		in[i] = r.NormFloat64()
	}
	R := make([]float64, rows*2)
	for i := range R {
		R[i] = r.NormFloat64()
	}
	w64 := newWork[float64](sizes, SiLU, rows, true)
	copy(w64.input(rows), in)
	out64 := w64.forward(m.Params, rows)
	w64.backward(m.Params, rows, R, true)

	w32 := newWork[float32](sizes, SiLU, rows, true)
	p32 := make([]float32, len(m.Params))
	for i, v := range m.Params {
		p32[i] = float32(v)
	}
	for i, v := range in {
		w32.h[0][i] = float32(v)
	}
	R32 := make([]float32, len(R))
	for i, v := range R {
		R32[i] = float32(v)
	}
	out32 := w32.forward(p32, rows)
	w32.backward(p32, rows, R32, true)
	worst := 0.0
	for i := range out64 {
		worst = math.Max(worst, math.Abs(float64(out32[i])-out64[i]))
	}
	scale := 0.0
	for i := range w64.grad {
		scale = math.Max(scale, math.Abs(w64.grad[i]))
	}
	gworst := 0.0
	for i := range w64.grad {
		gworst = math.Max(gworst, math.Abs(float64(w32.grad[i])-w64.grad[i]))
	}
	t.Logf("float32 vs float64: max output error %.2g, max gradient error %.2g (largest gradient %.2g)", worst, gworst, scale)
	if worst > 2e-5 || gworst > 2e-5*scale {
		t.Errorf("float32 path: output error %g, gradient error %g (scale %g), want <= 2e-5 relative", worst, gworst, scale)
	}
}

func TestExp32(t *testing.T) {
	for x := -87.0; x <= 88; x += 0.01 {
		got := float64(exp32(float32(x)))
		want := math.Exp(float64(float32(x)))
		// A few float32 ulp (1.2e-7 relative each).
		if math.Abs(got-want) > 5e-7*want {
			t.Fatalf("exp32(%v) = %v, want %v", x, got, want)
		}
	}
}

func TestNewMLPErrors(t *testing.T) {
	for _, sizes := range [][]int{nil, {3}, {3, 0, 2}} {
		if _, err := NewMLP(sizes, SiLU, rand.NewPCG(1, 1)); err == nil {
			t.Errorf("NewMLP(%v) gave no error", sizes)
		}
	}
	if _, err := ParseActivation("tanh"); err == nil {
		t.Error(`ParseActivation("tanh") gave no error`)
	}
}
