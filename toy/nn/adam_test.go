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

// TestEMA: the average of a sequence under the warm-up decay
// d_k = min(D, (1 + k)/(10 + k)) at the k-th update after the first, which
// copies. With D = 0.5 the warm-up value (2/11, 3/12, ...) is below D and
// applies; with D = 0.1 the cap applies from the start, and the average
// is the plain exponential one. The expected values are the closed-form
// weights of each input, summed by hand (exact to float64 rounding).
func TestEMA(t *testing.T) {
	seq := []float64{1, 2, 3, 4}
	cases := []struct {
		decay float64
		ds    []float64 // decay applied at updates 2, 3, 4
	}{
		{0.5, []float64{2.0 / 11, 3.0 / 12, 4.0 / 13}},
		{0.1, []float64{0.1, 0.1, 0.1}},
	}
	for _, c := range cases {
		e := &EMA{Decay: c.decay}
		for _, v := range seq {
			e.Update([]float64{v})
		}
		// e = seq[0] d1 d2 d3 + seq[1] (1-d1) d2 d3 + seq[2] (1-d2) d3 + seq[3] (1-d3).
		d1, d2, d3 := c.ds[0], c.ds[1], c.ds[2]
		want := seq[0]*d1*d2*d3 + seq[1]*(1-d1)*d2*d3 + seq[2]*(1-d2)*d3 + seq[3]*(1-d3)
		if math.Abs(e.Params[0]-want) > 1e-14 {
			t.Errorf("decay %v: EMA = %v, want %v", c.decay, e.Params[0], want)
		}
	}
}

// TestAdamConstantGradient: under a constant gradient g the bias-corrected
// moments are exactly g and g^2 at every step k (m_k = (1 - b1^k) g), so
// each step moves a parameter by lr g/(|g| + eps), and K steps by K lr
// sign(g) for |g| >> eps. Without the correction (or with a wrong power)
// the first steps move by (1-b1)/sqrt(1-b2) ~ 3.2 lr instead. The moments
// are stored in float32 (relative error 6e-8 per step), so the total is
// exact to about K * 1e-7 lr.
func TestAdamConstantGradient(t *testing.T) {
	const K, lr = 50, 0.01
	p := []float64{0, 0}
	g := []float64{0.3, -2}
	a := NewAdam(0)
	for k := 0; k < K; k++ {
		a.Step(p, g, lr)
	}
	for i := range p {
		want := -K * lr * g[i] / (math.Abs(g[i]) + a.Eps)
		if math.Abs(p[i]-want) > 1e-6*K*lr {
			t.Errorf("p[%d] = %v after %d steps of a constant gradient, want %v", i, p[i], K, want)
		}
	}
}

// TestFusedUpdate: the training loop's fused pass (sum of the chunks'
// gradients, Adam, refresh of the float32 and transposed copies) equals
// Adam.Step on the summed gradient followed by a fresh conversion.
func TestFusedUpdate(t *testing.T) { forEachKernel(t, testFusedUpdate) }

func testFusedUpdate(t *testing.T) {
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
			for i := range c.paramGrad() {
				c.paramGrad()[i] = float32(src.NormFloat64())
			}
		}
		for i := range g {
			for _, c := range r.chunks {
				g[i] += float64(c.paramGrad()[i])
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
