// Lesson 11's charts: Langevin from one point, bias against step size,
// stuck in modes, annealed snapshots, predictor-corrector.

package course

import (
	"fmt"
	"math"

	"difftoy/analytic"
	"difftoy/toy/sample"
	"difftoy/viz"
)

// Random streams of lesson 11's charts (Config.rng).
const (
	streamOnePointNoise = 160 // the noise of the chains from one point
	streamBiasStart     = 161 // x_0 of the step-size bias chart
	streamBiasNoise     = 162 // its noise
)

// langevinCharts draws lesson 11: m is the two-mode mixture, runs the plain
// and annealed chains, scenes the predictor-corrector panels, and plain and
// annealed the shares of chains in the heavier mode (weight w0) over the
// moves.
func langevinCharts(cfg Config, ls LangevinSetup, m analytic.Mixture, runs []viz.Run, scenes []viz.Scene,
	plain, annealed shareCurve, w0 float64) ([]*viz.Chart, error) {
	g := window(3, 60)
	dens := density(m, g, 1)
	one, err := onePointChart(cfg, ls, m, g, dens)
	if err != nil {
		return nil, err
	}
	bias, err := langevinBiasChart(cfg)
	if err != nil {
		return nil, err
	}
	return append([]*viz.Chart{one, bias, shareChart(plain, annealed, w0), annealedSnapshots(runs[1], g, dens, w0)},
		pcCharts(ls, runs, scenes)...), nil
}

// onePointChart draws 400 chains of plain Langevin started at one point,
// at several moves, over the density dens on the grid g.
func onePointChart(cfg Config, ls LangevinSetup, m analytic.Mixture, g viz.Grid, dens []float64) (*viz.Chart, error) {
	n := min(400, ls.Chains)
	start := make([]float64, 2*n)
	for i := range n {
		start[2*i], start[2*i+1] = 0, 1.5
	}
	snapAt := []int{0, 10, 50, 200, 1000}
	snaps := map[int][]float64{}
	rec := sample.RecorderFunc(func(f sample.Frame) {
		for _, k := range snapAt {
			if f.K == k {
				snaps[k] = append([]float64(nil), f.X...)
			}
		}
	})
	l := &sample.Langevin{Size: ls.Size, Iters: snapAt[len(snapAt)-1], Record: rec}
	if _, err := l.Sample(nil, start, m, nil, cfg.rng(streamOnePointNoise)); err != nil {
		return nil, err
	}
	var scenes1 []viz.Scene
	for _, k := range snapAt {
		scenes1 = append(scenes1, viz.Scene{Title: fmt.Sprintf("after %d moves", k), Grid: g, Density: dens, Points: snaps[k]})
	}
	return viz.Plane(fmt.Sprintf("Langevin from one point (0, 1.5), step s = %g", ls.Size), scenes1,
		viz.PlaneOpts{PerPanel: true, Cols: 5, Side: 200}).
		WithCaption("400 chains started at one point over the two-mode density (grey). Look for the cloud falling into the " +
			"modes and spreading over them; which mode a chain reaches depends on where it lands first."), nil
}

// langevinBiasChart draws the stationary variance of unadjusted Langevin on
// N(0, I) against the step size, with the discretised chain's exact one.
func langevinBiasChart(cfg Config) (*viz.Chart, error) {
	const v = 1.0
	gm, err := analytic.NewGaussian(2, []float64{1}, []float64{0, 0}, [][]float64{{v, 0, 0, v}}, nil)
	if err != nil {
		return nil, err
	}
	var ss, meas, theory []float64
	for _, s := range []float64{0.1, 0.3, 0.5, 0.7, 0.9, 1.1, 1.3} {
		iters := int(math.Ceil(20 / (s * s))) // about 10 relaxation times: each move contracts by 1 − s²/2
		x, err := (&sample.Langevin{Size: s, Iters: iters}).Sample(nil, gauss(2000, cfg.rng(streamBiasStart)), gm, nil, cfg.rng(streamBiasNoise))
		if err != nil {
			return nil, err
		}
		var q float64
		for _, c := range x {
			q += c * c
		}
		ss, meas = append(ss, s), append(meas, q/float64(len(x)))
	}
	var sFine []float64
	for s := 0.05; s <= 1.35; s += 0.05 {
		sFine = append(sFine, s)
		theory = append(theory, v/(1-s*s/(4*v)))
	}
	return viz.Lines("Bias of unadjusted Langevin on N(0, I)",
		viz.LinePanel{Title: "stationary variance per coordinate", XName: "step s", YName: "variance", Series: []viz.Series{
			{Name: "measured (2 000 chains)", X: ss, Y: meas, Marks: true},
			{Name: "v / (1 − s²/(4v))", X: sFine, Y: theory, Dashed: true},
			{Name: "target v = 1", X: []float64{0.05, 1.35}, Y: []float64{v, v}},
		}}).
		WithCaption("The variance the chains settle at for each step size s (about 10 relaxation times of moves), with the exact " +
			"stationary variance of the discretised chain. Look for the points on the dashed curve, above the target 1 and rising with s."), nil
}

// shareChart draws the share of chains in the left mode over the moves,
// plain and annealed, against the weight w0.
func shareChart(plain, annealed shareCurve, w0 float64) *viz.Chart {
	shareT, shareP, annT, annP := plain.moves, plain.share, annealed.moves, annealed.share
	last := func(x []float64) float64 { return x[len(x)-1] }
	return viz.Lines("Share of chains in the heavier mode",
		viz.LinePanel{Title: "plain Langevin (stuck)", XName: "move", YName: "share left", Series: []viz.Series{{Name: "plain", X: shareT, Y: shareP}, {Name: "weight", X: []float64{0, last(shareT)}, Y: []float64{w0, w0}, Dashed: true}}},
		viz.LinePanel{Title: "annealed Langevin", XName: "move", YName: "share left", Series: []viz.Series{{Name: "annealed", X: annT, Y: annP}, {Name: "weight", X: []float64{0, last(annT)}, Y: []float64{w0, w0}, Dashed: true}}}).
		WithCaption(fmt.Sprintf("The share of chains left of 0 over the moves, against the left mode's weight %g (dashed). "+
			"Look for plain Langevin staying where its start put it and annealed Langevin reaching the weight.", w0))
}

// annealedSnapshots draws the annealed chains ann at five points of the run.
func annealedSnapshots(ann viz.Run, g viz.Grid, dens []float64, w0 float64) *viz.Chart {
	var scenes2 []viz.Scene
	for _, f := range []float64{0, 0.25, 0.5, 0.75, 1} {
		s := int(math.Round(f * float64(len(ann.Steps)-1)))
		title := fmt.Sprintf("move %d", s)
		if ann.Times != nil {
			title = fmt.Sprintf("level t = %g", ann.Times[s])
		}
		scenes2 = append(scenes2, viz.Scene{Title: title, Grid: g, Density: dens, Points: ann.Steps[s]})
	}
	return viz.Plane("Annealed Langevin across levels", scenes2, viz.PlaneOpts{PerPanel: true, Cols: 5, Side: 200}).
		WithCaption(fmt.Sprintf("The annealed chains at five points of the run, over the target density (grey). Look for a broad cloud at the "+
			"noisy levels narrowing onto both modes, a share %g of the chains on the left.", w0))
}

// pcCharts animates the plain and annealed runs and draws the
// predictor-corrector panels.
func pcCharts(ls LangevinSetup, runs []viz.Run, scenes []viz.Scene) []*viz.Chart {
	return []*viz.Chart{
		viz.Animate("Chains moving: plain vs annealed", runs, viz.TrajOpts{MaxPaths: 400}).
			WithCaption("Both runs frame by frame (the timeline counts recorded states). Look for plain Langevin's chains never " +
				"crossing between the modes, and annealed Langevin's cloud settling into both."),
		viz.Plane("Predictor-corrector on eight Gaussians", scenes, viz.PlaneOpts{PerPanel: true}).
			WithCaption(fmt.Sprintf("DDPM with only %d levels, without and with %d Langevin corrector moves per level; energy ratio in each title. "+
				"Look for the corrected samples sitting tighter on the modes.", ls.PCLevels, ls.PCIters))}
}
