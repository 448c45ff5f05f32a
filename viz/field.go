// Vector fields (quiver plots) and posterior weights over the plane.

package viz

import (
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
	// The window holds the arrows that start on the border: one grid
	// spacing beyond the nodes.
	h := math.Min((g.X1-g.X0)/float64(g.NX-1), (g.Y1-g.Y0)/float64(g.NY-1))
	var e extent
	e.addGrid(g)
	e.add([]float64{g.X0 - h, g.Y0 - h, g.X1 + h, g.Y1 + h})
	e.add(o.Train)
	e.add(o.Marks)
	cols := o.Cols
	if cols <= 0 {
		cols = min(4, len(fields))
	}
	side := o.Side
	if side <= 0 {
		switch {
		case len(fields) == 1:
			side = 480
		case min(cols, len(fields)) >= 4:
			side = 240 // four in a row and the colour bar fit 1 280 px
		default:
			side = 300
		}
	}
	l := newLayout(len(fields), cols, side, e, 90)
	c := newChart(title, l.width(), l.height())
	d := l.dec()

	maxOf := func(v []float64) float64 {
		m := 0.0
		for k := 0; k < len(v); k += 2 {
			if n := math.Hypot(v[k], v[k+1]); !math.IsNaN(n) && !math.IsInf(n, 0) {
				m = math.Max(m, n)
			}
		}
		return m
	}
	shared := 0.0
	for _, f := range fields {
		shared = math.Max(shared, maxOf(f.V))
	}
	trainLabel := o.TrainName
	if trainLabel == "" {
		trainLabel = trainName
	}
	marksLabel := o.MarksName
	if marksLabel == "" {
		marksLabel = "marks"
	}
	var titles []string
	var graphics []any
	// Each arrow is one polyline, tail to tip and the two strokes of its
	// head, computed in data space (equal scale keeps the head's shape).
	// Arrows go into one series per colour band, drawn in large mode: a
	// few paths instead of thousands of elements.
	const bands = 8
	p := g.Points()
	headLen := 0.3 * h
	cs, sn := math.Cos(0.45), math.Sin(0.45) // head half-angle about 26 degrees
	for i, f := range fields {
		v := f.V
		maxLen := shared
		t := f.Title
		if o.PerPanel {
			maxLen = maxOf(v)
			t = strings.TrimSpace(fmt.Sprintf("%s (longest %s)", t, fmtNum(maxLen)))
		}
		titles = append(titles, t)
		data := make([][]any, bands)
		for k := 0; k < len(v); k += 2 {
			n := math.Hypot(v[k], v[k+1])
			if !(n > 0) || math.IsInf(n, 0) {
				continue
			}
			s := 0.9 * h / maxLen
			if o.Unit {
				s = 0.8 * h / n
			}
			x, y := p[k], p[k+1]
			tx, ty := x+s*v[k], y+s*v[k+1]
			hl := math.Min(headLen, 0.45*s*n)
			ux, uy := -v[k]/n*hl, -v[k+1]/n*hl // from the tip back along the shaft
			lx, ly := ux*cs-uy*sn, ux*sn+uy*cs
			rx, ry := ux*cs+uy*sn, -ux*sn+uy*cs
			b := min(bands-1, int(n/maxLen*bands))
			data[b] = append(data[b], map[string]any{"coords": []pt{
				{x, y, d}, {tx, ty, d}, {tx + lx, ty + ly, d}, {tx, ty, d}, {tx + rx, ty + ry, d},
			}})
		}
		if f.Bg != nil {
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, x := range f.Bg {
				if !math.IsNaN(x) && !math.IsInf(x, 0) {
					lo, hi = math.Min(lo, x), math.Max(hi, x)
				}
			}
			banded := make([]float64, len(f.Bg))
			for k, x := range f.Bg {
				b := math.Floor(norm(x, lo, hi) * contourBands)
				banded[k] = math.Min(b, contourBands-1) / (contourBands - 1)
			}
			graphics = append(graphics, l.image(i, f.BgGrid, banded, greys, 0, 1))
			l.fill(i)
		}
		if len(o.Train) > 0 {
			ts := trainSeries(i, o.Train, d)
			ts["name"] = trainLabel
			c.series(ts)
		}
		if len(o.Marks) > 0 {
			c.series(map[string]any{"type": "scatter", "name": marksLabel, "xAxisIndex": i, "yAxisIndex": i,
				"data": points(o.Marks, d), "symbol": "diamond", "symbolSize": 11, "z": 6,
				"itemStyle": map[string]any{"color": "#ff7f0e", "borderColor": "#111111", "borderWidth": 1}})
		}
		for b := range bands {
			if len(data[b]) == 0 {
				continue
			}
			c.series(map[string]any{
				"type": "lines", "name": "field", "coordinateSystem": "cartesian2d", "xAxisIndex": i, "yAxisIndex": i,
				"polyline": true, "large": true, "largeThreshold": 100, "silent": true, "z": 3,
				"lineStyle": map[string]any{"width": 1.3, "opacity": 1, "color": hex(arrowMap.at((float64(b) + 0.5) / bands))},
				"data":      data[b],
			})
		}
	}
	l.apply(c, titles, xName, yName)
	label := o.Label
	if label == "" {
		label = "|v|"
	}
	bar := l.colorbar(arrowMap, 0, shared, label, bands)
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
	if len(legend) > 0 {
		c.set("legend", map[string]any{"data": legend, "top": 30})
	} else {
		c.set("legend", map[string]any{"show": false})
	}
	return c
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
		name := fmt.Sprintf("x⁽%d⁾", k+1)
		if k < len(names) {
			name = names[k]
		}
		titles = append(titles, "weight of "+name)
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
	if centres != nil {
		c.set("legend", map[string]any{"data": []string{"this centre", "other centres"}, "top": 30})
	} else {
		c.set("legend", map[string]any{"show": false})
	}
	return c
}
