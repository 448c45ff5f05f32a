// Lesson 5's charts: matching noise levels, one denoiser under several
// schedules, and quality against the number of steps.

package course

import (
	"fmt"
	"math"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/sample"
	"difftoy/viz"
)

// stepsSweep returns the energy distance, in units of its noise level, of
// DDPM samples with each number of respaced steps of sched, for each
// denoiser; stream seeds the samples and the reference draws.
func stepsSweep(cfg Config, ex analytic.Mixture, sched *toy.Schedule, dens map[string]toy.Denoiser, names []string,
	steps []int, n int, stream uint64) ([]viz.Series, error) {
	src := cfg.rng(stream)
	fresh := func(k int) []float64 { return exactSample(ex, k, 1, src) }
	var out []viz.Series
	for _, name := range names {
		s := viz.Series{Name: name, Marks: true}
		for _, k := range steps {
			plan, err := sample.Strided(sched, k)
			if err != nil {
				return nil, err
			}
			x, _, err := DDPMSample(dens[name], plan, toy.PosteriorVariance, n, cfg, stream+1)
			if err != nil {
				return nil, err
			}
			ec := energyCheck(x, fresh, 10)
			s.X, s.Y = append(s.X, float64(k)), append(s.Y, ec.Energy/ec.Noise)
		}
		out = append(out, s)
	}
	return out, nil
}

// rescheduleCharts draws lesson 5: the noise levels of lin and cos and
// the matched steps, the sample panels (scenes), and the steps sweep of
// the exact D* and the trained m on the linear schedule.
func rescheduleCharts(cfg Config, rs RescheduleSetup, ex analytic.Mixture, m toy.Denoiser, lin, cos *toy.Schedule, scenes []viz.Scene) ([]*viz.Chart, error) {
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
	sweep, err := stepsSweep(cfg, ex, lin, map[string]toy.Denoiser{"exact D*": ex, "trained": m}, []string{"exact D*", "trained"},
		[]int{5, 10, 20, 50, 100}, rs.Samples, streamRescheduleSweep)
	if err != nil {
		return nil, err
	}
	// The caption's numbers: each line at 5 steps, and the range of both
	// from 20 steps on.
	var at5 []float64
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range sweep {
		at5 = append(at5, s.Y[0])
		for i, k := range s.X {
			if k >= 20 {
				lo, hi = math.Min(lo, s.Y[i]), math.Max(hi, s.Y[i])
			}
		}
	}
	one := []float64{5, 100}
	sweep = append(sweep, viz.Series{Name: "a perfect sampler (about 1)", X: one, Y: []float64{1, 1}, Dashed: true})
	return []*viz.Chart{
		viz.Lines("Matching noise levels",
			viz.LinePanel{Title: "log σ_t", XName: "t / T", YName: "log σ", Series: []viz.Series{{Name: "linear", X: u, Y: sLin}, {Name: "cosine", X: u, Y: sCos}}},
			viz.LinePanel{Title: "matched linear step s(t) for cosine step t", XName: "cosine step t", YName: "linear step s", Series: []viz.Series{{Name: "s(t)", X: ts, Y: match}}}).
			WithCaption("Left: log σ_t of both schedules against t/T. Right: the linear step with the same σ as each cosine step. " +
				"Look for a monotone curve: every cosine step has exactly one matching linear step."),
		viz.Plane("One denoiser, several schedules", scenes, viz.PlaneOpts{PerPanel: true}).
			WithCaption("Samples (dots) over the data density (grey), energy distance over its noise level in each title (about 1 is perfect). " +
				"Look for the matched cosine panels as good as the training schedule's; the unmatched panel also ends near the data " +
				"(the denoiser snaps points onto the clusters), which is why the lesson judges matching by the error against D*, not by samples."),
		viz.Lines(fmt.Sprintf("Quality against the number of steps (DDPM, %d samples)", rs.Samples),
			viz.LinePanel{Title: "energy distance / noise level", XName: "respaced steps T̂", YName: "ratio", LogY: true, Series: sweep}).
			WithCaption(fmt.Sprintf("Each dot is one run of T̂ evenly respaced linear steps, and one run's ratio scatters around its mean, "+
				"so neighbouring dots differ by chance as well as by steps. Look for both ratios well above 1 at 5 steps (%.2g exact, %.2g trained) "+
				"and, from 20 steps on, scattering around 1 (dashed) with no trend: between %.2g and %.2g here.", at5[0], at5[1], lo, hi)),
	}, nil
}
