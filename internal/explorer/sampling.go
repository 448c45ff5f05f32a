package explorer

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"

	"difftoy/toy"
	"difftoy/toy/metrics"
	"difftoy/toy/sample"
)

// Method names a sampler.
type Method int

const (
	DDPM     Method = iota // ancestral sampling, posterior variance
	DDIM                   // DDIM with noise share Eta
	Heun                   // probability-flow ODE, Heun's method
	Langevin               // Langevin dynamics on q_t at the view's step
	Annealed               // annealed Langevin, one level per step of the plan
)

// Sampling is a sampling run's settings.
type Sampling struct {
	Method    Method
	Steps     int     // moves of the plan (Langevin: iterations)
	Eta       float64 // DDIM's share of fresh noise, in [0, 1]
	Size      float64 // Langevin: step s; annealed: h_t / (1 - alpha_t)
	T         int     // Langevin: the step whose q_t it samples (1..T)
	Particles int
	Seed      uint64
	Guidance  Guidance
	// Keep is how many particles' paths are kept for the animation (the
	// first ones), at most Frames states each.
	Keep, Frames int
}

// Limits of the settings.
const (
	MaxParticles = 5000
	MaxLangevin  = 10000 // Langevin iterations
	MaxFrames    = 200
	annealIters  = 3 // annealed Langevin moves per level
)

// Result is what a run returns.
type Result struct {
	X []float64 // the end states, row-major
	// Paths holds the kept frames: Paths[k] has the Keep particles' states
	// (row-major) at the k-th kept state of the run.
	Paths [][]float64
	// Energy is the energy distance from X to as many fresh draws of the
	// data law (of class y when guided); Noise is its mean over independent
	// pairs of such draws: what a perfect sampler scores on average.
	Energy, Noise float64
	// Nearest is the median distance from an end state to its nearest
	// data point.
	Nearest float64
}

func (s Sampling) check(d *Data) error {
	if s.Particles < 1 || s.Particles > MaxParticles {
		return fmt.Errorf("particles must be between 1 and %d, not %d", MaxParticles, s.Particles)
	}
	switch s.Method {
	case DDPM, DDIM, Heun, Annealed:
		if s.Steps < 1 || s.Steps > Schedule.T() {
			return fmt.Errorf("steps must be between 1 and %d, not %d", Schedule.T(), s.Steps)
		}
	case Langevin:
		if s.Steps < 1 || s.Steps > MaxLangevin {
			return fmt.Errorf("Langevin iterations must be between 1 and %d, not %d", MaxLangevin, s.Steps)
		}
		if s.T < 1 || s.T > Schedule.T() {
			return fmt.Errorf("t must be between 1 and %d, not %d", Schedule.T(), s.T)
		}
	default:
		return fmt.Errorf("unknown sampler %d", s.Method)
	}
	if s.Method == DDIM && !(s.Eta >= 0 && s.Eta <= 1) {
		return fmt.Errorf("eta must be between 0 and 1, not %v", s.Eta)
	}
	if (s.Method == Langevin || s.Method == Annealed) && !(s.Size > 0 && s.Size <= 10) {
		return fmt.Errorf("the step size must be a number above 0 and at most 10, not %v", s.Size)
	}
	if s.Keep < 0 || s.Frames < 0 || s.Frames > MaxFrames {
		return fmt.Errorf("at most %d frames of paths, not %d", MaxFrames, s.Frames)
	}
	return s.Guidance.check(d)
}

// atLevel is a Scorer fixed at one level: plain Langevin on q_t.
type atLevel struct {
	sc    toy.Scorer
	alpha float64
}

func (a atLevel) Dim() int { return a.sc.Dim() }
func (a atLevel) Score(dst, x []float64, _ float64, y []int) []float64 {
	return a.sc.Score(dst, x, a.alpha, y)
}

// Run samples from d with the settings s. progress, when not nil, is called
// after each move with the moves done and their total.
func Run(d *Data, s Sampling, progress func(done, total int)) (*Result, error) {
	return RunWith(d, nil, s, progress)
}

// RunWith is Run with the denoiser net (a trained network of d's points)
// in place of the exact one; nil means the exact one. The network is
// unconditional: guided settings are refused.
func RunWith(d *Data, net toy.Denoiser, s Sampling, progress func(done, total int)) (*Result, error) {
	if err := s.check(d); err != nil {
		return nil, err
	}
	if net != nil && s.Guidance.Guide != NoGuide {
		return nil, errors.New("the trained network is unconditional: turn guidance off to sample it")
	}
	n := s.Particles
	src := rand.NewPCG(s.Seed, s.Seed)
	x := toy.StandardNormal(nil, n, 2, src)
	den, y, err := s.Guidance.denoiser(d, n)
	if err != nil {
		return nil, err
	}
	if net != nil {
		den = net
	}
	res := &Result{}
	rec := s.recorder(res, progress)
	if x, err = s.runSampler(x, den, y, src, rec); err != nil {
		if errors.Is(err, sample.ErrNonFinite) {
			return nil, fmt.Errorf("the particles flew off to infinity (%v): take a smaller step size, more steps or a smaller gamma", err)
		}
		return nil, err
	}
	res.X = x
	if err := s.measure(res, d); err != nil {
		return nil, err
	}
	return res, nil
}

// moves is the number of moves of a run: Steps, times annealIters for
// annealed Langevin.
func (s Sampling) moves() int {
	if s.Method == Annealed {
		return s.Steps * annealIters
	}
	return s.Steps
}

// recorder keeps the first Keep particles' paths in res.Paths, at most
// Frames states of the run evenly spaced plus the final one, and reports
// progress after each move.
func (s Sampling) recorder(res *Result, progress func(done, total int)) sample.Recorder {
	keep := min(s.Keep, s.Particles)
	total := s.moves()
	every := 1
	if s.Frames > 0 {
		every = max(1, (total+s.Frames-1)/s.Frames)
	}
	return sample.RecorderFunc(func(f sample.Frame) {
		if keep > 0 && s.Frames > 0 && (f.K%every == 0 || f.Final) {
			res.Paths = append(res.Paths, append([]float64(nil), f.X[:2*keep]...))
		}
		if progress != nil && f.K > 0 {
			progress(min(f.K, total), total)
		}
	})
}

// runSampler runs the sampler s.Method from the start x with the denoiser den
// (classes y), drawing its noise from src and handing every state to rec.
func (s Sampling) runSampler(x []float64, den toy.Denoiser, y []int, src rand.Source, rec sample.Recorder) ([]float64, error) {
	var plan *sample.Plan
	if s.Method != Langevin {
		var err error
		if plan, err = sample.Strided(Schedule, s.Steps); err != nil {
			return nil, err
		}
	}
	switch s.Method {
	case DDPM:
		smp := sample.DDPM(plan, toy.PosteriorVariance)
		smp.Record = rec
		return smp.Sample(x, x, den, y, src)
	case DDIM:
		smp := sample.DDIM(plan, s.Eta)
		smp.Record = rec
		return smp.Sample(x, x, den, y, src)
	case Heun:
		o := &sample.ODE{Plan: plan, Heun: true, Record: rec}
		return o.Sample(x, x, den, y)
	case Langevin:
		sc := scorer(den)
		l := &sample.Langevin{Size: s.Size, Iters: s.Steps, Record: rec}
		return l.Sample(x, x, atLevel{sc, Schedule.Alpha(s.T)}, y, src)
	case Annealed:
		sc := scorer(den)
		a := &sample.Annealed{Plan: plan, Iters: annealIters, Ratio: s.Size, Record: rec}
		return a.Sample(x, x, sc, y, src)
	}
	return x, nil // s.check refused any other method
}

// measure sets res's Energy and Noise against fresh draws of the data law
// (of the guided class when guided) and its Nearest against d's points.
func (s Sampling) measure(res *Result, d *Data) error {
	n := s.Particles
	target := d.Exact
	if s.Guidance.Guide != NoGuide {
		var err error
		if target, err = d.Exact.Class(s.Guidance.Class); err != nil {
			return err
		}
	}
	draws := rand.NewPCG(s.Seed+1, s.Seed+1)
	draw := func() []float64 { return target.Sample(make([]float64, 2*n), nil, 1, draws) }
	res.Energy = metrics.Energy(res.X, draw(), 2)
	reps := 4
	if n > 1000 {
		reps = 2 // each pair costs O(n^2)
	}
	var sum float64
	for _, v := range metrics.TwoSampleNoise(reps, draw, func(a, b []float64) float64 { return metrics.Energy(a, b, 2) }) {
		sum += v
	}
	res.Noise = sum / float64(reps)
	near := metrics.Nearest(nil, res.X, d.Points, 2)
	res.Nearest = median(near)
	return nil
}

func median(v []float64) float64 {
	w := slices.Clone(v)
	slices.Sort(w) // the distances are finite: the run checked the states
	n := len(w)
	if n%2 == 1 {
		return w[n/2]
	}
	return (w[n/2-1] + w[n/2]) / 2
}

// scorer returns den's own score when it has one (the exact mixtures and
// the guidance wrappers), else the score Tweedie's formula gives from it.
func scorer(den toy.Denoiser) toy.Scorer {
	if sc, ok := den.(toy.Scorer); ok {
		return sc
	}
	return toy.ScoreFrom(den)
}
