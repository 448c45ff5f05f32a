// The training loop of lessons/03-training.md section 5: draw x_0 from the
// data, t uniformly, eps ~ N(0, I); form x_t; take an Adam step on the batch
// mean of w_t || D_t(x_t) - x_0 ||^2.

package nn

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"difftoy/toy"
	"difftoy/toy/datasets"
)

// Weighting chooses w_t in the loss w_t || D_t(x_t) - x_0 ||^2.
type Weighting int

const (
	// WeightSimple is the unweighted mean squared error of the network
	// output against its own target (x_0, eps, scaled score or v): for
	// PredX0 lesson 3's x_0 loss, for PredEps Ho et al.'s L_simple.
	// In x_0 terms w_t = 1 / b(alpha_t)^2 where D = a x + b F.
	WeightSimple Weighting = iota
	// WeightX0 is w_t = 1 for every parametrisation: the x_0 loss.
	WeightX0
	// WeightELBO is the ELBO weight w_t = B_t^2 / (2 C_t^2) with the
	// posterior variance, scaled to mean 1 over t = 2..T; t is then drawn
	// from 2..T (the t = 1 term is a reconstruction term, w_1 = +Inf).
	WeightELBO
)

var weightNames = []string{"simple", "x0", "elbo"}

func (w Weighting) String() string { return nameOf(weightNames, int(w), "Weighting") }

// ParseWeighting returns the weighting called name ("simple", "x0", "elbo").
func ParseWeighting(name string) (Weighting, error) {
	i, err := parseName("loss weighting", weightNames, name)
	return Weighting(i), err
}

// Decay is the learning-rate schedule over the run.
type Decay int

const (
	DecayNone   Decay = iota // constant
	DecayCosine              // lr (1 + cos(pi k / K)) / 2, from lr to 0
	DecayLinear              // lr (1 - k / K)
)

var decayNames = []string{"none", "cosine", "linear"}

func (d Decay) String() string { return nameOf(decayNames, int(d), "Decay") }

// ParseDecay returns the learning-rate decay called name ("none", "cosine", "linear").
func ParseDecay(name string) (Decay, error) {
	i, err := parseName("learning-rate decay", decayNames, name)
	return Decay(i), err
}

// Config holds the training settings. Start from DefaultConfig.
type Config struct {
	Steps        int       // 3000 Adam steps: a few seconds at the default size, enough for 8 Gaussians
	Batch        int       // 256 points per step: low gradient noise at small cost
	LR           float64   // 1e-3: Adam's usual rate, stable for these MLPs
	Decay        Decay     // DecayCosine: a small final rate cleans up the last digits
	Warmup       int       // 0: steps of linear warm-up from LR/Warmup to LR before the decay starts
	WeightDecay  float64   // 0: plain Adam; > 0 makes it AdamW
	EMA          float64   // 0.999: averages ~1000 steps of noise away; 0 turns it off
	Weight       Weighting // WeightSimple
	LabelDropout float64   // 0.2: probability of the empty label, so one model serves CFG
	Float64      bool      // false: float32 kernels (float64 master weights); true: the plain float64 pass of mlp.go

	EvalEvery  int // 500: steps between errors against the exact D* (0: only at the end)
	EvalPoints int // 1000 fresh points per evaluated t
	EvalSteps  int // 10 values of t, evenly spaced over 1..T

	ProgressEvery int            // 100: steps between Progress calls
	Progress      func(Progress) // nil: no reports
}

// DefaultConfig returns the defaults documented on Config.
func DefaultConfig() Config {
	return Config{Steps: 3000, Batch: 256, LR: 1e-3, Decay: DecayCosine, EMA: 0.999,
		LabelDropout: 0.2, EvalEvery: 500, EvalPoints: 1000, EvalSteps: 10, ProgressEvery: 100}
}

func (c *Config) validate() error {
	switch {
	case c.Steps < 1:
		return fmt.Errorf("nn: %d training steps: want at least 1", c.Steps)
	case c.Warmup < 0 || c.Warmup >= c.Steps:
		return fmt.Errorf("nn: %d warm-up steps: want 0 <= Warmup < Steps (%d)", c.Warmup, c.Steps)
	case c.Batch < 1:
		return fmt.Errorf("nn: batch size %d: want at least 1", c.Batch)
	case !(c.LR > 0) || math.IsInf(c.LR, 0):
		return fmt.Errorf("nn: learning rate %v is not a positive number", c.LR)
	case !(c.WeightDecay >= 0) || math.IsInf(c.WeightDecay, 0):
		return fmt.Errorf("nn: weight decay %v is not a finite number >= 0", c.WeightDecay)
	case !(c.EMA >= 0 && c.EMA < 1):
		return fmt.Errorf("nn: EMA decay %v is not in [0, 1)", c.EMA)
	case !(c.LabelDropout >= 0 && c.LabelDropout <= 1):
		return fmt.Errorf("nn: label dropout %v is not in [0, 1]", c.LabelDropout)
	case c.Decay < DecayNone || c.Decay > DecayLinear:
		return fmt.Errorf("nn: unknown learning-rate decay %d (valid: %s)", int(c.Decay), validNames(decayNames))
	case c.Weight < WeightSimple || c.Weight > WeightELBO:
		return fmt.Errorf("nn: unknown loss weighting %d (valid: %s)", int(c.Weight), validNames(weightNames))
	case c.EvalEvery < 0 || c.EvalPoints < 0 || c.EvalSteps < 0 || c.ProgressEvery < 0:
		return fmt.Errorf("nn: negative evaluation or progress setting (EvalEvery %d, EvalPoints %d, EvalSteps %d, ProgressEvery %d)",
			c.EvalEvery, c.EvalPoints, c.EvalSteps, c.ProgressEvery)
	}
	return nil
}

func (c *Config) lr(k int) float64 {
	if k < c.Warmup {
		return c.LR * float64(k+1) / float64(c.Warmup)
	}
	f := float64(k-c.Warmup) / float64(c.Steps-c.Warmup)
	switch c.Decay {
	case DecayCosine:
		return c.LR * (1 + math.Cos(math.Pi*f)) / 2
	case DecayLinear:
		return c.LR * (1 - f)
	}
	return c.LR
}

// Exact is what the training loop needs of an exact mixture (every
// analytic.Mixture has it): the ideal denoiser and samples of q_t.
type Exact interface {
	toy.Denoiser
	Sample(dst []float64, comp []int, alpha float64, src rand.Source) []float64
	Labels() []int
}

// Data is a training set: n points of dimension Dim row-major, optional
// labels in 0..Classes-1, and optionally the exact mixture they were
// drawn from (then training reports the error against D*).
type Data struct {
	Points  []float64
	Labels  []int
	Classes int
	Exact   Exact // may be nil
}

// FromDataset returns the training data of a named toy dataset, with its
// exact mixture for the error against D*.
func FromDataset(ds *datasets.Dataset) Data {
	d := Data{Points: ds.Points, Labels: ds.Labels, Classes: ds.Classes}
	if ds.Exact != nil {
		d.Exact = ds.Exact
	}
	return d
}

// Eval is the error of the (EMA) model against the exact denoiser on
// fresh points x_t ~ q_t at a few steps t:
//
//	Err[k]     = mean || D(x_t) - D*(x_t) ||^2          at t = T[k]
//	Trivial[k] = mean || E[x_0] - D*(x_t) ||^2          (the best constant denoiser)
//
// Mean and TrivialMean average them over the steps (uniform in t, as the x_0
// loss weights them). Weighted and TrivialWeighted average them with weights
// alpha_t: a sampler adds D to the state as sqrt(alpha_s) D
// (lessons/10-deterministic-sampling.md section 1), so this is the error a
// step actually makes, and it does not let the eps or score readings'
// division by sqrt(alpha_T) at the noisiest steps dominate. A conditional
// model is evaluated with the labels of the sampled components against the
// conditional D*.
type Eval struct {
	Step              int
	T                 []int
	Alpha             []float64
	Err, Trivial      []float64
	Mean, TrivialMean float64
	Weighted          float64
	TrivialWeighted   float64
}

// Progress is what the loop reports every Config.ProgressEvery steps.
type Progress struct {
	Step, Steps int
	Loss        float64 // mean loss over the steps since the last report
	LR          float64
	Eval        *Eval // non-nil right after an evaluation
	Elapsed     time.Duration
}

// History is the record of a run.
type History struct {
	Loss    []float64 // batch loss of every step done
	Evals   []Eval
	Elapsed time.Duration
}

// Train trains m on data with the model's schedule m.Sched and cfg, drawing
// all randomness from src. It returns the history and, when ctx is
// cancelled, the history so far together with ctx's error; m then holds
// the weights reached. With cfg.EMA > 0, m ends with the averaged weights.
// A batch loss that is NaN or infinite (a learning rate far too high, say)
// stops the run with an error wrapping ErrDiverged that names the step,
// with the history of the steps before it; so do non-finite weights at the
// end. The same src seed gives the same model whatever GOMAXPROCS is.
func Train(ctx context.Context, m *Model, data Data, cfg Config, src rand.Source) (*History, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := checkData(m.Spec.Dim, m.Spec.Classes, data); err != nil {
		return nil, err
	}
	if m.Sched == nil {
		return nil, fmt.Errorf("nn: the model has no training schedule")
	}
	if cfg.Float64 {
		return train[float64](ctx, m, data, cfg, src)
	}
	return train[float32](ctx, m, data, cfg, src)
}

func checkData(dim, classes int, data Data) error {
	n := len(data.Points) / dim
	switch {
	case n == 0 || len(data.Points)%dim != 0:
		return fmt.Errorf("nn: %d coordinates are not a non-empty set of %d-dimensional points", len(data.Points), dim)
	case data.Exact != nil && data.Exact.Dim() != dim:
		return fmt.Errorf("nn: exact mixture of dimension %d for data of dimension %d", data.Exact.Dim(), dim)
	case classes > 0 && len(data.Labels) != n:
		return fmt.Errorf("nn: a conditional model needs one label per point (%d labels, %d points)", len(data.Labels), n)
	case classes > 0 && data.Classes != classes:
		return fmt.Errorf("nn: the model has %d classes, the data %d", classes, data.Classes)
	}
	for i, l := range data.Labels {
		if classes > 0 && (l < 0 || l >= classes) {
			return fmt.Errorf("nn: label %d of point %d is not in [0, %d)", l, i, classes)
		}
	}
	for i, v := range data.Points {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("nn: coordinate %d of point %d is %v", i%dim, i/dim, v)
		}
	}
	return nil
}

// stepWeights returns the loss weight (in x_0 terms) of every step 0..T.
func stepWeights(spec *Spec, w Weighting, s *toy.Schedule) []float64 {
	T := s.T()
	ws := make([]float64, T+1)
	sum := 0.0
	for t := 1; t <= T; t++ {
		a := s.Alpha(t)
		switch w {
		case WeightSimple:
			_, b, _ := spec.coef(a)
			ws[t] = 1 / (b * b)
		case WeightX0:
			ws[t] = 1
		case WeightELBO:
			if t >= 2 {
				ws[t] = toy.ELBOWeight(a, s.Alpha(t-1), toy.PosteriorVariance)
				sum += ws[t]
			}
		}
	}
	if w == WeightELBO && T >= 2 {
		mean := sum / float64(T-1)
		for t := range ws {
			ws[t] /= mean
		}
	}
	return ws
}

func train[F float](ctx context.Context, m *Model, data Data, cfg Config, src rand.Source) (*History, error) {
	start := time.Now()
	r := rand.New(src)
	evalSeed := r.Uint64() // the evaluation points are fixed for the whole run
	spec, sched := &m.Spec, m.Sched
	d, B, T := spec.Dim, cfg.Batch, sched.T()
	tMin := 1
	if cfg.Weight == WeightELBO && T >= 2 {
		tMin = 2
	}

	// Per-step tables: loss weight, parametrisation coefficients, time features.
	wt := stepWeights(spec, cfg.Weight, sched)
	ca, cb, cin := make([]float64, T+1), make([]float64, T+1), make([]float64, T+1)
	for t := 1; t <= T; t++ {
		ca[t], cb[t], cin[t] = spec.coef(sched.Alpha(t))
	}
	K, xw := spec.TimeFeatures, spec.xWidth()
	feats := timeTable[F](spec, sched)

	run := newRunner[F](m.Net, B)
	xt := make([]float64, B*d)
	x0 := make([]float64, B*d)
	ts := make([]int, B)
	ys := make([]int, B)
	width := spec.inputs()
	step := func() float64 {
		drawBatch(r, data, sched, d, spec.Classes, tMin, cfg.LabelDropout, x0, xt, ts, ys)
		return run.run(B, func(w pass[F], lo, hi int) float64 {
			rows := hi - lo
			in := w.input(rows)
			for i := lo; i < hi; i++ {
				row := in[(i-lo)*width : (i-lo+1)*width]
				xInput(row[:xw], xt[i*d:(i+1)*d], cin[ts[i]], spec.XFeatures)
				copy(row[xw:xw+K], feats[ts[i]*K:(ts[i]+1)*K])
				if spec.Classes > 0 {
					oh := row[xw+K:]
					clear(oh)
					oh[spec.classSlot("nn.Train", ys, i)] = 1
				}
			}
			out := w.forward(run.p, rows)
			l := denoiseLoss(out, xt, x0, ts, ca, cb, wt, d, lo, hi, 1/float64(B))
			w.backward(run.p, run.pT, rows, out, false)
			return l
		}) / float64(B)
	}
	evaluate := func(params []float64) *Eval {
		if data.Exact == nil || cfg.EvalSteps == 0 || cfg.EvalPoints == 0 {
			return nil
		}
		em := *m
		em.Net = &MLP{Sizes: m.Net.Sizes, Act: m.Net.Act, Params: params}
		return evalExact(&em, data, cfg.EvalSteps, cfg.EvalPoints, rand.NewPCG(evalSeed, 0x5eed))
	}
	return loop(ctx, cfg, m.Net, run, step, evaluate, start)
}

// loop runs the steps common to both training loops: cfg.Steps times, a
// batch loss and gradient from step, an Adam step on net's float64
// parameters, the EMA; evaluations of the (averaged) parameters every
// cfg.EvalEvery steps and at the end; progress reports. On ctx's
// cancellation it returns the history so far and ctx's error. net ends
// with the averaged parameters when cfg.EMA > 0.
func loop[F float](ctx context.Context, cfg Config, net *MLP, run *runner[F], step func() float64, evaluate func(params []float64) *Eval, start time.Time) (*History, error) {
	opt := NewAdam(cfg.WeightDecay)
	var ema *EMA
	if cfg.EMA > 0 {
		ema = &EMA{Decay: cfg.EMA}
	}
	run.load(net.Params)
	hist := &History{}
	finish := func() {
		if ema != nil && ema.Params != nil {
			copy(net.Params, ema.Params)
		}
		hist.Elapsed = time.Since(start)
	}
	var pendingLoss float64
	var pendingN int
	for k := 0; k < cfg.Steps; k++ {
		if err := ctx.Err(); err != nil {
			finish()
			return hist, err
		}
		loss := step()
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			finish()
			return hist, fmt.Errorf("%w: the batch loss of step %d of %d is %v (learning rate %v)", ErrDiverged, k+1, cfg.Steps, loss, cfg.lr(k))
		}
		lr := cfg.lr(k)
		run.update(cfg.Batch, opt, net.Params, lr)
		if ema != nil {
			ema.Update(net.Params)
		}
		hist.Loss = append(hist.Loss, loss)
		pendingLoss += loss
		pendingN++

		done := k + 1
		var ev *Eval
		if done == cfg.Steps || (cfg.EvalEvery > 0 && done%cfg.EvalEvery == 0) {
			params := net.Params
			if ema != nil {
				params = ema.Params
			}
			if ev = evaluate(params); ev != nil {
				ev.Step = done
				hist.Evals = append(hist.Evals, *ev)
			}
		}
		if cfg.Progress != nil && (ev != nil || done == cfg.Steps || (cfg.ProgressEvery > 0 && done%cfg.ProgressEvery == 0)) {
			cfg.Progress(Progress{Step: done, Steps: cfg.Steps, Loss: pendingLoss / float64(pendingN), LR: lr, Eval: ev, Elapsed: time.Since(start)})
			pendingLoss, pendingN = 0, 0
		}
	}
	finish()
	if err := checkFinite(net.Params); err != nil {
		return hist, fmt.Errorf("%w after the last step %d", err, cfg.Steps)
	}
	return hist, nil
}

// drawBatch draws the len(ts) examples of one training step from r,
// serially (before the parallel part, so the draw does not depend on the
// number of cores): a data point x_0 with its label, t uniform on
// tMin..T, eps ~ N(0, I). It writes x_0, x_t = sqrt(alpha_t) x_0 +
// sqrt(1 - alpha_t) eps, t, and the label, replaced by toy.Empty with
// probability dropout (every label is toy.Empty when classes is 0).
func drawBatch(r *rand.Rand, data Data, sched *toy.Schedule, d, classes, tMin int, dropout float64, x0, xt []float64, ts, ys []int) {
	n, T := len(data.Points)/d, sched.T()
	for i := range ts {
		j := r.IntN(n)
		t := tMin + r.IntN(T-tMin+1)
		ts[i] = t
		a := sched.Alpha(t)
		sa, sv := math.Sqrt(a), math.Sqrt(1-a)
		for c := 0; c < d; c++ {
			v := data.Points[j*d+c]
			x0[i*d+c] = v
			xt[i*d+c] = sa*v + sv*r.NormFloat64()
		}
		ys[i] = toy.Empty
		if classes > 0 {
			ys[i] = data.Labels[j]
			if r.Float64() < dropout {
				ys[i] = toy.Empty
			}
		}
	}
}

// denoiseLoss returns sum_{i=lo}^{hi-1} w_i || a_i x_i + b_i F_i - x0_i ||^2
// for the network outputs F in out (rows lo..hi-1 of the batch, with step
// t_i = ts[i] giving a_i = ca[t], b_i = cb[t], w_i = wt[t]), and overwrites
// out with scale times the derivative of that sum with respect to F.
func denoiseLoss[F float](out []F, xt, x0 []float64, ts []int, ca, cb, wt []float64, d, lo, hi int, scale float64) float64 {
	l := 0.0
	for i := lo; i < hi; i++ {
		t := ts[i]
		a, b, wi := ca[t], cb[t], wt[t]
		g := 2 * wi * b * scale
		for c := 0; c < d; c++ {
			o := (i-lo)*d + c
			e := a*xt[i*d+c] + b*float64(out[o]) - x0[i*d+c]
			l += wi * e * e
			out[o] = F(g * e)
		}
	}
	return l
}

// evalExact measures m against data.Exact at steps evenly spaced over 1..T.
func evalExact(m *Model, data Data, steps, points int, src rand.Source) *Eval {
	d := m.Spec.Dim
	mean := make([]float64, d)
	n := len(data.Points) / d
	for i := 0; i < n; i++ {
		for c := 0; c < d; c++ {
			mean[c] += data.Points[i*d+c] / float64(n)
		}
	}
	var labels []int
	if m.Spec.Classes > 0 {
		labels = data.Exact.Labels()
	}
	x := make([]float64, points*d)
	comp := make([]int, points)
	dm := make([]float64, points*d)
	ds := make([]float64, points*d)
	var y []int
	return evalSteps(m.Sched, steps, func(a float64) (err, triv float64) {
		data.Exact.Sample(x, comp, a, src)
		if labels != nil {
			y = make([]int, points)
			for i, c := range comp {
				y[i] = labels[c]
			}
		}
		m.Denoise(dm, x, a, y)
		data.Exact.Denoise(ds, x, a, y)
		for i := range x {
			err += (dm[i] - ds[i]) * (dm[i] - ds[i])
			triv += (mean[i%d] - ds[i]) * (mean[i%d] - ds[i])
		}
		return err / float64(points), triv / float64(points)
	})
}

// evalSteps fills an Eval from f(alpha_t), which returns the error and
// the trivial error at signal level alpha_t, for steps values of t evenly
// spaced over 1..T.
func evalSteps(sched *toy.Schedule, steps int, f func(alpha float64) (err, triv float64)) *Eval {
	T := sched.T()
	e := &Eval{}
	sumA := 0.0
	for k := 0; k < steps; k++ {
		t := 1
		if steps > 1 {
			t = 1 + int(math.Round(float64(k)*float64(T-1)/float64(steps-1)))
		}
		a := sched.Alpha(t)
		err, triv := f(a)
		e.T = append(e.T, t)
		e.Alpha = append(e.Alpha, a)
		e.Err = append(e.Err, err)
		e.Trivial = append(e.Trivial, triv)
		e.Mean += err / float64(steps)
		e.TrivialMean += triv / float64(steps)
		e.Weighted += a * err
		e.TrivialWeighted += a * triv
		sumA += a
	}
	e.Weighted /= sumA
	e.TrivialWeighted /= sumA
	return e
}

// timeTable returns the time features of every step 0..T of sched (row t
// at t*K; row 0 unused), as the input of spec's network computes them.
func timeTable[F float](spec *Spec, sched *toy.Schedule) []F {
	T, K := sched.T(), spec.TimeFeatures
	feats := make([]F, (T+1)*K)
	for t := 1; t <= T; t++ {
		u := logSigmaInput(sched.Alpha(t))
		if spec.Time == TimeStep {
			u = 2*float64(t)/float64(T) - 1
		}
		timeFeatures(feats[t*K:(t+1)*K], u)
	}
	return feats
}
