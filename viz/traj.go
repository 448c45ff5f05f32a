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
	var titles []string
	var legend legendNames
	dec, onePx := l.dec(), (l.w.x1-l.w.x0)/float64(l.side)
	for i, run := range runs {
		titles = append(titles, run.Name)
		if tp := run.train(o); len(tp) > 0 {
			c.series(trainSeries(i, tp, dec))
			legend.add(trainName)
		}
		steps := pick(len(run.Steps), o.MaxSteps)
		chosen := pick(len(run.Steps[0])/2, o.MaxPaths)
		bands := make([][]any, timeBands)
		for _, k := range chosen {
			coords, band := pathPoints(run, k, steps, dec, onePx)
			addPieces(bands, coords, band)
		}
		for _, s := range bandSeries(i, "paths", bands, timeMap, 1, 0.6) {
			s["clip"] = true
			c.series(s)
		}
		c.series(map[string]any{
			"type": "scatter", "name": "starts", "xAxisIndex": i, "yAxisIndex": i, "data": points(gather(run.Steps[0], chosen), dec),
			"symbolSize": 4, "itemStyle": map[string]any{"color": "rgba(0,0,0,0)", "borderColor": "#666666", "borderWidth": 0.8},
			"z": 4, "silent": true, "large": false,
		})
		legend.add("starts")
		end := gather(run.Steps[len(run.Steps)-1], chosen)
		for _, s := range classSeries(i, end, gatherLabels(run.Labels, chosen), o.Classes, dec) {
			if run.Labels == nil {
				s["name"] = "ends"
				s["itemStyle"] = map[string]any{"color": "#111111"}
			}
			s["symbolSize"] = 5
			s["z"] = 6
			c.series(s)
			legend.add(s["name"].(string))
		}
	}
	l.apply(c, titles, xName, yName)
	c.set("graphic", l.timebar("time"))
	c.set("legend", legendOption(legend.names))
	return c
}

// pathPoints returns the path of particle k of run over the given steps
// and the time band of each of its points. A point within a pixel (onePx)
// of the last one kept adds nothing a reader can see and is left out; the
// first and last points are always kept.
func pathPoints(run Run, k int, steps []int, dec int, onePx float64) ([]pt, []int) {
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
	return coords, band
}

// addPieces cuts a path where its time band changes and adds each piece
// to its band; each piece starts where the previous one ended, so the
// path stays whole.
func addPieces(bands [][]any, coords []pt, band []int) {
	from := 0
	for j := 1; j < len(coords); j++ {
		if j == len(coords)-1 || band[j] != band[from] {
			b := band[from]
			bands[b] = append(bands[b], map[string]any{"coords": append([]pt(nil), coords[from:j+1]...)})
			from = j
		}
	}
}

// gather returns the points idx of the row-major batch p.
func gather(p []float64, idx []int) []float64 {
	out := make([]float64, 0, 2*len(idx))
	for _, k := range idx {
		out = append(out, p[2*k], p[2*k+1])
	}
	return out
}

// gatherLabels returns the labels idx of labels, nil when labels is nil.
func gatherLabels(labels []int, idx []int) []int {
	if labels == nil {
		return nil
	}
	out := make([]int, len(idx))
	for j, k := range idx {
		out[j] = labels[k]
	}
	return out
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
	var titles []string
	var legend legendNames
	for i, run := range runs {
		titles = append(titles, run.Name)
		if tp := run.train(o); len(tp) > 0 {
			c.series(trainSeries(i, tp, l.dec()))
			legend.add(trainName)
		}
	}
	// Moving series follow the static ones, so frame options can address
	// them by position after a run of empty placeholders.
	static := len(c.raw.series)
	frameData := make([][]any, frames)
	for i, run := range runs {
		idx := pick(len(run.Steps[0])/2, o.MaxMoving)
		labels := gatherLabels(run.Labels, idx)
		for f := range frames {
			p := gather(run.Steps[frameStep(run, f, frames)], idx)
			for _, s := range classSeries(i, p, labels, o.Classes, l.dec()) {
				if f == 0 {
					c.series(movingSeries(s, run.Labels == nil))
					legend.add(s["name"].(string))
				}
				frameData[f] = append(frameData[f], map[string]any{"data": s["data"]})
			}
		}
	}
	l.apply(c, titles, xName, yName)
	c.set("legend", legendOption(legend.names))
	c.set("timeline", map[string]any{
		"axisType": "category", "data": frameNames(runs[0], frames), "autoPlay": true, "loop": true, "playInterval": 400,
		"left": 70, "right": 70, "bottom": 12, "label": map[string]any{"fontSize": 10},
	})
	c.set("options", frameOptions(static, frameData))
	c.set("animation", true)
	c.set("animationDuration", 0) // frame 0 appears at once; later frames move
	return c
}

// frameStep returns the step of run r shown in frame f of frames.
func frameStep(r Run, f, frames int) int {
	if frames == 1 {
		return len(r.Steps) - 1
	}
	return int(math.Round(float64(f) * float64(len(r.Steps)-1) / float64(frames-1)))
}

// movingSeries makes the class series s of frame 0 move from frame to
// frame (unlabelled: named "particles").
func movingSeries(s map[string]any, unlabelled bool) map[string]any {
	s["animationDurationUpdate"] = 250
	s["animationEasingUpdate"] = "linear"
	if unlabelled {
		s["name"] = "particles"
	}
	s["large"] = false // large mode does not animate
	return s
}

// frameOptions returns the timeline's option of each frame: an empty
// placeholder for each of the static series, then the frame's data of the
// moving ones.
func frameOptions(static int, frameData [][]any) []any {
	var options []any
	for _, data := range frameData {
		series := make([]any, 0, static+len(data))
		for range static {
			series = append(series, map[string]any{})
		}
		series = append(series, data...)
		options = append(options, map[string]any{"series": series})
	}
	return options
}

// frameNames labels the frames on the timeline by run r's steps. Every
// frame needs its own label: times that repeat (a sampler that records no
// time, a time rounded to 4 digits) give way to steps.
func frameNames(r Run, frames int) []string {
	var names []string
	for f := range frames {
		names = append(names, frameName(r, frameStep(r, f, frames), false))
	}
	if !distinct(names) {
		for f := range names {
			names[f] = frameName(r, frameStep(r, f, frames), true)
		}
	}
	return names
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
