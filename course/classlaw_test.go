package course

import (
	"math"
	"strings"
	"testing"

	"difftoy/analytic"
)

// TestClassLaw: the changed law has the asked class weights and means, the
// unchanged setup is the dataset as loaded, and bad settings are errors
// naming the problem.
func TestClassLaw(t *testing.T) {
	gs := DefaultGuidance(quickCfg())
	plain, err := gs.data("test", 50, pcg(1))
	if err != nil {
		t.Fatal(err)
	}
	loaded := load(gs.Dataset, 50, pcg(1))
	for i := range plain.Points {
		if plain.Points[i] != loaded.Points[i] {
			t.Fatalf("default setup: point %d differs from the loaded dataset", i)
		}
	}
	gs.ClassWeights, gs.Spacing = []float64{3, 1}, 0.5
	ds, err := gs.data("test", 50, pcg(1))
	if err != nil {
		t.Fatal(err)
	}
	gm := ds.Exact.(*analytic.GaussianMixture)
	w, mu := gm.Weights(), gm.Means()
	// two-classes: means (-1, -0.3) and (1, 0.3), centre 0: halved.
	want := []float64{-0.5, -0.15, 0.5, 0.15}
	for i := range want {
		if math.Abs(mu[i]-want[i]) > 1e-15 {
			t.Errorf("mean[%d] = %v, want %v", i, mu[i], want[i])
		}
	}
	if math.Abs(w[0]-0.75) > 1e-15 || math.Abs(w[1]-0.25) > 1e-15 {
		t.Errorf("weights %v, want [0.75 0.25]", w)
	}
	for _, c := range []struct {
		w    []float64
		s    float64
		name string
		want string
	}{
		{[]float64{1}, 0, "two-classes", "1 class weights for the 2 classes"},
		{[]float64{1, 0}, 0, "two-classes", "class 1 weight 0"},
		{nil, -1, "two-classes", "class spacing -1"},
		{nil, 0.5, "eight-gaussians", "need a labelled Gaussian mixture"},
	} {
		g := gs
		g.ClassWeights, g.Spacing, g.Dataset = c.w, c.s, c.name
		_, err := g.data("course.Test", 10, pcg(1))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("weights %v, spacing %v, %s: error %v, want one containing %q", c.w, c.s, c.name, err, c.want)
		} else if !strings.HasPrefix(err.Error(), "course.Test: ") || strings.Count(err.Error(), "course") != 1 {
			t.Errorf("weights %v, spacing %v, %s: error %q, want it to name course.Test once, at the start", c.w, c.s, c.name, err)
		}
	}
}
