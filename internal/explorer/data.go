package explorer

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"difftoy/analytic"
	"difftoy/toy/datasets"
)

// View is the half width of the square [-View, View]^2 the page draws.
const View = 3.0

// MaxPoints is the most data points the page accepts (drawn or loaded): the
// grid views cost one kernel per point and grid node.
const MaxPoints = 5000

// Data is the data set the page works on: the points it draws and their
// exact law.
type Data struct {
	Name    string
	Points  []float64 // row-major 2-D points
	Labels  []int     // one class per point, nil when unlabelled
	Classes int       // 0 when unlabelled
	Exact   analytic.Mixture
}

// Datasets returns the names Load accepts, in the order the page lists them.
func Datasets() []string { return datasets.Names() }

// Load returns the named lesson data set with n points drawn with seed.
func Load(name string, n int, seed uint64) (*Data, error) {
	if n < 1 || n > MaxPoints {
		return nil, fmt.Errorf("the number of points must be between 1 and %d, not %d", MaxPoints, n)
	}
	ds, err := datasets.Load(name, n, rand.NewPCG(seed, seed))
	if err != nil {
		return nil, err
	}
	if ds.Dim != 2 {
		return nil, fmt.Errorf("data set %q has %d dimensions; the page draws 2", name, ds.Dim)
	}
	return &Data{Name: name, Points: ds.Points, Labels: ds.Labels, Classes: ds.Classes, Exact: ds.Exact}, nil
}

// ErrNoData is returned for an empty set of drawn points.
var ErrNoData = errors.New("there are no data points: click on the plane to add some, or pick a data set")

// Drawn returns the data set of the given points: the delta mixture with
// the given weights (nil: equal) and labels (nil: unlabelled; otherwise
// classes 0..C-1, each with at least one point).
func Drawn(points, weights []float64, labels []int) (*Data, error) {
	if len(points) == 0 {
		return nil, ErrNoData
	}
	if len(points)%2 != 0 {
		return nil, fmt.Errorf("points come in pairs (x, y); got %d numbers", len(points))
	}
	n := len(points) / 2
	if n > MaxPoints {
		return nil, fmt.Errorf("%d points are too many: the page takes at most %d", n, MaxPoints)
	}
	for i, v := range points {
		if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1e6 {
			return nil, fmt.Errorf("point %d has coordinate %v; coordinates must be numbers of size at most 1e6", i/2+1, v)
		}
	}
	if weights != nil && len(weights) != n {
		return nil, fmt.Errorf("%d weights for %d points", len(weights), n)
	}
	for i, w := range weights {
		if !(w > 0) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("point %d has weight %v; weights must be positive numbers", i+1, w)
		}
	}
	classes := 0
	if labels != nil {
		if len(labels) != n {
			return nil, fmt.Errorf("%d labels for %d points", len(labels), n)
		}
		seen := map[int]bool{}
		for i, c := range labels {
			if c < 0 || c > 9 {
				return nil, fmt.Errorf("point %d has class %d; classes are 0 to 9", i+1, c)
			}
			seen[c] = true
			classes = max(classes, c+1)
		}
		for c := range classes {
			if !seen[c] {
				return nil, fmt.Errorf("class %d has no point, but class %d has: number the classes from 0 without gaps", c, classes-1)
			}
		}
		if classes == 1 {
			labels, classes = nil, 0 // one class is no class: guidance needs two
		}
	}
	m, err := analytic.NewDelta(2, points, weights, labels)
	if err != nil {
		return nil, err
	}
	return &Data{Name: "drawn", Points: append([]float64(nil), points...), Labels: append([]int(nil), labels...), Classes: classes, Exact: m}, nil
}

// Outside returns how many points lie outside the drawn square.
func (d *Data) Outside() int {
	k := 0
	for i := 0; i < len(d.Points); i += 2 {
		if math.Abs(d.Points[i]) > View || math.Abs(d.Points[i+1]) > View {
			k++
		}
	}
	return k
}

// Delta reports whether the exact law is the delta mixture of the points
// themselves, so that its components are the points.
func (d *Data) Delta() bool {
	_, ok := d.Exact.(*analytic.DeltaMixture)
	return ok && d.Exact.Len() == len(d.Points)/2
}
