// Lesson 14's charts: the exact rectified-flow paths against Euler, the
// error against the number of moves, the change of time that turns DDIM
// into flow-matching Euler, the preconditioning coefficients with their
// measured variances, the loss weights and noise-level sampling, and the
// edit between classes.

package course

import (
	"fmt"
	"math"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/viz"
)

// flowCharts draws lesson 14 from the runs of sections 3 to 5.
func flowCharts(ex analytic.Mixture, sched *toy.Schedule, fs FlowSetup, paths flowPathRun, pre precondRun, ed *editResult) []*viz.Chart {
	return []*viz.Chart{flowPathsChart(ex, sched, fs, paths), eulerErrorChart(fs, paths), timeChangeChart(sched),
		precondChart(pre), lossWeightsChart(sched, pre.sd), editChart(fs, ed)}
}

// flowPathsChart draws the exact rectified-flow paths against Euler with 4
// moves evenly spaced in s, from the same starts.
func flowPathsChart(ex analytic.Mixture, sched *toy.Schedule, fs FlowSetup, p flowPathRun) *viz.Chart {
	ns, errs, start, frames := p.ns, p.errs, p.start, p.frames
	s0 := FlowTime(sched.Alpha(sched.T()))
	const coarse = 4
	euler4 := math.NaN()
	for i, n := range ns {
		if n == coarse {
			euler4 = errs[i]
		}
	}
	var coarseFrames [][]float64
	FlowEuler(ex, start, uniformTimes(s0, coarse), nil, func(k int, z []float64) {
		coarseFrames = append(coarseFrames, append([]float64(nil), z...))
	})
	return viz.Paths("Rectified-flow paths: exact and Euler with 4 moves", []viz.Run{
		{Name: fmt.Sprintf("exact ODE (%d Euler moves)", fs.RefSteps), Steps: frames},
		{Name: fmt.Sprintf("Euler, %d moves evenly spaced in s", coarse), Steps: coarseFrames},
	}, viz.TrajOpts{MaxPaths: 40, Cols: 2}).
		WithCaption(fmt.Sprintf("40 particles from the same starts z_s0 (grey circles) to their ends (black dots), coloured from s = 1 (blue) to s = 0 (orange). "+
			"Look for paths that first head towards the data mean (where D* points while the noise is large) and then turn towards one mode as the posterior picks it; "+
			"four straight Euler moves cut the turns and end %.2g off the exact ends on average (the clusters' width is 0.15).", euler4))
}

// eulerErrorChart draws Euler's endpoint error against the number of
// moves, on even and on DDIM's strided grids.
func eulerErrorChart(fs FlowSetup, p flowPathRun) *viz.Chart {
	ns, errs, ddimErrs, start := p.ns, p.errs, p.ddimErrs, p.start
	guide := viz.Series{Name: "slope −1", X: []float64{ns[0], ns[len(ns)-1]}, Y: []float64{errs[0], errs[0] * ns[0] / ns[len(ns)-1]}, Dashed: true}
	return viz.Lines("Euler's endpoint error against the number of moves",
		viz.LinePanel{Title: "mean |z_0 − reference|", XName: "moves", YName: "error", LogX: true, LogY: true, Series: []viz.Series{
			{Name: "evenly spaced in s", X: ns, Y: errs, Marks: true},
			{Name: "DDIM's strided plan, s(α_t)", X: ns, Y: ddimErrs, Marks: true},
			guide,
		}}).
		WithCaption(fmt.Sprintf("The same %d starts moved by Euler's method on the exact velocity, against a %d-move reference. "+
			"A straight path at constant speed would be exact in one move; look at how many moves the curved exact paths need, "+
			"and at the second curve: DDIM is Euler on its own grid of s (next chart), with the larger error at every count from 2 on.", len(start)/2, fs.RefSteps))
}

// timeChangeChart draws the flow time s(alpha_t) of each step of the
// schedule.
func timeChangeChart(sched *toy.Schedule) *viz.Chart {
	var ts, ss []float64
	for t := 0; t <= sched.T(); t += 5 {
		ts, ss = append(ts, float64(t)), append(ss, FlowTime(sched.Alpha(t)))
	}
	var high, low float64
	for t := 1; t <= sched.T(); t++ {
		switch s := FlowTime(sched.Alpha(t)); {
		case s > 0.9:
			high++
		case s < 0.1:
			low++
		}
	}
	high, low = high/float64(sched.T()), low/float64(sched.T())
	return viz.Lines("DDIM is flow-matching Euler after a change of time",
		viz.LinePanel{Title: "s(α_t) = √(1−α_t) / (√α_t + √(1−α_t))", XName: "step t (linear schedule, T = 1000)", YName: "flow time s",
			Series: []viz.Series{{Name: "s(α_t)", X: ts, Y: ss}}}).
		WithCaption(fmt.Sprintf("The rectified-flow time of each step of the course's schedule. DDIM's plan of evenly spaced t is Euler on the grid "+
			"s(α_t): the same points to rounding (the claims table). Look at where evenly spaced t fall in s: %.0f%% of the steps have s > 0.9, "+
			"where the paths are nearly straight, and only %.0f%% have s < 0.1.", 100*high, 100*low))
}

// precondGrid returns noise levels sigma from 10^-2 to 10^2.5 and the
// preconditioning of each for data of standard deviation sd.
func precondGrid(sd float64) ([]float64, []Precond) {
	var grid []float64
	var pcs []Precond
	for l := -2.0; l <= 2.5001; l += 0.05 {
		sigma := math.Pow(10, l)
		grid, pcs = append(grid, sigma), append(pcs, EDMPrecond(sigma, sd))
	}
	return grid, pcs
}

// precondChart draws the preconditioning coefficients and the measured
// variances of the network's input and target.
func precondChart(p precondRun) *viz.Chart {
	sd, sig, vin, vout := p.sd, p.sig, p.vin, p.vout
	grid, pcs := precondGrid(sd)
	var skip, out, in []float64
	for _, pc := range pcs {
		skip, out, in = append(skip, pc.Skip), append(out, pc.Out), append(in, pc.In)
	}
	ones := []float64{1, 1}
	span := []float64{sig[0], sig[len(sig)-1]}
	return viz.Lines("Preconditioning coefficients and unit variance",
		viz.LinePanel{Title: fmt.Sprintf("c_skip, c_out, c_in (s_d = %.3g)", sd), XName: "σ", YName: "coefficient", LogX: true, LogY: true, Series: []viz.Series{
			{Name: "c_skip", X: grid, Y: skip}, {Name: "c_out", X: grid, Y: out}, {Name: "c_in", X: grid, Y: in}}},
		viz.LinePanel{Title: "measured variance per coordinate", XName: "σ", YName: "variance", LogX: true, Series: []viz.Series{
			{Name: "c_in y", X: sig, Y: vin, Marks: true}, {Name: "(x_0 − c_skip y) / c_out", X: sig, Y: vout, Marks: true},
			{Name: "1", X: span, Y: ones, Dashed: true}}}).
		WithCaption("Left: the coefficients of the recipe's networks for the eight Gaussians: c_skip falls from 1 (D ≈ y: predict the noise) to 0 (predict x_0) " +
			"as σ passes s_d, the data's standard deviation; c_out rises like σ, then settles at s_d. Right: the variances of the network's input and target measured on exact draws. " +
			"Look for every dot on the dashed line at 1, at every noise level.")
}

// lossWeightsChart draws the weight each loss puts on the x_0 error per
// noise level, and where the recipe's training draws its noise levels.
func lossWeightsChart(sched *toy.Schedule, sd float64) *viz.Chart {
	grid, pcs := precondGrid(sd)
	var wEDM, wEps, wX0, wV []float64
	for i, sigma := range grid {
		wEDM, wEps, wX0, wV = append(wEDM, pcs[i].Weight), append(wEps, 1/(sigma*sigma)), append(wX0, 1), append(wV, 1/(sigma*sigma)+1)
	}
	lo, hi := math.Log(0.005), math.Log(300.0)
	const bins = 40
	w := (hi - lo) / bins
	hist := make([]float64, bins)
	for t := 1; t <= sched.T(); t++ {
		if b := int((math.Log(sched.Sigma(t)) - lo) / w); b >= 0 && b < bins {
			hist[b] += 1 / (float64(sched.T()) * w)
		}
	}
	var centres, lognormal []float64
	for b := range bins {
		c := lo + (float64(b)+0.5)*w
		centres = append(centres, c)
		lognormal = append(lognormal, math.Exp(-sq(c+1.2)/(2*1.2*1.2))/(1.2*math.Sqrt(2*math.Pi)))
	}
	return viz.Lines("Loss weights and noise-level sampling",
		viz.LinePanel{Title: "weight of ||D − x_0||² per σ", XName: "σ", YName: "weight", LogX: true, LogY: true, Series: []viz.Series{
			{Name: "preconditioned: 1/σ² + 1/s_d²", X: grid, Y: wEDM}, {Name: "eps loss: 1/σ² (SNR)", X: grid, Y: wEps, Dashed: true},
			{Name: "v loss: 1/σ² + 1", X: grid, Y: wV, Dashed: true}, {Name: "x0 loss: 1", X: grid, Y: wX0}}},
		viz.LinePanel{Title: "density of ln σ in training", XName: "ln σ", YName: "density", Series: []viz.Series{
			{Name: "the recipe: t uniform on 1..1000", X: centres, Y: hist, Marks: true},
			{Name: "Karras et al.: ln σ ~ N(−1.2, 1.2²)", X: centres, Y: lognormal, Dashed: true}}}).
		WithCaption("Left: the weight each loss puts on the x_0 error at noise level σ; the preconditioned loss is the eps loss's SNR weight " +
			"plus the constant 1/s_d², and the v loss's for s_d = 1. Right: where training spends its draws. The course's networks draw t uniformly " +
			"on the linear schedule, which spreads ln σ from −4.6 to 5; Karras et al. draw ln σ from a normal law tuned for images (s_d = 0.5).")
}

// editChart draws the edit: the points of class From, their inversions and
// the points regenerated with the label To.
func editChart(fs FlowSetup, ed *editResult) *viz.Chart {
	edx := ed.mix
	g := window(3, 50)
	dens := density(edx, g, 1)
	names := make([]string, edx.Classes())
	for c := range names {
		names[c] = fmt.Sprintf("class %d", c)
	}
	return viz.Plane(fmt.Sprintf("Editing by inversion: class %d → class %d", fs.From, fs.To), []viz.Scene{
		{Title: fmt.Sprintf("x_0 from class %d", fs.From), Grid: g, Density: dens, Points: ed.x0, Labels: ed.labelsFrom},
		{Title: fmt.Sprintf("inverted with y = %d", fs.From), Points: ed.zT, Labels: ed.labelsFrom},
		{Title: fmt.Sprintf("regenerated with y = %d", fs.To), Grid: g, Density: dens, Points: ed.edited, Labels: ed.labelsTo},
	}, viz.PlaneOpts{Cols: 3, Side: 260, Classes: names}).
		WithCaption(fmt.Sprintf("Points of class %d, the x_T that DDIM inversion with the label %d maps them to, and DDIM run from those x_T with the label %d "+
			"(%d moves each way, exact class-conditional denoisers, the data density behind). Look for a round N(0, I) cloud in the middle "+
			"and the regenerated points inside class %d, arranged as the originals were.", fs.From, fs.From, fs.To, fs.EditSteps, fs.To))
}
