// Panels of the plane: square grids with equal scale on both axes, laid out
// as small multiples in one chart, with densities drawn as images behind.

package viz

import (
	"fmt"
	"math"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Grid is a regular lattice of NX by NY nodes over the rectangle
// [X0, X1] x [Y0, Y1]. Values on a grid are stored row by row from the
// bottom: node (i, j) at x = X0 + i (X1-X0)/(NX-1), y = Y0 + j (Y1-Y0)/(NY-1)
// has index j*NX + i, the order of Points.
type Grid struct {
	X0, X1, Y0, Y1 float64
	NX, NY         int
}

// Len returns the number of nodes, NX*NY.
func (g Grid) Len() int { return g.NX * g.NY }

// Points returns the nodes as a row-major batch of NX*NY points, ready for
// a density, a score or a denoiser to be evaluated on.
func (g Grid) Points() []float64 {
	g.check("viz.Grid.Points")
	p := make([]float64, 0, 2*g.Len())
	for j := range g.NY {
		for i := range g.NX {
			p = append(p, g.x(i), g.y(j))
		}
	}
	return p
}

func (g Grid) x(i int) float64 { return g.X0 + float64(i)*(g.X1-g.X0)/float64(g.NX-1) }
func (g Grid) y(j int) float64 { return g.Y0 + float64(j)*(g.Y1-g.Y0)/float64(g.NY-1) }

func (g Grid) check(who string) {
	if g.NX < 2 || g.NY < 2 || !(g.X1 > g.X0) || !(g.Y1 > g.Y0) {
		panic(fmt.Sprintf("%s: grid %+v needs NX, NY >= 2 and X1 > X0, Y1 > Y0", who, g))
	}
}

// checkValues panics unless v holds per values for each node of g.
func (g Grid) checkValues(who string, v []float64, per int) {
	g.check(who)
	if len(v) != per*g.Len() {
		panic(fmt.Sprintf("%s: %d values for a %dx%d grid, want %d", who, len(v), g.NX, g.NY, per*g.Len()))
	}
}

// extent is a window of the plane. Points are kept apart from grids: a
// window leaves a margin around points (so none sits on the frame) but
// ends exactly at a grid's edge.
type extent struct {
	x0, x1, y0, y1 float64
	ok             bool
	pts            *extent // extent of the points alone
}

// grow makes e hold (x, y).
func (e *extent) grow(x, y float64) {
	if !e.ok {
		e.x0, e.x1, e.y0, e.y1, e.ok = x, x, y, y, true
		return
	}
	e.x0, e.x1 = math.Min(e.x0, x), math.Max(e.x1, x)
	e.y0, e.y1 = math.Min(e.y0, y), math.Max(e.y1, y)
}

// add grows e to hold the finite points of p (row-major pairs).
func (e *extent) add(p []float64) {
	for i := 0; i+1 < len(p); i += 2 {
		x, y := p[i], p[i+1]
		if math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
			continue
		}
		if e.pts == nil {
			e.pts = &extent{}
		}
		e.pts.grow(x, y)
	}
}

// addGrid grows e to hold the nodes of g.
func (e *extent) addGrid(g Grid) {
	e.grow(g.X0, g.Y0)
	e.grow(g.X1, g.Y1)
}

// square returns a window with the same span on both axes that holds e,
// whose ends and tick step are round numbers: each axis runs from a
// multiple of step below its data to one above, and the shorter one is
// widened on both sides to the span of the longer.
func (e extent) square() (w extent, step float64) {
	if p := e.pts; p != nil {
		m := 0.03 * math.Max(p.x1-p.x0, p.y1-p.y0)
		e.grow(p.x0-m, p.y0-m)
		e.grow(p.x1+m, p.y1+m)
	}
	if !e.ok {
		e = extent{x0: -1, x1: 1, y0: -1, y1: 1, ok: true}
	}
	span := math.Max(e.x1-e.x0, e.y1-e.y0)
	if span == 0 {
		span = 2
		e.x0, e.x1, e.y0, e.y1 = e.x0-1, e.x1+1, e.y0-1, e.y1+1
	}
	// Of the round steps giving 4 to 10 ticks, take the one whose
	// rounded-out window is smallest (the coarser on a tie).
	var ax, ay float64
	n := 0
	best := math.Inf(1)
	for k := 4; k <= 10; k++ {
		st := niceStep(span / float64(k))
		bx, nx := roundOut(e.x0, e.x1, st)
		by, ny := roundOut(e.y0, e.y1, st)
		m := max(nx, ny)
		if w := float64(m) * st; w < best*(1-1e-9) {
			best, step, n = w, st, m
			ax = bx - float64((m-nx)/2)
			ay = by - float64((m-ny)/2)
		}
	}
	return extent{x0: ax * step, x1: (ax + float64(n)) * step, y0: ay * step, y1: (ay + float64(n)) * step, ok: true}, step
}

// roundOut returns the multiple a of step at or below lo and the number
// of steps from a*step to the first multiple at or above hi.
func roundOut(lo, hi, step float64) (a float64, n int) {
	a = math.Floor(lo/step + 1e-9)
	b := math.Ceil(hi/step - 1e-9)
	return a, max(1, int(b-a))
}

// niceStep returns 1, 2, 2.5 or 5 times a power of ten, at least s.
func niceStep(s float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(s)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= s*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// layout places n square panels of side pixels in rows of at most cols,
// all showing the same window w of the plane.
type layout struct {
	n, cols, rows int
	side          int // panel side in pixels
	left, top     int // first panel's corner
	gapX, gapY    int
	right         int // room on the right (colour bar)
	w             extent
	step          float64
	// filled marks panels covered by an image: their axes are drawn
	// above it, without grid lines.
	filled map[int]bool
}

const (
	titleRoom  = 64 // chart title and legend above the panels
	panelTitle = 22 // room for a panel's own title
)

// panelSide is the side of n panels in rows of cols: side when set, else
// one for a lone panel, four for four or more in a row, other otherwise.
func panelSide(side, n, cols, one, four, other int) int {
	switch {
	case side > 0:
		return side
	case n == 1:
		return one
	case min(cols, n) >= 4:
		return four
	default:
		return other
	}
}

func newLayout(n, cols, side int, e extent, right int) layout {
	if cols > n {
		cols = n
	}
	w, step := e.square()
	return layout{
		n: n, cols: cols, rows: (n + cols - 1) / cols, side: side,
		left: 64, top: titleRoom + panelTitle, gapX: 56, gapY: 48 + panelTitle,
		right: right, w: w, step: step,
	}
}

func (l layout) width() int {
	return l.left + l.cols*l.side + (l.cols-1)*l.gapX + 24 + l.right
}
func (l layout) height() int { return l.top + l.rows*l.side + (l.rows-1)*l.gapY + 48 }

// corner returns the pixel position of panel i's top-left corner.
func (l layout) corner(i int) (x, y int) {
	r, c := i/l.cols, i%l.cols
	return l.left + c*(l.side+l.gapX), l.top + r*(l.side+l.gapY)
}

// fill marks panel i as covered by an image.
func (l *layout) fill(i int) {
	if l.filled == nil {
		l.filled = map[int]bool{}
	}
	l.filled[i] = true
}

// dec returns the number of decimals that resolves a pixel of a panel.
func (l layout) dec() int {
	res := (l.w.x1 - l.w.x0) / float64(l.side)
	return min(10, max(0, int(math.Ceil(-math.Log10(res)))))
}

// toPx maps a point of the plane to pixels in panel i.
func (l layout) toPx(i int, x, y float64) (float64, float64) {
	cx, cy := l.corner(i)
	s := float64(l.side) / (l.w.x1 - l.w.x0)
	return float64(cx) + (x-l.w.x0)*s, float64(cy) + (l.w.y1-y)*s
}

// apply sets the grids, the axes and the titles of the panels on c.
func (l layout) apply(c *Chart, titles []string, xName, yName string) {
	var grids []opts.Grid
	var xs, ys []any
	var ts []any
	ts = append(ts, map[string]any{"text": c.Title, "left": "center", "top": 6})
	for i := range l.n {
		x, y := l.corner(i)
		grids = append(grids, opts.Grid{Left: px(x), Top: px(y), Width: px(l.side), Height: px(l.side)})
		axis := func(name string, lo, hi float64, loc string) map[string]any {
			// Grid lines every step of the window; labels and ticks at
			// the multiples of a coarser round step (at most about 7
			// labels), so 0 is labelled whenever it is in the window and
			// the labels are symmetric about it.
			labels := axisLabels(lo, hi, l.step)
			return map[string]any{
				"type": "value", "gridIndex": i, "min": num(lo), "max": num(hi), "interval": num(l.step),
				"axisLabel": map[string]any{"customValues": labels, "hideOverlap": true},
				"axisTick":  map[string]any{"customValues": labels},
				"name":      name, "nameLocation": "middle", "nameGap": 28, "position": loc,
				"splitLine": map[string]any{"show": !l.filled[i], "lineStyle": map[string]any{"color": "#eeeeee"}},
				"z":         2, // above a density image
				"axisLine":  map[string]any{"onZero": false},
			}
		}
		xs = append(xs, axis(xName, l.w.x0, l.w.x1, "bottom"))
		ys = append(ys, axis(yName, l.w.y0, l.w.y1, "left"))
		if i < len(titles) && titles[i] != "" {
			ts = append(ts, panelTitleText(titles[i], x+l.side/2, y-panelTitle))
		}
	}
	c.base.SetGlobalOptions(charts.WithGridOpts(grids...))
	c.set("xAxis", xs)
	c.set("yAxis", ys)
	c.set("title", ts)
}

// panelTitleText is a panel's title, centred on x with its top at y.
func panelTitleText(text string, x, y int) map[string]any {
	return map[string]any{
		"text": text, "left": x, "top": y, "textAlign": "center",
		"textStyle": map[string]any{"fontSize": 13, "fontWeight": "normal"},
	}
}

// axisLabels returns the label positions of an axis over [lo, hi] whose
// grid lines are step apart: the multiples of the smallest round multiple
// of step giving at most 7 labels.
func axisLabels(lo, hi, step float64) []num {
	tick := step
	for (hi-lo)/tick > 7.5 {
		tick = niceStep(tick * 1.5)
	}
	var out []num
	for k := math.Ceil(lo/tick - 1e-9); k*tick <= hi+1e-9*tick; k++ {
		v := k * tick
		if math.Abs(v) < 1e-9*tick {
			v = 0
		}
		out = append(out, num(v))
	}
	return out
}

// image returns a graphic element drawing the values v on grid g (per
// node, coloured by cm between lo and hi) in panel i of l. The image of
// NX by NY pixels is stretched over the rectangle of the nodes, so a
// pixel's centre sits up to half a grid cell from its node: invisible on
// the grids of 60 and more nodes a side the course uses.
func (l layout) image(i int, g Grid, v []float64, cm colormap, lo, hi float64) map[string]any {
	return l.imageAt(i, g, pngDataURL(g.NX, g.NY, func(i, j int) rgba { return cm.at(norm(v[j*g.NX+i], lo, hi)) }))
}

// imageAt returns a graphic element drawing the image img (a data URL)
// over the rectangle of grid g's nodes in panel i of l.
func (l layout) imageAt(i int, g Grid, img string) map[string]any {
	x0, y0 := l.toPx(i, g.X0, g.Y1)
	x1, y1 := l.toPx(i, g.X1, g.Y0)
	return map[string]any{
		"type": "image", "left": num(x0), "top": num(y0), "z": 1, "silent": true,
		"style": map[string]any{"image": img, "width": num(x1 - x0), "height": num(y1 - y0)},
	}
}

// colorbar returns the graphic elements of a vertical colour bar to the
// right of the panels, labelled with lo, hi and name; bands > 0 draws it
// in that many flat bands (for arrows coloured by band).
func (l layout) colorbar(cm colormap, lo, hi float64, name string, bands int) []any {
	x := l.left + l.cols*l.side + (l.cols-1)*l.gapX + 28
	y, h := l.top+20, min(l.side-40, 240)
	label := func(ty int, s string) map[string]any {
		return map[string]any{"type": "text", "left": x + 20, "top": ty - 7, "silent": true,
			"style": map[string]any{"text": s, "fontSize": 11, "fill": "#333"}}
	}
	return []any{
		map[string]any{"type": "text", "left": x - 4, "top": y - 22, "silent": true,
			"style": map[string]any{"text": name, "fontSize": 12, "fill": "#333"}},
		map[string]any{"type": "image", "left": x, "top": y, "silent": true,
			"style": map[string]any{
				"image": pngDataURL(1, 64, func(_, j int) rgba {
					if bands > 0 {
						return cm.at((float64(j*bands/64) + 0.5) / float64(bands))
					}
					return cm.at(float64(j) / 63)
				}),
				"width":  14,
				"height": h,
			}},
		label(y, fmtNum(hi)),
		label(y+h/2, fmtNum((lo+hi)/2)),
		label(y+h, fmtNum(lo)),
	}
}

func fmtNum(x float64) string { return fmt.Sprintf("%.3g", x) }

func norm(x, lo, hi float64) float64 {
	if !(hi > lo) {
		return 0
	}
	return (x - lo) / (hi - lo)
}

// axisNames are the names of the plane's coordinates.
const xName, yName = "x₁", "x₂"
