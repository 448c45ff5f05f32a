package viz_test

import (
	"fmt"

	"difftoy/viz"
)

// A grid lists its nodes row by row from the bottom, the order in which
// values on it (a density, a vector field) are given back to the charts.
func ExampleGrid_Points() {
	g := viz.Grid{X0: 0, X1: 1, Y0: 0, Y1: 2, NX: 2, NY: 3}
	fmt.Println(g.Points())
	// Output: [0 0 1 0 0 1 1 1 0 2 1 2]
}

// A page of charts, written with echarts inlined, works offline.
func ExamplePage() {
	c := viz.Lines("Loss", viz.LinePanel{XName: "step", YName: "loss",
		Series: []viz.Series{{Name: "train", X: []float64{1, 2, 3}, Y: []float64{1, 0.5, 0.25}}}})
	p := viz.NewPage("Training").Text("One run.").Add(c)
	fmt.Println(len(p.Charts()), p.Charts()[0].Title)
	// Output: 1 Loss
}
