// Trajectories of many particles: drawn as paths, or animated over steps
// with an echarts timeline (a raw option key go-echarts lacks).

package viz

import (
	"fmt"
	"math"
	"slices"
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

// runsExtent is the window of the runs: it holds the training points,
// and 99.6% of the particle coordinates on each axis (0.2% cut at each
// end), so a few stray particles of a noisy sampler do not shrink the
// picture; echarts clips what falls outside.
func runsExtent(runs []Run, train []float64) extent {
	var xs, ys []float64
	total := 0
	for _, r := range runs {
		for _, p := range r.Steps {
			total += len(p) / 2
		}
	}
	stride := max(1, total/100000) // a sample of the points is enough for quantiles
	k := 0
	for _, r := range runs {
		for _, p := range r.Steps {
			for i := 0; i+1 < len(p); i += 2 {
				if k++; k%stride != 0 {
					continue
				}
				if x, y := p[i], p[i+1]; !math.IsNaN(x) && !math.IsNaN(y) && !math.IsInf(x, 0) && !math.IsInf(y, 0) {
					xs, ys = append(xs, x), append(ys, y)
				}
			}
		}
	}
	var e extent
	if len(xs) > 0 {
		slices.Sort(xs)
		slices.Sort(ys)
		q := func(v []float64, f float64) float64 { return v[int(f*float64(len(v)-1))] }
		e.add([]float64{q(xs, 0.002), q(ys, 0.002), q(xs, 0.998), q(ys, 0.998)})
	}
	e.add(train)
	return e
}

func trajLayout(runs []Run, o TrajOpts) layout {
	side := 360
	if len(runs) > 1 {
		side = 300
	}
	l := newLayout(len(runs), o.Cols, side, runsExtent(runs, o.Train), 0)
	return l
}

// Paths draws each run's particles as paths (one colour per class) with
// their end points as dots, one panel per run, side by side.
func Paths(title string, runs []Run, o TrajOpts) *Chart {
	checkRuns("viz.Paths", runs)
	o = o.orDefault()
	l := trajLayout(runs, o)
	c := newChart(title, l.width(), l.height())
	var titles, legend []string
	seen := map[string]bool{}
	dec, onePx := l.dec(), (l.w.x1-l.w.x0)/float64(l.side)
	for i, run := range runs {
		titles = append(titles, run.Name)
		if len(o.Train) > 0 {
			c.series(trainSeries(i, o.Train, dec))
			if !seen[trainName] {
				seen[trainName] = true
				legend = append(legend, trainName)
			}
		}
		n := len(run.Steps[0]) / 2
		steps := pick(len(run.Steps), o.MaxSteps)
		byClass := map[int][]any{}
		var keys []int
		for _, k := range pick(n, o.MaxPaths) {
			lab := -1
			if run.Labels != nil {
				lab = run.Labels[k]
			}
			// A point within a pixel of the last one kept adds nothing
			// a reader can see; the last point is always kept.
			coords := make([]pt, 0, len(steps))
			for j, s := range steps {
				q := xy(run.Steps[s], k, dec)
				if j > 0 && j < len(steps)-1 {
					last := coords[len(coords)-1]
					if math.Hypot(q.x-last.x, q.y-last.y) < onePx {
						continue
					}
				}
				coords = append(coords, q)
			}
			if _, ok := byClass[lab]; !ok {
				keys = append(keys, lab)
			}
			byClass[lab] = append(byClass[lab], map[string]any{"coords": coords})
		}
		slices.Sort(keys)
		for _, lab := range keys {
			name, color := "paths", palette[0]
			if run.Labels != nil {
				name, color = className(o.Classes, lab), classColor(lab)
			}
			c.series(map[string]any{
				"type": "lines", "name": name, "coordinateSystem": "cartesian2d", "xAxisIndex": i, "yAxisIndex": i,
				"polyline": true, "silent": true, "z": 3, "data": byClass[lab], "clip": true,
				"large": true, "largeThreshold": 100, // one path per series: fast with many particles
				"lineStyle": map[string]any{"color": color, "width": 0.8, "opacity": 0.35},
			})
			if !seen[name] {
				seen[name] = true
				legend = append(legend, name)
			}
		}
		end := run.Steps[len(run.Steps)-1]
		for _, s := range classSeries(i, end, run.Labels, o.Classes, l.dec()) {
			if run.Labels == nil {
				s["name"] = "paths"
			}
			s["symbolSize"] = 3
			s["z"] = 4
			c.series(s)
		}
	}
	l.apply(c, titles, xName, yName)
	c.set("legend", map[string]any{"data": legend, "top": 30})
	return c
}

// Animate shows each run's particles moving over the steps, one panel per
// run, driven by one timeline (play, pause, drag). Runs of different
// lengths advance in proportion: frame f shows the step at the same
// fraction of each run.
func Animate(title string, runs []Run, o TrajOpts) *Chart {
	checkRuns("viz.Animate", runs)
	o = o.orDefault()
	l := trajLayout(runs, o)
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
		if len(o.Train) > 0 {
			c.series(trainSeries(i, o.Train, l.dec()))
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
		r := runs[0]
		s := at(r, f)
		if r.Times != nil {
			names = append(names, "t = "+strconv.FormatFloat(r.Times[s], 'g', 4, 64))
		} else {
			names = append(names, fmt.Sprintf("step %d", s))
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
