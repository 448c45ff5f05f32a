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

// probeLoss is L = sum_ij R_ij out_ij, so dL/dout = R, on the float64 pass.
func probeLoss(m *MLP, in, R []float64, rows int) float64 {
	w := newTape(m.Sizes, m.Act, rows, false, false)
	copy(w.input(rows), in)
	out := w.forward(m.Params, rows)
	s := 0.0
	for i, o := range out {
		s += R[i] * o
	}
	return s
}

// jitter adds N(0, 0.1^2) noise to every parameter, so that the biases
// are not zero.
func jitter(p []float64, r *rand.Rand) {
	for i := range p {
		p[i] += 0.1 * r.NormFloat64()
	}
}

// probe returns an MLP of the given shape with non-zero biases, rows
// random inputs and a random R for probeLoss.
func probe(t *testing.T, sizes []int, act Activation, rows int, src rand.Source) (m *MLP, in, R []float64) {
	t.Helper()
	r := rand.New(src)
	m, err := NewMLP(sizes, act, src)
	if err != nil {
		t.Fatal(err)
	}
	jitter(m.Params, r)
	in = make([]float64, rows*sizes[0])
	for i := range in {
		in[i] = r.NormFloat64()
	}
	R = make([]float64, rows*sizes[len(sizes)-1])
	for i := range R {
		R[i] = r.NormFloat64()
	}
	return m, in, R
}

// TestMLPGradients checks the float64 pass's backward (dL/dparams and
// dL/dinput) against central differences of its forward.
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
			m, in, R := probe(t, c.sizes, c.act, c.rows, rand.NewPCG(1, 2))
			w := newTape(m.Sizes, m.Act, c.rows, true, true)
			copy(w.input(c.rows), in)
			w.forward(m.Params, c.rows)
			w.backward(m.Params, nil, c.rows, R, true)
			for i := range m.Params {
				old := m.Params[i]
				m.Params[i] = old + fdStep
				up := probeLoss(m, in, R, c.rows)
				m.Params[i] = old - fdStep
				dn := probeLoss(m, in, R, c.rows)
				m.Params[i] = old
				fd := (up - dn) / (2 * fdStep)
				if !closeRel(w.dP[i], fd, fdTol) {
					t.Errorf("dL/dparam[%d] = %v, finite difference %v", i, w.dP[i], fd)
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

// TestFloat32MatchesFloat64 holds the float32 pass (pure Go and every
// vector kernel set, SiLU and ReLU, with and without the transposed
// weights training uses) to the float64 one, the reference, on the
// canonical shape. float32 rounds each operation to within u = 2^-24 ~
// 6e-8 relative; rounding errors of a dot product of length 128 add up
// like a random walk, to about sqrt(128) u, and four layers to about
// sqrt(128) * 4 * 6e-8 ~ 3e-6 relative to the largest values. (The
// worst-case bound, errors all of one sign, multiplies by the sum of |W|
// at every layer, ~13 here, and is too loose to catch a wrong kernel.)
// Observed: at most 7e-7 of the largest output, parameter gradient or
// input gradient. The bound 2e-5 is about 7x the estimate, and far below
// the 1e-3..1 that a wrong float32 kernel gives. (This comparison, not a
// finite difference, is the test of the float32 pass: a central difference
// in float32 has rounding error ~6e-8 |L| / h, which for any usable step is
// far above the 1e-6 that the float64 checks can ask for.)
func TestFloat32MatchesFloat64(t *testing.T) { forEachKernel(t, testFloat32MatchesFloat64) }

func testFloat32MatchesFloat64(t *testing.T) {
	for _, act := range []Activation{SiLU, ReLU} {
		for _, transposed := range []bool{false, true} {
			t.Run(fmt.Sprintf("%v/transposed=%v", act, transposed), func(t *testing.T) {
				compareFloat32(t, act, transposed)
			})
		}
	}
}

func compareFloat32(t *testing.T, act Activation, transposed bool) {
	sizes := []int{18, 128, 128, 128, 2}
	rows := 67
	m, in, R := probe(t, sizes, act, rows, rand.NewPCG(3, 4))
	w64 := newTape(sizes, act, rows, true, true)
	copy(w64.input(rows), in)
	out64 := append([]float64(nil), w64.forward(m.Params, rows)...)
	w64.backward(m.Params, nil, rows, R, true)

	w32 := newWork32(sizes, act, rows, true, true)
	p32 := make([]float32, len(m.Params))
	for i, v := range m.Params {
		p32[i] = float32(v)
	}
	var pT []float32
	if transposed {
		pT = make([]float32, len(p32))
		transposeWeights(pT, p32, sizes)
	}
	for i, v := range in {
		w32.input(rows)[i] = float32(v)
	}
	R32 := make([]float32, len(R))
	for i, v := range R {
		R32[i] = float32(v)
	}
	out32 := append([]float32(nil), w32.forward(p32, rows)...)
	w32.backward(p32, pT, rows, R32, true)
	maxAbsDiff := func(a []float32, b []float64) (diff, scale float64) {
		for i := range b {
			scale = math.Max(scale, math.Abs(b[i]))
			diff = math.Max(diff, math.Abs(float64(a[i])-b[i]))
		}
		return diff, scale
	}
	worst, oscale := maxAbsDiff(out32, out64)
	gworst, scale := maxAbsDiff(w32.dP, w64.dP)
	iworst, iscale := maxAbsDiff(w32.dIn, w64.dIn)
	t.Logf("float32 vs float64, max error (largest value): output %.2g (%.2g), parameter gradient %.2g (%.2g), input gradient %.2g (%.2g)",
		worst, oscale, gworst, scale, iworst, iscale)
	if worst > 2e-5*oscale || gworst > 2e-5*scale || iworst > 2e-5*iscale {
		t.Errorf("float32 pass: output error %g (largest %g), gradient error %g (largest %g), input gradient error %g (largest %g), want <= 2e-5 of the largest",
			worst, oscale, gworst, scale, iworst, iscale)
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
