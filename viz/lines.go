// Curves: schedules, loss curves, error against t.

package viz

import (
	"fmt"
	"math"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Series is one curve y(x).
type Series struct {
	Name string
	X, Y []float64
	// Dashed draws the curve dashed (a reference: a bound, a floor, an
	// exact curve that another one may cover).
	Dashed bool
	// Marks draws a dot at each point (few points, measured values).
	Marks bool
	// Scatter draws the points as dots without a line.
	Scatter bool
}

// LinePanel is one panel of curves with named axes.
type LinePanel struct {
	Title        string
	XName, YName string
	LogY         bool // logarithmic y axis labelled 10^k (values <= 0 are left out)
	LogX         bool // logarithmic x axis labelled 10^k (values <= 0 are left out)
	Series       []Series
}

// Lines draws panels of curves side by side (at most 3 per row). A
// series name that recurs across panels keeps one colour and one legend
// entry.
func Lines(title string, panels ...LinePanel) *Chart {
	if len(panels) == 0 {
		panic("viz.Lines: no panels")
	}
	legend := seriesNames(panels)
	colors := map[string]string{}
	for k, name := range legend {
		colors[name] = palette[k%len(palette)]
	}
	g := newLineGrid(panels, legend)
	c := newChart(title, g.width, g.height)
	var grids []opts.Grid
	var xs, ys, ts []any
	ts = append(ts, map[string]any{"text": title, "left": "center", "top": 6})
	anyLog := false
	for i, p := range panels {
		if p.XName == "" || p.YName == "" {
			panic(fmt.Sprintf("viz.Lines: panel %d (%q) needs both axis names, got x %q and y %q", i, p.Title, p.XName, p.YName))
		}
		x, y := g.corner(i)
		grids = append(grids, opts.Grid{Left: px(x), Top: px(y), Width: px(g.w), Height: px(lineH)})
		r := newCurveRange()
		for si, s := range p.Series {
			if len(s.X) != len(s.Y) {
				panic(fmt.Sprintf("viz.Lines: panel %d series %d (%s) has %d x and %d y", i, si, s.Name, len(s.X), len(s.Y)))
			}
			c.series(curveSeries(i, s, r.data(s, p.LogX, p.LogY), colors[s.Name]))
		}
		xa, xlog := r.xAxis(i, p)
		ya, ylog := r.yAxis(i, p)
		xs, ys = append(xs, xa), append(ys, ya)
		anyLog = anyLog || xlog || ylog
		if p.Title != "" {
			ts = append(ts, panelTitleText(p.Title, x+g.w/2, y-panelTitle-4))
		}
	}
	c.base.SetGlobalOptions(charts.WithGridOpts(grids...))
	c.set("xAxis", xs)
	c.set("yAxis", ys)
	c.set("title", ts)
	c.set("legend", legendOption(legend))
	if anyLog {
		// The tooltip would show log10 values; the axes say enough.
		c.set("tooltip", map[string]any{"show": false})
	} else {
		c.set("tooltip", map[string]any{"trigger": "axis"})
	}
	return c
}

// Sizes of a Lines chart in pixels: a panel's height, the gaps between
// panels and the room for the y axis on the left.
const lineH, lineGapX, lineGapY, lineLeft = 250, 80, 80, 70

// lineGrid places the panels of a Lines chart in rows of at most 3.
type lineGrid struct {
	w, cols       int // panel width, panels per row
	top           int // first row's top
	width, height int // the chart's
}

// newLineGrid places the panels below the legend.
func newLineGrid(panels []LinePanel, legend []string) lineGrid {
	g := lineGrid{w: 360, cols: min(len(panels), 3)}
	if len(panels) == 1 {
		g.w = 520 // room for the legend above a lone panel
	}
	rows := (len(panels) + g.cols - 1) / g.cols
	g.width = lineLeft + g.cols*g.w + (g.cols-1)*lineGapX + 30
	// A legend too long for one row wraps: the panels move down by the
	// extra rows, so the legend never covers a panel's title.
	g.top = titleRoom + panelTitle + 6 + legendRowHeight*(legendRows(legend, g.width)-1)
	g.height = g.top + rows*lineH + (rows-1)*lineGapY + 50
	return g
}

// corner returns the pixel position of panel i's top-left corner.
func (g lineGrid) corner(i int) (x, y int) {
	return lineLeft + (i%g.cols)*(g.w+lineGapX), g.top + (i/g.cols)*(lineH+lineGapY)
}

// curveRange is the range of a panel's drawn x values and, for LogY, of
// its log10 y values.
type curveRange struct{ xlo, xhi, ylo, yhi float64 }

// newCurveRange returns the empty range.
func newCurveRange() curveRange {
	return curveRange{math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)}
}

// data returns the points of s as drawn (log10 of a log axis's values,
// NaN where that is not finite) and grows r by them. A log axis is drawn
// as log10 values on a value axis labelled 10^k: echarts' log axis writes
// 0.0000000001 in full.
func (r *curveRange) data(s Series, logX, logY bool) [][2]num {
	data := make([][2]num, len(s.X))
	for k := range s.X {
		xv, yv := s.X[k], s.Y[k]
		if logY {
			yv = log10OrNaN(yv)
			if !math.IsNaN(yv) {
				r.ylo, r.yhi = math.Min(r.ylo, yv), math.Max(r.yhi, yv)
			}
		}
		if logX {
			xv = log10OrNaN(xv)
		}
		data[k] = [2]num{num(xv), num(yv)}
		if !math.IsNaN(xv) {
			r.xlo, r.xhi = math.Min(r.xlo, xv), math.Max(r.xhi, xv)
		}
	}
	return data
}

// log10OrNaN returns log10 x, or NaN where that is not finite (x <= 0).
func log10OrNaN(x float64) float64 {
	l := math.Log10(x)
	if math.IsNaN(l) || math.IsInf(l, 0) {
		return math.NaN()
	}
	return l
}

// curveSeries draws series s of panel i, its points data, in colour col.
func curveSeries(i int, s Series, data [][2]num, col string) map[string]any {
	if s.Scatter {
		return map[string]any{
			"type": "scatter", "name": s.Name, "xAxisIndex": i, "yAxisIndex": i, "data": data,
			"symbolSize": 4, "itemStyle": map[string]any{"color": col, "opacity": 0.7},
		}
	}
	ls := map[string]any{"color": col, "width": 2}
	if s.Dashed {
		ls["type"], ls["width"] = "dashed", 2.5
	}
	return map[string]any{
		"type": "line", "name": s.Name, "xAxisIndex": i, "yAxisIndex": i, "data": data,
		"showSymbol": s.Marks, "symbolSize": 6, "smooth": false, "connectNulls": false, "z": 2 + btoi(s.Dashed),
		"lineStyle": ls, "itemStyle": map[string]any{"color": col},
	}
}

// xAxis returns the x axis of panel i over the range r, and whether it is
// logarithmic.
func (r curveRange) xAxis(i int, p LinePanel) (map[string]any, bool) {
	a := valueAxis(i, p.XName, 28)
	if r.xlo < r.xhi {
		a["min"], a["max"] = num(r.xlo), num(r.xhi)
		// An end of the data that is not a round number (a bin
		// centre, say) gets no label of its own: 0.01098 reads as noise.
		a["axisLabel"] = map[string]any{"showMinLabel": round2(r.xlo), "showMaxLabel": round2(r.xhi)}
	}
	if !p.LogX || r.xlo > r.xhi {
		return a, false
	}
	lo, hi := decades(r.xlo, r.xhi)
	logAxis(a, lo, hi, 1, 32)
	return a, true
}

// yAxis returns the y axis of panel i over the range r, and whether it is
// logarithmic.
func (r curveRange) yAxis(i int, p LinePanel) (map[string]any, bool) {
	a := valueAxis(i, p.YName, 48)
	if !p.LogY || r.ylo > r.yhi {
		return a, false
	}
	lo, hi := decades(r.ylo, r.yhi)
	step := math.Ceil((hi - lo) / 6) // at most 7 labels
	hi = lo + step*math.Ceil((hi-lo)/step)
	logAxis(a, lo, hi, step, 40)
	return a, true
}

// valueAxis returns the axis named name of panel i, fitted to the data,
// its name gap pixels from the axis.
func valueAxis(i int, name string, gap int) map[string]any {
	return map[string]any{"type": "value", "gridIndex": i, "name": name, "nameLocation": "middle", "nameGap": gap, "scale": true,
		"axisLine": map[string]any{"onZero": false}}
}

// decades returns the whole decades around the log10 range [lo, hi]: at
// least one.
func decades(lo, hi float64) (float64, float64) {
	lo, hi = math.Floor(lo), math.Ceil(hi)
	if hi == lo {
		hi++
	}
	return lo, hi
}

// logAxis makes a an axis of log10 values from lo to hi, labelled 10^k
// every step, its name gap pixels from it.
func logAxis(a map[string]any, lo, hi, step float64, gap int) {
	a["scale"] = false
	a["min"], a["max"], a["interval"] = lo, hi, step
	a["axisLabel"] = map[string]any{"formatter": "10{e|{value}}",
		"rich": map[string]any{"e": map[string]any{"fontSize": 9, "verticalAlign": "bottom", "padding": []int{0, 0, 7, 0}}}}
	a["nameGap"] = gap
}

// ScheduleCurves are one noise schedule's curves over t (see toy.Schedule).
type ScheduleCurves struct {
	Name                   string
	T, Alpha, Beta, LogSNR []float64
}

// Schedules draws alpha_t, beta_t and log SNR(t) of one or more schedules
// in three panels.
func Schedules(title string, s ...ScheduleCurves) *Chart {
	var a, b, l []Series
	for _, c := range s {
		a = append(a, Series{Name: c.Name, X: c.T, Y: c.Alpha})
		b = append(b, Series{Name: c.Name, X: c.T, Y: c.Beta})
		l = append(l, Series{Name: c.Name, X: c.T, Y: c.LogSNR})
	}
	return Lines(title,
		LinePanel{Title: "cumulative signal level α_t", XName: "step t", YName: "α_t", Series: a},
		LinePanel{Title: "noise added per step β_t (log scale)", XName: "step t", YName: "β_t", LogY: true, Series: b},
		LinePanel{Title: "log signal-to-noise ratio", XName: "step t", YName: "log SNR(t)", Series: l},
	)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// round2 reports whether x has at most two significant digits.
func round2(x float64) bool {
	if x == 0 {
		return true
	}
	p := math.Pow(10, math.Floor(math.Log10(math.Abs(x)))-1)
	return math.Abs(x/p-math.Round(x/p)) < 1e-9
}

// seriesNames lists the panels' series names once each, in order of first
// appearance: the entries of the legend.
func seriesNames(panels []LinePanel) []string {
	var l legendNames
	for _, p := range panels {
		for _, s := range p.Series {
			l.add(s.Name)
		}
	}
	return l.names
}
