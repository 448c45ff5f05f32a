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
	const h, gapX, gapY, left = 250, 80, 80, 70
	w := 360
	if len(panels) == 1 {
		w = 520 // room for the legend above a lone panel
	}
	cols := min(len(panels), 3)
	rows := (len(panels) + cols - 1) / cols
	width := left + cols*w + (cols-1)*gapX + 30
	// A legend too long for one row wraps: the panels move down by the
	// extra rows, so the legend never covers a panel's title.
	top := titleRoom + panelTitle + 6 + legendRowHeight*(legendRows(seriesNames(panels), width)-1)
	c := newChart(title, width, top+rows*h+(rows-1)*gapY+50)
	var grids []opts.Grid
	var xs, ys, ts []any
	ts = append(ts, map[string]any{"text": title, "left": "center", "top": 6})
	var legend []string
	colors := map[string]string{}
	anyLog := false
	for i, p := range panels {
		if p.XName == "" || p.YName == "" {
			panic(fmt.Sprintf("viz.Lines: panel %d (%q) needs both axis names, got x %q and y %q", i, p.Title, p.XName, p.YName))
		}
		x, y := left+(i%cols)*(w+gapX), top+(i/cols)*(h+gapY)
		grids = append(grids, opts.Grid{Left: px(x), Top: px(y), Width: px(w), Height: px(h)})
		xlo, xhi := math.Inf(1), math.Inf(-1)
		ylo, yhi := math.Inf(1), math.Inf(-1) // of log10 y, for LogY
		for si, s := range p.Series {
			if len(s.X) != len(s.Y) {
				panic(fmt.Sprintf("viz.Lines: panel %d series %d (%s) has %d x and %d y", i, si, s.Name, len(s.X), len(s.Y)))
			}
			data := make([][2]num, len(s.X))
			for k := range s.X {
				yv := s.Y[k]
				if p.LogY {
					// Drawn as log10 y on a value axis labelled 10^k:
					// echarts' log axis writes 0.0000000001 in full.
					yv = math.Log10(yv)
					if math.IsNaN(yv) || math.IsInf(yv, 0) {
						yv = math.NaN()
					} else {
						ylo, yhi = math.Min(ylo, yv), math.Max(yhi, yv)
					}
				}
				xv := s.X[k]
				if p.LogX {
					xv = math.Log10(xv)
					if math.IsNaN(xv) || math.IsInf(xv, 0) {
						xv = math.NaN()
					}
				}
				data[k] = [2]num{num(xv), num(yv)}
				if !math.IsNaN(xv) {
					xlo, xhi = math.Min(xlo, xv), math.Max(xhi, xv)
				}
			}
			col, ok := colors[s.Name]
			if !ok {
				col = palette[len(colors)%len(palette)]
				colors[s.Name] = col
				legend = append(legend, s.Name)
			}
			ls := map[string]any{"color": col, "width": 2}
			if s.Dashed {
				ls["type"], ls["width"] = "dashed", 2.5
			}
			if s.Scatter {
				c.series(map[string]any{
					"type": "scatter", "name": s.Name, "xAxisIndex": i, "yAxisIndex": i, "data": data,
					"symbolSize": 4, "itemStyle": map[string]any{"color": col, "opacity": 0.7},
				})
				continue
			}
			c.series(map[string]any{
				"type": "line", "name": s.Name, "xAxisIndex": i, "yAxisIndex": i, "data": data,
				"showSymbol": s.Marks, "symbolSize": 6, "smooth": false, "connectNulls": false, "z": 2 + btoi(s.Dashed),
				"lineStyle": ls, "itemStyle": map[string]any{"color": col},
			})
		}
		xa := map[string]any{"type": "value", "gridIndex": i, "name": p.XName, "nameLocation": "middle", "nameGap": 28, "scale": true,
			"axisLine": map[string]any{"onZero": false}}
		if xlo < xhi {
			xa["min"], xa["max"] = num(xlo), num(xhi)
			// An end of the data that is not a round number (a bin
			// centre, say) gets no label of its own: 0.01098 reads as noise.
			xa["axisLabel"] = map[string]any{"showMinLabel": round2(xlo), "showMaxLabel": round2(xhi)}
		}
		if p.LogX && xlo <= xhi {
			lo, hi := math.Floor(xlo), math.Ceil(xhi)
			if hi == lo {
				hi++
			}
			xa["scale"] = false
			xa["min"], xa["max"], xa["interval"] = lo, hi, 1.0
			xa["axisLabel"] = map[string]any{"formatter": "10{e|{value}}",
				"rich": map[string]any{"e": map[string]any{"fontSize": 9, "verticalAlign": "bottom", "padding": []int{0, 0, 7, 0}}}}
			xa["nameGap"] = 32
			anyLog = true
		}
		ya := map[string]any{"type": "value", "gridIndex": i, "name": p.YName, "nameLocation": "middle", "nameGap": 48, "scale": true,
			"axisLine": map[string]any{"onZero": false}}
		if p.LogY && ylo <= yhi {
			lo, hi := math.Floor(ylo), math.Ceil(yhi)
			if hi == lo {
				hi++
			}
			step := math.Ceil((hi - lo) / 6) // at most 7 labels
			hi = lo + step*math.Ceil((hi-lo)/step)
			ya["scale"] = false
			ya["min"], ya["max"] = lo, hi
			ya["interval"] = step
			ya["axisLabel"] = map[string]any{"formatter": "10{e|{value}}",
				"rich": map[string]any{"e": map[string]any{"fontSize": 9, "verticalAlign": "bottom", "padding": []int{0, 0, 7, 0}}}}
			ya["nameGap"] = 40
			anyLog = true
		}
		xs, ys = append(xs, xa), append(ys, ya)
		if p.Title != "" {
			ts = append(ts, map[string]any{"text": p.Title, "left": x + w/2, "top": y - panelTitle - 4, "textAlign": "center",
				"textStyle": map[string]any{"fontSize": 13, "fontWeight": "normal"}})
		}
	}
	c.base.SetGlobalOptions(charts.WithGridOpts(grids...))
	c.set("xAxis", xs)
	c.set("yAxis", ys)
	c.set("title", ts)
	c.set("legend", map[string]any{"data": legend, "top": 30})
	if anyLog {
		// The tooltip would show log10 values; the axes say enough.
		c.set("tooltip", map[string]any{"show": false})
	} else {
		c.set("tooltip", map[string]any{"trigger": "axis"})
	}
	return c
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
	var names []string
	seen := map[string]bool{}
	for _, p := range panels {
		for _, s := range p.Series {
			if !seen[s.Name] {
				seen[s.Name] = true
				names = append(names, s.Name)
			}
		}
	}
	return names
}
