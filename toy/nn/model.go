// The trained denoiser: an MLP fed with x_t, sinusoidal features of the noise
// level and a one-hot class, whose output is read as x_0, eps, score or v and
// turned into a prediction of x_0 (lessons/06-parametrisations.md section 1).

package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"difftoy/internal/par"
	"difftoy/toy"
)

// Pred is what the network's output F stands for. Each choice is a linear
// reading of the same optimum E[x_0 | x_t] (lessons/06-parametrisations.md
// section 1):
//
//	PredX0:    D = F
//	PredEps:   D = (x - sqrt(1-alpha) F) / sqrt(alpha)          (F = eps)
//	PredScore: D = (x + sqrt(1-alpha) F) / sqrt(alpha)          (F = sqrt(1-alpha) grad log q_t)
//	PredV:     D = sqrt(alpha) x - sqrt(1-alpha) F              (F = sqrt(alpha) eps - sqrt(1-alpha) x_0)
//	PredEDM:   D = c_skip x / sqrt(alpha) + c_out F             (Karras et al. 2022, below)
//
// PredEDM is the preconditioning of Karras et al. (2022) in the variables
// of the variance-exploding process x / sqrt(alpha) = x_0 + sigma eps,
// sigma^2 = (1 - alpha) / alpha, with s = Spec.SigmaData the data's
// standard deviation per coordinate:
//
//	c_skip = s^2 / (sigma^2 + s^2),  c_out = sigma s / sqrt(sigma^2 + s^2),
//	c_in   = 1 / sqrt(sigma^2 + s^2)   (the network sees c_in x / sqrt(alpha)),
//
// so that the network's input and its target F = (x_0 - c_skip x /
// sqrt(alpha)) / c_out both have unit variance at every noise level, and
// WeightSimple is their weight lambda = 1 / c_out^2. With s = 1 it is
// PredV with the sign of F flipped.
//
// The score is predicted scaled by sqrt(1-alpha), as noise-conditional
// score networks do (s = F / sigma), because the raw score grows like
// 1/sqrt(1-alpha) at small noise and no MLP output can follow it.
type Pred int

const (
	PredX0 Pred = iota
	PredEps
	PredScore
	PredV
	PredEDM
)

var predNames = []string{"x0", "eps", "score", "v", "edm"}

func (p Pred) String() string { return nameOf(predNames, int(p), "Pred") }

// ParsePred returns the parametrisation called name ("x0", "eps", "score", "v", "edm").
func ParsePred(name string) (Pred, error) {
	i, err := parseName("parametrisation", predNames, name)
	return Pred(i), err
}

// coef returns (a, b) with D = a x + b F at signal level alpha < 1.
func (p Pred) coef(alpha float64) (a, b float64) {
	sa, sv := math.Sqrt(alpha), math.Sqrt(1-alpha)
	switch p {
	case PredX0:
		return 0, 1
	case PredEps:
		return 1 / sa, -sv / sa
	case PredScore:
		return 1 / sa, sv / sa
	case PredV:
		return sa, -sv
	}
	panic(fmt.Sprintf("nn: unknown parametrisation %d", int(p)))
}

// coef returns (a, b) with D = a x + b F at signal level alpha < 1, and
// the factor c that scales x_t at the network's input (1 but for PredEDM).
func (s *Spec) coef(alpha float64) (a, b, c float64) {
	if s.Pred != PredEDM {
		a, b = s.Pred.coef(alpha)
		return a, b, 1
	}
	sd2 := s.SigmaData * s.SigmaData
	v := 1 - alpha + alpha*sd2 // alpha (sigma^2 + s^2)
	// c_skip / sqrt(alpha) = s^2 sqrt(alpha) / v; c_out = s sqrt(1 - alpha) / sqrt(v);
	// c_in / sqrt(alpha) = 1 / sqrt(v).
	return sd2 * math.Sqrt(alpha) / v, s.SigmaData * math.Sqrt((1-alpha)/v), 1 / math.Sqrt(v)
}

// TimeInput is what the time features are computed from.
type TimeInput int

const (
	// TimeLogSigma feeds features of u = log(sigma_t) / 6, a function of
	// alpha alone: the model is a toy.Denoiser on any schedule.
	TimeLogSigma TimeInput = iota
	// TimeStep feeds features of u = 2 t / T - 1, the step of the training
	// schedule. The model is then a toy.StepDenoiser of that schedule; its
	// Denoise finds the (fractional) step with the asked alpha.
	TimeStep
)

var timeNames = []string{"logsigma", "step"}

func (t TimeInput) String() string { return nameOf(timeNames, int(t), "TimeInput") }

// ParseTimeInput returns the time input called name ("logsigma", "step").
func ParseTimeInput(name string) (TimeInput, error) {
	i, err := parseName("time input", timeNames, name)
	return TimeInput(i), err
}

// Spec is a model's architecture. The zero value is not valid; start from
// DefaultSpec.
type Spec struct {
	Dim          int        // data dimension (2 for the toys)
	Hidden       []int      // hidden widths; {128, 128, 128}: trains 8 Gaussians to near D* in seconds
	Act          Activation // SiLU: smooth denoisers, the usual choice
	TimeFeatures int        // 16 sinusoidal features (8 frequencies, sin and cos): resolves log sigma finely enough
	Time         TimeInput  // TimeLogSigma: the model works on every schedule
	Classes      int        // 0: unconditional; else labels 0..Classes-1 plus toy.Empty
	Pred         Pred       // PredX0: the x_0 reading of lesson 3
	// XFeatures adds Fourier features of the (scaled) input x: sin(f_k x_j)
	// and cos(f_k x_j) for every coordinate j and f_k = 2^k / 2,
	// k = 0..XFeatures-1 (0: none). An MLP fed with x alone is slow to
	// learn functions that vary on scales much finer than x's spread
	// (its spectral bias); the features hand it those scales.
	XFeatures int
	// SigmaData is the data's standard deviation per coordinate, used by
	// PredEDM's preconditioning (0 for the other parametrisations).
	SigmaData float64
}

// DefaultSpec returns the default architecture for data of dimension dim:
// the plain x0 MLP. The course trains it with PredEDM and 6
// XFeatures added, which lesson 3's ablation shows it needs to sample the
// toys' fine structure.
func DefaultSpec(dim int) Spec {
	return Spec{Dim: dim, Hidden: []int{128, 128, 128}, Act: SiLU, TimeFeatures: 16, Time: TimeLogSigma, Pred: PredX0}
}

func (s Spec) validate() error {
	switch {
	case s.Dim < 1:
		return fmt.Errorf("nn: dimension %d is not positive", s.Dim)
	case s.TimeFeatures < 2 || s.TimeFeatures%2 != 0:
		return fmt.Errorf("nn: %d time features: want an even number >= 2", s.TimeFeatures)
	case s.Classes < 0:
		return fmt.Errorf("nn: %d classes is negative", s.Classes)
	case s.Pred < PredX0 || s.Pred > PredEDM:
		return fmt.Errorf("nn: unknown parametrisation %d (valid: %s)", int(s.Pred), validNames(predNames))
	case s.Time != TimeLogSigma && s.Time != TimeStep:
		return fmt.Errorf("nn: unknown time input %d (valid: %s)", int(s.Time), validNames(timeNames))
	case s.Act != SiLU && s.Act != ReLU:
		return fmt.Errorf("nn: unknown activation %d (valid: %s)", int(s.Act), validNames(activationNames))
	case s.XFeatures < 0 || s.XFeatures > 30:
		return fmt.Errorf("nn: %d Fourier features of x: want 0..30", s.XFeatures)
	case s.Pred == PredEDM && !(s.SigmaData > 0 && s.SigmaData < math.Inf(1)):
		return fmt.Errorf("nn: the edm parametrisation needs the data's standard deviation, got SigmaData = %v", s.SigmaData)
	case s.Pred != PredEDM && s.SigmaData != 0:
		return fmt.Errorf("nn: SigmaData = %v is only used by the edm parametrisation (set it to 0 for %v)", s.SigmaData, s.Pred)
	}
	for _, h := range s.Hidden {
		if h < 1 {
			return fmt.Errorf("nn: hidden width %d in %v is not positive", h, s.Hidden)
		}
	}
	return nil
}

// inputs returns the MLP's input width: x, its Fourier features, time
// features, one-hot class (Classes + 1 slots, the last for toy.Empty).
func (s Spec) inputs() int {
	n := s.xWidth() + s.TimeFeatures
	if s.Classes > 0 {
		n += s.Classes + 1
	}
	return n
}

func (s Spec) sizes() []int {
	z := []int{s.inputs()}
	z = append(z, s.Hidden...)
	return append(z, s.Dim)
}

// xWidth returns the width of the x part of the input: x and its Fourier
// features.
func (s Spec) xWidth() int { return s.Dim * (1 + 2*s.XFeatures) }

// xInput writes the x part of a network input row into dst (len xWidth):
// c x, then sin(f_k c x_j) and cos(f_k c x_j) for each j and k.
func xInput[F float](dst []F, x []float64, c float64, xf int) {
	d := len(x)
	for j, v := range x {
		v *= c
		dst[j] = F(v)
		f := 0.5
		for k := 0; k < xf; k++ {
			s, co := math.Sincos(f * v)
			o := d + 2*(j*xf+k)
			dst[o], dst[o+1] = F(s), F(co)
			f *= 2
		}
	}
}

// timeFeatures writes sin(f_k u), cos(f_k u), k = 0..K/2-1, with
// frequencies f_k from 1/2 to 32 in geometric steps, into dst (len K).
func timeFeatures[F float](dst []F, u float64) {
	h := len(dst) / 2
	for k := 0; k < h; k++ {
		f := 0.5
		if h > 1 {
			f = 0.5 * math.Exp(float64(k)/float64(h-1)*math.Log(64))
		}
		s, c := math.Sincos(f * u)
		dst[k], dst[h+k] = F(s), F(c)
	}
}

// logSigmaInput returns u = log(sigma) / 6 for alpha in (0, 1).
func logSigmaInput(alpha float64) float64 {
	return 0.5 * (math.Log1p(-alpha) - math.Log(alpha)) / 6
}

// Model is a trained (or training) denoiser. It satisfies toy.Denoiser
// whatever its parametrisation, and toy.StepDenoiser when Spec.Time is
// TimeStep.
type Model struct {
	Spec  Spec
	Net   *MLP
	Sched *toy.Schedule // training schedule: needed for TimeStep, kept for reference otherwise (may be nil then)

	// Float64 evaluates the network with the plain float64 pass of
	// mlp.go instead of the float32 kernels. Training always keeps float64
	// master weights.
	Float64 bool
}

// NewModel returns an untrained model. sched is required when spec.Time is
// TimeStep.
func NewModel(spec Spec, sched *toy.Schedule, src rand.Source) (*Model, error) {
	if err := spec.validate(); err != nil {
		return nil, err
	}
	if spec.Time == TimeStep && sched == nil {
		return nil, fmt.Errorf("nn: a model with step time input needs its schedule")
	}
	net, err := NewMLP(spec.sizes(), spec.Act, src)
	if err != nil {
		return nil, err
	}
	spec.Hidden = append([]int(nil), spec.Hidden...)
	return &Model{Spec: spec, Net: net, Sched: sched}, nil
}

// Dim returns the data dimension.
func (m *Model) Dim() int { return m.Spec.Dim }

// fillInput writes the network input of points lo..hi-1 into in: x, the
// time features of u, and the one-hot class (y nil means toy.Empty).
func fillInput[F float](s *Spec, in []F, x []float64, c, u float64, y []int, lo, hi int) {
	w, d, K, xw := s.inputs(), s.Dim, s.TimeFeatures, s.xWidth()
	for i := lo; i < hi; i++ {
		row := in[(i-lo)*w : (i-lo+1)*w]
		xInput(row[:xw], x[i*d:(i+1)*d], c, s.XFeatures)
		if i == lo {
			timeFeatures(row[xw:xw+K], u)
		} else {
			copy(row[xw:xw+K], in[xw:xw+K])
		}
		if s.Classes > 0 {
			oh := row[xw+K:]
			clear(oh)
			oh[s.classSlot("nn.Model", y, i)] = 1
		}
	}
}

// classSlot returns the one-hot slot of point i's label.
func (s *Spec) classSlot(who string, y []int, i int) int {
	if y == nil || y[i] == toy.Empty {
		return s.Classes
	}
	if y[i] < 0 || y[i] >= s.Classes {
		panic(fmt.Sprintf("%s: label %d of point %d is not in [0, %d) or toy.Empty", who, y[i], i, s.Classes))
	}
	return y[i]
}

// Denoise writes the model's prediction of x_0 from x_t = x at signal level
// alpha into dst and returns it (toy.Denoiser). At alpha = 1 it returns x.
// Labels need a conditional model (Spec.Classes > 0).
func (m *Model) Denoise(dst, x []float64, alpha float64, y []int) []float64 {
	_, dst = toy.CheckBatch("nn.Model.Denoise", dst, x, m.Spec.Dim, alpha, y)
	if alpha == 1 {
		copy(dst, x)
		return dst
	}
	u := 0.0
	switch m.Spec.Time {
	case TimeLogSigma:
		u = logSigmaInput(alpha)
	case TimeStep:
		t, err := m.Sched.StepForAlpha(alpha)
		if err != nil {
			panic(fmt.Sprintf("nn.Model.Denoise: %v", err))
		}
		u = 2*t/float64(m.Sched.T()) - 1
	}
	m.eval(dst, x, alpha, u, y)
	return dst
}

// DenoiseStep is Denoise at the (fractional) step t in [0, T] of the
// training schedule (toy.StepDenoiser). It needs Spec.Time = TimeStep.
func (m *Model) DenoiseStep(dst, x []float64, t float64, y []int) []float64 {
	if m.Spec.Time != TimeStep {
		panic("nn.Model.DenoiseStep: the model's time input is not the step")
	}
	if !(t >= 0 && t <= float64(m.Sched.T())) {
		panic(fmt.Sprintf("nn.Model.DenoiseStep: step %v is not in [0, %d]", t, m.Sched.T()))
	}
	alpha := m.Sched.AlphaAt(t)
	_, dst = toy.CheckBatch("nn.Model.DenoiseStep", dst, x, m.Spec.Dim, alpha, y)
	if t == 0 || alpha == 1 {
		copy(dst, x)
		return dst
	}
	m.eval(dst, x, alpha, 2*t/float64(m.Sched.T())-1, y)
	return dst
}

func (m *Model) eval(dst, x []float64, alpha, u float64, y []int) {
	if y != nil && m.Spec.Classes == 0 {
		for _, l := range y {
			if l != toy.Empty {
				panic("nn.Model.Denoise: labels given to an unconditional model")
			}
		}
	}
	if m.Float64 {
		evalModel[float64](m, dst, x, alpha, u, y)
	} else {
		evalModel[float32](m, dst, x, alpha, u, y)
	}
}

func evalModel[F float](m *Model, dst, x []float64, alpha, u float64, y []int) {
	n, d := len(x)/m.Spec.Dim, m.Spec.Dim
	a, b, c := m.Spec.coef(alpha)
	p := make([]F, len(m.Net.Params))
	for i, v := range m.Net.Params {
		p[i] = F(v)
	}
	pool := poolFor[F](m.Net.Sizes, m.Net.Act)
	par.For(n, evalGrain, func(lo, hi int) {
		w := pool.Get().(pass[F])
		defer pool.Put(w)
		fillInput(&m.Spec, w.input(hi-lo), x, c, u, y, lo, hi)
		out := w.forward(p, hi-lo)
		for i := lo * d; i < hi*d; i++ {
			dst[i] = a*x[i] + b*float64(out[i-lo*d])
		}
	})
}

// evalGrain is the number of points per chunk when evaluating a model.
const evalGrain = 128

// workPool recycles forward buffers of evalGrain rows between calls, so
// that a sampler calling Denoise a thousand times does not allocate a
// thousand sets of activations.
var workPool sync.Map // key string -> *sync.Pool

func poolFor[F float](sizes []int, act Activation) *sync.Pool {
	var z F
	key := fmt.Sprintf("%T/%v/%d", z, sizes, act)
	if p, ok := workPool.Load(key); ok {
		return p.(*sync.Pool)
	}
	sz := append([]int(nil), sizes...)
	p, _ := workPool.LoadOrStore(key, &sync.Pool{New: func() any { return newPass[F](sz, act, evalGrain, false, false) }})
	return p.(*sync.Pool)
}
