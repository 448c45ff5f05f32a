// Lesson 7's charts: the labelled data, conditional samples per class,
// conditional against unconditional denoiser fields, and the noisy class
// posterior across t.

package course

import (
	"fmt"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/datasets"
	"difftoy/viz"
)

// conditionalCharts draws lesson 7: scenes are the sample panels, post the
// class posterior panels; ex is the labelled mixture of the data ds.
func conditionalCharts(ds *datasets.Dataset, ex analytic.Mixture, scenes, post []viz.Scene) []*viz.Chart {
	names := classNames(ds.Classes)
	const t = 300
	a := toy.DDPM().Alpha(t)
	g := window(3.5, 17)
	x := g.Points()
	disp := func(y []int) []float64 {
		d := ex.Denoise(nil, x, a, y)
		for i := range d {
			d[i] -= x[i]
		}
		return d
	}
	fields := []viz.Field{{Title: "unconditional D*_t(x) − x", V: disp(nil)}}
	for y := range ds.Classes {
		fields = append(fields, viz.Field{Title: fmt.Sprintf("class %d: D*_t(x | %d) − x", y, y), V: disp(labels(g.Len(), y))})
	}
	n := min(1000, len(ds.Points)/2)
	return []*viz.Chart{
		viz.Samples("The labelled data", viz.Scene{Points: ds.Points[:2*n], Labels: ds.Labels[:n]}, names).
			WithCaption(fmt.Sprintf("%d training points coloured by class. Look for where the classes overlap: "+
				"there a point's label is uncertain even without noise.", n)),
		viz.Plane("Conditional samples per class", scenes, viz.PlaneOpts{Classes: names, Cols: 2, PerPanel: true}).
			WithCaption("Samples asked for one class (dots, its colour) over that class's density (grey), exact D*(x | y) on the left, " +
				"the trained network on the right. Look for each panel filling its class and nothing else."),
		viz.Fields(fmt.Sprintf("Conditional against unconditional denoiser fields at t = %d", t), g, fields,
			viz.QuiverOpts{Label: "|D* − x|", Train: thinPoints(ds.Points, 200), Cols: 3}).
			WithCaption("Arrows from x to D*_t(x) and to D*_t(x | y), one scale for all panels; dark dots: 200 training points. " +
				"Look for the conditional arrows pointing into their class's region even from deep inside the other class's."),
		viz.Plane("The noisy class posterior across t", post, viz.PlaneOpts{DensityLabel: "q_t(0 | x)", Cols: 4, Side: 240}).
			WithCaption("The probability that x_t came from class 0, one colour scale for all panels. " +
				"Look for sharp class regions at small t fading to the flat prior at large t."),
	}
}
