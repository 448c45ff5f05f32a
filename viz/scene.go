// Scenes of the plane: samples coloured by class over training points and a
// density; densities on a grid; small multiples such as a guidance sweep.

package viz

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Scene is what one panel of the plane shows; every part is optional.
type Scene struct {
	Title string // the panel's title (small multiples)

	// Density holds one value per node of Grid (see Grid for the order),
	// drawn as an image behind everything else.
	Grid    Grid
	Density []float64

	// Train holds training points, drawn as small dark dots above the
	// samples, or as hollow black rings when there are at most 50 (the
	// atoms of a delta mixture), so that samples on them stay visible.
	Train []float64

	// Points holds samples, coloured by Labels (nil: one colour).
	Points []float64
	Labels []int
}

// PlaneOpts are the options of Plane.
type PlaneOpts struct {
	Classes      []string // class names by label; nil: "class 0", "class 1", ...
	Cols         int      // panels per row; 0: 3
	DensityLabel string   // colour bar title; "": "density"
	LogDensity   bool     // colour by log density, over the top 12 nats
	PerPanel     bool     // scale each panel's density to its own maximum (no colour bar)
	Side         int      // panel side in pixels; 0: 360 for one panel, 230 for four or more in a row, else 280
	TrainName    string   // legend name of the scenes' Train points; "": "training data"
}

// Samples draws one scene: samples coloured by class, training points and
// the true density behind.
func Samples(title string, s Scene, classes []string) *Chart {
	return Plane(title, []Scene{s}, PlaneOpts{Classes: classes})
}

// Density draws values on a grid (a density of q_t, exact or implied by a
// model) as a heat map with a colour bar named label.
func Density(title string, g Grid, values []float64, label string) *Chart {
	return Plane(title, []Scene{{Grid: g, Density: values}}, PlaneOpts{DensityLabel: label})
}

// GuidanceSweep draws one panel per guidance scale gamma: small multiples
// of the samples drawn with gammas[i] in scenes[i].
func GuidanceSweep(title string, gammas []float64, scenes []Scene, classes []string) *Chart {
	if len(gammas) != len(scenes) {
		panic(fmt.Sprintf("viz.GuidanceSweep: %d gammas for %d scenes", len(gammas), len(scenes)))
	}
	s := append([]Scene(nil), scenes...)
	for i := range s {
		s[i].Title = fmt.Sprintf("γ = %g", gammas[i])
	}
	return Plane(title, s, PlaneOpts{Classes: classes, Cols: 4, Side: 220})
}

// Plane draws scenes as small multiples sharing one window of the plane,
// with equal scale on both axes.
func Plane(title string, scenes []Scene, o PlaneOpts) *Chart {
	if len(scenes) == 0 {
		panic("viz.Plane: no scenes")
	}
	v := viewScenes(scenes, o.LogDensity)
	cm := viridis
	if v.anyPoints {
		cm = greys
	}
	// A density drawn alone gets a colour bar: one scale for all panels,
	// or, PerPanel, 0 to each panel's peak (written in its title).
	bar := v.anyDensity && !v.anyPoints
	l := planeLayout(len(scenes), o, v.e, bar)
	c := newChart(title, l.width(), l.height())
	var titles []string
	var graphic []any
	var legend legendNames
	for i, s := range scenes {
		t := s.Title
		if s.Density != nil {
			d, lo, hi := s.Density, v.lo, v.hi
			if o.LogDensity {
				d = logValues(d)
			}
			if o.PerPanel {
				lo, hi = densityRange(s.Density, o.LogDensity)
				if bar {
					t = strings.TrimSpace(fmt.Sprintf("%s (peak %s)", t, fmtNum(hi)))
				}
			}
			graphic = append(graphic, l.image(i, s.Grid, d, cm, lo, hi))
			l.fill(i)
		}
		titles = append(titles, t)
		for _, ps := range pointSeries(i, s, o, l.dec()) {
			c.series(ps)
			legend.add(ps["name"].(string))
		}
	}
	if bar {
		graphic = append(graphic, densityBar(l, cm, v.lo, v.hi, o)...)
	}
	l.apply(c, titles, xName, yName)
	if len(graphic) > 0 {
		c.set("graphic", graphic)
	}
	c.setLegend(legend.names)
	c.set("tooltip", map[string]any{"trigger": "item"})
	return c
}

// sceneView is what the scenes of a Plane hold together: their window,
// the colour range of their densities and which kinds of data they show.
type sceneView struct {
	e                     extent
	lo, hi                float64 // colour range of all densities
	anyPoints, anyDensity bool    // samples (or many training points), densities
}

// viewScenes checks the scenes and returns their view; log selects the
// range of the log densities.
func viewScenes(scenes []Scene, log bool) sceneView {
	v := sceneView{lo: math.Inf(1), hi: math.Inf(-1)}
	for i, s := range scenes {
		who := fmt.Sprintf("viz.Plane: scene %d", i)
		checkPoints(who+" Points", s.Points, s.Labels)
		checkPoints(who+" Train", s.Train, nil)
		v.e.add(s.Points)
		v.e.add(s.Train)
		v.anyPoints = v.anyPoints || len(s.Points) > 0 || len(s.Train) > 50
		if s.Density != nil {
			s.Grid.checkValues(who+" Density", s.Density, 1)
			v.e.addGrid(s.Grid)
			v.anyDensity = true
			l, h := densityRange(s.Density, log)
			v.lo, v.hi = math.Min(v.lo, l), math.Max(v.hi, h)
		}
	}
	return v
}

// planeLayout places n panels of a Plane showing the window e, with room
// for a colour bar when bar is set.
func planeLayout(n int, o PlaneOpts, e extent, bar bool) layout {
	cols := o.Cols
	if cols <= 0 {
		cols = 3
	}
	// 360 px alone; four or more in a row at 230 px fit 1 200 px.
	side := panelSide(o.Side, n, cols, 360, 230, 280)
	right := 0
	if bar {
		right = 90
	}
	return newLayout(n, cols, side, e, right)
}

// pointSeries returns the series of scene s's points in panel i: its
// training points, then its samples, one series per class.
func pointSeries(i int, s Scene, o PlaneOpts, d int) []map[string]any {
	var out []map[string]any
	if len(s.Train) > 0 {
		ts := trainSeries(i, s.Train, d)
		if o.TrainName != "" {
			ts["name"] = o.TrainName
		}
		out = append(out, ts)
	}
	return append(out, classSeries(i, s.Points, s.Labels, o.Classes, d)...)
}

// densityBar is the colour bar of the densities of a Plane, from lo to hi
// (PerPanel: labelled relative to each panel's peak).
func densityBar(l layout, cm colormap, lo, hi float64, o PlaneOpts) []any {
	name := o.DensityLabel
	if name == "" {
		name = "density"
	}
	if o.LogDensity {
		name = "log " + name
	}
	cb := l.colorbar(cm, lo, hi, name, 0)
	if o.PerPanel {
		relabel(cb, "peak", "peak / 2", "0")
		if o.LogDensity {
			relabel(cb, "peak", "peak − 6", "peak − 12")
		}
	}
	return cb
}

const trainName = "training data"

// relabel replaces the top, middle and bottom labels of a colour bar.
func relabel(bar []any, top, mid, bottom string) {
	for k, text := range []string{top, mid, bottom} {
		bar[2+k].(map[string]any)["style"].(map[string]any)["text"] = text
	}
}

// densityRange returns the colour range of density values: [0, max], or
// the top 12 nats of the log density.
func densityRange(v []float64, log bool) (lo, hi float64) {
	hi = math.Inf(-1)
	for _, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			hi = math.Max(hi, x)
		}
	}
	if math.IsInf(hi, -1) {
		return 0, 1
	}
	if log {
		h := math.Log(hi)
		return h - 12, h
	}
	return 0, hi
}

func logValues(v []float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = math.Log(x)
	}
	return out
}

func checkPoints(who string, p []float64, labels []int) {
	if len(p)%2 != 0 {
		panic(fmt.Sprintf("%s: odd length %d, want pairs (x1, x2)", who, len(p)))
	}
	if labels != nil && len(labels) != len(p)/2 {
		panic(fmt.Sprintf("%s: %d labels for %d points", who, len(labels), len(p)/2))
	}
}

// trainSeries draws training points in panel i.
func trainSeries(i int, p []float64, d int) map[string]any {
	n := len(p) / 2
	data := make([]pt, n)
	for k := range n {
		data[k] = xy(p, k, d)
	}
	// Drawn above the samples, small and dark, so that samples do not
	// hide them; a few atoms as hollow rings, so that samples sitting
	// exactly on them still show inside.
	s := map[string]any{
		"type": "scatter", "name": trainName, "xAxisIndex": i, "yAxisIndex": i, "data": data,
		"symbolSize": 2.5, "itemStyle": map[string]any{"color": "#333333", "opacity": 0.7}, "z": 5,
		"large": n > 2000, "silent": n > 2000,
	}
	if n <= 50 {
		s["symbol"], s["symbolSize"] = "circle", 14
		s["itemStyle"] = map[string]any{"color": "rgba(0,0,0,0)", "borderColor": "#111111", "borderWidth": 1.6}
		s["z"] = 5
	}
	return s
}

// className names class k.
func className(classes []string, k int) string {
	if k >= 0 && k < len(classes) {
		return classes[k]
	}
	return fmt.Sprintf("class %d", k)
}

func classColor(k int) string {
	if k < 0 {
		return "#444444"
	}
	return palette[k%len(palette)]
}

// classSeries splits points by label into one scatter series per class in
// panel i, in label order.
func classSeries(i int, p []float64, labels []int, classes []string, d int) []map[string]any {
	n := len(p) / 2
	if n == 0 {
		return nil
	}
	by := map[int][]pt{}
	var keys []int
	for k := range n {
		lab := -1
		if labels != nil {
			lab = labels[k]
		}
		if _, ok := by[lab]; !ok {
			keys = append(keys, lab)
		}
		by[lab] = append(by[lab], xy(p, k, d))
	}
	slices.Sort(keys)
	var out []map[string]any
	for _, lab := range keys {
		name := "samples"
		if labels != nil {
			name = className(classes, lab)
		}
		color := classColor(lab)
		if labels == nil {
			color = palette[0]
		}
		out = append(out, map[string]any{
			"type": "scatter", "name": name, "xAxisIndex": i, "yAxisIndex": i, "data": by[lab],
			"symbolSize": 4, "itemStyle": map[string]any{"color": color, "opacity": 0.75}, "z": 3, "clip": true,
			"large": len(by[lab]) > 2000,
		})
	}
	return out
}
