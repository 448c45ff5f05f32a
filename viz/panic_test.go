package viz

import (
	"fmt"
	"strings"
	"testing"
)

// TestPanics checks that programmer errors panic with a message naming the
// function and the problem.
func TestPanics(t *testing.T) {
	g := Grid{X0: 0, X1: 1, Y0: 0, Y1: 1, NX: 2, NY: 2}
	for _, tc := range []struct {
		want string
		f    func()
	}{
		{"viz.Fields: field 0 (): 3 values for a 2x2 grid, want 8", func() { Quiver("q", g, make([]float64, 3), QuiverOpts{}) }},
		{"viz.Plane: scene 0 Points: 1 labels for 2 points", func() { Samples("s", Scene{Points: []float64{0, 0, 1, 1}, Labels: []int{0}}, nil) }},
		{"viz.Plane: scene 0 Points: odd length 3", func() { Samples("s", Scene{Points: []float64{0, 0, 1}}, nil) }},
		{"viz.Grid.Points: grid", func() { Grid{NX: 1, NY: 5, X1: 1, Y1: 1}.Points() }},
		{"viz.Posterior: 6 centre coordinates for 2 components", func() { Posterior("p", g, make([]float64, 8), make([]float64, 6), nil) }},
		{"viz.Paths: run 0 (r) step 1 has 2 coordinates, step 0 has 4", func() {
			Paths("p", []Run{{Name: "r", Steps: [][]float64{{0, 0, 1, 1}, {0, 0}}}}, TrajOpts{})
		}},
		{"viz.Animate: run 0 (r) has 1 times for 2 steps", func() {
			Animate("a", []Run{{Name: "r", Steps: [][]float64{{0, 0}, {1, 1}}, Times: []float64{0}}}, TrajOpts{})
		}},
		{"viz.GuidanceSweep: 2 gammas for 1 scenes", func() { GuidanceSweep("g", []float64{0, 1}, []Scene{{}}, nil) }},
		{"viz.Lines: panel 0 (\"\") needs both axis names", func() { Lines("l", LinePanel{XName: "x"}) }},
		{"viz: every chart needs a title", func() { Lines(" ", LinePanel{XName: "x", YName: "y"}) }},
	} {
		t.Run(tc.want, func(t *testing.T) {
			defer func() {
				r := recover()
				if msg := fmt.Sprint(r); r == nil || !strings.HasPrefix(msg, tc.want) {
					t.Errorf("panic %q, want one starting %q", msg, tc.want)
				}
			}()
			tc.f()
		})
	}
}
