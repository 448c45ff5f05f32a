// The gallery's experiments: each builds one page from exact quantities.

package gallery

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/datasets"
	"difftoy/toy/nn"
	"difftoy/toy/sample"
	"difftoy/viz"
)

// Entries returns the gallery's pages, one per chart kind, in reading order.
func Entries() []Entry {
	return []Entry{
		{"samples.html", "Samples coloured by class", "exact samples of three-classes over its training points and density", samplesPage},
		{"density.html", "Density of q_t over t", "the three-point example blurred by the forward process (100x100 grid)", densityPage},
		{"forward.html", "The forward process, animated", "training points diffusing to N(0, I), with a timeline over t", forwardPage},
		{"score.html", "Score field", "∇ log q_t of the three points on a 30x30 grid, equal scale on both axes", scorePage},
		{"denoiser.html", "Denoiser displacement D(x) - x", "where the ideal denoiser moves each point", denoiserPage},
		{"field-error.html", "Difference of two fields", "the score read at a wrong noise level minus the exact score", errorFieldPage},
		{"posterior.html", "Posterior weights πᵢ(x)", "which of the three points x_t came from, over the plane", posteriorPage},
		{"samplers.html", "DDPM, DDIM and PF-ODE paths", "1 000 particles, 100 steps, paths and animation side by side", samplersPage},
		{"langevin.html", "Langevin dynamics", "unadjusted Langevin on the clean eight-gaussians density", langevinPage},
		{"schedules.html", "Noise schedules", "α_t, β_t and log SNR of the linear and cosine schedules", schedulesPage},
		{"curves.html", "Loss and error against t", "the irreducible denoising loss per step and its weighted mean", curvesPage},
		{"guidance.html", "Guidance sweep", "classifier-free guidance on two-classes, small multiples over γ", guidancePage},
		{"learned.html", "A trained denoiser against the exact one", "loss curve, error against t, learned minus exact score", learnedPage},
	}
}

func rng(seed uint64) rand.Source { return rand.NewPCG(seed, seed^0x9e3779b97f4a7c15) }

func load(name string, n int, seed uint64) (*datasets.Dataset, error) {
	return datasets.Load(name, n, rng(seed))
}

// exactSamples draws n points of q_t (alpha) from m with their classes.
func exactSamples(m analytic.Mixture, n int, alpha float64, seed uint64) ([]float64, []int) {
	comp := make([]int, n)
	x := m.Sample(make([]float64, 2*n), comp, alpha, rng(seed))
	labels := m.Labels()
	if labels == nil {
		return x, nil
	}
	y := make([]int, n)
	for i, c := range comp {
		y[i] = labels[c]
	}
	return x, y
}

// density evaluates q_t on the nodes of g.
func density(m analytic.Mixture, g viz.Grid, alpha float64) []float64 {
	v := m.LogProb(nil, g.Points(), alpha)
	for i := range v {
		v[i] = math.Exp(v[i])
	}
	return v
}

func classNames(k int) []string {
	names := make([]string, k)
	for i := range names {
		names[i] = fmt.Sprintf("class %d", i)
	}
	return names
}

var plane = viz.Grid{X0: -3, X1: 3, Y0: -3, Y1: 3}

func grid(n int) viz.Grid { g := plane; g.NX, g.NY = n, n; return g }

func samplesPage(seed uint64) (*viz.Page, error) {
	ds, err := load("three-classes", 300, seed)
	if err != nil {
		return nil, err
	}
	x, y := exactSamples(ds.Exact, 600, 1, seed+1)
	g := viz.Grid{X0: -4, X1: 4, Y0: -4, Y1: 4, NX: 80, NY: 80}
	c := viz.Plane("Exact samples of three-classes", []viz.Scene{{
		Grid: g, Density: density(ds.Exact, g, 1), Train: ds.Points, Points: x, Labels: y,
	}}, viz.PlaneOpts{Classes: classNames(ds.Classes), Side: 560}).WithCaption("Coloured dots: 600 exact samples by class; small dark dots: the 300 training points, drawn on top; " +
		"grey shading: the density q_0. Look for the samples covering the same three blobs as the data.")
	return viz.NewPage("Samples coloured by class").
		Text("600 exact draws from the Gaussian mixture behind the three-classes data set (dots coloured by class), " +
			"its 300 training points (small dark dots) and its density q_0 (grey shading).").Add(c), nil
}

func densityPage(seed uint64) (*viz.Page, error) {
	ds, err := load("three-points", 3, seed)
	if err != nil {
		return nil, err
	}
	g := grid(100)
	var scenes []viz.Scene
	for _, a := range []float64{0.95, 0.8, 0.5, 0.1} {
		d := density(ds.Exact, g, a)
		scenes = append(scenes, viz.Scene{Title: fmt.Sprintf("α_t = %g", a), Grid: g, Density: d})
	}
	c := viz.Plane("Density q_t of the three points at four noise levels", scenes,
		viz.PlaneOpts{DensityLabel: "q_t(x)", Cols: 4, Side: 240, PerPanel: true}).
		WithCaption("Each panel coloured from 0 to its own peak (in its title). Look for the three blobs at √α_t x⁽ⁱ⁾ " +
			"widening and merging into one as α_t falls.")
	return viz.NewPage("Density of q_t over t").
		Text("q_t(x) = Σᵢ ⅓ N(x | √α_t x⁽ⁱ⁾, (1 − α_t) I) on a 100x100 grid for four signal levels α_t. " +
			"Each panel is coloured from 0 (dark) to its own peak (bright, value in its title): the peaks fall as the noise grows.").
		Add(c), nil
}

func forwardPage(seed uint64) (*viz.Page, error) {
	ds, err := load("three-classes", 600, seed)
	if err != nil {
		return nil, err
	}
	s := toy.DDPM()
	var steps []int
	for t := 0; t <= s.T(); t += 25 {
		steps = append(steps, t)
	}
	frames := toy.Chain(s, ds.Points, steps, rng(seed+1))
	times := make([]float64, len(steps))
	for i, t := range steps {
		times[i] = float64(t)
	}
	run := viz.Run{Name: "x_t", Steps: frames, Labels: ds.Labels, Times: times}
	c := viz.Animate("Forward process on three-classes (linear schedule, T = 1000)", []viz.Run{run},
		viz.TrajOpts{Classes: classNames(ds.Classes), MaxFrames: len(frames)}).
		WithCaption("The training points moved by the forward chain, coloured by class, one frame every 25 steps (timeline below). " +
			"Look for the classes mixing into one round cloud by t = 1000.")
	return viz.NewPage("The forward process, animated").
		Text("x_t = √(1 − β_t) x_{t−1} + √β_t ε_t from the 600 training points, every 25th step shown. " +
			"The timeline plays on its own; drag it or press pause to look at one step.").Add(c), nil
}

func threePointField(what string) (*viz.Page, error) {
	ds, err := load("three-points", 3, 1)
	if err != nil {
		return nil, err
	}
	const alpha = 0.5
	g := grid(30)
	p := g.Points()
	m := ds.Exact
	var v []float64
	var title, label, text, caption, marksName string
	var marks []float64
	switch what {
	case "score":
		v = m.Score(nil, p, alpha, nil)
		title, label = "Score ∇ log q_t(x) of the three points at α_t = 0.5", "|∇ log q_t|"
		text = "Arrows point up the density towards √α_t x⁽ⁱ⁾; lengths are proportional to |∇ log q_t(x)|."
		caption = "Rings: the data points x⁽ⁱ⁾; orange diamonds: √α_t x⁽ⁱ⁾ ≈ 0.71 x⁽ⁱ⁾, the centres of q_t. " +
			"Look for the arrows converging on the diamonds, not on the rings."
		marks, marksName = scaled(ds.Points, math.Sqrt(alpha)), "√α_t x⁽ⁱ⁾"
	case "denoiser":
		d := m.Denoise(nil, p, alpha, nil)
		v = make([]float64, len(p))
		for i := range v {
			v[i] = d[i] - p[i]
		}
		title, label = "Displacement D*(x) − x of the ideal denoiser at α_t = 0.5", "|D*(x) − x|"
		text = "D*(x) = E[x_0 | x_t = x] = Σᵢ πᵢ(x) x⁽ⁱ⁾: each arrow goes from x to the posterior mean of the clean point."
		caption = "Arrows from x, proportional to D*(x) − x; rings: the three points. Look for arrows aiming at the " +
			"nearest point inside its cell and at blends of the points near the cell borders."
	case "error":
		// A denoiser that misreads the noise level: the score implied by
		// D*_{0.45} used where alpha = 0.5 holds.
		const wrong = 0.45
		d := m.Denoise(nil, p, wrong, nil)
		s := m.Score(nil, p, alpha, nil)
		v = make([]float64, len(p))
		for i := 0; i < len(p); i++ {
			v[i] = (math.Sqrt(alpha)*d[i]-p[i])/(1-alpha) - s[i]
		}
		title, label = "Score error of a denoiser that reads α_t = 0.45 instead of 0.5", "|s − s*|"
		text = "The field (√α D*_{0.45}(x) − x)/(1 − α) minus the exact score at α = 0.5: " +
			"the same chart shows a learned score minus the exact one."
		caption = "Arrows: the score error at each node, coloured by length; rings: the three points. " +
			"Look for the error growing away from the points, where a wrong noise level misplaces the pull."
	}
	c := viz.Quiver(title, g, v, viz.QuiverOpts{Label: label, Train: ds.Points, TrainName: "data points x⁽ⁱ⁾",
		Marks: marks, MarksName: marksName}).WithCaption(caption)
	return viz.NewPage(title).Text(text).Add(c), nil
}

// scaled returns the points p times f.
func scaled(p []float64, f float64) []float64 {
	out := make([]float64, len(p))
	for i, v := range p {
		out[i] = f * v
	}
	return out
}

func scorePage(uint64) (*viz.Page, error)      { return threePointField("score") }
func denoiserPage(uint64) (*viz.Page, error)   { return threePointField("denoiser") }
func errorFieldPage(uint64) (*viz.Page, error) { return threePointField("error") }

func posteriorPage(seed uint64) (*viz.Page, error) {
	ds, err := load("three-points", 3, seed)
	if err != nil {
		return nil, err
	}
	g := grid(80)
	const alpha = 0.5
	w := ds.Exact.Posterior(nil, g.Points(), alpha)
	pts := ds.Exact.(*analytic.DeltaMixture).Points()
	c := viz.Posterior("Posterior weights πᵢ(x) of the three points at α_t = 0.5", g, w, pts,
		[]string{"x⁽¹⁾ = (−1, 0)", "x⁽²⁾ = (1, 0)", "x⁽³⁾ = (0, 1.5)"}).
		WithCaption("One panel per point, shaded by its weight from 0 (white) to 1 (purple); orange diamond: the panel's point. " +
			"Look for three cells whose borders are straight: with equal weights, the perpendicular bisectors of the shrunk points √ᾱ x⁽ⁱ⁾, not of the points x⁽ⁱ⁾ the diamonds mark (the x⁽¹⁾–x⁽²⁾ border is the same line, the two others are not).")
	return viz.NewPage("Posterior weights πᵢ(x)").
		Text("πᵢ(x) = q(x_0 = x⁽ⁱ⁾ | x_t = x): a softmax of −|x − √α_t x⁽ⁱ⁾|² / (2(1 − α_t)). The weights sum to one at every x.").
		Add(c), nil
}

// record converts a sampler's recorded frames into a viz.Run.
func record(name string, tr *sample.Trajectory, labels []int) viz.Run {
	r := viz.Run{Name: name, Labels: labels}
	for _, f := range tr.Frames {
		r.Steps = append(r.Steps, f.X)
		r.Times = append(r.Times, float64(f.T))
	}
	return r
}

func gaussianStart(n int, seed uint64) []float64 {
	r := rand.New(rng(seed))
	x := make([]float64, 2*n)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	return x
}

func samplersPage(seed uint64) (*viz.Page, error) {
	ds, err := load("eight-gaussians", 400, seed)
	if err != nil {
		return nil, err
	}
	const n, moves = 1000, 100
	plan, err := sample.Strided(toy.DDPM(), moves)
	if err != nil {
		return nil, err
	}
	xT := gaussianStart(n, seed+1)
	var runs []viz.Run
	for _, k := range []struct {
		name string
		run  func(tr *sample.Trajectory) error
	}{
		{"DDPM (η = 1)", func(tr *sample.Trajectory) error {
			s := sample.DDPM(plan, toy.PosteriorVariance)
			s.Record = tr
			_, err := s.Sample(nil, xT, ds.Exact, nil, rng(seed+2))
			return err
		}},
		{"DDIM (η = 0)", func(tr *sample.Trajectory) error {
			s := sample.DDIM(plan, 0)
			s.Record = tr
			_, err := s.Sample(nil, xT, ds.Exact, nil, nil)
			return err
		}},
		{"PF-ODE (Heun)", func(tr *sample.Trajectory) error {
			o := &sample.ODE{Plan: plan, Heun: true, Record: tr}
			_, err := o.Sample(nil, xT, ds.Exact, nil)
			return err
		}},
	} {
		tr := &sample.Trajectory{}
		if err := k.run(tr); err != nil {
			return nil, fmt.Errorf("%s: %w", k.name, err)
		}
		runs = append(runs, record(k.name, tr, nil))
	}
	o := viz.TrajOpts{Train: ds.Points, MaxPaths: 80}
	paths := viz.Paths("Paths of 80 of the 1 000 particles, same start, 100 steps", runs, o).
		WithCaption("Paths coloured by time (blue at x_T, orange at x_0), grey circles at the starts, black dots at the ends, " +
			"small dark dots: the data. Look for DDPM's jagged paths against the smooth, nearly identical DDIM and PF-ODE curves.")
	anim := viz.Animate("500 of the particles step by step", runs, o).
		WithCaption("The same three samplers moving together over the timeline (press pause or drag it). " +
			"Look for the cloud splitting into the eight modes in the last third of the steps.")
	return viz.NewPage("DDPM, DDIM and PF-ODE paths").
		Text("Three samplers with the exact denoiser of eight-gaussians, started from the same 1 000 draws of N(0, I) "+
			"and run over 100 evenly spaced steps of the linear schedule. DDPM adds fresh noise at every step; "+
			"DDIM and the probability-flow ODE are deterministic and nearly coincide.").
		Add(paths, anim), nil
}

func langevinPage(seed uint64) (*viz.Page, error) {
	ds, err := load("eight-gaussians", 400, seed)
	if err != nil {
		return nil, err
	}
	const n = 500
	x0 := gaussianStart(n, seed+1)
	for i := range x0 {
		x0[i] *= 1.5
	}
	tr := &sample.Trajectory{}
	l := &sample.Langevin{Size: 0.1, Iters: 200, Record: tr}
	if _, err := l.Sample(nil, x0, ds.Exact, nil, rng(seed+2)); err != nil {
		return nil, err
	}
	run := record("Langevin, step 0.1", tr, nil)
	run.Times = nil
	o := viz.TrajOpts{Train: ds.Points, MaxSteps: 100}
	return viz.NewPage("Langevin dynamics").
		Text("x ← x + (s²/2) ∇ log q(x) + s z with s = 0.1, 200 moves, from 500 points spread over the plane. "+
			"Particles settle in the mode they reach first.").
		Add(viz.Paths("Langevin paths on eight-gaussians (200 moves)", []viz.Run{run}, o).
			WithCaption("Paths coloured by move (blue first, orange last), grey circles at the starts, black dots at the ends. "+
				"Look for each particle heading to the nearest mode and then jittering inside it."),
			viz.Animate("Langevin moves, animated", []viz.Run{run}, o).
				WithCaption("The same particles move by move on the timeline. Look for the fast fall into the modes "+
					"and then no further crossing between them.")), nil
}

func schedulesPage(uint64) (*viz.Page, error) {
	cos, err := toy.Cosine(1000, 0.008)
	if err != nil {
		return nil, err
	}
	var curves []viz.ScheduleCurves
	for _, s := range []*toy.Schedule{toy.DDPM(), cos} {
		c := viz.ScheduleCurves{Name: s.Name}
		for t := 1; t <= s.T(); t = min(t+5, s.T()+1) {
			if t > s.T()-5 {
				t = s.T() // end the curves at T
			}
			c.T = append(c.T, float64(t))
			c.Alpha = append(c.Alpha, s.Alpha(t))
			c.Beta = append(c.Beta, s.Beta(t))
			c.LogSNR = append(c.LogSNR, s.LogSNR(t))
		}
		curves = append(curves, c)
	}
	return viz.NewPage("Noise schedules").
		Text("The linear schedule of DDPM (β from 10⁻⁴ to 0.02) and the cosine schedule (s = 0.008), T = 1000.").
		Add(viz.Schedules("Linear and cosine schedules, T = 1000", curves...).
			WithCaption("β_t is on a log scale: the cosine schedule's β_t rises to its cap of 0.999 at t = T, which flattens " +
				"everything else on a linear scale. Look for the cosine α_t's S-shape and its nearly straight log SNR.")), nil
}

// curvesPage: the irreducible x0 loss E|D*(x_t) - x_0|^2 per step on
// eight-gaussians, estimated by Monte Carlo, and its running mean.
func curvesPage(seed uint64) (*viz.Page, error) {
	ds, err := load("eight-gaussians", 400, seed)
	if err != nil {
		return nil, err
	}
	s := toy.DDPM()
	const n = 400
	r := rand.New(rng(seed + 1))
	var ts, loss, mean []float64
	sum := 0.0
	for t := 10; t <= s.T(); t += 10 {
		a := s.Alpha(t)
		x0, _ := exactSamples(ds.Exact, n, 1, r.Uint64())
		xt := make([]float64, len(x0))
		for i := range xt {
			xt[i] = math.Sqrt(a)*x0[i] + math.Sqrt(1-a)*r.NormFloat64()
		}
		d := ds.Exact.Denoise(nil, xt, a, nil)
		e := 0.0
		for i := range d {
			e += (d[i] - x0[i]) * (d[i] - x0[i])
		}
		e /= n
		sum += e
		ts, loss = append(ts, float64(t)), append(loss, e)
		mean = append(mean, sum/float64(len(ts)))
	}
	c := viz.Lines("Irreducible denoising loss of eight-gaussians (Monte Carlo, 400 draws per step)",
		viz.LinePanel{Title: "E|D*(x_t) − x_0|² against t", XName: "step t", YName: "squared error", LogY: true,
			Series: []viz.Series{{Name: "exact denoiser", X: ts, Y: loss}}},
		viz.LinePanel{Title: "running mean over t (the uniform-weight loss)", XName: "up to step t", YName: "mean squared error",
			Series: []viz.Series{{Name: "exact denoiser", X: ts, Y: mean}}},
	).WithCaption("Left: the squared error of the ideal denoiser per step (log scale); right: its mean over the steps up to t. " +
		"Look for near-zero error at small t and the data's variance at large t.")
	return viz.NewPage("Loss and error against t").
		Text("The x_0 loss even the ideal denoiser cannot go below: near zero at small t, " +
			"the data's variance at large t. A trained model's curve lies above it.").Add(c), nil
}

func guidancePage(seed uint64) (*viz.Page, error) {
	ds, err := load("two-classes", 400, seed)
	if err != nil {
		return nil, err
	}
	const n = 300
	plan, err := sample.Strided(toy.DDPM(), 50)
	if err != nil {
		return nil, err
	}
	xT := gaussianStart(n, seed+1)
	y := make([]int, n)
	for i := range y {
		y[i] = i % ds.Classes
	}
	gammas := []float64{0, 1, 3, 6}
	var scenes []viz.Scene
	for _, g := range gammas {
		cfg, err := sample.NewCFG(ds.Exact, g)
		if err != nil {
			return nil, err
		}
		x, err := sample.DDIM(plan, 0).Sample(nil, xT, cfg, y, nil)
		if err != nil {
			return nil, err
		}
		scenes = append(scenes, viz.Scene{Train: ds.Points, Points: x, Labels: y})
	}
	c := viz.GuidanceSweep("Classifier-free guidance on two-classes (DDIM, 50 steps)", gammas, scenes, classNames(ds.Classes)).
		WithCaption("One panel per guidance scale γ, samples coloured by the class asked for, data as small dark dots. " +
			"Look for the classes separating and shrinking away from each other as γ grows.")
	return viz.NewPage("Guidance sweep").
		Text("The same 300 starting points sampled with guidance scale γ, half asking for each class: γ = 0 is plain " +
			"conditional sampling; larger γ adds γ (s(x | y) − s(x)) and pushes samples away from the other class.").Add(c), nil
}

// learnedPage trains a small MLP denoiser on eight-gaussians (a few
// seconds) and compares it with the exact one: its loss curve, its error
// against D* over t, and its score minus the exact score.
func learnedPage(seed uint64) (*viz.Page, error) {
	ds, err := load("eight-gaussians", 2000, seed)
	if err != nil {
		return nil, err
	}
	s := toy.DDPM()
	spec := nn.DefaultSpec(2)
	spec.Hidden = []int{64, 64}
	m, err := nn.NewModel(spec, s, rng(seed+1))
	if err != nil {
		return nil, err
	}
	cfg := nn.DefaultConfig()
	cfg.Steps, cfg.Batch, cfg.LR = 1500, 128, 2e-3
	cfg.EvalEvery, cfg.EvalSteps, cfg.EvalPoints = 0, 20, 500
	h, err := nn.Train(context.Background(), m, nn.FromDataset(ds), cfg, rng(seed+2))
	if err != nil {
		return nil, err
	}
	// Loss: means over windows of 50 steps (single batches are noisy).
	var step, loss []float64
	const win = 50
	for k := 0; k+win <= len(h.Loss); k += win {
		sum := 0.0
		for _, l := range h.Loss[k : k+win] {
			sum += l
		}
		step, loss = append(step, float64(k+win)), append(loss, sum/win)
	}
	ev := h.Evals[len(h.Evals)-1]
	var ts []float64
	for _, t := range ev.T {
		ts = append(ts, float64(t))
	}
	curves := viz.Lines("A small MLP (2x64, 1 500 Adam steps) trained on eight-gaussians",
		viz.LinePanel{Title: "training loss (mean over 50 steps)", XName: "Adam step", YName: "x_0 loss",
			Series: []viz.Series{{Name: "training loss", X: step, Y: loss}}},
		viz.LinePanel{Title: "error against the exact denoiser", XName: "step t", YName: "mean |D(x_t) − D*(x_t)|²", LogY: true,
			Series: []viz.Series{{Name: "trained MLP", X: ts, Y: ev.Err}, {Name: "best constant", X: ts, Y: ev.Trivial}}},
	).WithCaption("Left: the training loss, averaged over 50 steps; right: the trained denoiser's error against D* per step, " +
		"with the best constant denoiser for scale. Look for the error far below the constant's, except at the largest t, " +
		"where the constant (the data mean) is nearly D* itself.")
	const t = 100
	alpha := s.Alpha(t)
	g := viz.Grid{X0: -3.5, X1: 3.5, Y0: -3.5, Y1: 3.5, NX: 30, NY: 30}
	p := g.Points()
	learned := toy.ScoreFrom(m).Score(nil, p, alpha, nil)
	exact := ds.Exact.Score(nil, p, alpha, nil)
	for i := range learned {
		learned[i] -= exact[i]
	}
	field := viz.Quiver(fmt.Sprintf("Learned minus exact score at t = %d (α_t = %.3f)", t, alpha), g, learned,
		viz.QuiverOpts{Label: "|s − s*|", Train: ds.Exact.(*analytic.GaussianMixture).Means(), TrainName: "component means"}).
		WithCaption("Arrows: learned minus exact score at each node, coloured by length; rings: the eight component means. " +
			"Look for small errors near the data and larger ones in the empty middle, where the network saw few points.")
	return viz.NewPage("A trained denoiser against the exact one").
		Text("The one page with a trained model: its loss, its error against D* at 20 values of t next to the best "+
			"constant denoiser, and where in the plane its score is wrong.").
		Add(curves, field), nil
}
