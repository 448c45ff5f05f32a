// Lesson 5: a denoiser trained on one schedule serves another by matching
// sigma_s = sigma^_t and rescaling, D^_t(x) = D_s(sqrt(alpha_s / alpha^_t) x)
// (lessons/05-changing-schedule.md section 2).

package course

import (
	"context"
	"fmt"
	"math"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/nn"
	"difftoy/toy/sample"
	"difftoy/viz"
)

// RescheduleSetup is what lesson 5 varies.
type RescheduleSetup struct {
	Dataset  string
	Samples  int
	Steps    int // Adam steps of the step-indexed network
	FewSteps int // the short respaced run of the exact denoiser
	Stride   int // the samplers visit every Stride-th step (1: all 1000)
}

// DefaultReschedule is the setup of lesson 5.
func DefaultReschedule(cfg Config) RescheduleSetup {
	return RescheduleSetup{Dataset: "eight-gaussians", Samples: cfg.size(800, 400), Steps: cfg.size(6000, 600), FewSteps: 20, Stride: 5}
}

// The random streams of lesson 5 (Config.rng).
const (
	streamRescheduleData  = 1 // the dataset
	streamRescheduleFresh = 2 // fresh data: the energy distances and x_0 of the denoiser's error
	// streamRescheduleLevel + t noises x_0 to the cosine level of step t
	// for the denoiser's error against D*.
	streamRescheduleLevel = 5
	// streamRescheduleRuns seeds x_T, and streamRescheduleRuns+1 the moves,
	// of every sample panel: all panels start from the same noise.
	streamRescheduleRuns = 40
	// streamRescheduleSweep draws the steps sweep's fresh data, +1 and +2
	// its runs' x_T and moves.
	streamRescheduleSweep = 140
)

// Reschedule runs lesson 5: the exact and a step-indexed trained denoiser of
// the linear schedule, sampled on the cosine schedule with and without
// matching sigma.
func Reschedule(ctx context.Context, cfg Config, rs RescheduleSetup, p Progress) (*Result, error) {
	ds, err := loadDataset("course.Reschedule", rs.Dataset, 4000, cfg.rng(streamRescheduleData))
	if err != nil {
		return nil, err
	}
	lin := toy.DDPM()
	cos, err := toy.Cosine(1000, 0.008)
	if err != nil {
		return nil, err
	}
	plan, err := cosinePlan(cos, lin, rs.Stride)
	if err != nil {
		return nil, err
	}
	r := &Result{}
	pn := newSamplePanels(r, cfg, rs.Samples, ds.Exact)
	pn.add("exact/cosine_matched", "exact D* of the linear schedule on cosine steps", toy.Reschedule(toy.Stepped(ds.Exact, lin), lin), plan)
	pn.addStrided("exact/few_steps", fmt.Sprintf("exact D*, %d respaced steps", rs.FewSteps), ds.Exact, lin, rs.FewSteps)
	if pn.err != nil {
		return nil, pn.err
	}
	spec := recipeSpec()
	spec.Time = nn.TimeStep
	m, _, err := trainedModel(ctx, ds, spec, lin, rs.Steps, cfg, "training on the linear schedule", p)
	if err != nil {
		return nil, err
	}
	pn.addStrided("trained/linear", "trained, its own linear schedule", m, lin, lin.T()/rs.Stride)
	pn.add("trained/cosine_matched", "trained, cosine steps, σ matched", toy.Reschedule(m, lin), plan)
	pn.add("trained/cosine_unmatched", "trained, cosine steps, no matching", unmatched{m, lin, cos}, plan)
	if pn.err != nil {
		return nil, pn.err
	}
	// What matching changes: the denoiser's error against D* at the cosine
	// levels of steps T/4, T/2 and 3T/4, with and without matching.
	errM, errU := matchingErrors(cfg, ds.Exact, m, lin, cos, pn.fresh(rs.Samples))
	r.add("trained/denoise_error_matched", errM, "E||D - D*||^2 of the trained denoiser at the cosine levels of t = 250, 500, 750 (mean), σ matched")
	r.add("trained/denoise_error_unmatched", errU, "the same without matching")

	charts, err := rescheduleCharts(cfg, rs, ds.Exact, m, lin, cos, pn.scenes)
	if err != nil {
		return nil, err
	}
	r.Charts = append(r.Charts, charts...)
	rescheduleClaims(r, cfg, rs)
	return r, nil
}

func runReschedule(ctx context.Context, cfg Config, p Progress) (*Result, error) {
	return Reschedule(ctx, cfg, DefaultReschedule(cfg), p)
}

// rescheduleClaims: lesson 5.
func rescheduleClaims(r *Result, cfg Config, rs RescheduleSetup) {
	r.claims(
		ratioClaim(5, "The exact denoiser of the linear schedule, rescheduled to cosine steps, matches the data.", "exact D*, cosine steps", r.value("exact/cosine_matched")),
		// Lesson 4, claim 7 (5 steps: off) is checked by TestLesson04FewSteps.
		ratioClaim(0, fmt.Sprintf("With %d respaced steps the exact denoiser still matches the data (the Gaussian reverse step breaks down nearer 5 steps: lesson 4, claim 7).", rs.FewSteps), fmt.Sprintf("exact D*, %d steps", rs.FewSteps), r.value("exact/few_steps")),
	)
	if r.has("trained/linear") {
		r.claims(trainedClaim(cfg, "The trained denoiser on its own linear schedule", r.value("trained/linear")))
	}
	if r.has("trained/cosine_matched") {
		// Claim 6 once compared the samples of the two; with a network that
		// learned the data both end within the noise level (the last steps,
		// where the two schedules' levels nearly agree, correct the
		// unmatched guesses), so the difference between them is noise. The
		// denoiser's own error shows what matching changes.
		r.claims(
			cl(6, "σ matching gives the trained denoiser the right level: its error against D* on cosine levels is below the unmatched one's.", "E‖D − D*‖², σ matched", r.value("trained/denoise_error_matched"), Below, r.value("trained/denoise_error_unmatched")).against("no matching"),
			trainedClaim(cfg, "The trained denoiser on cosine steps, σ matched,", r.value("trained/cosine_matched")),
		)
		c := ratioClaim(0, "Without matching the samples still end near the data: the last steps, where the two schedules' levels nearly agree, correct the early guesses.", "trained, no matching", r.value("trained/cosine_unmatched"))
		c.Indicative = cfg.Quick
		r.claims(c)
	}
}

// samplePanels samples denoisers with DDPM (C^2 = beta~), all from the
// same noise, adds each one's energy distance to the data in units of its
// noise level and keeps its panel; the first error stops it.
type samplePanels struct {
	r      *Result
	cfg    Config
	n      int // samples per run
	fresh  func(n int) []float64
	g      viz.Grid
	dens   []float64
	scenes []viz.Scene
	err    error
}

func newSamplePanels(r *Result, cfg Config, n int, ex analytic.Mixture) *samplePanels {
	src := cfg.rng(streamRescheduleFresh)
	g := window(3.5, 50)
	return &samplePanels{r: r, cfg: cfg, n: n, g: g, dens: density(ex, g, 1),
		fresh: func(n int) []float64 { return exactSample(ex, n, 1, src) }}
}

// add samples den over the plan and records it as name (a number) and
// title (the panel).
func (pn *samplePanels) add(name, title string, den toy.Denoiser, plan *sample.Plan) {
	if pn.err != nil {
		return
	}
	x, _, err := DDPMSample(den, plan, toy.PosteriorVariance, pn.n, pn.cfg, streamRescheduleRuns)
	if err != nil {
		pn.err = err
		return
	}
	ec := energyCheck(x, pn.fresh, 10)
	pn.r.add(name, ec.Energy/ec.Noise, title+": energy distance to the data in units of its noise level")
	pn.scenes = append(pn.scenes, viz.Scene{Title: fmt.Sprintf("%s (E/noise %.2g)", title, ec.Energy/ec.Noise), Grid: pn.g, Density: pn.dens, Points: x})
}

// addStrided is add over the given number of evenly respaced steps of sched.
func (pn *samplePanels) addStrided(name, title string, den toy.Denoiser, sched *toy.Schedule, steps int) {
	if pn.err != nil {
		return
	}
	plan, err := sample.Strided(sched, steps)
	if err != nil {
		pn.err = err
		return
	}
	pn.add(name, title, den, plan)
}

// matchingErrors returns the trained m's mean squared error against the
// exact D* at the cosine levels of t = 250, 500, 750 (per coordinate pair,
// averaged over the three levels), σ matched and unmatched.
func matchingErrors(cfg Config, ex analytic.Mixture, m toy.StepDenoiser, lin, cos *toy.Schedule, x0 []float64) (matched, unmatchedErr float64) {
	n := len(x0) / 2
	for _, t := range []int{250, 500, 750} {
		a := cos.Alpha(t)
		xt := toy.AddNoise(nil, nil, x0, a, cfg.rng(streamRescheduleLevel+uint64(t)))
		want := ex.Denoise(nil, xt, a, nil)
		for k, d := range []toy.Denoiser{toy.Reschedule(m, lin), unmatched{m, lin, cos}} {
			got := d.Denoise(nil, xt, a, nil)
			var e float64
			for i := range got {
				e += sq(got[i] - want[i])
			}
			e /= 3 * float64(n)
			if k == 0 {
				matched += e
			} else {
				unmatchedErr += e
			}
		}
	}
	return matched, unmatchedErr
}

// unmatched calls a step-indexed denoiser of schedule from at the step
// index of schedule to, ignoring that the two steps have different noise:
// what happens when the schedule is changed without matching sigma.
type unmatched struct {
	d        toy.StepDenoiser
	from, to *toy.Schedule
}

func (u unmatched) Dim() int { return u.d.Dim() }

func (u unmatched) Denoise(dst, x []float64, alpha float64, y []int) []float64 {
	t, err := u.to.StepForAlpha(alpha)
	if err != nil {
		panic(err)
	}
	t = math.Min(t, float64(u.from.T()))
	return u.d.DenoiseStep(dst, x, t, y)
}

// cosinePlan returns the plan of every stride-th step of the cosine
// schedule from its last step whose level the linear schedule still covers
// (alpha >= alpha_T of lin) down to 0.
func cosinePlan(cos, lin *toy.Schedule, stride int) (*sample.Plan, error) {
	top := cos.T()
	for top > 1 && cos.Alpha(top) < lin.Alpha(lin.T()) {
		top--
	}
	steps := make([]int, 0, top/stride+2)
	for t := top; t > 0; t -= stride {
		steps = append(steps, t)
	}
	steps = append(steps, 0)
	return sample.NewPlan(cos, steps)
}
