package viz

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestSquare(t *testing.T) {
	for _, tc := range []struct {
		name string
		pts  []float64
		grid *Grid
	}{
		{"points", []float64{-1.3, -0.2, 2.7, 0.9}, nil},
		{"tall", []float64{0, -10, 0.5, 25}, nil},
		{"one point", []float64{3, 3}, nil},
		{"grid exact", nil, &Grid{X0: -3, X1: 3, Y0: -3, Y1: 3, NX: 5, NY: 5}},
		{"grid and points inside", []float64{-1, -1, 1, 1}, &Grid{X0: -4, X1: 4, Y0: -2, Y1: 2, NX: 5, NY: 5}},
		{"small scale", []float64{0.001, 0.002, 0.004, 0.0031}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e extent
			e.add(tc.pts)
			if tc.grid != nil {
				e.addGrid(*tc.grid)
			}
			w, step := e.square()
			if sx, sy := w.x1-w.x0, w.y1-w.y0; math.Abs(sx-sy) > 1e-9*sx || !(sx > 0) {
				t.Fatalf("window %+v: spans %v and %v, want equal", w, sx, sy)
			}
			for _, v := range []float64{w.x0, w.x1, w.y0, w.y1} {
				if r := v / step; math.Abs(r-math.Round(r)) > 1e-6 {
					t.Errorf("window end %v is not a multiple of the tick step %v", v, step)
				}
			}
			if n := (w.x1 - w.x0) / step; n < 2 || n > 20 {
				t.Errorf("%v ticks, want a readable number", n)
			}
			// Every point strictly inside (a margin), the grid's nodes inside.
			for i := 0; i < len(tc.pts); i += 2 {
				x, y := tc.pts[i], tc.pts[i+1]
				if !(x > w.x0 && x < w.x1 && y > w.y0 && y < w.y1) {
					t.Errorf("point (%v, %v) not strictly inside %+v", x, y, w)
				}
			}
			if g := tc.grid; g != nil && (g.X0 < w.x0 || g.X1 > w.x1 || g.Y0 < w.y0 || g.Y1 > w.y1) {
				t.Errorf("grid %+v not inside %+v", *g, w)
			}
		})
	}
}

func TestGridPointsOrder(t *testing.T) {
	g := Grid{X0: 0, X1: 2, Y0: 10, Y1: 11, NX: 3, NY: 2}
	want := []float64{0, 10, 1, 10, 2, 10, 0, 11, 1, 11, 2, 11}
	got := g.Points()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Points() = %v, want %v", got, want)
	}
}

func TestAppendFixed(t *testing.T) {
	for _, tc := range []struct {
		x    float64
		d    int
		want string
	}{
		{1.23456, 2, "1.23"}, {1.5, 2, "1.5"}, {2, 3, "2"}, {-0.0001, 2, "0"}, {-1.005, 1, "-1"},
		{math.NaN(), 2, "null"}, {math.Inf(1), 2, "null"}, {12345, 0, "12345"},
	} {
		if got := string(appendFixed(nil, tc.x, tc.d)); got != tc.want {
			t.Errorf("appendFixed(%v, %d) = %q, want %q", tc.x, tc.d, got, tc.want)
		}
	}
}

// option decodes a chart's option JSON into generic values.
func option(t *testing.T, c *Chart) map[string]any {
	t.Helper()
	b, err := c.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var o map[string]any
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatal(err)
	}
	return o
}

func pxOf(t *testing.T, v any) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(strings.TrimSuffix(v.(string), "px"), 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestQuiverArrows reads every arrow back from the option and checks it
// against the field: it starts on a node, its shaft points along v(node),
// and its length is 0.9 h |v| / max|v| (h the grid spacing), to within the
// rounding of the coordinates (0.5 in the last decimal written).
func TestQuiverArrows(t *testing.T) {
	g := Grid{X0: -1, X1: 1, Y0: -1, Y1: 2, NX: 5, NY: 7}
	p := g.Points()
	v := make([]float64, len(p))
	maxLen := 0.0
	for i := 0; i < len(p); i += 2 {
		v[i], v[i+1] = 2*p[i+1]+0.3, -p[i]*p[i]+0.1 // an arbitrary field without zeros on this grid
		maxLen = math.Max(maxLen, math.Hypot(v[i], v[i+1]))
	}
	h := 0.5
	o := option(t, Quiver("field", g, v, QuiverOpts{}))
	seen := map[[2]float64]bool{}
	n := 0
	for _, s := range o["series"].([]any) {
		s := s.(map[string]any)
		if s["type"] != "lines" {
			continue
		}
		for _, item := range s["data"].([]any) {
			c := item.(map[string]any)["coords"].([]any)
			if len(c) != 5 {
				t.Fatalf("arrow with %d points, want tail, tip and the two strokes of the head", len(c))
			}
			at := func(k int) (float64, float64) {
				q := c[k].([]any)
				return q[0].(float64), q[1].(float64)
			}
			x, y := at(0)
			tx, ty := at(1)
			// Find the node this arrow starts on.
			i, j := math.Round((x-g.X0)/h), math.Round((y-g.Y0)/h)
			if math.Abs(x-(g.X0+i*h)) > 1e-9 || math.Abs(y-(g.Y0+j*h)) > 1e-9 {
				t.Fatalf("arrow starts at (%v, %v), not on a node", x, y)
			}
			seen[[2]float64{i, j}] = true
			k := int(j)*g.NX + int(i)
			vx, vy := v[2*k], v[2*k+1]
			dx, dy := tx-x, ty-y
			wantLen := 0.9 * h * math.Hypot(vx, vy) / maxLen
			const tol = 0.01 // two decimals are written on this window
			if math.Abs(math.Hypot(dx, dy)-wantLen) > tol {
				t.Errorf("arrow at (%v, %v) has length %v, want %v", x, y, math.Hypot(dx, dy), wantLen)
			}
			if cross := (dx*vy - dy*vx) / math.Hypot(vx, vy); math.Abs(cross) > tol || dx*vx+dy*vy <= 0 {
				t.Errorf("arrow at (%v, %v) points along (%v, %v), field is (%v, %v)", x, y, dx, dy, vx, vy)
			}
			// The head: two strokes back from the tip, mirror images
			// about the shaft.
			lx, ly := at(2)
			rx, ry := at(4)
			l1, l2 := math.Hypot(lx-tx, ly-ty), math.Hypot(rx-tx, ry-ty)
			c1, c2 := (lx-tx)*dy-(ly-ty)*dx, (rx-tx)*dy-(ry-ty)*dx
			if math.Abs(l1-l2) > 2*tol || (lx-tx)*dx+(ly-ty)*dy >= 0 || (rx-tx)*dx+(ry-ty)*dy >= 0 || c1*c2 >= 0 {
				t.Errorf("arrow at (%v, %v): head strokes to (%v, %v) and (%v, %v) are not a head on tip (%v, %v)", x, y, lx, ly, rx, ry, tx, ty)
			}
			n++
		}
	}
	if n != g.Len() || len(seen) != g.Len() {
		t.Errorf("%d arrows on %d nodes, want one on each of %d", n, len(seen), g.Len())
	}
	// Equal scale: pixels per unit agree on both axes.
	gr := o["grid"].([]any)[0].(map[string]any)
	xa, ya := o["xAxis"].([]any)[0].(map[string]any), o["yAxis"].([]any)[0].(map[string]any)
	sx := pxOf(t, gr["width"]) / (xa["max"].(float64) - xa["min"].(float64))
	sy := pxOf(t, gr["height"]) / (ya["max"].(float64) - ya["min"].(float64))
	if math.Abs(sx-sy) > 1e-9 {
		t.Errorf("%v px per unit on x, %v on y", sx, sy)
	}
}

// TestDensityImagePlacement checks that the density image covers exactly
// the pixels of the grid's rectangle, computed here from the grid
// component and the axis ends of the option.
func TestDensityImagePlacement(t *testing.T) {
	g := Grid{X0: -2, X1: 1, Y0: 0.5, Y1: 2.5, NX: 4, NY: 3}
	v := make([]float64, g.Len())
	for i := range v {
		v[i] = float64(i)
	}
	o := option(t, Density("d", g, v, "v"))
	gr := o["grid"].([]any)[0].(map[string]any)
	xa, ya := o["xAxis"].([]any)[0].(map[string]any), o["yAxis"].([]any)[0].(map[string]any)
	left, top, w, h := pxOf(t, gr["left"]), pxOf(t, gr["top"]), pxOf(t, gr["width"]), pxOf(t, gr["height"])
	x0, x1, y0, y1 := xa["min"].(float64), xa["max"].(float64), ya["min"].(float64), ya["max"].(float64)
	var img map[string]any
	for _, e := range o["graphic"].([]any) {
		if e := e.(map[string]any); e["type"] == "image" && img == nil {
			img = e
		}
	}
	st := img["style"].(map[string]any)
	want := [4]float64{
		left + (g.X0-x0)/(x1-x0)*w, top + (y1-g.Y1)/(y1-y0)*h,
		(g.X1 - g.X0) / (x1 - x0) * w, (g.Y1 - g.Y0) / (y1 - y0) * h,
	}
	got := [4]float64{img["left"].(float64), img["top"].(float64), st["width"].(float64), st["height"].(float64)}
	for i := range got {
		if math.Abs(got[i]-want[i]) > 0.05 { // 4 significant digits of a few hundred pixels
			t.Errorf("image left, top, width, height = %v, want %v", got, want)
			break
		}
	}
}

// TestAnimateFrames checks the timeline: at most MaxFrames frames, the
// first showing the start and the last the end of each run, and at most
// MaxMoving particles per frame.
func TestAnimateFrames(t *testing.T) {
	const n, steps = 10, 9
	run := Run{Name: "r"}
	for s := range steps {
		x := make([]float64, 2*n)
		for i := range n {
			x[2*i], x[2*i+1] = float64(i), float64(s)
		}
		run.Steps = append(run.Steps, x)
	}
	o := option(t, Animate("a", []Run{run}, TrajOpts{MaxFrames: 4, MaxMoving: 5}))
	frames := o["options"].([]any)
	if len(frames) != 4 {
		t.Fatalf("%d frames, want 4", len(frames))
	}
	ys := func(f int) (got []float64) {
		series := frames[f].(map[string]any)["series"].([]any)
		data := series[len(series)-1].(map[string]any)["data"].([]any)
		for _, d := range data {
			got = append(got, d.([]any)[1].(float64))
		}
		if len(got) != 5 {
			t.Errorf("frame %d moves %d particles, want 5", f, len(got))
		}
		return got
	}
	if y := ys(0); y[0] != 0 {
		t.Errorf("first frame at step %v, want 0", y[0])
	}
	if y := ys(3); y[0] != steps-1 {
		t.Errorf("last frame at step %v, want %d", y[0], steps-1)
	}
	if l := len(o["timeline"].(map[string]any)["data"].([]any)); l != 4 {
		t.Errorf("timeline has %d labels, want 4", l)
	}
}

// joinedPaths rebuilds each drawn path of a Paths option from its pieces,
// one "lines" series per time band with one piece per path in particle
// order; consecutive pieces share their junction point.
func joinedPaths(t *testing.T, o map[string]any) [][][]any {
	t.Helper()
	var paths [][][]any
	for _, s := range o["series"].([]any) {
		s := s.(map[string]any)
		if s["type"] != "lines" {
			continue
		}
		data := s["data"].([]any)
		if paths == nil {
			paths = make([][][]any, len(data))
		} else if len(data) != len(paths) {
			t.Fatalf("a time band holds %d pieces, the first %d", len(data), len(paths))
		}
		for k, d := range data {
			c := d.(map[string]any)["coords"].([]any)
			if len(paths[k]) > 0 {
				last, first := paths[k][len(paths[k])-1], c[0].([]any)
				if last[0] != first[0] || last[1] != first[1] {
					t.Errorf("path %d: a piece starts at %v, the previous one ended at %v", k, first, last)
				}
				c = c[1:]
			}
			for _, q := range c {
				paths[k] = append(paths[k], q.([]any))
			}
		}
	}
	return paths
}

// TestPathsDownsample checks that Paths draws at most MaxPaths paths of at
// most MaxSteps points, each ending at the particle's final position.
func TestPathsDownsample(t *testing.T) {
	const n, steps = 50, 40
	run := Run{Name: "r"}
	for s := range steps {
		x := make([]float64, 2*n)
		for i := range n {
			x[2*i], x[2*i+1] = float64(i)/10, float64(s)/10
		}
		run.Steps = append(run.Steps, x)
	}
	paths := joinedPaths(t, option(t, Paths("p", []Run{run}, TrajOpts{MaxPaths: 7, MaxSteps: 5})))
	for _, c := range paths {
		if len(c) != 5 {
			t.Errorf("path of %d points, want 5", len(c))
		}
		if y := c[len(c)-1][1].(float64); y != float64(steps-1)/10 {
			t.Errorf("path ends at y = %v, want the final %v", y, float64(steps-1)/10)
		}
	}
	if len(paths) != 7 {
		t.Errorf("%d paths, want 7", len(paths))
	}
}

// TestPathsDropSubPixelSteps: a path that creeps by far less than a pixel
// per step keeps its first and last points and the points a pixel apart.
func TestPathsDropSubPixelSteps(t *testing.T) {
	run := Run{Name: "r"}
	for s := range 100 {
		run.Steps = append(run.Steps, []float64{0.001 * float64(s), 0, -1, -1, 1, 1})
	}
	o := option(t, Paths("p", []Run{run}, TrajOpts{MaxSteps: 100}))
	// The creeping particle's pieces are the ones on y = 0, in band order.
	var c [][]any
	for _, s := range o["series"].([]any) {
		s := s.(map[string]any)
		if s["type"] != "lines" {
			continue
		}
		for _, d := range s["data"].([]any) {
			piece := d.(map[string]any)["coords"].([]any)
			if piece[0].([]any)[1].(float64) != 0 {
				continue
			}
			if len(c) > 0 {
				piece = piece[1:] // the junction point is shared
			}
			for _, q := range piece {
				c = append(c, q.([]any))
			}
		}
	}
	if len(c) == 0 {
		t.Fatal("no path on y = 0")
	}
	first, last := c[0][0].(float64), c[len(c)-1][0].(float64)
	// The window is at least 2 units on 360 px: 0.099 units is under 18 px,
	// so at most about 18 points survive, and at least the two ends.
	if len(c) < 2 || len(c) > 20 || first != 0 || math.Abs(last-0.099) > 1e-9 {
		t.Errorf("creeping path kept %d points from %v to %v, want its ends and at most one per pixel", len(c), first, last)
	}
}

// TestAnimateDistinctLabels: a run whose recorded times repeat (a
// Langevin chain records t = 0 at every move) is labelled by step, so no
// two frames of the timeline share a label.
func TestAnimateDistinctLabels(t *testing.T) {
	run := Run{Name: "r"}
	for s := range 5 {
		run.Steps = append(run.Steps, []float64{float64(s), 0})
		run.Times = append(run.Times, 0)
	}
	o := option(t, Animate("a", []Run{run}, TrajOpts{}))
	var got []string
	for _, l := range o["timeline"].(map[string]any)["data"].([]any) {
		got = append(got, l.(string))
	}
	if want := []string{"step 0", "step 1", "step 2", "step 3", "step 4"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("timeline labels %q, want %q", got, want)
	}
	run.Times = []float64{1000, 750, 500, 250, 1}
	o = option(t, Animate("a", []Run{run}, TrajOpts{}))
	if l := o["timeline"].(map[string]any)["data"].([]any); l[0] != "t = 1000" || l[4] != "t = 1" {
		t.Errorf("timeline labels %v, want times", l)
	}
}
