package explorer

import (
	"fmt"
	"math"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/sample"
)

// Guide names a guidance method.
type Guide int

const (
	NoGuide         Guide = iota // unconditional fields
	ClassifierGuide              // grad log q_t(x) + (1 + gamma) grad log q_t(y | x)
	FreeGuide                    // classifier-free: D(x|y) + gamma (D(x|y) - D(x|Empty))
)

// Guidance is the class and scale of a guided view; Guide = NoGuide ignores
// the rest.
type Guidance struct {
	Guide Guide
	Class int
	Gamma float64
}

// check says, in plain words, why g cannot guide d.
func (g Guidance) check(d *Data) error {
	switch g.Guide {
	case NoGuide:
		return nil
	case ClassifierGuide, FreeGuide:
	default:
		return fmt.Errorf("unknown guidance %d", g.Guide)
	}
	if d.Classes < 2 {
		return fmt.Errorf("guidance needs data with at least two classes; %s has none", d.Name)
	}
	if g.Class < 0 || g.Class >= d.Classes {
		return fmt.Errorf("class %d does not exist: the data have classes 0 to %d", g.Class, d.Classes-1)
	}
	if !(g.Gamma >= 0) || math.IsInf(g.Gamma, 0) {
		return fmt.Errorf("gamma must be a number of at least 0, not %v", g.Gamma)
	}
	return nil
}

// denoiser returns the (guided) exact denoiser and the labels to call it
// with for n points.
func (g Guidance) denoiser(d *Data, n int) (toy.Denoiser, []int, error) {
	if g.Guide == NoGuide {
		return d.Exact, nil, nil
	}
	y := make([]int, n)
	for i := range y {
		y[i] = g.Class
	}
	if g.Guide == FreeGuide {
		den, err := sample.NewCFG(d.Exact, g.Gamma)
		return den, y, err
	}
	den, err := sample.NewClassifierGuided(d.Exact, sample.ExactClassifier{M: d.Exact}, g.Gamma)
	return den, y, err
}

// Schedule is the noise schedule of every view: DDPM's linear schedule,
// T = 1000.
var Schedule = toy.DDPM()

// Grid returns the n x n nodes of the square [-View, View]^2, row-major with
// x varying fastest, from (-View, -View) to (View, View).
func Grid(n int) []float64 {
	p := make([]float64, 0, 2*n*n)
	for j := range n {
		for i := range n {
			p = append(p, gridAt(i, n), gridAt(j, n))
		}
	}
	return p
}

func gridAt(i, n int) float64 {
	if n == 1 {
		return 0
	}
	return -View + 2*View*float64(i)/float64(n-1)
}

// Arrows says what the arrows of a view show.
type Arrows int

const (
	PullArrows  Arrows = iota // D*(x) - x: where the ideal denoiser moves x
	ScoreArrows               // grad log q_t(x) = (sqrt(alpha) D*(x) - x) / (1 - alpha)
)

// Field is the grid views at one step t.
type Field struct {
	T     int
	Alpha float64
	// Heat holds log q_t at the HeatN x HeatN nodes of Grid(HeatN), or the
	// tilted log density when guided.
	HeatN int
	Heat  []float64
	// Arrows holds D*(x) - x (guided: D~(x | y) - x), or the (guided)
	// score, at the ArrowN x ArrowN nodes of Grid(ArrowN), two values per
	// node.
	ArrowN int
	Kind   Arrows
	Arrows []float64
}

// MaxGrid is the largest grid side the views accept.
const MaxGrid = 200

// Fields computes the views of d at step t (1..T of Schedule).
func Fields(d *Data, t, heatN, arrowN int, kind Arrows, g Guidance) (*Field, error) {
	if t < 1 || t > Schedule.T() {
		return nil, fmt.Errorf("t must be between 1 and %d, not %d", Schedule.T(), t)
	}
	if heatN < 1 || heatN > MaxGrid || arrowN < 1 || arrowN > MaxGrid {
		return nil, fmt.Errorf("grid sides must be between 1 and %d, not %d and %d", MaxGrid, heatN, arrowN)
	}
	if err := g.check(d); err != nil {
		return nil, err
	}
	alpha := Schedule.Alpha(t)
	if kind != PullArrows && kind != ScoreArrows {
		return nil, fmt.Errorf("unknown arrows %d", kind)
	}
	f := &Field{T: t, Alpha: alpha, HeatN: heatN, ArrowN: arrowN, Kind: kind}
	hp := Grid(heatN)
	f.Heat = d.Exact.LogProb(nil, hp, alpha)
	if g.Guide != NoGuide {
		// log q_t(x) q_t(y | x)^(1 + gamma): the density whose score both
		// guidance methods follow on exact fields.
		c := d.Classes
		post := d.Exact.ClassPosterior(nil, hp, alpha)
		for i := range f.Heat {
			f.Heat[i] += (1 + g.Gamma) * math.Log(post[i*c+g.Class])
		}
	}
	ap := Grid(arrowN)
	den, y, err := g.denoiser(d, arrowN*arrowN)
	if err != nil {
		return nil, err
	}
	if kind == ScoreArrows {
		f.Arrows = scorer(den).Score(nil, ap, alpha, y)
		return f, nil
	}
	f.Arrows = den.Denoise(nil, ap, alpha, y)
	for i := range f.Arrows {
		f.Arrows[i] -= ap[i]
	}
	return f, nil
}

// Posterior is the posterior over the components at one point.
type Posterior struct {
	X, Y     float64 // the point x_t
	Weights  []float64
	Denoised [2]float64 // D*(x)
}

// PosteriorAt returns the component posteriors pi_i(x) at (x, y) and step t.
func PosteriorAt(d *Data, t int, x, y float64) (*Posterior, error) {
	if t < 1 || t > Schedule.T() {
		return nil, fmt.Errorf("t must be between 1 and %d, not %d", Schedule.T(), t)
	}
	if math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
		return nil, fmt.Errorf("the probe point (%v, %v) is not a point", x, y)
	}
	alpha := Schedule.Alpha(t)
	p := []float64{x, y}
	var m analytic.Mixture = d.Exact
	den := m.Denoise(nil, p, alpha, nil)
	return &Posterior{X: x, Y: y, Weights: m.Posterior(nil, p, alpha), Denoised: [2]float64{den[0], den[1]}}, nil
}
