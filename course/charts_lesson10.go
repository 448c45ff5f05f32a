// Lesson 10's charts: the four samplers, their trajectories, DDPM against
// DDIM over the number of steps, an eta sweep, inversion, Euler against
// Heun on the PF-ODE, and the exact likelihood of DDIM's samples.

package course

import (
	"fmt"
	"math"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/sample"
	"difftoy/viz"
)

// Random streams of lesson 10's charts (Config.rng): the charts draw runs
// of their own.
const (
	streamStepsFresh  = 150 // fresh data for the energy distances of the step and eta charts
	streamStepsStart  = 151 // x_T of the step and eta charts
	streamStepsNoise  = 152 // DDPM's noise in the step chart
	streamEtaNoise    = 153 // DDIM(eta)'s noise in the eta sweep
	streamInvertChart = 154 // the 300 data points of the inversion chart
	streamSolverStart = 155 // the 200 starts of the Euler-Heun chart
)

// deterministicCharts draws lesson 10. scenes and runs are the four
// samplers from xT; ns, errs the inversion round trips; lik the DDIM
// sweep's likelihoods.
func deterministicCharts(cfg Config, ds DeterministicSetup, ex analytic.Mixture, scenes []viz.Scene, runs []viz.Run,
	ns, errs []float64, lik likelihoods) ([]*viz.Chart, error) {
	charts := []*viz.Chart{
		viz.Plane(fmt.Sprintf("Four samplers from the same x_T, %d steps, exact D*", ds.Steps), scenes, viz.PlaneOpts{PerPanel: true, Cols: 4, Side: 240}).
			WithCaption("Samples of each sampler from the same starting points over the data density. Look for all four reaching the " +
				"eight modes: trading the noise for drift (third panel) changes the paths, not the law."),
		viz.Paths("Trajectories: stochastic vs deterministic", runs, viz.TrajOpts{MaxPaths: 20, Cols: 2}).
			WithCaption("20 particles per sampler, coloured by time (blue at x_T, orange at x_0), grey circles at the starts, black dots at the ends. " +
				"Look for DDPM's jagged paths against the smooth DDIM and PF-ODE curves, which end at the same points."),
	}
	src := cfg.rng(streamStepsFresh)
	fresh := func(n int) []float64 { return exactSample(ex, n, 1, src) }
	xT := gauss(ds.Samples, cfg.rng(streamStepsStart))
	steps, err := stepsChart(cfg, ex, xT, fresh)
	if err != nil {
		return nil, err
	}
	eta, err := etaChart(cfg, ds, ex, xT, fresh)
	if err != nil {
		return nil, err
	}
	inv, err := inversionChart(cfg, ex)
	if err != nil {
		return nil, err
	}
	solvers, err := solverChart(cfg, ex)
	if err != nil {
		return nil, err
	}
	charts = append(charts, steps, eta, inv, inversionErrorChart(ns, errs), solvers, likelihoodChart(lik))
	return charts, nil
}

// stepsChart draws the energy distance of DDPM and DDIM runs from x_T
// against the number of steps.
func stepsChart(cfg Config, ex analytic.Mixture, xT []float64, fresh func(n int) []float64) (*viz.Chart, error) {
	var ddpm, ddim viz.Series
	ddpm.Name, ddim.Name, ddpm.Marks, ddim.Marks = "DDPM (η = 1)", "DDIM (η = 0)", true, true
	for _, k := range []int{5, 10, 20, 50, 100, 200} {
		plan, err := sample.Strided(toy.DDPM(), k)
		if err != nil {
			return nil, err
		}
		for _, c := range []struct {
			s   *viz.Series
			eta float64
		}{{&ddpm, 1}, {&ddim, 0}} {
			x, err := sample.DDIM(plan, c.eta).Sample(nil, xT, ex, nil, cfg.rng(streamStepsNoise))
			if err != nil {
				return nil, err
			}
			ec := energyCheck(x, fresh, 10)
			c.s.X, c.s.Y = append(c.s.X, float64(k)), append(c.s.Y, ec.Energy/ec.Noise)
		}
	}
	one := viz.Series{Name: "a perfect sampler (about 1)", X: []float64{5, 200}, Y: []float64{1, 1}, Dashed: true}
	return viz.Lines("DDPM and DDIM against the number of steps (exact D*)",
		viz.LinePanel{Title: "energy distance / noise level", XName: "steps", YName: "ratio", LogX: true, LogY: true, Series: []viz.Series{ddpm, ddim, one}}).
		WithCaption("Each dot is one run from the same x_T with that many evenly respaced steps; single runs scatter by a factor " +
			"of about 2 around 1 even for a perfect sampler (these are runs of their own, so they differ from the table's single " +
			"values by that scatter). Look for both far above 1 at the fewest steps and falling to about 1 as the steps grow."), nil
}

// etaChart draws DDIM(eta) samples from x_T at ds.EtaSteps steps for each
// eta of ds.Etas, with their energy distances to the data.
func etaChart(cfg Config, ds DeterministicSetup, ex analytic.Mixture, xT []float64, fresh func(n int) []float64) (*viz.Chart, error) {
	plan, err := sample.Strided(toy.DDPM(), ds.EtaSteps)
	if err != nil {
		return nil, err
	}
	g := window(3.5, 50)
	dens := density(ex, g, 1)
	var scenes []viz.Scene
	bestEta, best := 0.0, math.Inf(1)
	for _, eta := range ds.Etas {
		x, err := sample.DDIM(plan, eta).Sample(nil, xT, ex, nil, cfg.rng(streamEtaNoise))
		if err != nil {
			return nil, err
		}
		ec := energyCheck(x, fresh, 10)
		scenes = append(scenes, viz.Scene{Title: fmt.Sprintf("η = %g (E/noise %.2g)", eta, ec.Energy/ec.Noise), Grid: g, Density: dens, Points: x})
		if ec.Energy/ec.Noise < best {
			bestEta, best = eta, ec.Energy/ec.Noise
		}
	}
	return viz.Plane(fmt.Sprintf("η from DDIM (0) to DDPM (1) at %d steps", ds.EtaSteps), scenes,
		viz.PlaneOpts{PerPanel: true, Cols: 5, Side: 200}).
		WithCaption(fmt.Sprintf("The same x_T sampled with η times DDPM's noise at each step, energy ratio in each title. "+
			"With so few steps no η is exact: look at how the spread off the modes changes with η (in this run the lowest ratio "+
			"is at η = %g; single ratios scatter by about a factor 2).", bestEta)), nil
}

// inversionChart draws 300 data points, their DDIM inversions at 100
// steps and the points DDIM regenerates from them.
func inversionChart(cfg Config, ex analytic.Mixture) (*viz.Chart, error) {
	inv, err := sample.Strided(toy.DDPM(), 100)
	if err != nil {
		return nil, err
	}
	x0 := exactSample(ex, 300, 1, cfg.rng(streamInvertChart))
	z, err := (&sample.Inversion{Plan: inv}).Invert(nil, x0, ex, nil)
	if err != nil {
		return nil, err
	}
	back, err := sample.DDIM(inv, 0).Sample(nil, z, ex, nil, nil)
	if err != nil {
		return nil, err
	}
	return viz.Plane("DDIM inversion, 100 steps", []viz.Scene{
		{Title: "data x_0", Points: x0}, {Title: "inverted x_T", Points: z}, {Title: "regenerated DDIM(x_T)", Points: back},
	}, viz.PlaneOpts{Cols: 3, Side: 260}).
		WithCaption("300 data points, the x_T the deterministic ODE maps them to, and DDIM run back from those x_T. " +
			"Look for a round N(0, I) cloud in the middle and the regenerated points on top of the data."), nil
}

// inversionErrorChart draws the round-trip errors errs against the plan
// lengths ns.
func inversionErrorChart(ns, errs []float64) *viz.Chart {
	return viz.Lines("DDIM inversion round trip",
		viz.LinePanel{Title: "mean |x_0 − DDIM(invert(x_0))|", XName: "steps", YName: "error", LogX: true, LogY: true,
			Series: []viz.Series{{Name: "round-trip error", X: ns, Y: errs, Marks: true}}}).
		WithCaption("The mean distance between each point and its regeneration, for several plan lengths. Look for the error falling with the steps.")
}

// solverChart draws the endpoint error of Euler and Heun on the PF-ODE
// against a 1000-step Heun reference, over the number of steps.
func solverChart(cfg Config, ex analytic.Mixture) (*viz.Chart, error) {
	m := 200
	start := gauss(m, cfg.rng(streamSolverStart))
	ref, err := (&sample.ODE{Plan: sample.Full(toy.DDPM()), Heun: true}).Sample(nil, start, ex, nil)
	if err != nil {
		return nil, err
	}
	var eu, he viz.Series
	eu.Name, he.Name, eu.Marks, he.Marks = "Euler", "Heun", true, true
	for _, k := range []int{10, 20, 50, 100, 200} {
		p, err := sample.Strided(toy.DDPM(), k)
		if err != nil {
			return nil, err
		}
		for _, c := range []struct {
			s    *viz.Series
			heun bool
		}{{&eu, false}, {&he, true}} {
			x, err := (&sample.ODE{Plan: p, Heun: c.heun}).Sample(nil, start, ex, nil)
			if err != nil {
				return nil, err
			}
			e := 0.0
			for i := range m {
				e += math.Hypot(x[2*i]-ref[2*i], x[2*i+1]-ref[2*i+1])
			}
			c.s.X, c.s.Y = append(c.s.X, float64(k)), append(c.s.Y, e/float64(m))
		}
	}
	guide := func(name string, s viz.Series, slope float64) viz.Series {
		x0, y0 := s.X[0], s.Y[0]
		return viz.Series{Name: name, X: []float64{x0, 200}, Y: []float64{y0, y0 * math.Pow(200/x0, slope)}, Dashed: true}
	}
	return viz.Lines("Euler against Heun on the PF-ODE",
		viz.LinePanel{Title: "mean |x_N − x_ref| (reference: Heun, 1000 steps)", XName: "steps N", YName: "endpoint error", LogX: true, LogY: true,
			Series: []viz.Series{eu, he, guide("slope −1", eu, -1), guide("slope −2", he, -2)}}).
		WithCaption("The endpoint error of each solver from the same 200 starts, on log-log axes, with dashed lines of slope −1 and −2 " +
			"through the first points. Look for Euler following slope −1 (error ∝ 1/N) and Heun falling faster; near t = 0 the exact " +
			"field changes fast, so Heun's slope approaches −2 only with many steps."), nil
}

// likelihoodChart draws the change-of-variables log-likelihood of the last
// sweep run's points against the exact one, and the mean gap against the
// step count.
func likelihoodChart(lik likelihoods) *viz.Chart {
	ks, truth := lik.steps, lik.truth
	return viz.Lines("Exact likelihood of DDIM's samples",
		viz.LinePanel{Title: fmt.Sprintf("log p_F(x_0) against log q_0(x_0), %d steps", int(ks[len(ks)-1])), XName: "exact log q_0(x_0)", YName: "log p_F(x_0)",
			Series: []viz.Series{{Name: "one generated point", X: truth, Y: lik.logp, Scatter: true},
				{Name: "equality", X: []float64{minOf(truth), maxOf(truth)}, Y: []float64{minOf(truth), maxOf(truth)}, Dashed: true}}},
		viz.LinePanel{Title: "mean |log p_F − log q_0|", XName: "steps", YName: "nats", LogY: true,
			Series: []viz.Series{{Name: "mean gap", X: ks, Y: lik.gaps, Marks: true}}}).
		WithCaption("Left: the log-likelihood of each generated point by the change of variables through DDIM against the exact log q_0; " +
			"right: the mean gap against the number of steps. Look for the points on the dashed line and the gap falling with the steps.")
}

func minOf(x []float64) float64 {
	m := math.Inf(1)
	for _, v := range x {
		m = math.Min(m, v)
	}
	return m
}

func maxOf(x []float64) float64 {
	m := math.Inf(-1)
	for _, v := range x {
		m = math.Max(m, v)
	}
	return m
}
