// The noisy classifier C_t(y | x_t) of classifier guidance
// (lessons/08-classifier-guidance.md section 2): an MLP on x_t and the time
// features, softmax over classes, trained with cross-entropy on noised
// labelled data. Its input gradient is grad_x log C_t(y | x), the guidance
// term.

package nn

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"difftoy/internal/par"
	"difftoy/toy"
)

// Classifier is a noisy classifier. Spec.Classes is the number of classes
// (at least 2); Spec.Pred is unused; there is no class input.
type Classifier struct {
	Spec    Spec
	Net     *MLP
	Sched   *toy.Schedule // training schedule (required for TimeStep)
	Float64 bool          // evaluate with the plain float64 pass of mlp.go instead of the float32 kernels
}

// NewClassifier returns an untrained classifier.
func NewClassifier(spec Spec, sched *toy.Schedule, src rand.Source) (*Classifier, error) {
	if err := spec.validate(); err != nil {
		return nil, err
	}
	if spec.Classes < 2 {
		return nil, fmt.Errorf("nn: a classifier needs at least 2 classes, got %d", spec.Classes)
	}
	if spec.XFeatures != 0 || spec.Pred == PredEDM {
		return nil, fmt.Errorf("nn: a classifier sees x and the time features only (XFeatures %d, parametrisation %v)", spec.XFeatures, spec.Pred)
	}
	if spec.Time == TimeStep && sched == nil {
		return nil, fmt.Errorf("nn: a classifier with step time input needs its schedule")
	}
	spec.Hidden = append([]int(nil), spec.Hidden...)
	sizes := append([]int{spec.Dim + spec.TimeFeatures}, spec.Hidden...)
	net, err := NewMLP(append(sizes, spec.Classes), spec.Act, src)
	if err != nil {
		return nil, err
	}
	return &Classifier{Spec: spec, Net: net, Sched: sched}, nil
}

// Dim returns the data dimension.
func (c *Classifier) Dim() int { return c.Spec.Dim }

// inputSpec is the spec of the network input: x and time features only.
func (c *Classifier) inputSpec() Spec {
	s := c.Spec
	s.Classes = 0
	return s
}

func (c *Classifier) timeInput(who string, alpha float64) float64 {
	if !(alpha > 0 && alpha < 1) {
		panic(fmt.Sprintf("%s: alpha = %v is not in (0, 1)", who, alpha))
	}
	if c.Spec.Time == TimeStep {
		t, err := c.Sched.StepForAlpha(alpha)
		if err != nil {
			panic(fmt.Sprintf("%s: %v", who, err))
		}
		return 2*t/float64(c.Sched.T()) - 1
	}
	return logSigmaInput(alpha)
}

// Probs writes C_t(y | x) for y = 0..Classes-1 (n*Classes values,
// row-major) into dst and returns it. alpha must be in (0, 1).
func (c *Classifier) Probs(dst, x []float64, alpha float64) []float64 {
	n, _ := toy.CheckBatch("nn.Classifier.Probs", nil, x, c.Spec.Dim, alpha, nil)
	dst = toy.CheckDst("nn.Classifier.Probs", dst, n, c.Spec.Classes)
	u := c.timeInput("nn.Classifier.Probs", alpha)
	if c.Float64 {
		classify[float64](c, dst, nil, x, u, nil)
	} else {
		classify[float32](c, dst, nil, x, u, nil)
	}
	return dst
}

// Grad writes grad_x log C_t(y | x) into dst (n*Dim values) and returns
// it. A label toy.Empty (or nil labels) gives a zero gradient: there is no
// class to guide toward. alpha must be in (0, 1).
func (c *Classifier) Grad(dst, x []float64, alpha float64, y []int) []float64 {
	n, dst := toy.CheckBatch("nn.Classifier.Grad", dst, x, c.Spec.Dim, alpha, y)
	toy.CheckLabels("nn.Classifier.Grad", y, n, c.Spec.Classes)
	u := c.timeInput("nn.Classifier.Grad", alpha)
	if y == nil {
		clear(dst)
		return dst
	}
	if c.Float64 {
		classify[float64](c, nil, dst, x, u, y)
	} else {
		classify[float32](c, nil, dst, x, u, y)
	}
	return dst
}

// classify writes the probabilities into probs (when not nil) and
// grad_x log C(y | x) into grad (when not nil).
func classify[F float](c *Classifier, probs, grad, x []float64, u float64, y []int) {
	d, C := c.Spec.Dim, c.Spec.Classes
	n := len(x) / d
	p := make([]F, len(c.Net.Params))
	for i, v := range c.Net.Params {
		p[i] = F(v)
	}
	in := c.inputSpec()
	par.For(n, 64, func(lo, hi int) {
		rows := hi - lo
		w := newPass[F](c.Net.Sizes, c.Net.Act, rows, grad != nil, false)
		fillInput(&in, w.input(rows), x, 1, u, nil, lo, hi)
		out := w.forward(p, rows)
		pr := make([]float64, C)
		for i := 0; i < rows; i++ {
			softmax(pr, out[i*C:(i+1)*C])
			if probs != nil {
				copy(probs[(lo+i)*C:], pr)
			}
			if grad != nil {
				// d log p_y / d logits = onehot(y) - p.
				for k := range pr {
					g := -pr[k]
					if k == y[lo+i] {
						g++
					}
					if y[lo+i] == toy.Empty {
						g = 0
					}
					out[i*C+k] = F(g)
				}
			}
		}
		if grad != nil {
			w.backward(p, nil, rows, out, true)
			iw, dIn := in.inputs(), w.inputGrad()
			for i := 0; i < rows; i++ {
				for j := 0; j < d; j++ {
					grad[(lo+i)*d+j] = float64(dIn[i*iw+j])
				}
			}
		}
	})
}

// softmax writes the softmax of logits into dst (log-sum-exp shifted).
func softmax[F float](dst []float64, logits []F) {
	m := math.Inf(-1)
	for _, v := range logits {
		m = math.Max(m, float64(v))
	}
	s := 0.0
	for k, v := range logits {
		dst[k] = math.Exp(float64(v) - m)
		s += dst[k]
	}
	for k := range dst {
		dst[k] /= s
	}
}

// TrainClassifier trains c with cross-entropy -log C_t(y | x_t) on noised
// labelled data: x_0, y from data, t uniform on 1..T of c.Sched, eps ~ N(0, I).
// Config fields about denoisers (Weight, LabelDropout) are ignored. When
// data.Exact has ClassPosterior (as analytic mixtures do), the evaluations
// report mean ||C_t(.|x) - q_t(.|x)||^2 against the exact class posterior,
// with the class prior as the trivial reference.
func TrainClassifier(ctx context.Context, c *Classifier, data Data, cfg Config, src rand.Source) (*History, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := checkData(c.Spec.Dim, c.Spec.Classes, data); err != nil {
		return nil, err
	}
	if c.Sched == nil {
		return nil, fmt.Errorf("nn: the classifier has no training schedule")
	}
	if cfg.Float64 {
		return trainClassifier[float64](ctx, c, data, cfg, src)
	}
	return trainClassifier[float32](ctx, c, data, cfg, src)
}

type classPosterior interface {
	ClassPosterior(dst, x []float64, alpha float64) []float64
}

func trainClassifier[F float](ctx context.Context, c *Classifier, data Data, cfg Config, src rand.Source) (*History, error) {
	start := time.Now()
	r := rand.New(src)
	evalSeed := r.Uint64()
	d, B, T, C := c.Spec.Dim, cfg.Batch, c.Sched.T(), c.Spec.Classes
	n := len(data.Points) / d
	K := c.Spec.TimeFeatures
	feats := timeTable[F](&c.Spec, c.Sched)
	run := newRunner[F](c.Net, B)
	xt := make([]float64, B*d)
	ts, ys := make([]int, B), make([]int, B)
	width := d + K
	prior := make([]float64, C)
	for _, l := range data.Labels {
		prior[l] += 1 / float64(n)
	}
	step := func() float64 {
		for i := 0; i < B; i++ {
			j := r.IntN(n)
			t := 1 + r.IntN(T)
			ts[i], ys[i] = t, data.Labels[j]
			a := c.Sched.Alpha(t)
			sa, sv := math.Sqrt(a), math.Sqrt(1-a)
			for q := 0; q < d; q++ {
				xt[i*d+q] = sa*data.Points[j*d+q] + sv*r.NormFloat64()
			}
		}
		return run.run(B, func(w pass[F], lo, hi int) float64 {
			rows := hi - lo
			in := w.input(rows)
			for i := lo; i < hi; i++ {
				row := in[(i-lo)*width : (i-lo+1)*width]
				for q := 0; q < d; q++ {
					row[q] = F(xt[i*d+q])
				}
				copy(row[d:], feats[ts[i]*K:(ts[i]+1)*K])
			}
			out := w.forward(run.p, rows)
			l := crossEntropy(out, ys[lo:hi], C, 1/float64(B))
			w.backward(run.p, run.pT, rows, out, false)
			return l
		}) / float64(B)
	}
	exact, _ := data.Exact.(classPosterior)
	evaluate := func(params []float64) *Eval {
		if exact == nil || cfg.EvalSteps == 0 || cfg.EvalPoints == 0 {
			return nil
		}
		ec := *c
		ec.Net = &MLP{Sizes: c.Net.Sizes, Act: c.Net.Act, Params: params}
		return evalClassifier(&ec, data.Exact, exact, prior, cfg.EvalSteps, cfg.EvalPoints, rand.NewPCG(evalSeed, 0x5eed))
	}
	return loop(ctx, cfg, c.Net, run, step, evaluate, start)
}

// crossEntropy returns sum_i -log softmax(logits_i)_{y_i} for the rows of
// logits in out and overwrites out with scale times its derivative
// with respect to the logits, softmax - onehot(y).
func crossEntropy[F float](out []F, ys []int, C int, scale float64) float64 {
	pr := make([]float64, C)
	l := 0.0
	for i, y := range ys {
		softmax(pr, out[i*C:(i+1)*C])
		l -= math.Log(math.Max(pr[y], 1e-300))
		for q := range pr {
			g := pr[q]
			if q == y {
				g--
			}
			out[i*C+q] = F(g * scale)
		}
	}
	return l
}

func evalClassifier(c *Classifier, ex Exact, cp classPosterior, prior []float64, steps, points int, src rand.Source) *Eval {
	d, C := c.Spec.Dim, c.Spec.Classes
	x := make([]float64, points*d)
	return evalSteps(c.Sched, steps, func(a float64) (err, triv float64) {
		ex.Sample(x, nil, a, src)
		got := c.Probs(nil, x, a)
		want := cp.ClassPosterior(nil, x, a)
		for i := range got {
			err += (got[i] - want[i]) * (got[i] - want[i])
			triv += (prior[i%C] - want[i]) * (prior[i%C] - want[i])
		}
		return err / float64(points), triv / float64(points)
	})
}
