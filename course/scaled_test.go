package course

import (
	"math"
	"testing"

	"difftoy/analytic"
)

func TestScaled(t *testing.T) {
	for _, name := range []string{"eight-gaussians", "three-classes", "moons"} {
		ds := load(name, 50, pcg(1))
		const c = 5.0
		s, err := scaled(ds, c)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range ds.Points {
			if s.Points[i] != c*v {
				t.Fatalf("%s: point coordinate %d = %v, want %v", name, i, s.Points[i], c*v)
			}
		}
		if s.Exact.Len() != ds.Exact.Len() || s.Exact.Classes() != ds.Exact.Classes() {
			t.Errorf("%s: %d components and %d classes, want %d and %d", name, s.Exact.Len(), s.Exact.Classes(), ds.Exact.Len(), ds.Exact.Classes())
		}
		// A Gaussian mixture: the density of c x_0 at c x is q_0(x) / c^d
		// (d = 2), to rounding. A finite training set (moons): its delta
		// mixture sits on the scaled points.
		if _, ok := ds.Exact.(*analytic.GaussianMixture); ok {
			x := gauss(20, pcg(2))
			cx := make([]float64, len(x))
			for i := range x {
				cx[i] = c * x[i]
			}
			lp, lps := ds.Exact.LogProb(nil, x, 1), s.Exact.LogProb(nil, cx, 1)
			for i := range lp {
				if want := lp[i] - 2*math.Log(c); math.Abs(lps[i]-want) > 1e-9*(1+math.Abs(want)) {
					t.Fatalf("%s: log density of the scaled law at c x = %v, want %v", name, lps[i], want)
				}
			}
		} else if d, ok := s.Exact.(*analytic.DeltaMixture); ok {
			for i, v := range d.Points() {
				if v != s.Points[i] {
					t.Fatalf("%s: delta point coordinate %d = %v, want %v", name, i, v, s.Points[i])
				}
			}
		}
	}
	ds := load("eight-gaussians", 10, pcg(1))
	if s, err := scaled(ds, 1); err != nil || s != ds {
		t.Errorf("scale 1: %v, %v; want the dataset itself", s, err)
	}
	for _, c := range []float64{0, -1, math.Inf(1), math.NaN()} {
		if _, err := scaled(ds, c); err == nil {
			t.Errorf("scale %v: no error", c)
		}
	}
}
