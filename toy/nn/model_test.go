package nn

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"difftoy/toy"
)

// TestModelPanics: programmer errors panic with a message naming the call.
func TestModelPanics(t *testing.T) {
	cond := smallModel(t, TimeLogSigma) // 3 classes
	unc, err := NewModel(Spec{Dim: 2, Hidden: []int{4}, TimeFeatures: 2}, nil, rand.NewPCG(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{1, 2, 3, 4}
	cases := []struct {
		name, want string
		f          func()
	}{
		{"odd length", "nn.Model.Denoise", func() { cond.Denoise(nil, x[:3], 0.5, nil) }},
		{"alpha 0", "nn.Model.Denoise", func() { cond.Denoise(nil, x, 0, nil) }},
		{"label too big", "label 3", func() { cond.Denoise(nil, x, 0.5, []int{0, 3}) }},
		{"labels to unconditional", "unconditional", func() { unc.Denoise(nil, x, 0.5, []int{0, 1}) }},
		{"step on log-sigma model", "nn.Model.DenoiseStep", func() { cond.DenoiseStep(nil, x, 3, nil) }},
		{"classifier alpha 1", "nn.Classifier.Grad", func() {
			c, _ := NewClassifier(Spec{Dim: 2, Hidden: []int{4}, TimeFeatures: 2, Classes: 2}, toy.DDPM(), rand.NewPCG(1, 1))
			c.Grad(nil, x, 1, []int{0, 1})
		}},
		{"classifier label too big", "nn.Classifier.Grad: label y[1] = 2", func() {
			c, _ := NewClassifier(Spec{Dim: 2, Hidden: []int{4}, TimeFeatures: 2, Classes: 2}, toy.DDPM(), rand.NewPCG(1, 1))
			c.Grad(nil, x, 0.5, []int{toy.Empty, 2})
		}},
		{"classifier probs dst", "nn.Classifier.Probs: len(dst) = 3, want 4", func() {
			c, _ := NewClassifier(Spec{Dim: 2, Hidden: []int{4}, TimeFeatures: 2, Classes: 2}, toy.DDPM(), rand.NewPCG(1, 1))
			c.Probs(make([]float64, 3), x, 0.5)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.Contains(s, c.want) {
					t.Errorf("panic %v, want one mentioning %q", r, c.want)
				}
			}()
			c.f()
		})
	}
	// alpha = 1 is no noise: D(x) = x exactly.
	if got := cond.Denoise(nil, x, 1, nil); got[0] != 1 || got[3] != 4 {
		t.Errorf("Denoise at alpha 1 = %v, want x", got)
	}
}

// TestSpecErrors: each invalid spec is an error that names the problem
// (an unknown value lists the valid names).
func TestSpecErrors(t *testing.T) {
	cases := []struct {
		s    Spec
		want string
	}{
		{Spec{Dim: 0, TimeFeatures: 2}, "dimension 0"},
		{Spec{Dim: 2, TimeFeatures: 3}, "3 time features"},
		{Spec{Dim: 2, TimeFeatures: 2, Classes: -1}, "-1 classes"},
		{Spec{Dim: 2, TimeFeatures: 2, Hidden: []int{4, 0}}, "hidden width 0"},
		{Spec{Dim: 2, TimeFeatures: 2, Hidden: []int{-3}}, "hidden width -3"},
		{Spec{Dim: 2, TimeFeatures: 2, Pred: 7}, "valid: x0, eps, score, v"},
		{Spec{Dim: 2, TimeFeatures: 2, Act: 2}, "valid: silu, relu"},
		{Spec{Dim: 2, TimeFeatures: 2, Time: 5}, "valid: logsigma, step"},
		{Spec{Dim: 2, TimeFeatures: 2, Time: TimeStep}, "needs its schedule"},
	}
	for _, c := range cases {
		_, err := NewModel(c.s, nil, rand.NewPCG(1, 1))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewModel(%+v): err = %v, want one mentioning %q", c.s, err, c.want)
		}
	}
	if _, err := NewClassifier(Spec{Dim: 2, TimeFeatures: 2, Classes: 1}, toy.DDPM(), rand.NewPCG(1, 1)); err == nil || !strings.Contains(err.Error(), "2 classes") {
		t.Errorf("NewClassifier with 1 class: err = %v", err)
	}
	if _, err := NewMLP([]int{2, 3}, Activation(9), rand.NewPCG(1, 1)); err == nil || !strings.Contains(err.Error(), "valid: silu, relu") {
		t.Errorf("NewMLP with activation 9: err = %v", err)
	}
}

// TestEmptySlot: toy.Empty (and nil labels) has its own one-hot slot, the
// last of Classes + 1, shared with no class. With random weights every
// slot feeds different first-layer weights, so the prediction for Empty
// differs from that for each class; an Empty mapped onto a class slot
// would give equal predictions.
func TestEmptySlot(t *testing.T) {
	m := smallModel(t, TimeLogSigma) // 3 classes
	for i := range m.Net.Params {
		m.Net.Params[i] += 0.01 * float64(i%7) // non-zero biases
	}
	K, d := m.Spec.TimeFeatures, m.Spec.Dim
	in := make([]float64, m.Spec.inputs())
	for _, y := range [][]int{nil, {toy.Empty}} {
		fillInput(&m.Spec, in, []float64{0.5, -1}, 1, 0.3, y, 0, 1)
		for j, v := range in[d+K:] {
			if want := float64(btoi(j == 3)); v != want {
				t.Errorf("labels %v: one-hot %v, want 1 in slot 3 only", y, in[d+K:])
				break
			}
		}
	}
	x := []float64{0.5, -1}
	empty := m.Denoise(nil, x, 0.4, []int{toy.Empty})
	for c := 0; c < 3; c++ {
		got := m.Denoise(nil, x, 0.4, []int{c})
		if got[0] == empty[0] && got[1] == empty[1] {
			t.Errorf("class %d predicts exactly as toy.Empty: %v", c, got)
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestXFeatures checks the x part of the input row against its definition:
// c x, then sin(f_k c x_j), cos(f_k c x_j) with f_k = 2^k / 2, coordinate
// by coordinate; and that the spec checks reject bad settings by name.
func TestXFeatures(t *testing.T) {
	spec := Spec{Dim: 2, XFeatures: 3}
	row := make([]float64, spec.xWidth())
	x := []float64{0.7, -1.3}
	const c = 0.8
	xInput(row, x, c, 3)
	want := []float64{c * 0.7, c * -1.3}
	for _, v := range x {
		for _, f := range []float64{0.5, 1, 2} {
			want = append(want, math.Sin(f*c*v), math.Cos(f*c*v))
		}
	}
	for i := range want {
		if math.Abs(row[i]-want[i]) > 1e-15 {
			t.Fatalf("input row %v, want %v", row, want)
		}
	}
	for _, bad := range []struct {
		spec Spec
		want string
	}{
		{Spec{Dim: 2, TimeFeatures: 4, XFeatures: -1}, "Fourier"},
		{Spec{Dim: 2, TimeFeatures: 4, Pred: PredEDM}, "standard deviation"},
		{Spec{Dim: 2, TimeFeatures: 4, Pred: PredV, SigmaData: 1}, "only used by the edm"},
	} {
		if err := bad.spec.validate(); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%+v: err %v, want one mentioning %q", bad.spec, err, bad.want)
		}
	}
}

// TestFloat64Option: Model.Float64 and Classifier.Float64 switch to the
// float64 pass, and the default float32 pass agrees with it to the bound
// of TestFloat32MatchesFloat64, 2e-5 of the largest network output (it
// holds a fortiori for these narrower, shallower networks), carried
// through what follows the network: for a denoiser D = a x + b F, so
// |b| times 2e-5 max|F|; for a classifier's probabilities, softmax moves
// p_k by p_k (d_k - sum_j p_j d_j) for logit errors d, at most 2 eps for
// |d| <= eps; its log-probability gradient is the input gradient, bounded
// by 2e-5 of its largest entry as there.
func TestFloat64Option(t *testing.T) {
	sched := toy.DDPM()
	src := rand.NewPCG(6, 7)
	r := rand.New(src)
	spec := Spec{Dim: 2, Hidden: []int{64, 64}, Act: SiLU, TimeFeatures: 8, Classes: 3, Pred: PredEDM, SigmaData: 0.7, XFeatures: 2}
	m, err := NewModel(spec, sched, src)
	if err != nil {
		t.Fatal(err)
	}
	jitter(m.Net.Params, r)
	const n = 300
	x := make([]float64, 2*n)
	for i := range x {
		x[i] = 2 * r.NormFloat64()
	}
	y := make([]int, n)
	for i := range y {
		y[i] = i%4 - 1 // toy.Empty and the three classes
	}
	maxAbs := func(a []float64) (s float64) {
		for _, v := range a {
			s = math.Max(s, math.Abs(v))
		}
		return s
	}
	maxDiff := func(a, b []float64) (d float64) {
		for i := range a {
			d = math.Max(d, math.Abs(a[i]-b[i]))
		}
		return d
	}
	for _, alpha := range []float64{0.999, 0.5, 0.01} {
		m.Float64 = false
		d32 := m.Denoise(nil, x, alpha, y)
		m.Float64 = true
		d64 := m.Denoise(nil, x, alpha, y)
		// Float64 runs the float64 pass: the same bits as the tape itself.
		a, b, cin := spec.coef(alpha)
		w := newTape(m.Net.Sizes, m.Net.Act, n, false, false)
		fillInput(&m.Spec, w.input(n), x, cin, logSigmaInput(alpha), y, 0, n)
		F := w.forward(m.Net.Params, n)
		for i := range F {
			if want := a*x[i] + b*F[i]; d64[i] != want {
				t.Fatalf("alpha %v: Float64 model gives D[%d] = %v, the float64 pass %v", alpha, i, d64[i], want)
			}
		}
		bound := 2e-5 * math.Abs(b) * maxAbs(F)
		if d := maxDiff(d32, d64); d > bound {
			t.Errorf("alpha %v: float32 and float64 denoisers differ by %g, want <= 2e-5 |b| max|F| = %g", alpha, d, bound)
		}
	}

	cspec := Spec{Dim: 2, Hidden: []int{64, 64}, Act: SiLU, TimeFeatures: 8, Classes: 3}
	c, err := NewClassifier(cspec, sched, src)
	if err != nil {
		t.Fatal(err)
	}
	jitter(c.Net.Params, r)
	const alpha = 0.3
	c.Float64 = false
	p32, g32 := c.Probs(nil, x, alpha), c.Grad(nil, x, alpha, y)
	c.Float64 = true
	p64, g64 := c.Probs(nil, x, alpha), c.Grad(nil, x, alpha, y)
	in := c.inputSpec()
	w := newTape(c.Net.Sizes, c.Net.Act, n, false, false)
	fillInput(&in, w.input(n), x, 1, c.timeInput("test", alpha), nil, 0, n)
	eps := 2e-5 * maxAbs(w.forward(c.Net.Params, n))
	if d := maxDiff(p32, p64); d > 2*eps {
		t.Errorf("probabilities differ by %g, want <= 2 eps = %g", d, 2*eps)
	}
	if d, s := maxDiff(g32, g64), maxAbs(g64); d > 2e-5*s {
		t.Errorf("log-probability gradients differ by %g (largest %g), want <= 2e-5 of the largest", d, s)
	}
}
