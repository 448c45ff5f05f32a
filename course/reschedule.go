// Lesson 5: a denoiser trained on one schedule serves another by matching
// sigma_s = sigma^_t and rescaling, D^_t(x) = D_s(sqrt(alpha_s / alpha^_t) x)
// (lessons/05-changing-schedule.md section 2).

package course

import (
	"context"
	"fmt"
	"math"

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

// Reschedule runs lesson 5: the exact and a step-indexed trained denoiser of
// the linear schedule, sampled on the cosine schedule with and without
// matching sigma.
func Reschedule(ctx context.Context, cfg Config, rs RescheduleSetup, p Progress) (*Result, error) {
	r := &Result{}
	lin := toy.DDPM()
	cos, err := toy.Cosine(1000, 0.008)
	if err != nil {
		return nil, err
	}
	ds := load(rs.Dataset, 4000, cfg.rng(1))
	src := cfg.rng(2)
	fresh := func(n int) []float64 { return exactSample(ds.Exact, n, 1, src) }
	plan, err := cosinePlan(cos, lin, rs.Stride)
	if err != nil {
		return nil, err
	}
	g := window(3.5, 50)
	dens := density(ds.Exact, g, 1)
	var scenes []viz.Scene
	try := func(name, title string, den toy.Denoiser, pl *sample.Plan) error {
		x, _, err := DDPMSample(den, pl, toy.PosteriorVariance, rs.Samples, cfg, 40)
		if err != nil {
			return err
		}
		ec := energyCheck(x, fresh, 10)
		r.add(name, ec.Energy/ec.Noise, title+": energy distance to the data in units of its noise level")
		scenes = append(scenes, viz.Scene{Title: fmt.Sprintf("%s (E/noise %.2g)", title, ec.Energy/ec.Noise), Grid: g, Density: dens, Points: x})
		return nil
	}
	exactLin := toy.Stepped(ds.Exact, lin)
	if err := try("exact/cosine_matched", "exact D* of the linear schedule on cosine steps", toy.Reschedule(exactLin, lin), plan); err != nil {
		return nil, err
	}
	few, err := sample.Strided(lin, rs.FewSteps)
	if err != nil {
		return nil, err
	}
	if err := try("exact/few_steps", fmt.Sprintf("exact D*, %d respaced steps", rs.FewSteps), ds.Exact, few); err != nil {
		return nil, err
	}

	spec := recipeSpec()
	spec.Time = nn.TimeStep
	m, _, err := trainedModel(ctx, ds, spec, lin, rs.Steps, cfg, "training on the linear schedule", p)
	if err != nil {
		return nil, err
	}
	linPlan, err := sample.Strided(lin, lin.T()/rs.Stride)
	if err != nil {
		return nil, err
	}
	if err := try("trained/linear", "trained, its own linear schedule", m, linPlan); err != nil {
		return nil, err
	}
	if err := try("trained/cosine_matched", "trained, cosine steps, σ matched", toy.Reschedule(m, lin), plan); err != nil {
		return nil, err
	}
	if err := try("trained/cosine_unmatched", "trained, cosine steps, no matching", unmatched{m, lin, cos}, plan); err != nil {
		return nil, err
	}
	// What matching changes: the denoiser's error against D* at the cosine
	// levels of steps T/4, T/2 and 3T/4, with and without matching.
	x0 := fresh(rs.Samples)
	var errM, errU float64
	for _, t := range []int{250, 500, 750} {
		a := cos.Alpha(t)
		xt := toy.AddNoise(nil, nil, x0, a, cfg.rng(5+uint64(t)))
		want := ds.Exact.Denoise(nil, xt, a, nil)
		for k, d := range []toy.Denoiser{toy.Reschedule(m, lin), unmatched{m, lin, cos}} {
			got := d.Denoise(nil, xt, a, nil)
			var e float64
			for i := range got {
				e += sq(got[i] - want[i])
			}
			e /= 3 * float64(rs.Samples)
			if k == 0 {
				errM += e
			} else {
				errU += e
			}
		}
	}
	r.add("trained/denoise_error_matched", errM, "E||D - D*||^2 of the trained denoiser at the cosine levels of t = 250, 500, 750 (mean), σ matched")
	r.add("trained/denoise_error_unmatched", errU, "the same without matching")

	// The matched step s(t) and log sigma of both schedules.
	var u, sLin, sCos, ts, match []float64
	for t := 1; t <= cos.T(); t++ {
		u = append(u, float64(t)/float64(cos.T()))
		sLin = append(sLin, math.Log(lin.Sigma(t)))
		sCos = append(sCos, math.Log(cos.Sigma(t)))
		if s, err := lin.StepForSigma(cos.Sigma(t)); err == nil {
			ts = append(ts, float64(t))
			match = append(match, s)
		}
	}
	charts, err := rescheduleCharts(cfg, rs, ds.Exact, m, lin, scenes, u, sLin, sCos, ts, match)
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
