package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"difftoy/toy"
)

// TestPredCoefficients checks the four readings D = a x + b F against the
// definitions of lessons/06-parametrisations.md section 1: fed its exact
// target (x_0, eps, the scaled score
// sqrt(1-alpha) grad log q(x_t | x_0) = -eps, v), each returns x_0.
func TestPredCoefficients(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, p := range []Pred{PredX0, PredEps, PredScore, PredV} {
		for _, alpha := range []float64{1e-4, 0.1, 0.5, 0.9, 0.9999} {
			x0, eps := r.NormFloat64(), r.NormFloat64()
			sa, sv := math.Sqrt(alpha), math.Sqrt(1-alpha)
			x := sa*x0 + sv*eps
			target := map[Pred]float64{PredX0: x0, PredEps: eps, PredScore: -eps, PredV: sa*eps - sv*x0}[p]
			a, b := p.coef(alpha)
			if got := a*x + b*target; math.Abs(got-x0) > 1e-9*(1+math.Abs(x0))/sa {
				t.Errorf("%v at alpha %v: a x + b F* = %v, want x0 = %v", p, alpha, got, x0)
			}
		}
	}
}

// TestDenoiseLossGradients checks dL/dparams of the training loss, every
// parametrisation and weighting, of a conditional model against central
// differences (tolerance as in TestMLPGradients).
func TestDenoiseLossGradients(t *testing.T) {
	sched, err := toy.Linear(50, 1e-3, 0.2)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []Pred{PredX0, PredEps, PredScore, PredV, PredEDM} {
		for _, wg := range []Weighting{WeightSimple, WeightX0, WeightELBO} {
			t.Run(fmt.Sprintf("%v/%v", p, wg), func(t *testing.T) {
				src := rand.NewPCG(2, 3)
				r := rand.New(src)
				spec := Spec{Dim: 2, Hidden: []int{8, 7}, Act: SiLU, TimeFeatures: 4, Classes: 3, Pred: p}
				if p == PredEDM {
					spec.SigmaData, spec.XFeatures = 0.6, 2 // the input's Fourier features too
				}
				m, err := NewModel(spec, sched, src)
				if err != nil {
					t.Fatal(err)
				}
				const B = 5
				xt, x0 := make([]float64, 2*B), make([]float64, 2*B)
				ts, ys := make([]int, B), make([]int, B)
				for i := 0; i < B; i++ {
					ts[i] = 2 + r.IntN(49)
					ys[i] = r.IntN(4) - 1
				}
				for i := range xt {
					xt[i], x0[i] = r.NormFloat64(), r.NormFloat64()
				}
				wt := stepWeights(&spec, wg, sched)
				ca, cb, cin := make([]float64, 51), make([]float64, 51), make([]float64, 51)
				for s := 1; s <= 50; s++ {
					ca[s], cb[s], cin[s] = spec.coef(sched.Alpha(s))
				}
				w := newTape(m.Net.Sizes, SiLU, B, false, true)
				lossAndGrad := func() float64 {
					in := w.input(B)
					for i := 0; i < B; i++ {
						fillInput(&m.Spec, in[i*spec.inputs():(i+1)*spec.inputs()], xt[2*i:2*i+2], cin[ts[i]], logSigmaInput(sched.Alpha(ts[i])), ys[i:i+1], 0, 1)
					}
					out := w.forward(m.Net.Params, B)
					l := denoiseLoss(out, xt, x0, ts, ca, cb, wt, 2, 0, B, 1/float64(B))
					w.backward(m.Net.Params, nil, B, out, false)
					return l / B
				}
				lossAndGrad()
				grad := append([]float64(nil), w.dP...)
				for i := range m.Net.Params {
					old := m.Net.Params[i]
					m.Net.Params[i] = old + fdStep
					up := lossAndGrad()
					m.Net.Params[i] = old - fdStep
					dn := lossAndGrad()
					m.Net.Params[i] = old
					fd := (up - dn) / (2 * fdStep)
					if !closeRel(grad[i], fd, fdTol) {
						t.Errorf("dL/dparam[%d] = %v, finite difference %v", i, grad[i], fd)
					}
				}
			})
		}
	}
}

// TestCrossEntropyGradient checks the classifier loss's gradient.
func TestCrossEntropyGradient(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	const C, B = 4, 3
	logits := make([]float64, C*B)
	for i := range logits {
		logits[i] = 3 * r.NormFloat64()
	}
	ys := []int{0, 3, 2}
	g := append([]float64(nil), logits...)
	crossEntropy(g, ys, C, 1)
	for i := range logits {
		f := func(v float64) float64 {
			l := append([]float64(nil), logits...)
			l[i] = v
			return crossEntropy(l, ys, C, 1)
		}
		fd := (f(logits[i]+fdStep) - f(logits[i]-fdStep)) / (2 * fdStep)
		if !closeRel(g[i], fd, fdTol) {
			t.Errorf("dCE/dlogit[%d] = %v, finite difference %v", i, g[i], fd)
		}
	}
}

// TestClassifierGrad checks Grad = grad_x log C(y | x) against central
// differences of log Probs, in float64.
func TestClassifierGrad(t *testing.T) {
	src := rand.NewPCG(5, 5)
	spec := Spec{Dim: 2, Hidden: []int{16, 16}, Act: SiLU, TimeFeatures: 6, Classes: 3}
	c, err := NewClassifier(spec, toy.DDPM(), src)
	if err != nil {
		t.Fatal(err)
	}
	c.Float64 = true
	r := rand.New(src)
	x := make([]float64, 2*7)
	for i := range x {
		x[i] = 2 * r.NormFloat64()
	}
	y := []int{0, 1, 2, toy.Empty, 1, 0, 2}
	const alpha = 0.3
	g := c.Grad(nil, x, alpha, y)
	for i := range x {
		p := i / 2
		f := func(v float64) float64 {
			xx := append([]float64(nil), x[2*p:2*p+2]...)
			xx[i%2] = v
			pr := c.Probs(nil, xx, alpha)
			if y[p] == toy.Empty {
				return 0
			}
			return math.Log(pr[y[p]])
		}
		fd := (f(x[i]+fdStep) - f(x[i]-fdStep)) / (2 * fdStep)
		if !closeRel(g[i], fd, fdTol) {
			t.Errorf("Grad[%d] = %v, finite difference %v", i, g[i], fd)
		}
	}
	pr := c.Probs(nil, x, alpha)
	for p := 0; p < 7; p++ {
		s := pr[3*p] + pr[3*p+1] + pr[3*p+2]
		if math.Abs(s-1) > 1e-12 {
			t.Errorf("Probs row %d sums to %v", p, s)
		}
	}
}

// TestEDMCoefficients checks PredEDM against Karras et al. (2022), Table 1,
// written in the variance-exploding variable y = x / sqrt(alpha) = x_0 +
// sigma eps: D = c_skip y + c_out F with c_skip = s^2 / (sigma^2 + s^2),
// c_out = sigma s / sqrt(sigma^2 + s^2), the input c_in y with c_in = 1 /
// sqrt(sigma^2 + s^2), and the loss weight lambda = 1 / c_out^2 for the
// target F. The same few float64 operations by another route: 1e-12.
func TestEDMCoefficients(t *testing.T) {
	for _, s := range []float64{0.5, 1, 1.4} {
		spec := Spec{Pred: PredEDM, SigmaData: s}
		for _, alpha := range []float64{1e-4, 0.1, 0.5, 0.9, 0.9999} {
			sigma2 := (1 - alpha) / alpha
			cSkip := s * s / (sigma2 + s*s)
			cOut := math.Sqrt(sigma2) * s / math.Sqrt(sigma2+s*s)
			cIn := 1 / math.Sqrt(sigma2+s*s)
			a, b, c := spec.coef(alpha)
			// D = a x + b F = c_skip x / sqrt(alpha) + c_out F; input c x = c_in x / sqrt(alpha).
			for _, pair := range [][3]float64{{a, cSkip / math.Sqrt(alpha), 0}, {b, cOut, 1}, {c, cIn / math.Sqrt(alpha), 2}} {
				if !closeRel(pair[0], pair[1], 1e-12) {
					t.Errorf("s %v alpha %v: coefficient %v = %v, want %v", s, alpha, pair[2], pair[0], pair[1])
				}
			}
			if s == 1 { // PredV with F's sign flipped
				av, bv := PredV.coef(alpha)
				if !closeRel(a, av, 1e-12) || !closeRel(b, -bv, 1e-12) {
					t.Errorf("s = 1, alpha %v: (%v, %v), want v's (%v, -(%v))", alpha, a, b, av, bv)
				}
			}
		}
		sched, _ := toy.Linear(40, 1e-3, 0.2)
		w := stepWeights(&spec, WeightSimple, sched)
		for tt := 1; tt <= 40; tt++ {
			al := sched.Alpha(tt)
			sigma2 := (1 - al) / al
			if lambda := (sigma2 + s*s) / (sigma2 * s * s); !closeRel(w[tt], lambda, 1e-12) {
				t.Errorf("s %v: weight at t = %d is %v, want lambda = %v", s, tt, w[tt], lambda)
			}
		}
	}
}

// TestStepWeights checks the loss weights (in x_0 terms) against their
// definitions, computed here from the betas and not through toy's
// coefficients or Pred.coef:
//
//   - simple: the squared error of the network's own target. For eps,
//     eps^ - eps = -sqrt(alpha/(1-alpha)) (D - x_0), so w = SNR =
//     alpha/(1-alpha); the scaled score is -eps, the same; for v,
//     v^ - v = -(D - x_0)/sqrt(1-alpha), so w = 1/(1-alpha); x_0: 1.
//   - elbo: B_t^2 / (2 C_t^2) with B_t = sqrt(alpha_{t-1}) beta_t/(1-alpha_t)
//     and C_t^2 = beta_t (1-alpha_{t-1})/(1-alpha_t) (lessons/03-training.md
//     sections 3 and 4),
//     scaled to mean 1 over t = 2..T, and 0 at t = 1.
//
// Each is a few float64 operations from the same betas: 1e-12 relative.
func TestStepWeights(t *testing.T) {
	sched, err := toy.Linear(40, 1e-3, 0.2)
	if err != nil {
		t.Fatal(err)
	}
	T := sched.T()
	alpha := make([]float64, T+1)
	alpha[0] = 1
	for s := 1; s <= T; s++ {
		alpha[s] = alpha[s-1] * (1 - sched.Beta(s))
	}
	elbo := make([]float64, T+1)
	sum := 0.0
	for s := 2; s <= T; s++ {
		beta := sched.Beta(s)
		B := math.Sqrt(alpha[s-1]) * beta / (1 - alpha[s])
		C2 := beta * (1 - alpha[s-1]) / (1 - alpha[s])
		elbo[s] = B * B / (2 * C2)
		sum += elbo[s]
	}
	for s := range elbo {
		elbo[s] /= sum / float64(T-1)
	}
	snr := func(s int) float64 { return alpha[s] / (1 - alpha[s]) }
	want := map[string]func(s int) float64{
		"x0/simple":    func(int) float64 { return 1 },
		"eps/simple":   snr,
		"score/simple": snr,
		"v/simple":     func(s int) float64 { return 1 / (1 - alpha[s]) },
		"eps/x0":       func(int) float64 { return 1 },
		"v/elbo":       func(s int) float64 { return elbo[s] },
		"x0/elbo":      func(s int) float64 { return elbo[s] },
	}
	for name, f := range want {
		parts := strings.Split(name, "/")
		p, err := ParsePred(parts[0])
		if err != nil {
			t.Fatal(err)
		}
		w, err := ParseWeighting(parts[1])
		if err != nil {
			t.Fatal(err)
		}
		spec := Spec{Pred: p}
		got := stepWeights(&spec, w, sched)
		for s := 1; s <= T; s++ {
			if !closeRel(got[s], f(s), 1e-12) {
				t.Errorf("%s: weight at t = %d is %v, want %v", name, s, got[s], f(s))
			}
		}
	}
}
