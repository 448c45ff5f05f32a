// Lesson 2's charts: posterior cells across t, the denoiser and score
// fields across t (the score over contours of log q_t), the Tweedie
// overlap along a line, and q_t across t.

package course

import (
	"fmt"
	"math"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/viz"
)

// idealCharts draws lesson 2's pictures of the mixture m (the points pts)
// at the given steps.
func idealCharts(m analytic.Mixture, pts []float64, sched *toy.Schedule, steps []int) []*viz.Chart {
	fine := window(2.5, 61)
	out := []*viz.Chart{posteriorCellsChart(m, pts, sched, steps, fine)}
	out = append(out, idealFieldCharts(m, pts, sched, steps, fine)...)
	// The Tweedie overlap at the second step, where the score still bends
	// between the points.
	out = append(out, tweedieChart(m, sched, steps[min(1, len(steps)-1)]))
	var scenes []viz.Scene
	for _, t := range steps {
		scenes = append(scenes, viz.Scene{Title: fmt.Sprintf("t = %d", t), Grid: fine, Density: density(m, fine, sched.Alpha(t)), Train: pts})
	}
	return append(out, viz.Plane("The noisy density q_t across t", scenes, viz.PlaneOpts{PerPanel: true, Cols: 4, DensityLabel: "q_t(x)"}).
		WithCaption("Each panel coloured from 0 to its own peak (in its title); rings: the three points. "+
			"Look for three sharp bumps near √α_t x⁽ⁱ⁾ at small t spreading into one broad bump at large t."))
}

// posteriorCellsChart colours the grid fine by the posterior weights at
// each step.
func posteriorCellsChart(m analytic.Mixture, pts []float64, sched *toy.Schedule, steps []int, fine viz.Grid) *viz.Chart {
	names := []string{"x⁽¹⁾", "x⁽²⁾", "x⁽³⁾"}
	var cells []viz.WeightPanel
	for _, t := range steps {
		cells = append(cells, viz.WeightPanel{Title: fmt.Sprintf("t = %d", t), W: m.Posterior(nil, fine.Points(), sched.Alpha(t))})
	}
	return viz.Mixed("Posterior weights πᵢ(x) across t, one colour per point", fine, cells, pts, names).
		WithCaption("Each pixel mixes the points' colours by their weights πᵢ(x). Look for one blended colour at large t " +
			"and three cells with sharp straight borders (the bisectors of the pairs) as t falls.")
}

// idealFieldCharts draws the denoiser field D*_t(x) - x and the score over
// contours of log q_t (on fine) at each step.
func idealFieldCharts(m analytic.Mixture, pts []float64, sched *toy.Schedule, steps []int, fine viz.Grid) []*viz.Chart {
	g := window(2.5, 17)
	x := g.Points()
	var dfields, sfields []viz.Field
	for _, t := range steps {
		a := sched.Alpha(t)
		d := m.Denoise(nil, x, a, nil)
		for i := range d {
			d[i] -= x[i]
		}
		dfields = append(dfields, viz.Field{Title: fmt.Sprintf("t = %d", t), V: d})
		lq := m.LogProb(nil, fine.Points(), a)
		top := math.Inf(-1)
		for _, v := range lq {
			top = math.Max(top, v)
		}
		for i := range lq {
			lq[i] = math.Max(lq[i], top-12) // contours over the top 12 nats
		}
		sfields = append(sfields, viz.Field{Title: fmt.Sprintf("t = %d", t), V: m.Score(nil, x, a, nil), BgGrid: fine, Bg: lq})
	}
	return []*viz.Chart{
		viz.Fields("Denoiser field D*_t(x) − x across t", g, dfields,
			viz.QuiverOpts{Label: "|D* − x|", Train: pts, TrainName: "points x⁽ⁱ⁾"}).
			WithCaption("Arrows from x to D*_t(x), one length scale for all panels; rings: the three points. " +
				"Look for arrows aiming at the data mean at large t and at the nearest point at small t."),
		viz.Fields("Score ∇log q_t over contours of log q_t across t", g, sfields,
			viz.QuiverOpts{Label: "|∇log q_t|", Train: pts, TrainName: "points x⁽ⁱ⁾", PerPanel: true}).
			WithCaption("Grey bands: contours of log q_t (darker is higher, top 12 nats); arrows: the score, each panel on its own " +
				"length scale (longest in its title). Look for arrows crossing the contours at right angles, uphill, and growing as t falls."),
	}
}

// tweedieChart draws the first component of the score along the line
// x₂ = 0.5 at step t three ways: directly, by Tweedie's formula from D*,
// and by central differences of log q_t.
func tweedieChart(m analytic.Mixture, sched *toy.Schedule, t int) *viz.Chart {
	a := sched.Alpha(t)
	const n, h = 101, 1e-4
	line := make([]float64, 2*n)
	xs := make([]float64, n)
	for i := range n {
		xs[i] = -2.5 + 5*float64(i)/(n-1)
		line[2*i], line[2*i+1] = xs[i], 0.5
	}
	direct := m.Score(nil, line, a, nil)
	d := m.Denoise(nil, line, a, nil)
	shift := func(dx float64) []float64 {
		p := append([]float64(nil), line...)
		for i := range n {
			p[2*i] += dx
		}
		return m.LogProb(nil, p, a)
	}
	lp, lm := shift(h), shift(-h)
	var sDirect, sTweedie, sFD, fdX []float64
	for i := range n {
		sDirect = append(sDirect, direct[2*i])
		sTweedie = append(sTweedie, (math.Sqrt(a)*d[2*i]-line[2*i])/(1-a))
		if i%5 == 0 { // a dot every fifth point, so the curves under it show
			fdX = append(fdX, xs[i])
			sFD = append(sFD, (lp[i]-lm[i])/(2*h))
		}
	}
	return viz.Lines(fmt.Sprintf("Tweedie check along x₂ = 0.5 at t = %d", t),
		viz.LinePanel{Title: "first component of the score", XName: "x₁", YName: "∂ log q_t / ∂x₁", Series: []viz.Series{
			{Name: "score, direct", X: xs, Y: sDirect},
			{Name: "(√α D* − x)/(1 − α), Tweedie", X: xs, Y: sTweedie, Dashed: true},
			{Name: "finite difference of log q_t", X: fdX, Y: sFD, Marks: true},
		}}).
		WithCaption("Three ways to the same score along a horizontal line: directly, from D*_t by Tweedie's formula (dashed) " +
			"and by finite differences of log q_t (dots). Look for the three lying on top of each other.")
}
