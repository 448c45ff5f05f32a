// Lesson 6's charts: the four networks' error against D*, the weights each
// loss implies, their samples, and the four exact fields side by side.

package course

import (
	"fmt"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/viz"
)

// paramCharts draws lesson 6: errs holds each network's error per t,
// weights the implied loss weights over t (x0, eps, score, v), and the
// fields are the exact mixture m's four readings at step t (alpha a) on g,
// with d = D* - x; pts are the training points.
func paramCharts(errs []viz.Series, scenes []viz.Scene, wt []float64, weights [4][]float64,
	g viz.Grid, t int, a float64, d []float64, m analytic.Mixture, pts []float64) []*viz.Chart {
	x := g.Points()
	names := []string{"x0", "eps", "score", "v"}
	var ws []viz.Series
	for i, n := range names {
		ws = append(ws, viz.Series{Name: n, X: wt, Y: weights[i]})
	}
	train := thinPoints(pts, 200)
	return []*viz.Chart{
		viz.Lines("Four networks converted to x0: error against D*",
			viz.LinePanel{Title: "E‖D_t − D*_t‖² by parametrisation", XName: "step t", YName: "excess error", LogY: true, Series: errs}).
			WithCaption("Each network's x_0 reading against the exact D* at 20 steps t (the eps and score curves nearly coincide: " +
				"one target is the other up to sign). Look for the eps and score errors blowing up at large t (the σ_t magnification) " +
				"and the x0 network weakest at small t."),
		viz.Lines("The weight each loss puts on ‖D − x_0‖²",
			viz.LinePanel{Title: "implied weights 1, SNR_t, SNR_t/(1 − α_t), 1 + SNR_t", XName: "step t", YName: "weight", LogY: true, Series: ws}).
			WithCaption("The same network trained on each target is the x_0 loss with these weights. Look for eps, score and v " +
				"weighing small t many orders of magnitude more than large t (eps and v coincide where SNR_t ≫ 1), and x0 weighing all t alike."),
		viz.Plane("Samples of the four networks (DDPM, 200 steps)", scenes, viz.PlaneOpts{PerPanel: true, Cols: 4}).
			WithCaption("Each network converted to a denoiser and sampled with the same sampler from the same x_T; energy distance " +
				"over its noise level in each title (about 1 is perfect). Look for all four resembling the data."),
		viz.Fields(fmt.Sprintf("The four exact readings at t = %d", t), g, []viz.Field{
			{Title: "x0: D*_t(x) − x", V: d},
			{Title: "eps: ε*_t(x)", V: m.Eps(nil, x, a, nil)},
			{Title: "score: ∇log q_t(x)", V: m.Score(nil, x, a, nil)},
			{Title: "v: v*_t(x)", V: toy.V(m, nil, x, a, nil)},
		}, viz.QuiverOpts{Label: "length", PerPanel: true, Train: train}).
			WithCaption("The four targets of the exact mixture as arrows, each panel on its own length scale (longest in its title); " +
				"dark dots: 200 training points. Look for the same pattern up to sign and scale: each is an affine function of the others."),
	}
}
