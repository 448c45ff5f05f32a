package datasets_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"difftoy/analytic"
	"difftoy/toy/datasets"
)

// loadPanic returns the panic message of Load(name, n, nil), "" when it
// does not panic.
func loadPanic(name string, n int) (msg string) {
	defer func() { msg, _ = recover().(string) }()
	datasets.Load(name, n, nil)
	return ""
}

func TestNames(t *testing.T) {
	want := []string{"three-points", "eight-gaussians", "two-classes", "three-classes", "ring", "moons", "swiss-roll", "checkerboard"}
	if got := datasets.Names(); !slices.Equal(got, want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
	_, err := datasets.Load("spiral", 10, rand.NewPCG(1, 1))
	if err == nil || !errors.Is(err, datasets.ErrDataset) {
		t.Fatalf("unknown name: err = %v, want an ErrDataset", err)
	}
	for _, n := range want {
		if !strings.Contains(err.Error(), n) {
			t.Errorf("error %q does not list %q", err, n)
		}
		for _, bad := range []int{0, -3} {
			if _, err := datasets.Load(n, bad, rand.NewPCG(1, 1)); err == nil || !errors.Is(err, datasets.ErrDataset) {
				t.Errorf("Load(%q, %d): err = %v, want an ErrDataset", n, bad, err)
			}
		}
	}
	if msg := loadPanic("ring", 10); !strings.Contains(msg, "datasets.Load: nil rand.Source") {
		t.Errorf("Load(ring, 10, nil) panics with %q, want a nil-source message", msg)
	}
}

// Every dataset: the right shapes, finite points, labels in range and
// consistent with Exact, and the same data for the same seed.
func TestDatasetShapes(t *testing.T) {
	const n = 301
	for _, name := range datasets.Names() {
		t.Run(name, func(t *testing.T) {
			ds, err := datasets.Load(name, n, rand.NewPCG(6, 6))
			if err != nil {
				t.Fatal(err)
			}
			if ds.Name != name || ds.Dim != 2 || len(ds.Points) != 2*n || ds.Description == "" {
				t.Fatalf("Name %q Dim %d len(Points) %d Description %q", ds.Name, ds.Dim, len(ds.Points), ds.Description)
			}
			if ds.Exact == nil || ds.Exact.Dim() != 2 || ds.Exact.Classes() != ds.Classes {
				t.Fatalf("Exact %v (Classes %d vs %d)", ds.Exact, ds.Exact.Classes(), ds.Classes)
			}
			for i, v := range ds.Points {
				if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 10 {
					t.Fatalf("Points[%d] = %v", i, v)
				}
			}
			if (ds.Labels == nil) != (ds.Classes == 0) {
				t.Fatalf("Labels nil: %v, Classes %d", ds.Labels == nil, ds.Classes)
			}
			if ds.Labels != nil {
				if len(ds.Labels) != n {
					t.Fatalf("%d labels for %d points", len(ds.Labels), n)
				}
				seen := make([]bool, ds.Classes)
				for i, y := range ds.Labels {
					if y < 0 || y >= ds.Classes {
						t.Fatalf("Labels[%d] = %d, want 0..%d", i, y, ds.Classes-1)
					}
					seen[y] = true
				}
				if slices.Contains(seen, false) {
					t.Errorf("a class has no point in %d: %v", n, seen)
				}
			}
			again, _ := datasets.Load(name, n, rand.NewPCG(6, 6))
			if !slices.Equal(again.Points, ds.Points) || !slices.Equal(again.Labels, ds.Labels) {
				t.Error("same seed, different data")
			}
			// The exact law is usable: the ideal denoiser is finite at a
			// mid-range level.
			for i, v := range ds.Exact.Denoise(nil, ds.Points, 0.5, nil) {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("Exact.Denoise[%d] = %v", i, v)
				}
			}
		})
	}
}

// The finite training sets are their own exact law: a delta mixture of
// exactly the n points, weights 1/n, labels as given.
func TestFiniteDatasetsAreTheirDeltaMixture(t *testing.T) {
	const n = 200
	for _, name := range []string{"moons", "swiss-roll", "checkerboard"} {
		ds, err := datasets.Load(name, n, rand.NewPCG(7, 7))
		if err != nil {
			t.Fatal(err)
		}
		dm, ok := ds.Exact.(*analytic.DeltaMixture)
		if !ok {
			t.Fatalf("%s: Exact is %T, want *analytic.DeltaMixture", name, ds.Exact)
		}
		if !slices.Equal(dm.Points(), ds.Points) || !slices.Equal(dm.Labels(), ds.Labels) {
			t.Errorf("%s: Exact's points or labels differ from the training set", name)
		}
		for i, w := range dm.Weights() {
			if math.Abs(w-1.0/n) > 1e-14/n { // the weights are 1/n up to rounding
				t.Fatalf("%s: weight %d = %v, want 1/n", name, i, w)
			}
		}
	}
}

// Where the finite sets' points lie, from their definitions.
func TestFiniteDatasetsGeometry(t *testing.T) {
	const n = 2000
	cb, _ := datasets.Load("checkerboard", n, rand.NewPCG(8, 8))
	cells := map[[2]int]int{}
	for i := range n {
		x, y := cb.Points[2*i], cb.Points[2*i+1]
		if !(x >= -2 && x < 2 && y >= -2 && y < 2) {
			t.Fatalf("checkerboard point %v,%v outside [-2, 2)^2", x, y)
		}
		c := [2]int{int(math.Floor(x + 2)), int(math.Floor(y + 2))}
		if (c[0]+c[1])%2 != 0 {
			t.Fatalf("checkerboard point %v,%v in a light cell %v", x, y, c)
		}
		cells[c]++
	}
	// 8 cells, 250 expected each: binomial sd sqrt(2000 * 1/8 * 7/8) = 14.8;
	// 5 sd = 74.
	if len(cells) != 8 {
		t.Errorf("checkerboard uses %d cells, want 8", len(cells))
	}
	for c, k := range cells {
		if math.Abs(float64(k)-250) > 74 {
			t.Errorf("checkerboard cell %v has %d points, want 250 +- 74", c, k)
		}
	}

	// Swiss roll: distance from the origin r/7 with r in [1.5 pi, 4.5 pi],
	// up to the jitter (std 0.03 per coordinate; 6 sd = 0.18 slack).
	sr, _ := datasets.Load("swiss-roll", n, rand.NewPCG(8, 8))
	for i := range n {
		r := math.Hypot(sr.Points[2*i], sr.Points[2*i+1])
		if r < 1.5*math.Pi/7-0.18 || r > 4.5*math.Pi/7+0.18 {
			t.Fatalf("swiss-roll point %d at radius %v", i, r)
		}
	}

	// Moons: the noiseless upper moon (label 0) is 1.5 (cos th - 0.5,
	// sin th - 0.25), within 1.5 of (-0.75, -0.375); the lower one
	// (label 1) within 1.5 of (0.75, 0.375). Jitter 0.08: 6 sd slack 0.48.
	mo, _ := datasets.Load("moons", n, rand.NewPCG(8, 8))
	centre := [2][2]float64{{-0.75, -0.375}, {0.75, 0.375}}
	for i := range n {
		c := centre[mo.Labels[i]]
		d := math.Hypot(mo.Points[2*i]-c[0], mo.Points[2*i+1]-c[1])
		if math.Abs(d-1.5) > 0.48 {
			t.Fatalf("moons point %d (label %d) at distance %v from its centre, want 1.5", i, mo.Labels[i], d)
		}
	}
}

// The moons' means from their definition: th ~ U(0, pi) gives E cos th = 0
// and E sin th = 2/pi, so the upper moon (label 0) has mean
// 1.5 (-0.5, 2/pi - 0.25) and the lower one the opposite point. With
// Var(1.5 cos th) = 1.125 and Var(1.5 sin th) = 2.25 (1/2 - 4/pi^2) = 0.213,
// plus the jitter's 0.0064, the checks allow 4 standard errors of the
// means of the n/2 points per moon.
func TestMoonsMeans(t *testing.T) {
	const n = 8000
	mo, err := datasets.Load("moons", n, rand.NewPCG(10, 10))
	if err != nil {
		t.Fatal(err)
	}
	want := [2][2]float64{{-0.75, 1.5 * (2/math.Pi - 0.25)}, {0.75, -1.5 * (2/math.Pi - 0.25)}}
	vars := [2]float64{1.125 + 0.0064, 2.25*(0.5-4/(math.Pi*math.Pi)) + 0.0064}
	var sum [2][2]float64
	var cnt [2]float64
	for i := range n {
		y := mo.Labels[i]
		sum[y][0] += mo.Points[2*i]
		sum[y][1] += mo.Points[2*i+1]
		cnt[y]++
	}
	for y := range 2 {
		for k := range 2 {
			m := sum[y][k] / cnt[y]
			if se := math.Sqrt(vars[k] / cnt[y]); math.Abs(m-want[y][k]) > 4*se {
				t.Errorf("moon %d coordinate %d: mean %.4f, want %.4f (se %.4f)", y, k, m, want[y][k], se)
			}
		}
	}
}

func TestThreePoints(t *testing.T) {
	ds, err := datasets.Load("three-points", 7, rand.NewPCG(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{-1, 0, 1, 0, 0, 1.5, -1, 0, 1, 0, 0, 1.5, -1, 0}
	if !slices.Equal(ds.Points, want) {
		t.Errorf("Points = %v, want %v", ds.Points, want)
	}
	dm, ok := ds.Exact.(*analytic.DeltaMixture)
	if !ok || !slices.Equal(dm.Points(), want[:6]) || ds.Labels != nil {
		t.Fatalf("Exact = %v, Labels %v", ds.Exact, ds.Labels)
	}
	for _, w := range dm.Weights() {
		if math.Abs(w-1.0/3) > 1e-15 {
			t.Errorf("weights %v, want 1/3 each", dm.Weights())
		}
	}
}

// gmSpec is a Gaussian-mixture dataset as its documentation describes it,
// written out here independently of datasets.go.
type gmSpec struct {
	name   string
	means  [][2]float64
	covs   [][4]float64
	labels []int // nil: unlabelled
}

func circle(k int, r, phase float64) [][2]float64 {
	out := make([][2]float64, k)
	for i := range out {
		a := phase + 2*math.Pi*float64(i)/float64(k)
		out[i] = [2]float64{r * math.Cos(a), r * math.Sin(a)}
	}
	return out
}

func isoCovs(k int, sd float64) [][4]float64 {
	out := make([][4]float64, k)
	for i := range out {
		out[i] = [4]float64{sd * sd, 0, 0, sd * sd}
	}
	return out
}

var gmSpecs = []gmSpec{
	{"eight-gaussians", circle(8, 2, 0), isoCovs(8, 0.15), nil},
	{"two-classes", [][2]float64{{-1, -0.3}, {1, 0.3}}, [][4]float64{{0.30, 0.12, 0.12, 0.20}, {0.20, -0.08, -0.08, 0.35}}, []int{0, 1}},
	{"three-classes", circle(3, 1.3, math.Pi/2), isoCovs(3, 0.45), []int{0, 1, 2}},
	{"ring", circle(40, 1.5, 0), isoCovs(40, 0.1), nil},
}

// moments returns the mean and covariance (row-major 2x2) of an
// equal-weight mixture.
func moments(means [][2]float64, covs [][4]float64) (m [2]float64, c [4]float64) {
	k := float64(len(means))
	for _, mu := range means {
		m[0] += mu[0] / k
		m[1] += mu[1] / k
	}
	for i, mu := range means {
		for a := range 2 {
			for b := range 2 {
				c[2*a+b] += (covs[i][2*a+b] + mu[a]*mu[b]) / k
			}
		}
	}
	for a := range 2 {
		for b := range 2 {
			c[2*a+b] -= m[a] * m[b]
		}
	}
	return m, c
}

// checkMoments compares the sample mean and covariance of the points
// (rows of x selected by keep) with the given ones. Standard errors are
// estimated from the sample itself: sqrt(c_aa / n) for a mean, and the
// sample sd of (x_a - m_a)(x_b - m_b) over sqrt(n) for a covariance; the
// check allows 5 of them.
func checkMoments(t *testing.T, what string, x []float64, keep func(i int) bool, m [2]float64, c [4]float64) {
	t.Helper()
	var pts [][2]float64
	for i := 0; i < len(x)/2; i++ {
		if keep(i) {
			pts = append(pts, [2]float64{x[2*i], x[2*i+1]})
		}
	}
	n := float64(len(pts))
	var sm [2]float64
	for _, p := range pts {
		sm[0] += p[0] / n
		sm[1] += p[1] / n
	}
	for a := range 2 {
		if se := math.Sqrt(c[3*a] / n); math.Abs(sm[a]-m[a]) > 5*se {
			t.Errorf("%s: mean[%d] = %v, want %v (se %v)", what, a, sm[a], m[a], se)
		}
	}
	for a := range 2 {
		for b := a; b < 2; b++ {
			var s, s2 float64
			for _, p := range pts {
				v := (p[a] - sm[a]) * (p[b] - sm[b])
				s += v
				s2 += v * v
			}
			cov := s / n
			se := math.Sqrt((s2/n - cov*cov) / n)
			if math.Abs(cov-c[2*a+b]) > 5*se {
				t.Errorf("%s: cov[%d][%d] = %v, want %v (se %v)", what, a, b, cov, c[2*a+b], se)
			}
		}
	}
}

// The Gaussian-mixture datasets are drawn from the law their documentation
// states: sample moments (overall and per class) against the moments of
// the described mixture, and Exact's own mixture has those components.
func TestGaussianDatasetsMatchDescription(t *testing.T) {
	n := 40000
	if testing.Short() {
		n = 10000
	}
	for _, sp := range gmSpecs {
		ds, err := datasets.Load(sp.name, n, rand.NewPCG(9, 9))
		if err != nil {
			t.Fatal(err)
		}
		if ds.Exact.Len() != len(sp.means) || !slices.Equal(ds.Exact.Labels(), sp.labels) {
			t.Fatalf("%s: Exact has %d components, labels %v; want %d, %v", sp.name, ds.Exact.Len(), ds.Exact.Labels(), len(sp.means), sp.labels)
		}
		m, c := moments(sp.means, sp.covs)
		checkMoments(t, sp.name, ds.Points, func(int) bool { return true }, m, c)
		if sp.labels == nil {
			continue
		}
		for y := range ds.Classes {
			var means [][2]float64
			var covs [][4]float64
			for i, l := range sp.labels {
				if l == y {
					means = append(means, sp.means[i])
					covs = append(covs, sp.covs[i])
				}
			}
			m, c := moments(means, covs)
			checkMoments(t, sp.name+" class", ds.Points, func(i int) bool { return ds.Labels[i] == y }, m, c)
		}
	}
}

// The labels agree with Exact's class structure: classifying each point by
// the argmax of Exact's class posterior at alpha = 1 (the Bayes classifier)
// errs at the Bayes error rate. The reference rates were estimated
// separately by Monte Carlo with NumPy (8e5 and 1.2e6 draws, standard
// error below 2e-4): 0.01735 for two-classes and 0.01179 for three-classes.
// With n points the observed rate has sd sqrt(p (1-p) / n); 5 sd allowed.
func TestLabelledDatasetsBayesError(t *testing.T) {
	const n = 20000
	for _, c := range []struct {
		name string
		p    float64
	}{{"two-classes", 0.01735}, {"three-classes", 0.01179}} {
		ds, err := datasets.Load(c.name, n, rand.NewPCG(12, 12))
		if err != nil {
			t.Fatal(err)
		}
		post := ds.Exact.ClassPosterior(nil, ds.Points, 1)
		wrong := 0
		for i := range n {
			row := post[i*ds.Classes : (i+1)*ds.Classes]
			best := 0
			for y, q := range row {
				if q > row[best] {
					best = y
				}
			}
			if best != ds.Labels[i] {
				wrong++
			}
		}
		rate := float64(wrong) / n
		if sd := math.Sqrt(c.p * (1 - c.p) / n); math.Abs(rate-c.p) > 5*sd {
			t.Errorf("%s: Bayes classifier error %v, want %v (sd %v)", c.name, rate, c.p, sd)
		}
	}
}

// TestLoadSizeLimit checks that n above MaxPoints is an error for every
// dataset (1<<62 used to panic in makeslice, 1e9 to run out of memory),
// and that three-points accepts a nil source, which its doc says it does
// not use; the boundary n = 1 is accepted.
func TestLoadSizeLimit(t *testing.T) {
	for _, name := range datasets.Names() {
		for _, n := range []int{1 << 62, 1e9, datasets.MaxPoints + 1, math.MaxInt} {
			if _, err := datasets.Load(name, n, rand.NewPCG(1, 1)); err == nil || !errors.Is(err, datasets.ErrDataset) || !strings.Contains(err.Error(), "want 1..1048576") {
				t.Errorf("Load(%q, %d) error = %v, want one naming the limit", name, n, err)
			}
		}
		if ds, err := datasets.Load(name, 1, rand.NewPCG(1, 1)); err != nil || len(ds.Points) != 2 {
			t.Errorf("Load(%q, 1) = %v", name, err)
		}
	}
	ds, err := datasets.Load("three-points", 6, nil)
	if err != nil {
		t.Fatalf("Load(three-points, 6, nil): %v", err)
	}
	want := []float64{-1, 0, 1, 0, 0, 1.5, -1, 0, 1, 0, 0, 1.5}
	for i := range want {
		if ds.Points[i] != want[i] {
			t.Fatalf("three-points Points = %v, want %v", ds.Points, want)
		}
	}
}
