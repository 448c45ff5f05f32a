// Named 2-D toy datasets, each with its exact law as a delta or Gaussian
// mixture (package analytic), so that every result on them can be checked
// against the ideal denoiser and exact samples.

package datasets

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"difftoy/analytic"
)

// Dataset is a named training set of 2-D points with the law it comes from.
type Dataset struct {
	Name   string
	Dim    int
	Points []float64 // n*Dim training points, row-major
	Labels []int     // one class per point, nil when unlabelled
	// Classes is the number of classes, 0 when unlabelled.
	Classes int
	// Exact is the law the points come from: a Gaussian mixture, the
	// three delta points of lesson 2, or, for the finite training sets
	// (moons, swiss-roll, checkerboard), the delta mixture of the drawn
	// points themselves with weights 1/n, which is what an ideal denoiser
	// trained on them reproduces.
	Exact       analytic.Mixture
	Description string
}

// MaxPoints is the largest number of points Load draws: a dataset holds
// its points and, for the finite training sets, a delta mixture copying
// them (and once more per class), at most about 200 bytes a point, so this
// bounds a dataset at about 200 MB.
// Larger n is an error rather than an out-of-memory crash.
const MaxPoints = 1 << 20

// ErrDataset is wrapped by every error of Load.
var ErrDataset = errors.New("datasets: dataset")

// generators lists the datasets in the order Names returns them.
var generators = []struct {
	name string
	make func(n int, rng *rand.Rand) (*Dataset, error)
}{
	{"three-points", threePoints},
	{"eight-gaussians", eightGaussians},
	{"two-classes", twoClasses},
	{"three-classes", threeClasses},
	{"ring", ring},
	{"moons", moons},
	{"swiss-roll", swissRoll},
	{"checkerboard", checkerboard},
}

// Names returns the names Load accepts.
func Names() []string {
	names := make([]string, len(generators))
	for i, d := range generators {
		names[i] = d.name
	}
	return names
}

// Load returns the named dataset with n training points drawn with src:
//
//	three-points     lesson 2's example: delta points (-1, 0), (1, 0) and
//	                 (0, 1.5) with weights 1/3, unlabelled. Points cycles
//	                 through the three in order (n = 3 gives each once; a
//	                 multiple of 3 has the exact weights); src is not used.
//	eight-gaussians  8 equal isotropic Gaussians, std 0.15, with means on the
//	                 circle of radius 2 at angles 2 pi k / 8; unlabelled.
//	two-classes      2 classes, one full-covariance Gaussian each, means
//	                 (-1, -0.3) and (1, 0.3), weights 1/2; the classes
//	                 overlap a little (Bayes error about 2 percent).
//	three-classes    3 classes, one isotropic Gaussian each (std 0.45),
//	                 means at radius 1.3 at angles 90, 210 and 330 degrees,
//	                 weights 1/3 (Bayes error about 1 percent).
//	ring             40 equal isotropic Gaussians, std 0.1, with means
//	                 evenly on the circle of radius 1.5: a smooth ring with
//	                 an exact density; unlabelled.
//	moons            two interleaved half circles (as scikit-learn's
//	                 make_moons, centred and scaled by 1.5) with Gaussian
//	                 jitter of std 0.08; point i is on moon i mod 2, its
//	                 label (so n = 1 has a single class). Finite training
//	                 set: Exact is the delta mixture of the n points.
//	swiss-roll       the 2-D spiral r (cos r, sin r) / 7, r uniform in
//	                 [1.5 pi, 4.5 pi], with jitter of std 0.03; unlabelled
//	                 finite training set.
//	checkerboard     uniform on the 8 dark cells of a 4 x 4 board of unit
//	                 cells on [-2, 2]^2 (cells (i, j) with i + j even);
//	                 unlabelled finite training set.
//
// For the Gaussian mixtures Points are drawn from Exact with Exact.Sample
// and Labels are the classes of the drawn components. An unknown name is
// an error that lists the valid names, and n must be in 1..MaxPoints. A
// nil src panics, except for three-points, which does not use it.
func Load(name string, n int, src rand.Source) (*Dataset, error) {
	for _, d := range generators {
		if d.name != name {
			continue
		}
		if n <= 0 || n > MaxPoints {
			return nil, fmt.Errorf("%w %q: n = %d points, want 1..%d (datasets.MaxPoints)", ErrDataset, name, n, MaxPoints)
		}
		var rng *rand.Rand
		if src != nil {
			rng = rand.New(src)
		} else if name != "three-points" {
			panic("datasets.Load: nil rand.Source")
		}
		ds, err := d.make(n, rng)
		if err != nil {
			return nil, fmt.Errorf("%w %q: %v", ErrDataset, name, err)
		}
		ds.Name, ds.Dim = name, 2
		ds.Classes = ds.Exact.Classes()
		return ds, nil
	}
	return nil, fmt.Errorf("%w: unknown name %q (valid names: %s)", ErrDataset, name, strings.Join(Names(), ", "))
}

func threePoints(n int, _ *rand.Rand) (*Dataset, error) {
	pts := []float64{-1, 0, 1, 0, 0, 1.5}
	m, err := analytic.NewDelta(2, pts, nil, nil)
	if err != nil {
		return nil, err
	}
	x := make([]float64, 2*n)
	for i := range n {
		copy(x[2*i:2*i+2], pts[2*(i%3):])
	}
	return &Dataset{Points: x, Exact: m,
		Description: "the course's three points (-1, 0), (1, 0), (0, 1.5), weights 1/3"}, nil
}

// gaussianDataset builds the mixture and draws n points (and their labels)
// from it.
func gaussianDataset(n int, rng *rand.Rand, weights, means []float64, covs [][]float64, labels []int, desc string) (*Dataset, error) {
	m, err := analytic.NewGaussian(2, weights, means, covs, labels)
	if err != nil {
		return nil, err
	}
	x := make([]float64, 2*n)
	comp := make([]int, n)
	m.Sample(x, comp, 1, rng)
	var y []int
	if labels != nil {
		y = make([]int, n)
		for i, c := range comp {
			y[i] = labels[c]
		}
	}
	return &Dataset{Points: x, Labels: y, Exact: m, Description: desc}, nil
}

// iso returns k copies of the 2x2 covariance v I (row-major).
func iso(k int, v float64) [][]float64 {
	covs := make([][]float64, k)
	for i := range covs {
		covs[i] = []float64{v, 0, 0, v}
	}
	return covs
}

// onCircle returns k points at radius r and angles phase + 2 pi i / k.
func onCircle(k int, r, phase float64) []float64 {
	pts := make([]float64, 2*k)
	for i := range k {
		a := phase + 2*math.Pi*float64(i)/float64(k)
		pts[2*i], pts[2*i+1] = r*math.Cos(a), r*math.Sin(a)
	}
	return pts
}

func eightGaussians(n int, rng *rand.Rand) (*Dataset, error) {
	return gaussianDataset(n, rng, nil, onCircle(8, 2, 0), iso(8, 0.15*0.15), nil,
		"8 Gaussians of std 0.15 on the circle of radius 2, weights 1/8")
}

func twoClasses(n int, rng *rand.Rand) (*Dataset, error) {
	means := []float64{-1, -0.3, 1, 0.3}
	covs := [][]float64{
		{0.30, 0.12, 0.12, 0.20},
		{0.20, -0.08, -0.08, 0.35},
	}
	return gaussianDataset(n, rng, nil, means, covs, []int{0, 1},
		"2 classes, one full-covariance Gaussian each at (-1, -0.3) and (1, 0.3), weights 1/2")
}

func threeClasses(n int, rng *rand.Rand) (*Dataset, error) {
	return gaussianDataset(n, rng, nil, onCircle(3, 1.3, math.Pi/2), iso(3, 0.45*0.45), []int{0, 1, 2},
		"3 classes, one Gaussian of std 0.45 each at radius 1.3 (90, 210, 330 degrees), weights 1/3")
}

func ring(n int, rng *rand.Rand) (*Dataset, error) {
	return gaussianDataset(n, rng, nil, onCircle(40, 1.5, 0), iso(40, 0.1*0.1), nil,
		"ring: 40 Gaussians of std 0.1 evenly on the circle of radius 1.5")
}

// finiteDataset wraps drawn points as their own delta mixture.
func finiteDataset(x []float64, labels []int, desc string) (*Dataset, error) {
	m, err := analytic.NewDelta(2, x, nil, labels)
	if err != nil {
		return nil, err
	}
	return &Dataset{Points: x, Labels: labels, Exact: m, Description: desc}, nil
}

func moons(n int, rng *rand.Rand) (*Dataset, error) {
	const scale, jitter = 1.5, 0.08
	x := make([]float64, 2*n)
	y := make([]int, n)
	for i := range n {
		th := math.Pi * rng.Float64()
		var px, py float64
		if i%2 == 0 {
			px, py = math.Cos(th), math.Sin(th)
		} else {
			px, py = 1-math.Cos(th), 0.5-math.Sin(th)
		}
		x[2*i] = scale*(px-0.5) + jitter*rng.NormFloat64()
		x[2*i+1] = scale*(py-0.25) + jitter*rng.NormFloat64()
		y[i] = i % 2
	}
	return finiteDataset(x, y, fmt.Sprintf("two moons, %d points labelled by moon (finite training set)", n))
}

func swissRoll(n int, rng *rand.Rand) (*Dataset, error) {
	const jitter = 0.03
	x := make([]float64, 2*n)
	for i := range n {
		r := 1.5 * math.Pi * (1 + 2*rng.Float64())
		x[2*i] = r*math.Cos(r)/7 + jitter*rng.NormFloat64()
		x[2*i+1] = r*math.Sin(r)/7 + jitter*rng.NormFloat64()
	}
	return finiteDataset(x, nil, fmt.Sprintf("swiss roll, %d points (finite training set)", n))
}

func checkerboard(n int, rng *rand.Rand) (*Dataset, error) {
	x := make([]float64, 2*n)
	for i := range n {
		c := rng.IntN(8) // dark cell c: row c/2, column 2 (c%2) + (row%2)
		row := c / 2
		col := 2*(c%2) + row%2
		x[2*i] = -2 + float64(col) + rng.Float64()
		x[2*i+1] = -2 + float64(row) + rng.Float64()
	}
	return finiteDataset(x, nil, fmt.Sprintf("checkerboard, %d points uniform on 8 dark cells of [-2, 2]^2 (finite training set)", n))
}
