// The general reverse-process sampler: DDPM, DDIM (eta), the deterministic
// drift sampler of lessons/10-deterministic-sampling.md section 3 and the
// churn family of lessons/13-sde.md section 3, each a setting of one move
// written in a named form (step.go), with an optional Langevin corrector
// (predictor-corrector).

package sample

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"difftoy/internal/par"
	"difftoy/toy"
)

// Sampler runs the reverse process along a Plan. Each move from the level
// a_t = alpha_{t_{k-1}} down to a_s = alpha_{t_k} (s < t) calls the
// denoiser once, D = D(x_t), takes the coefficients A, B, C of the strided
// step (toy.Coefficients(a_t, a_s, Variance)), keeps a share of the noise
// fresh,
//
//	c = Eta C,   z ~ N(0, I),
//
// and computes x_s by the formula its Form names (see Form):
//
//	DDIMForm:       x_s = sqrt(a_s) D + sqrt(1 - a_s - c^2) eps^ + c z,   eps^ = (x_t - sqrt(a_t) D) / sqrt(1 - a_t)
//	AncestralForm:  x_s = A x_t + B D + C z   (Eta = 1)
//	DriftForm:      x_s = A x_t + B D + c z - ((C^2 - c^2) / 2) grad log q_t(x_t)
//
// The samplers the course names, and the form each uses:
//
//	DDPM (either variance):       DDPM(p, v): AncestralForm, Eta = 1, Variance v
//	DDIM, noise share eta:        DDIM(p, eta): DDIMForm, posterior variance
//	deterministic drift sampler:  DriftSampler(p): DriftForm, Eta = 0, posterior variance beta~
//	churn lambda (lessons/13-sde.md section 3): DriftForm, Eta = lambda >= 0, Variance = toy.BetaVariance
//	Analytic-DPM (lessons/13-sde.md section 5): AncestralForm, Eta = 1, Variances given
//
// With the posterior variance beta~ and Eta = 1 the three forms are the same
// step (lessons/10-deterministic-sampling.md section 1, "eta = 1 is DDPM"),
// which the tests check; they are separate code on purpose, each written
// as its lesson writes it. The DDIM form with BetaVariance may have c^2 >
// 1 - a_s; Sample returns an error then.
// The move to alpha = 1, when the plan ends at t = 0, is the posterior mean
// A x_t + B D = D in every setting: no noise at the last step.
// A Corrector adds Langevin moves at each new level (predictor-corrector).
// Every state goes to Record (nil for none). A Sampler holds no state of a
// run and may be reused.
type Sampler struct {
	// Plan is the sequence of steps visited; required.
	Plan *Plan
	// Eta is the share of fresh noise, c = Eta C: in [0, 1] in the DDIM
	// form (0: deterministic), 1 in the ancestral form, any finite Eta >= 0
	// in the drift form (above 1: the churn of lessons/13-sde.md).
	Eta float64
	// Variance is the C^2 of the full step; the zero value is the posterior
	// variance beta~, for which Eta = 1 is exactly DDPM and Eta = 0 DDIM.
	Variance toy.Variance
	// Variances, when not nil, gives the C^2 of each move k = 1..Plan.Len()
	// (Variances[k-1]) in place of Variance: Analytic-DPM's optimal
	// variances, say (lessons/13-sde.md section 5). The move to alpha = 1
	// still has no noise.
	Variances []float64
	// Form is the formula of a move; the zero value is the DDIM form.
	Form Form
	// Corrector, when Iters > 0, runs Langevin moves after each step.
	Corrector Corrector
	// Record receives every state of the run (nil: none).
	Record Recorder
}

// Corrector is the Langevin corrector of a predictor-corrector sampler
// (lessons/11-langevin.md section 5): after the move to level a_s < 1 it runs
// Iters moves
//
//	x <- x + (h/2) grad log q_s(x) + sqrt(h) z,   h = Ratio (1 - a_s),
//
// with the score implied by the denoiser (toy.ScoreFrom). The step is a
// fixed fraction of the noise variance of the level, as in annealed
// Langevin (Song and Ermon 2019). No correction is done at a_s = 1.
type Corrector struct {
	// Iters is the number of Langevin moves per level; 0 disables the corrector.
	Iters int
	// Ratio is h / (1 - a_s); 0.1 is a safe start on the toy data.
	Ratio float64
}

// DDPM returns the ancestral sampler of lessons/04-ancestral-sampling.md
// section 1 with variance v: x_s = A x_t + B D + C z (AncestralForm).
func DDPM(p *Plan, v toy.Variance) *Sampler {
	return &Sampler{Plan: p, Eta: 1, Variance: v, Form: AncestralForm}
}

// DDIM returns the DDIM sampler of lessons/10-deterministic-sampling.md
// section 1 with noise share eta: x_s = sqrt(a_s) D + sqrt(1 - a_s - c^2)
// eps^ + c z, c = eta sqrt(beta~) (DDIMForm).
func DDIM(p *Plan, eta float64) *Sampler { return &Sampler{Plan: p, Eta: eta} }

// DriftSampler returns the deterministic sampler of
// lessons/10-deterministic-sampling.md section 3: the ancestral step with
// all its noise C^2 = beta~ traded for the score drift, x_s = A x_t + B D -
// (C^2 / 2) grad log q_t(x_t) (DriftForm, Eta = 0). With beta~ its last
// move is the jump to D, as in DDPM; the lesson says why this makes its
// last moves differ from Euler steps of the probability-flow ODE.
func DriftSampler(p *Plan) *Sampler { return &Sampler{Plan: p, Form: DriftForm} }

// ErrNoSource is returned when a stochastic run is given no random source.
var ErrNoSource = errors.New("sample: a stochastic sampler needs a random source (src is nil)")

// check validates the settings.
func (s *Sampler) check() error {
	if s.Plan == nil {
		return errors.New("sample: sampler without a plan")
	}
	switch s.Form {
	case DDIMForm:
		if !(s.Eta >= 0 && s.Eta <= 1) {
			return fmt.Errorf("sample: eta = %v is not in [0, 1] (the DDIM form; DriftForm takes any finite eta >= 0)", s.Eta)
		}
	case AncestralForm:
		if s.Eta != 1 {
			return fmt.Errorf("sample: eta = %v in the ancestral form, which keeps all the noise fresh (want 1; DDIMForm and DriftForm trade a share)", s.Eta)
		}
	case DriftForm:
		if !(s.Eta >= 0 && s.Eta < math.Inf(1)) {
			return fmt.Errorf("sample: eta = %v is not a finite number >= 0 (the drift form)", s.Eta)
		}
	default:
		return fmt.Errorf("sample: unknown form %d (want DDIMForm, AncestralForm or DriftForm)", int(s.Form))
	}
	if s.Variances != nil {
		if len(s.Variances) != s.Plan.Len() {
			return fmt.Errorf("sample: %d variances for a plan of %d moves", len(s.Variances), s.Plan.Len())
		}
		for k, v := range s.Variances {
			if !(v >= 0 && v < math.Inf(1)) {
				return fmt.Errorf("sample: variance %v of move %d is not a finite number >= 0", v, k+1)
			}
		}
	}
	if s.Variance != toy.PosteriorVariance && s.Variance != toy.BetaVariance {
		return fmt.Errorf("sample: unknown variance %d (want toy.PosteriorVariance or toy.BetaVariance)", int(s.Variance))
	}
	if err := s.Corrector.check(); err != nil {
		return err
	}
	if s.Form == DDIMForm {
		for k := 1; k <= s.Plan.Len(); k++ {
			as := s.Plan.Alpha(k)
			_, _, C := s.coefficients(k)
			if c := s.Eta * C; c*c > 1-as {
				return fmt.Errorf("sample: with %v variance and eta = %v the noise c^2 = %v exceeds 1 - alpha = %v at move %d (t = %d -> %d) of the DDIM form; use DriftForm, AncestralForm or the posterior variance",
					s.Variance, s.Eta, c*c, 1-as, k, s.Plan.Step(k-1), s.Plan.Step(k))
			}
		}
	}
	return nil
}

func (c Corrector) check() error {
	if c.Iters < 0 {
		return fmt.Errorf("sample: Langevin iterations per level %d is negative", c.Iters)
	}
	if c.Iters > 0 && !(c.Ratio > 0 && c.Ratio < math.Inf(1)) {
		return fmt.Errorf("sample: Langevin step ratio %v is not a positive number", c.Ratio)
	}
	return nil
}

// coefficients returns A, B and C of move k (toy.Coefficients), except that
// the move to the data level alpha = 1 has no noise (C = 0) whatever the
// variance: "no noise at the last step" (lessons/04-ancestral-sampling.md
// section 1; Ho et al. 2020, Algorithm 2). The posterior variance is 0 there
// anyway; C^2 = beta would only blur the samples by the last level's noise.
func (s *Sampler) coefficients(k int) (A, B, C float64) {
	as := s.Plan.Alpha(k)
	A, B, C = toy.Coefficients(s.Plan.Alpha(k-1), as, s.Variance)
	if s.Variances != nil {
		C = math.Sqrt(s.Variances[k-1])
	}
	if as == 1 {
		C = 0
	}
	return A, B, C
}

// Sample runs the sampler from the particles xT (at level alpha_{t_0} of
// the plan; N(0, I) for a plan starting at T of a schedule with alpha_T ~
// 0) and writes the end states into dst (allocated when nil; it may be
// xT). y holds one label per particle, or is nil. src may be nil for a
// deterministic run (Eta = 0, no corrector). Invalid settings, a non-finite
// start or a missing source return an error; so does a state that becomes
// non-finite during the run (ErrNonFinite, naming the move and the
// settings); wrong lengths panic.
func (s *Sampler) Sample(dst, xT []float64, den toy.Denoiser, y []int, src rand.Source) ([]float64, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	stochastic := s.Eta > 0 || s.Corrector.Iters > 0
	if stochastic && src == nil {
		return nil, ErrNoSource
	}
	n, dst, err := start("sample.Sampler.Sample", dst, xT, den.Dim(), y)
	if err != nil {
		return nil, err
	}
	var st *streams
	if stochastic {
		st = newStreams(n, src)
	}
	x, buf := dst, make([]float64, len(dst))
	p := s.Plan
	vname := s.Variance.String()
	if s.Variances != nil {
		vname = "given"
	}
	info := newRunInfo(fmt.Sprintf("%v form, eta = %v, %v variance, corrector %d x ratio %v", s.Form, s.Eta, vname, s.Corrector.Iters, s.Corrector.Ratio), den, x)
	record(s.Record, 0, p.Step(0), p.Alpha(0), x, false) // a plan has at least one move
	for k := 1; k <= p.Len(); k++ {
		s.move(x, x, buf, den, y, k, st)
		if as := p.Alpha(k); s.Corrector.Iters > 0 && as < 1 {
			h := s.Corrector.Ratio * (1 - as)
			sc := toy.ScoreFrom(den)
			for j := 0; j < s.Corrector.Iters; j++ {
				sc.Score(buf, x, as, y)
				langevin(x, buf, h, den.Dim(), st)
			}
		}
		if err := info.checkState(x, den.Dim(), fmt.Sprintf("move %d of %d (t = %d -> %d, alpha = %v)", k, p.Len(), p.Step(k-1), p.Step(k), p.Alpha(k))); err != nil {
			return nil, err
		}
		record(s.Record, k, p.Step(k), p.Alpha(k), x, k == p.Len())
	}
	return dst, nil
}

// move writes move k of the particles x into dst (which may be x), using
// buf for D = D(x); the formula is that of s.Form (step.apply). st supplies
// the noise when c > 0.
func (s *Sampler) move(dst, x, buf []float64, den toy.Denoiser, y []int, k int, st *streams) {
	den.Denoise(buf, x, s.Plan.Alpha(k-1), y)
	m := s.newStep(k)
	if m.c == 0 {
		m.apply(dst, x, buf, nil)
		return
	}
	d := den.Dim()
	st.reseed()
	par.For(len(x)/d, grain, func(lo, hi int) {
		m.apply(dst[lo*d:hi*d], x[lo*d:hi*d], buf[lo*d:hi*d], st.chunk(lo))
	})
}

// langevin does one unadjusted Langevin move x <- x + (h/2) g + sqrt(h) z
// with the score g (lessons/11-langevin.md section 1).
func langevin(x, g []float64, h float64, d int, st *streams) {
	sh := math.Sqrt(h)
	st.reseed()
	par.For(len(x)/d, grain, func(lo, hi int) {
		rng := st.chunk(lo)
		for i := lo * d; i < hi*d; i++ {
			x[i] += 0.5*h*g[i] + sh*rng.NormFloat64()
		}
	})
}

// Map returns the deterministic sampler as a step map (for the exact
// likelihood of metrics.FlowLogLik). It needs Eta = 0 and no corrector.
func (s *Sampler) Map(den toy.Denoiser) (*Map, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	if s.Eta != 0 || s.Corrector.Iters != 0 {
		return nil, fmt.Errorf("sample: only a deterministic sampler is a map (eta = %v, corrector iterations = %d)", s.Eta, s.Corrector.Iters)
	}
	return &Map{dim: den.Dim(), steps: s.Plan.Len(), step: func(dst, x []float64, y []int, k int) {
		s.move(dst, x, make([]float64, len(x)), den, y, k, nil)
	}}, nil
}

// Map is a deterministic sampler as the composition of its moves x_k =
// F_k(x_{k-1}), k = 1..Steps(): the form metrics.FlowLogLik takes.
type Map struct {
	dim, steps int
	step       func(dst, x []float64, y []int, k int)
}

// Dim returns the dimension of the points.
func (m *Map) Dim() int { return m.dim }

// Steps returns the number of moves.
func (m *Map) Steps() int { return m.steps }

// Step writes F_k(x) (k in 1..Steps()) into dst (allocated when nil) and
// returns it.
func (m *Map) Step(dst, x []float64, y []int, k int) []float64 {
	if k < 1 || k > m.steps {
		panic(fmt.Sprintf("sample.Map.Step: move %d is not in 1..%d", k, m.steps))
	}
	_, dst = checkRun("sample.Map.Step", dst, x, m.dim, y)
	m.step(dst, x, y, k)
	return dst
}

// checkRun panics on wrong lengths and returns the number of particles and
// dst (allocated when nil). The level passed to toy.CheckBatch is a valid
// 1: only the lengths are checked here.
func checkRun(who string, dst, x []float64, d int, y []int) (int, []float64) {
	return toy.CheckBatch(who, dst, x, d, 1, y)
}

// start begins a run: it panics on wrong lengths (checkRun), returns an
// error naming the first entry of x that is not finite, and copies x into
// dst (allocated when nil; it may be x). It returns the number of
// particles and dst.
func start(who string, dst, x []float64, d int, y []int) (int, []float64, error) {
	n, dst := checkRun(who, dst, x, d, y)
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, nil, fmt.Errorf("sample: start x[%d] = %v is not finite", i, v)
		}
	}
	copy(dst, x)
	return n, dst, nil
}
