// One drawing of a lesson at one setting, for the notebooks' sliders:
// lesson 10 at one number of steps and eta,
// lesson 11 at one step size, number of moves and kind of dynamics. They
// check no claim; the lesson runners do.

package course

import (
	"fmt"
	"math"

	"difftoy/toy"
	"difftoy/toy/datasets"
	"difftoy/toy/sample"
	"difftoy/viz"
)

// DeterministicAt draws lesson 10's DDIM(eta) with the exact denoiser over
// a plan of the given number of steps, from Gaussian x_T, and the
// inversion round trip x_0 -> x_T -> x_0 over the same plan, each with its
// number: the energy distance to the data in units of its noise level,
// and the mean distance of the round trip.
func DeterministicAt(cfg Config, ds DeterministicSetup, steps int, eta float64) ([]*viz.Chart, error) {
	if eta < 0 || eta > 1 || math.IsNaN(eta) {
		return nil, fmt.Errorf("course.DeterministicAt: eta = %g outside [0, 1]", eta)
	}
	sched := toy.DDPM()
	plan, err := sample.Strided(sched, steps)
	if err != nil {
		return nil, fmt.Errorf("course.DeterministicAt: %w", err)
	}
	data, err := datasets.Load(ds.Dataset, 1000, cfg.rng(streamDeterministicData))
	if err != nil {
		return nil, fmt.Errorf("course.DeterministicAt: %w", err)
	}
	ex := data.Exact
	src := cfg.rng(streamDeterministicFresh)
	x, err := sample.DDIM(plan, eta).Sample(nil, gauss(ds.Samples, cfg.rng(streamDeterministicStart)), ex, nil, cfg.rng(streamDeterministicNoise))
	if err != nil {
		return nil, err
	}
	ec := energyCheck(x, func(n int) []float64 { return exactSample(ex, n, 1, src) }, 10)

	x0 := exactSample(ex, ds.InvertPoints, 1, cfg.rng(streamInversionPoints))
	back, e, err := roundTrip(plan, x0, ex)
	if err != nil {
		return nil, err
	}
	trip := append(append([]float64(nil), x0...), back...)
	labels := make([]int, 2*ds.InvertPoints)
	for i := ds.InvertPoints; i < len(labels); i++ {
		labels[i] = 1
	}
	g := window(3.5, 50)
	dens := density(ex, g, 1)
	return []*viz.Chart{viz.Plane(fmt.Sprintf("DDIM with η = %.2g and the inversion round trip, %d steps, exact D*", eta, steps), []viz.Scene{
		{Title: fmt.Sprintf("DDIM η = %.2g, %d steps: energy %.2g noise levels", eta, steps, ec.Energy/ec.Noise), Grid: g, Density: dens, Points: x},
		{Title: fmt.Sprintf("x₀ → x_T → x₀, %d steps: mean error %.2g", steps, e), Grid: g, Density: dens, Points: trip, Labels: labels},
	}, viz.PlaneOpts{Classes: []string{"x₀", "x₀ after the round trip"}, Cols: 2}).
		WithCaption("Left: DDIM samples over the data density, with their energy distance to the data in units of its noise level " +
			"(near 1 when they are as close as fresh data). Right: data points and the same points inverted to x_T and sampled back with η = 0. " +
			"Look for the round trip error falling as the steps grow, and η mattering most at few steps.")}, nil
}

// LangevinAt draws lesson 11's two-mode mixture sampled from N(0, I) by
// plain Langevin (step size, moves) or by annealed Langevin (ratio
// h_t / (1 - alpha_t) = size, moves spread over ls.Levels levels), with
// the share of chains in the heavier mode against its weight.
func LangevinAt(cfg Config, ls LangevinSetup, size float64, moves int, annealed bool) ([]*viz.Chart, error) {
	if !(size > 0) || math.IsInf(size, 0) {
		return nil, fmt.Errorf("course.LangevinAt: step size %g is not a positive number", size)
	}
	if moves < 1 {
		return nil, fmt.Errorf("course.LangevinAt: %d moves, want at least 1", moves)
	}
	m, err := TwoModes(ls.Separated, ls.Weights)
	if err != nil {
		return nil, fmt.Errorf("course.LangevinAt: %w", err)
	}
	w0 := ls.Weights[0] / (ls.Weights[0] + ls.Weights[1])
	x0 := gauss(ls.Chains, cfg.rng(streamPlainStart))
	var x []float64
	var what string
	if annealed {
		plan, err := sample.Strided(toy.DDPM(), ls.Levels)
		if err != nil {
			return nil, err
		}
		per := max(1, moves/ls.Levels)
		x, err = (&sample.Annealed{Plan: plan, Iters: per, Ratio: size}).Sample(nil, x0, m, nil, cfg.rng(streamPlainNoise))
		if err != nil {
			return nil, fmt.Errorf("course.LangevinAt: %w", err)
		}
		what = fmt.Sprintf("annealed, h = %.3g (1 − α_t), %d levels × %d moves", size, ls.Levels, per)
	} else {
		x, err = (&sample.Langevin{Size: size, Iters: moves}).Sample(nil, x0, m, nil, cfg.rng(streamPlainNoise))
		if err != nil {
			return nil, fmt.Errorf("course.LangevinAt: %w", err)
		}
		what = fmt.Sprintf("plain, step %.3g, %d moves", size, moves)
	}
	g := viz.Grid{X0: -3.5, X1: 3.5, Y0: -3.5, Y1: 3.5, NX: 60, NY: 60}
	share := shareLeft(x)
	return []*viz.Chart{viz.Plane("Langevin on two modes: "+what, []viz.Scene{
		{Title: fmt.Sprintf("%s: %.2f in the left mode (weight %.2f)", what, share, w0), Grid: g, Density: density(m, g, 1), Points: x},
	}, viz.PlaneOpts{}).
		WithCaption("The chains' end points over the mixture's density; the left mode weighs more. " +
			"Look for plain Langevin keeping the share it started with, annealing reaching the weight, and too large a step blurring the modes.")}, nil
}

// GuidanceAt draws lesson 9's classifier-free guidance on the exact
// conditional denoisers: DDPM samples of class y with guidance gamma, over
// the data density, with the mean exact class posterior q_0(y | x) of the
// samples in the title.
func GuidanceAt(cfg Config, gs GuidanceSetup, gamma float64, y int) ([]*viz.Chart, error) {
	ds, err := datasets.Load(gs.Dataset, 4000, cfg.rng(streamLabelledData))
	if err != nil {
		return nil, fmt.Errorf("course.GuidanceAt: %w", err)
	}
	if y < 0 || y >= ds.Classes {
		return nil, fmt.Errorf("course.GuidanceAt: class %d outside 0..%d of %s", y, ds.Classes-1, gs.Dataset)
	}
	den, err := sample.NewCFG(ds.Exact, gamma)
	if err != nil {
		return nil, fmt.Errorf("course.GuidanceAt: %w", err)
	}
	plan, err := sample.Strided(toy.DDPM(), gs.Sampling)
	if err != nil {
		return nil, fmt.Errorf("course.GuidanceAt: %w", err)
	}
	x, err := sampleClass(den, plan, gs.Samples, y, cfg, streamSweep)
	if err != nil {
		return nil, err
	}
	cp := ds.Exact.ClassPosterior(nil, x, 1)
	p := make([]float64, gs.Samples)
	for i := range p {
		p[i] = cp[i*ds.Classes+y]
	}
	m, se := meanSE(p)
	g := window(3.5, 50)
	return []*viz.Chart{viz.Plane(fmt.Sprintf("Classifier-free guidance, exact: class %d, γ = %g", y, gamma), []viz.Scene{
		{Title: fmt.Sprintf("class %d, γ = %g: mean q₀(%d | x) = %.3f ± %.3f", y, gamma, y, m, se), Grid: g, Density: density(ds.Exact, g, 1),
			Points: x, Labels: labels(gs.Samples, y)},
	}, viz.PlaneOpts{Classes: classNames(ds.Classes)}).
		WithCaption("DDPM samples of one class with the guided exact denoiser (1 + γ) D*(x, y) − γ D*(x), over the data density; " +
			"the title gives the samples' mean exact class posterior with its standard error. " +
			"Look for the samples leaving the region shared with the other class, and narrowing, as γ grows.")}, nil
}
