// Trajectories of many particles: drawn as paths, or animated over steps
// with an echarts timeline (a raw option key go-echarts lacks).

package viz

import (
	"fmt"
	"math"
	"strconv"
)

// Run is the record of one sampler (or of the forward process) on n
// particles: Steps[s] holds the n points after step s, row-major, with
// Steps[0] the start. Every step has the same number of points.
type Run struct {
	Name   string
	Steps  [][]float64
	Labels []int     // class of each particle, or nil
	Times  []float64 // optional time of each step, shown on the timeline as "t = ..."
	// Train, when set, are the training points of this run's panel (in
	// place of TrajOpts.Train).
	Train []float64
}

// train returns the training points of run r's panel.
func (r Run) train(o TrajOpts) []float64 {
	if r.Train != nil {
		return r.Train
	}
	return o.Train
}

// TrajOpts are the options of Paths and Animate. Zero values take the
// defaults, chosen so a page holds no more data than a reader can see.
type TrajOpts struct {
	Classes   []string  // class names by label
	Train     []float64 // training points drawn under the particles
	MaxFrames int       // animation frames; 0: 30 (steps are subsampled evenly, last one kept)
	MaxMoving int       // particles animated; 0: 500 (taken evenly over the particles)
	MaxPaths  int       // particles drawn as paths; 0: 200 (taken evenly over the particles)
	MaxSteps  int       // points per path; 0: 60
	Cols      int       // panels per row; 0: 3
}

func (o TrajOpts) orDefault() TrajOpts {
	if o.MaxFrames <= 0 {
		o.MaxFrames = 30
	}
	if o.MaxMoving <= 0 {
		o.MaxMoving = 500
	}
	if o.MaxPaths <= 0 {
		o.MaxPaths = 200
	}
	if o.MaxSteps <= 0 {
		o.MaxSteps = 60
	}
	if o.Cols <= 0 {
		o.Cols = 3
	}
	return o
}

func checkRuns(who string, runs []Run) {
	if len(runs) == 0 {
		panic(who + ": no runs")
	}
	for r, run := range runs {
		if len(run.Steps) == 0 {
			panic(fmt.Sprintf("%s: run %d (%s) has no steps", who, r, run.Name))
		}
		n := len(run.Steps[0])
		for s, p := range run.Steps {
			if len(p) != n {
				panic(fmt.Sprintf("%s: run %d (%s) step %d has %d coordinates, step 0 has %d", who, r, run.Name, s, len(p), n))
			}
		}
		checkPoints(fmt.Sprintf("%s: run %d (%s)", who, r, run.Name), run.Steps[0], run.Labels)
		if run.Times != nil && len(run.Times) != len(run.Steps) {
			panic(fmt.Sprintf("%s: run %d (%s) has %d times for %d steps", who, r, run.Name, len(run.Times), len(run.Steps)))
		}
	}
}

// pick returns m indices spread evenly over [0, n), first and last included.
func pick(n, m int) []int {
	if m >= n {
		m = n
	}
	idx := make([]int, m)
	for k := range m {
		if m == 1 {
			idx[k] = n - 1
		} else {
			idx[k] = int(math.Round(float64(k) * float64(n-1) / float64(m-1)))
		}
	}
	return idx
}

// runsExtent is the window of the runs: symmetric about the origin and
// holding the training points and every finite particle coordinate of
// every step, so no path leaves the panel (the course's particles start
// from N(0, I) and end on data centred near 0).
func runsExtent(runs []Run, train []float64) extent {
	m := 0.0
	grow := func(p []float64) {
		for _, v := range p {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				m = math.Max(m, math.Abs(v))
			}
		}
	}
	for _, r := range runs {
		for _, p := range r.Steps {
			grow(p)
		}
	}
	grow(train)
	for _, r := range runs {
		grow(r.Train)
	}
	if m == 0 {
		m = 1
	}
	var e extent
	e.add([]float64{-m, -m, m, m})
	return e
}

func trajLayout(runs []Run, o TrajOpts, right int) layout {
	side := 360
	if len(runs) > 1 {
		side = 300
	}
	return newLayout(len(runs), o.Cols, side, runsExtent(runs, o.Train), right)
}

// timeBands is the number of colours a path takes over its run, from
// timeMap's dark blue at the start to its orange at the end.
const timeBands = 4

var timeMap = arrowMap

// Paths draws each run's particles as paths coloured by time (dark blue
// at the start, orange at the end), with hollow grey circles at the
// starts and dots at the ends (one colour per class), one panel per run,
// side by side, all on one window symmetric about the origin.
func Paths(title string, runs []Run, o TrajOpts) *Chart {
	checkRuns("viz.Paths", runs)
	o = o.orDefault()
	l := trajLayout(runs, o, 90)
	c := newChart(title, l.width(), l.height())
	var titles, legend []string
	seen := map[string]bool{}
	addLegend := func(name string) {
		if !seen[name] {
			seen[name] = true
			legend = append(legend, name)
		}
	}
	dec, onePx := l.dec(), (l.w.x1-l.w.x0)/float64(l.side)
	for i, run := range runs {
		titles = append(titles, run.Name)
		if tp := run.train(o); len(tp) > 0 {
			c.series(trainSeries(i, tp, dec))
			addLegend(trainName)
		}
		n := len(run.Steps[0]) / 2
		steps := pick(len(run.Steps), o.MaxSteps)
		bands := make([][]any, timeBands)
		chosen := pick(n, o.MaxPaths)
		var starts []float64
		for _, k := range chosen {
			// A point within a pixel of the last one kept adds nothing
			// a reader can see; the last point is always kept.
			coords := make([]pt, 0, len(steps))
			band := make([]int, 0, len(steps))
			for j, s := range steps {
				q := xy(run.Steps[s], k, dec)
				if j > 0 && j < len(steps)-1 {
					last := coords[len(coords)-1]
					if math.Hypot(q.x-last.x, q.y-last.y) < onePx {
						continue
					}
				}
				coords = append(coords, q)
				band = append(band, min(timeBands-1, j*timeBands/max(1, len(steps)-1)))
			}
			// Cut the path where its band changes; each piece starts
			// where the previous one ended, so the path stays whole.
			from := 0
			for j := 1; j < len(coords); j++ {
				if j == len(coords)-1 || band[j] != band[from] {
					b := band[from]
					bands[b] = append(bands[b], map[string]any{"coords": append([]pt(nil), coords[from:j+1]...)})
					from = j
				}
			}
			starts = append(starts, run.Steps[0][2*k], run.Steps[0][2*k+1])
		}
		for b := range timeBands {
			if len(bands[b]) == 0 {
				continue
			}
			c.series(map[string]any{
				"type": "lines", "name": "paths", "coordinateSystem": "cartesian2d", "xAxisIndex": i, "yAxisIndex": i,
				"polyline": true, "silent": true, "z": 3, "data": bands[b], "clip": true,
				"large": true, "largeThreshold": 100, // one path per series: fast with many particles
				"lineStyle": map[string]any{"color": hex(timeMap.at((float64(b) + 0.5) / timeBands)), "width": 1, "opacity": 0.6},
			})
		}
		c.series(map[string]any{
			"type": "scatter", "name": "starts", "xAxisIndex": i, "yAxisIndex": i, "data": points(starts, dec),
			"symbolSize": 4, "itemStyle": map[string]any{"color": "rgba(0,0,0,0)", "borderColor": "#666666", "borderWidth": 0.8},
			"z": 4, "silent": true, "large": false,
		})
		addLegend("starts")
		end := make([]float64, 0, 2*len(chosen))
		var endLabels []int
		last := run.Steps[len(run.Steps)-1]
		for _, k := range chosen {
			end = append(end, last[2*k], last[2*k+1])
			if run.Labels != nil {
				endLabels = append(endLabels, run.Labels[k])
			}
		}
		for _, s := range classSeries(i, end, endLabels, o.Classes, dec) {
			if run.Labels == nil {
				s["name"] = "ends"
				s["itemStyle"] = map[string]any{"color": "#111111"}
			}
			s["symbolSize"] = 5
			s["z"] = 6
			c.series(s)
			addLegend(s["name"].(string))
		}
	}
	l.apply(c, titles, xName, yName)
	c.set("graphic", l.timebar("time"))
	c.set("legend", map[string]any{"data": legend, "top": 30})
	return c
}

// points returns the row-major batch p as points with d decimals.
func points(p []float64, d int) []pt {
	out := make([]pt, len(p)/2)
	for k := range out {
		out[k] = xy(p, k, d)
	}
	return out
}

// timebar is the colour bar of the paths' time bands, start at the top.
func (l layout) timebar(name string) []any {
	g := l.colorbar(timeMap, 0, 1, name, timeBands)
	relabel(g, "end", "", "start") // the bar's top colour is the end
	return g
}

// Animate shows each run's particles moving over the steps, one panel per
// run, driven by one timeline (play, pause, drag). Runs of different
// lengths advance in proportion: frame f shows the step at the same
// fraction of each run.
func Animate(title string, runs []Run, o TrajOpts) *Chart {
	checkRuns("viz.Animate", runs)
	o = o.orDefault()
	l := trajLayout(runs, o, 0)
	const timelineRoom = 64
	c := newChart(title, l.width(), l.height()+timelineRoom)
	frames := 0
	for _, r := range runs {
		frames = max(frames, min(len(r.Steps), o.MaxFrames))
	}
	at := func(r Run, f int) int { // step of run r shown in frame f
		if frames == 1 {
			return len(r.Steps) - 1
		}
		return int(math.Round(float64(f) * float64(len(r.Steps)-1) / float64(frames-1)))
	}
	var titles, legend []string
	seen := map[string]bool{}
	for i, run := range runs {
		titles = append(titles, run.Name)
		if tp := run.train(o); len(tp) > 0 {
			c.series(trainSeries(i, tp, l.dec()))
			if !seen[trainName] {
				seen[trainName] = true
				legend = append(legend, trainName)
			}
		}
	}
	// Moving series follow the static ones, so frame options can address
	// them by position after a run of empty placeholders.
	static := len(c.raw.series)
	frameData := make([][]any, frames)
	for i, run := range runs {
		idx := pick(len(run.Steps[0])/2, o.MaxMoving)
		var labels []int
		if run.Labels != nil {
			labels = make([]int, len(idx))
			for j, k := range idx {
				labels[j] = run.Labels[k]
			}
		}
		for f := range frames {
			step := run.Steps[at(run, f)]
			p := make([]float64, 0, 2*len(idx))
			for _, k := range idx {
				p = append(p, step[2*k], step[2*k+1])
			}
			for _, s := range classSeries(i, p, labels, o.Classes, l.dec()) {
				if f == 0 {
					s["animationDurationUpdate"] = 250
					s["animationEasingUpdate"] = "linear"
					if run.Labels == nil {
						s["name"] = "particles"
					}
					s["large"] = false // large mode does not animate
					c.series(s)
					if name := s["name"].(string); !seen[name] {
						seen[name] = true
						legend = append(legend, name)
					}
				}
				frameData[f] = append(frameData[f], map[string]any{"data": s["data"]})
			}
		}
	}
	var options []any
	var names []string
	for f := range frames {
		series := make([]any, 0, static+len(frameData[f]))
		for range static {
			series = append(series, map[string]any{})
		}
		series = append(series, frameData[f]...)
		options = append(options, map[string]any{"series": series})
		names = append(names, frameName(runs[0], at(runs[0], f), false))
	}
	// Every frame needs its own label: times that repeat (a sampler that
	// records no time, a time rounded to 4 digits) give way to steps.
	if !distinct(names) {
		for f := range names {
			names[f] = frameName(runs[0], at(runs[0], f), true)
		}
	}
	l.apply(c, titles, xName, yName)
	c.set("legend", map[string]any{"data": legend, "top": 30})
	c.set("timeline", map[string]any{
		"axisType": "category", "data": names, "autoPlay": true, "loop": true, "playInterval": 400,
		"left": 70, "right": 70, "bottom": 12, "label": map[string]any{"fontSize": 10},
	})
	c.set("options", options)
	c.set("animation", true)
	c.set("animationDuration", 0) // frame 0 appears at once; later frames move
	return c
}

// frameName labels step s of run r on a timeline: its time "t = ..." when
// the run has times (and steps is false), else "step s".
func frameName(r Run, s int, steps bool) string {
	if r.Times != nil && !steps {
		return "t = " + strconv.FormatFloat(r.Times[s], 'g', 4, 64)
	}
	return fmt.Sprintf("step %d", s)
}

func distinct(names []string) bool {
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			return false
		}
		seen[n] = true
	}
	return true
}
