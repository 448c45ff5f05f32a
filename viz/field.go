// Vector fields (quiver plots) and posterior weights over the plane.

package viz

import (
	"cmp"
	"fmt"
	"math"
	"strings"
)

// QuiverOpts are the options of Quiver and Fields.
type QuiverOpts struct {
	Label string    // name of the field on the colour bar, e.g. "|∇log q_t|"
	Unit  bool      // draw every arrow with the same length; colour alone shows |v|
	Train []float64 // points drawn under the arrows (e.g. the data), optional
	// TrainName names Train in the legend; "": "training data".
	TrainName string
	// Marks are further points drawn as orange diamonds (where the
	// arrows point, say), named MarksName in the legend.
	Marks     []float64
	MarksName string
	// PerPanel scales each panel of Fields to its own longest arrow (for
	// fields of different quantities); by default all panels share one
	// arrow scale and one colour scale, so lengths compare across panels.
	PerPanel bool
	Cols     int // panels per row of Fields; 0: up to 4
	Side     int // panel side in pixels; 0: 480 for one panel, else 300 (240 for four in a row)
}

// Field is one panel of Fields: a vector field on the chart's grid.
type Field struct {
	Title string
	V     []float64 // two components per node, in the order of Grid.Points
	// Bg, when set, holds one value per node of BgGrid (log q_t, say),
	// drawn behind the arrows as 10 grey bands between its smallest and
	// largest value: filled contours, darker for larger values.
	BgGrid Grid
	Bg     []float64
}

// contourBands is the number of grey bands of a Field's background.
const contourBands = 10

// arrowMap colours arrows by length, dark blue to orange (no pale end, so
// short arrows stay visible on white).
var arrowMap = colormap{{13, 8, 135, 255}, {106, 0, 168, 255}, {177, 42, 144, 255}, {225, 100, 98, 255}, {252, 166, 54, 255}}

// Quiver draws the vector field v (two components per node of g, the
// order of g.Points) as arrows from each node, coloured by length. Both
// axes have the same scale, so an arrow points the way the vector points
// in the plane. Arrow lengths are proportional to |v|, the longest one 0.9
// of the grid spacing (or all equal with o.Unit).
func Quiver(title string, g Grid, v []float64, o QuiverOpts) *Chart {
	return Fields(title, g, []Field{{V: v}}, o)
}

// Fields draws vector fields on one grid as small multiples (a trained
// field next to the exact one, say): one window, one arrow scale and one
// colour scale for all panels unless o.PerPanel, with o.Train and o.Marks
// drawn in every panel.
func Fields(title string, g Grid, fields []Field, o QuiverOpts) *Chart {
	checkFields(g, fields, o)
	h := spacing(g)
	l := fieldsLayout(len(fields), o, fieldsExtent(g, h, o))
	c := newChart(title, l.width(), l.height())
	d := l.dec()
	shared := 0.0 // the longest arrow of all panels
	for _, f := range fields {
		shared = math.Max(shared, longest(f.V))
	}
	trainLabel := cmp.Or(o.TrainName, trainName)
	marksLabel := cmp.Or(o.MarksName, "marks")
	var titles []string
	var graphics []any
	p := g.Points()
	for i, f := range fields {
		maxLen := shared
		t := f.Title
		if o.PerPanel {
			maxLen = longest(f.V)
			t = strings.TrimSpace(fmt.Sprintf("%s (longest %s)", t, fmtNum(maxLen)))
		}
		titles = append(titles, t)
		if f.Bg != nil {
			graphics = append(graphics, l.image(i, f.BgGrid, contours(f.Bg), greys, 0, 1))
			l.fill(i)
		}
		if len(o.Train) > 0 {
			ts := trainSeries(i, o.Train, d)
			ts["name"] = trainLabel
			c.series(ts)
		}
		if len(o.Marks) > 0 {
			c.series(marksSeries(i, o.Marks, marksLabel, d))
		}
		for _, s := range bandSeries(i, "field", arrows(p, f.V, h, maxLen, o.Unit, d), arrowMap, 1.3, 1) {
			c.series(s)
		}
	}
	l.apply(c, titles, xName, yName)
	bar := l.colorbar(arrowMap, 0, shared, cmp.Or(o.Label, "|v|"), arrowBands)
	if o.PerPanel {
		relabel(bar, "longest", "half", "0")
	}
	c.set("graphic", append(graphics, bar...))
	var legend []string
	if len(o.Train) > 0 {
		legend = append(legend, trainLabel)
	}
	if len(o.Marks) > 0 {
		legend = append(legend, marksLabel)
	}
	c.setLegend(legend)
	return c
}

// checkFields panics on fields that do not fit grid g and on odd point
// batches.
func checkFields(g Grid, fields []Field, o QuiverOpts) {
	if len(fields) == 0 {
		panic("viz.Fields: no fields")
	}
	for i, f := range fields {
		g.checkValues(fmt.Sprintf("viz.Fields: field %d (%s)", i, f.Title), f.V, 2)
		if f.Bg != nil {
			f.BgGrid.checkValues(fmt.Sprintf("viz.Fields: field %d (%s) background", i, f.Title), f.Bg, 1)
		}
	}
	checkPoints("viz.Fields Train", o.Train, nil)
	checkPoints("viz.Fields Marks", o.Marks, nil)
}

// spacing is the smaller of grid g's two node spacings.
func spacing(g Grid) float64 {
	return math.Min((g.X1-g.X0)/float64(g.NX-1), (g.Y1-g.Y0)/float64(g.NY-1))
}

// fieldsExtent is the window of Fields: the grid, the arrows that start
// on its border (one spacing h beyond the nodes) and the points.
func fieldsExtent(g Grid, h float64, o QuiverOpts) extent {
	var e extent
	e.addGrid(g)
	e.add([]float64{g.X0 - h, g.Y0 - h, g.X1 + h, g.Y1 + h})
	e.add(o.Train)
	e.add(o.Marks)
	return e
}

// fieldsLayout places n panels of Fields showing the window e, with room
// for the colour bar: o.Cols in a row (0: up to 4), of side o.Side (0: 480
// for one panel, 240 for four in a row, where with the colour bar they fit
// 1 280 px, else 300).
func fieldsLayout(n int, o QuiverOpts, e extent) layout {
	cols := o.Cols
	if cols <= 0 {
		cols = min(4, n)
	}
	return newLayout(n, cols, panelSide(o.Side, n, cols, 480, 240, 300), e, 90)
}

// longest returns the length of the longest finite vector of v (two
// components each), 0 when there is none.
func longest(v []float64) float64 {
	m := 0.0
	for k := 0; k < len(v); k += 2 {
		if n := math.Hypot(v[k], v[k+1]); !math.IsNaN(n) && !math.IsInf(n, 0) {
			m = math.Max(m, n)
		}
	}
	return m
}

// arrowBands is the number of colours of the arrows, by length.
const arrowBands = 8

// arrows returns the arrows of field v from the nodes p, sorted into
// arrowBands bands by length relative to maxLen. Each arrow is one
// polyline, tail to tip and the two strokes of its head, computed in data
// space (equal scale keeps the head's shape). Its length is 0.9 of the
// spacing h for the longest one (0.8 h for all of them with unit).
func arrows(p, v []float64, h, maxLen float64, unit bool, d int) [][]any {
	headLen := 0.3 * h
	cs, sn := math.Cos(0.45), math.Sin(0.45) // head half-angle about 26 degrees
	data := make([][]any, arrowBands)
	for k := 0; k < len(v); k += 2 {
		n := math.Hypot(v[k], v[k+1])
		if !(n > 0) || math.IsInf(n, 0) {
			continue
		}
		s := 0.9 * h / maxLen
		if unit {
			s = 0.8 * h / n
		}
		x, y := p[k], p[k+1]
		tx, ty := x+s*v[k], y+s*v[k+1]
		hl := math.Min(headLen, 0.45*s*n)
		ux, uy := -v[k]/n*hl, -v[k+1]/n*hl // from the tip back along the shaft
		lx, ly := ux*cs-uy*sn, ux*sn+uy*cs
		rx, ry := ux*cs+uy*sn, -ux*sn+uy*cs
		b := min(arrowBands-1, int(n/maxLen*arrowBands))
		data[b] = append(data[b], map[string]any{"coords": []pt{
			{x, y, d}, {tx, ty, d}, {tx + lx, ty + ly, d}, {tx, ty, d}, {tx + rx, ty + ry, d},
		}})
	}
	return data
}

// contours returns the values v as filled contours: each one replaced by
// its band, of contourBands between the smallest and the largest finite
// value, scaled to [0, 1].
func contours(v []float64) []float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
	}
	banded := make([]float64, len(v))
	for k, x := range v {
		b := math.Floor(norm(x, lo, hi) * contourBands)
		banded[k] = math.Min(b, contourBands-1) / (contourBands - 1)
	}
	return banded
}

// marksSeries draws the marks p in panel i as orange diamonds.
func marksSeries(i int, p []float64, name string, d int) map[string]any {
	return map[string]any{"type": "scatter", "name": name, "xAxisIndex": i, "yAxisIndex": i,
		"data": points(p, d), "symbol": "diamond", "symbolSize": 11, "z": 6,
		"itemStyle": map[string]any{"color": "#ff7f0e", "borderColor": "#111111", "borderWidth": 1}}
}

// bandSeries returns one "lines" series of polylines in panel i for each
// non-empty band of data, band b of n coloured by cm at its middle. They
// are drawn in large mode: a few paths instead of thousands of elements.
func bandSeries(i int, name string, data [][]any, cm colormap, width, opacity float64) []map[string]any {
	var out []map[string]any
	for b, d := range data {
		if len(d) == 0 {
			continue
		}
		out = append(out, map[string]any{
			"type": "lines", "name": name, "coordinateSystem": "cartesian2d", "xAxisIndex": i, "yAxisIndex": i,
			"polyline": true, "large": true, "largeThreshold": 100, "silent": true, "z": 3,
			"lineStyle": map[string]any{"width": width, "opacity": opacity, "color": hex(cm.at((float64(b) + 0.5) / float64(len(data))))},
			"data":      d,
		})
	}
	return out
}

func hex(c rgba) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// Posterior draws posterior weights pi_k(x) = P(component k | x_t = x) on
// grid g, one panel per component (w holds K values per node, the row-major
// n*K layout of analytic's Posterior). centres holds the K component
// centres (nil: none), drawn in every panel, names the components (nil:
// "x⁽¹⁾", "x⁽²⁾", ...: the points of the course numbered from 1).
func Posterior(title string, g Grid, w []float64, centres []float64, names []string) *Chart {
	g.check("viz.Posterior")
	if len(w)%g.Len() != 0 || len(w) == 0 {
		panic(fmt.Sprintf("viz.Posterior: %d weights is not a multiple of the %d grid nodes", len(w), g.Len()))
	}
	K := len(w) / g.Len()
	if centres != nil && len(centres) != 2*K {
		panic(fmt.Sprintf("viz.Posterior: %d centre coordinates for %d components", len(centres), K))
	}
	var e extent
	e.addGrid(g)
	e.add(centres)
	l := newLayout(K, 3, 280, e, 90)
	c := newChart(title, l.width(), l.height())
	var titles []string
	var graphic []any
	for k := range K {
		v := make([]float64, g.Len())
		for i := range v {
			v[i] = w[i*K+k]
		}
		titles = append(titles, "weight of "+componentName(names, k))
		graphic = append(graphic, l.image(k, g, v, purples, 0, 1))
		l.fill(k)
		if centres != nil {
			var others, own []pt
			for j := range K {
				if j == k {
					own = append(own, xy(centres, j, l.dec()))
				} else {
					others = append(others, xy(centres, j, l.dec()))
				}
			}
			c.series(map[string]any{"type": "scatter", "name": "other centres", "xAxisIndex": k, "yAxisIndex": k,
				"data": others, "symbol": "diamond", "symbolSize": 10, "itemStyle": map[string]any{"color": "#111111"}, "z": 4})
			c.series(map[string]any{"type": "scatter", "name": "this centre", "xAxisIndex": k, "yAxisIndex": k,
				"data": own, "symbol": "diamond", "symbolSize": 13,
				"itemStyle": map[string]any{"color": "#ff7f0e", "borderColor": "#111111", "borderWidth": 1}, "z": 5})
		}
	}
	l.apply(c, titles, xName, yName)
	c.set("graphic", append(graphic, l.colorbar(purples, 0, 1, "πᵢ(x)", 0)...))
	var legend []string
	if centres != nil {
		legend = []string{"this centre", "other centres"}
	}
	c.setLegend(legend)
	return c
}
