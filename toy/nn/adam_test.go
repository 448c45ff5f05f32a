package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAdamFirstStep: after one step the bias-corrected moments are g and
// g^2, so Adam moves every parameter by lr * g / (|g| + eps) ~ lr sign(g),
// and AdamW also by -lr wd p.
func TestAdamFirstStep(t *testing.T) {
	for _, wd := range []float64{0, 0.1} {
		p := []float64{1, -2, 3, 0.5}
		g := []float64{0.5, -1e-3, 4, 0}
		a := NewAdam(wd)
		const lr = 0.01
		want := make([]float64, len(p))
		for i := range p {
			want[i] = p[i] - lr*(g[i]/(math.Abs(g[i])+a.Eps)+wd*p[i])
		}
		a.Step(p, g, lr)
		for i := range p {
			if math.Abs(p[i]-want[i]) > 1e-12 {
				t.Errorf("wd %v: p[%d] = %v after one step, want %v", wd, i, p[i], want[i])
			}
		}
	}
}

// TestAdamMinimises: Adam drives a badly scaled quadratic
// sum_i c_i (p_i - 1)^2 to its minimum (Adam's per-coordinate scaling makes
// the condition number irrelevant).
func TestAdamMinimises(t *testing.T) {
	c := []float64{1e-2, 1, 1e2}
	p := []float64{5, -5, 0}
	g := make([]float64, 3)
	a := NewAdam(0)
	for k := 0; k < 3000; k++ {
		for i := range p {
			g[i] = 2 * c[i] * (p[i] - 1)
		}
		a.Step(p, g, 0.05*(1-float64(k)/3000))
	}
	for i := range p {
		if math.Abs(p[i]-1) > 1e-3 {
			t.Errorf("p[%d] = %v, want 1", i, p[i])
		}
	}
}

// TestEMA: the warm-up decay d_k = min(D, (1 + k)/(10 + k)) applied by
// hand to a sequence.
func TestEMA(t *testing.T) {
	e := &EMA{Decay: 0.5}
	seq := []float64{1, 2, 3, 4}
	want := seq[0]
	e.Update(seq[:1])
	for k, v := range seq[1:] {
		d := math.Min(0.5, float64(2+k)/float64(11+k))
		want = d*want + (1-d)*v
		e.Update([]float64{v})
	}
	if math.Abs(e.Params[0]-want) > 1e-15 {
		t.Errorf("EMA = %v, want %v", e.Params[0], want)
	}
}

// TestFusedUpdate: the training loop's fused pass (sum of the chunks'
// gradients, Adam, refresh of the float32 and transposed copies) equals
// Adam.Step on the summed gradient followed by a fresh conversion.
func TestFusedUpdate(t *testing.T) {
	m, _ := NewMLP([]int{5, 7, 3}, SiLU, rand.NewPCG(1, 1))
	const n = 200 // 4 chunks
	r := newRunner[float32](m, n)
	r.load(m.Params)
	src := rand.New(rand.NewPCG(2, 2))
	ref := append([]float64(nil), m.Params...)
	opt, refOpt := NewAdam(0.01), NewAdam(0.01)
	for step := 0; step < 3; step++ {
		g := make([]float64, len(ref))
		for _, c := range r.chunks {
			for i := range c.grad {
				c.grad[i] = float32(src.NormFloat64())
			}
		}
		for i := range g {
			for _, c := range r.chunks {
				g[i] += float64(c.grad[i])
			}
		}
		r.update(n, opt, m.Params, 1e-2)
		refOpt.Step(ref, g, 1e-2)
	}
	p32 := make([]float32, len(ref))
	for i, v := range ref {
		if m.Params[i] != v {
			t.Fatalf("param %d: fused %v, Adam.Step %v", i, m.Params[i], v)
		}
		p32[i] = float32(v)
	}
	pT := append([]float32(nil), p32...)
	transposeWeights(pT, p32, m.Sizes)
	for i := range p32 {
		if r.p[i] != p32[i] || r.pT[i] != pT[i] {
			t.Fatalf("compute copies differ at %d", i)
		}
	}
}
