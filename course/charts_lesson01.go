// Lesson 1's charts: the schedules, the data diffusing under both
// schedules at the same steps, and the step-by-step chain against the
// one-jump formula.

package course

import (
	"fmt"
	"math"
	"math/rand/v2"

	"difftoy/toy"
	"difftoy/toy/datasets"
	"difftoy/viz"
)

// forwardCharts draws lesson 1. linear holds the linear schedule's panels
// (forward samples over q_t at fs.Steps), states the chains from fs.X0 at
// steps; src draws the cosine panels and the one-jump samples.
func forwardCharts(fs ForwardSetup, ds *datasets.Dataset, lin, cos *toy.Schedule, linear []viz.Scene,
	steps []int, states [][]float64, src rand.Source) []*viz.Chart {
	g := window(3.5, 60)
	scenes := append([]viz.Scene(nil), linear...)
	for i := range scenes {
		scenes[i].Title = "linear, " + scenes[i].Title
	}
	for _, t := range fs.Steps {
		a := 1.0
		if t > 0 {
			a = cos.Alpha(t)
		}
		xt := toy.AddNoise(nil, nil, ds.Points, a, src)
		scenes = append(scenes, viz.Scene{Title: fmt.Sprintf("cosine, t = %d, α = %.3g", t, a), Grid: g, Density: density(ds.Exact, g, a), Points: xt})
	}
	// The chains from x_0 against one jump from x_0, 400 of each.
	const shown = 400
	var chain []viz.Scene
	for k, t := range steps {
		a := lin.Alpha(t)
		n := min(shown, len(states[k])/2)
		p := append([]float64(nil), states[k][:2*n]...)
		labels := make([]int, 2*n)
		r := rand.New(src)
		for i := range n {
			labels[n+i] = 1
			p = append(p, math.Sqrt(a)*fs.X0[0]+math.Sqrt(1-a)*r.NormFloat64(), math.Sqrt(a)*fs.X0[1]+math.Sqrt(1-a)*r.NormFloat64())
		}
		chain = append(chain, viz.Scene{Title: fmt.Sprintf("t = %d", t), Points: p, Labels: labels, Train: fs.X0})
	}
	return []*viz.Chart{
		viz.Schedules("Linear and cosine schedules", curves(lin), curves(cos)).
			WithCaption("α_t, β_t (log scale: the cosine β_t rises to its cap 0.999 at t = T) and log SNR against t. " +
				"Look for the linear α_t dropping fast early, the cosine one's S-shape, and its nearly straight log SNR."),
		viz.Plane(fs.Dataset+" diffusing: linear (top row) and cosine (bottom row) at the same t", scenes,
			viz.PlaneOpts{PerPanel: true, Cols: len(fs.Steps), Side: 160}).
			WithCaption("Forward samples of x_t (dots) over the exact q_t (grey, each panel to its own peak). " +
				"Look at the same column in both rows: the linear schedule has lost the eight modes much earlier."),
		viz.Plane(fmt.Sprintf("Step-by-step chain against one jump, from x_0 = (%g, %g)", fs.X0[0], fs.X0[1]), chain,
			viz.PlaneOpts{Classes: []string{"chain, step by step", "one jump √α_t x_0 + √(1−α_t) ε"}, Cols: len(steps), Side: 200, TrainName: "x_0"}).
			WithCaption("400 chains run step by step and 400 one-jump samples from the same x_0 (the marked point). " +
				"Look for the two clouds sharing centre √α_t x_0 and spread √(1−α_t) at every t."),
	}
}
