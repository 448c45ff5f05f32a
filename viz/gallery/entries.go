// The gallery's pages: one per chart kind of package viz, each naming the
// lesson chart it shows or, for the kinds no lesson draws, building a chart
// on small fixed data.

package gallery

import (
	"math"

	"difftoy/viz"
)

// Entry is one page of the gallery: a chart of kind Kind, taken from the
// result of lesson Lesson (the chart titled Chart) or, when Lesson is "",
// built by Example on small fixed data.
type Entry struct {
	File  string // the page's name in the folder
	Title string // the page's title and its link on the index
	Kind  string // the function of package viz that draws the chart
	About string // what that function draws, one or two sentences
	// Lesson is the ID of the lesson whose result holds the chart ("" for
	// an example), Chart that chart's title.
	Lesson, Chart string
	// Below lists the titles of further charts of the lesson that the
	// chart's caption refers to, shown under it.
	Below []string
	// Example builds the chart of a kind that no lesson draws.
	Example func() *viz.Chart
}

// Entries returns the gallery's pages, one per chart kind, in reading order.
func Entries() []Entry {
	return []Entry{
		{File: "samples.html", Title: "Samples coloured by class", Kind: "Samples",
			About:  "One scene of the plane: points coloured by class, training points drawn on top, a density behind.",
			Lesson: "07-conditional", Chart: "The labelled data"},
		{File: "density.html", Title: "Density of q_t over t", Kind: "Plane",
			About:  "Scenes as small multiples sharing one window of the plane, both axes on the same scale; here every panel is a density coloured to its own peak.",
			Lesson: "02-ideal-denoiser", Chart: "The noisy density q_t across t"},
		{File: "heatmap.html", Title: "A density on a grid", Kind: "Density",
			About:   "One heat map of values on a grid, with a colour bar.",
			Example: ringDensity},
		{File: "score.html", Title: "Vector fields side by side", Kind: "Fields",
			About:  "Vector fields on one grid as small multiples, on one arrow scale and one colour scale, over grey contours of a background.",
			Lesson: "02-ideal-denoiser", Chart: "Score ∇log q_t over contours of log q_t across t"},
		{File: "field.html", Title: "One vector field", Kind: "Quiver",
			About:   "One vector field as arrows from the nodes of a grid, coloured by length, with marked points.",
			Example: spiralField},
		{File: "posterior.html", Title: "Weights, one panel per component", Kind: "Posterior",
			About:   "Weights of K components over the plane that sum to one at every point (posterior weights), one panel per component.",
			Example: softmaxWeights},
		{File: "weights.html", Title: "Weights mixed in one picture", Kind: "Mixed",
			About:  "The same kind of weights drawn as one colour per component, mixed at each point by the weights; one panel per noise level.",
			Lesson: "02-ideal-denoiser", Chart: "Posterior weights πᵢ(x) across t, one colour per point"},
		{File: "samplers.html", Title: "Sampler paths", Kind: "Paths",
			About:  "Trajectories as paths coloured by time, from grey circles at the starts to black dots at the ends.",
			Lesson: "10-deterministic-sampling", Chart: "Trajectories: stochastic vs deterministic"},
		{File: "langevin.html", Title: "Particles moving, animated", Kind: "Animate",
			About:  "Trajectories played step by step on a timeline that can be paused and dragged.",
			Lesson: "11-langevin", Chart: "Chains moving: plain vs annealed"},
		{File: "schedules.html", Title: "Noise schedules", Kind: "Schedules",
			About:  "α_t, β_t and log SNR of noise schedules against t.",
			Lesson: "01-forward-process", Chart: "Linear and cosine schedules"},
		{File: "curves.html", Title: "Curves", Kind: "Lines",
			About:  "Line panels of named series, on linear or log axes.",
			Lesson: "10-deterministic-sampling", Chart: "Euler against Heun on the PF-ODE"},
		{File: "guidance.html", Title: "Guidance sweep", Kind: "GuidanceSweep",
			About:  "Samples drawn with several guidance scales γ, one panel per scale.",
			Lesson: "09-classifier-free-guidance", Chart: "exact: guided samples of class 0", Below: []string{"The guided samples against γ"}},
	}
}

// exampleGrid is the window of the examples on fixed data.
func exampleGrid(n int) viz.Grid { return viz.Grid{X0: -2, X1: 2, Y0: -2, Y1: 2, NX: n, NY: n} }

// ringDensity: exp(−(|x| − 1.2)² / 0.1) on a 60x60 grid, a ring of radius 1.2.
func ringDensity() *viz.Chart {
	g := exampleGrid(60)
	p := g.Points()
	v := make([]float64, g.Len())
	for i := range v {
		r := math.Hypot(p[2*i], p[2*i+1]) - 1.2
		v[i] = math.Exp(-r * r / 0.1)
	}
	return viz.Density("exp(−(|x| − 1.2)² / 0.1) on a 60x60 grid", g, v, "value").
		WithCaption("A made-up function, not an experiment: dark for 0, bright for the largest value (1, on the circle of radius 1.2). " +
			"Look for a bright ring of radius 1.2 around a dark centre.")
}

// spiralField: v(x) = (−x₂, x₁) − x/2 on a 15x15 grid, a spiral into the origin.
func spiralField() *viz.Chart {
	g := exampleGrid(15)
	p := g.Points()
	v := make([]float64, len(p))
	for i := 0; i < len(p); i += 2 {
		v[i], v[i+1] = -p[i+1]-p[i]/2, p[i]-p[i+1]/2
	}
	return viz.Quiver("v(x) = (−x₂, x₁) − x/2 on a 15x15 grid", g, v,
		viz.QuiverOpts{Label: "|v|", Marks: []float64{0, 0}, MarksName: "the fixed point (0, 0)"}).
		WithCaption("A made-up field, not an experiment: arrows from each node, proportional to v(x) and coloured by its length. " +
			"Look for the arrows turning anticlockwise into the orange diamond at the origin, longer further out.")
}

// softmaxWeights: π_k(x) ∝ exp(2 c_k·x) for three unit vectors c_k, on a
// 60x60 grid.
func softmaxWeights() *viz.Chart {
	g := exampleGrid(60)
	p := g.Points()
	var c []float64
	for _, deg := range []float64{90, 210, 330} {
		s, co := math.Sincos(deg * math.Pi / 180)
		c = append(c, co, s)
	}
	const k = 3
	w := make([]float64, k*g.Len())
	for i := range g.Len() {
		sum := 0.0
		for j := range k {
			w[i*k+j] = math.Exp(2 * (c[2*j]*p[2*i] + c[2*j+1]*p[2*i+1]))
			sum += w[i*k+j]
		}
		for j := range k {
			w[i*k+j] /= sum
		}
	}
	return viz.Posterior("π_k(x) ∝ exp(2 c_k · x) for three unit vectors c_k", g, w, c,
		[]string{"c₁ at 90°", "c₂ at 210°", "c₃ at 330°"}).
		WithCaption("Made-up weights, not an experiment (the form the posterior weights of three equally likely points of one norm take): " +
			"one panel per component, from 0 (white) to 1 (purple); orange diamond: the panel's c_k. " +
			"Look for each panel dark in the third of the plane around its c_k, with straight borders through the origin.")
}
