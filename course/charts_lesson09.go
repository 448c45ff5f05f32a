// Lesson 9's charts: training with label dropout, the guided field across
// gamma, the gamma sweeps with their class posterior and spread, and
// guided against tilted samples.

package course

import (
	"fmt"
	"math"
	"math/rand/v2"

	"difftoy/toy"
	"difftoy/toy/datasets"
	"difftoy/toy/sample"
	"difftoy/viz"
)

// cfgCharts draws lesson 9 from its run r (the sweep numbers): the sweep
// charts, the trained conditional network tr (nil: none), the CFG samples
// xg at gamma and the tilted samples xt.
func cfgCharts(r *Result, ds *datasets.Dataset, gs GuidanceSetup, tr *Trained, chExact, chTrained *viz.Chart,
	gamma float64, xg, xt []float64, src rand.Source) ([]*viz.Chart, error) {
	var charts []*viz.Chart
	if tr != nil {
		charts = append(charts, cfgTraining(ds, tr, toy.DDPM(), src))
	}
	field, err := guidedFieldChart(ds, gs)
	if err != nil {
		return nil, err
	}
	charts = append(charts, field)
	charts = append(charts, chExact.WithCaption("Class-0 samples with classifier-free guidance from the exact scores, one panel per γ. "+
		"Look for the samples pulling away from the other class as γ grows (the chart below measures it)."))
	prefixes := []string{"exact"}
	if chTrained != nil {
		charts = append(charts, chTrained.WithCaption("The same sweep with the trained network's conditional and unconditional outputs. "+
			"Look for the same pattern, with the network's errors amplified at large γ."))
		prefixes = append(prefixes, "trained")
	}
	charts = append(charts, gammaCurves(r, gs, prefixes).
		WithCaption("Left: the mean exact class posterior q_0(0 | x) of the guided samples (±2 standard errors); right: their spread. "+
			"Look for the posterior rising with γ and the spread dropping most between γ = 0 and 1"+spreadNote(r, gs, "exact", "trained")+"."))

	return append(charts, guidedAgainstTiltedCharts(ds, gamma, xg, xt)...), nil
}

// guidedFieldChart draws the guided field D~_t(x | 0) - x at t = 300 with
// exact scores, one panel per gamma of the sweep.
func guidedFieldChart(ds *datasets.Dataset, gs GuidanceSetup) (*viz.Chart, error) {
	const t = 300
	a := toy.DDPM().Alpha(t)
	g := window(3.5, 17)
	x := g.Points()
	var fields []viz.Field
	for _, gm := range gs.Gammas {
		den, err := sample.NewCFG(ds.Exact, gm)
		if err != nil {
			return nil, err
		}
		d := den.Denoise(nil, x, a, labels(g.Len(), 0))
		for i := range d {
			d[i] -= x[i]
		}
		fields = append(fields, viz.Field{Title: fmt.Sprintf("γ = %g", gm), V: d})
	}
	return viz.Fields(fmt.Sprintf("Guided field D̃_t(x | 0) − x at t = %d (exact scores)", t), g, fields,
		viz.QuiverOpts{Label: "|D̃ − x|", Train: thinPoints(ds.Points, 200), Cols: 4}).
		WithCaption("Arrows from x to the guided denoiser's output for class 0, one scale for all panels; dark dots: 200 training points. " +
			"Look for the arrows growing with γ, longest in class 1's region, where they push towards class 0."), nil
}

// guidedAgainstTiltedCharts draws the CFG samples xg at gamma and the
// tilted density's samples xt in one panel, and the histograms of their
// projection on the line between the class means.
func guidedAgainstTiltedCharts(ds *datasets.Dataset, gamma float64, xg, xt []float64) []*viz.Chart {
	n := len(xg) / 2
	both := append(append([]float64(nil), xg...), xt...)
	lab := make([]int, n+len(xt)/2)
	for i := n; i < len(lab); i++ {
		lab[i] = 1
	}
	fine := window(3.5, 50)
	plane := viz.Plane(fmt.Sprintf("Guided is not tilted (γ = %g, class 0)", gamma), []viz.Scene{
		{Grid: fine, Density: density(ds.Exact, fine, 1), Points: both, Labels: lab},
	}, viz.PlaneOpts{Classes: []string{fmt.Sprintf("CFG samples, γ = %g", gamma), fmt.Sprintf("exact samples of q_0(x) q_0(0 | x)^%g", 1+gamma)}, Side: 420}).
		WithCaption("Both sample sets in one panel over the data density. Look for the CFG samples (blue) sitting further from " +
			"class 1 than the tilted density's samples (red).")
	u := classAxis(ds)
	h1, h2 := histogram(project(xg, u), 30), histogram(project(xt, u), 30)
	h1.Name, h2.Name = "CFG samples", "tilted density's samples"
	return []*viz.Chart{plane, viz.Lines("Guided against tilted, along the line between the class means",
		viz.LinePanel{Title: "histogram of u · x", XName: "u · x (u: from the class-1 mean to the class-0 mean)", YName: "density", Series: []viz.Series{h1, h2}}).
		WithCaption("The two sample sets projected on the direction from class 1 to class 0, as normalised histograms (30 bins). " +
			"Look for the CFG histogram shifted to larger u · x: guidance pushes further from the other class than the tilted density does.")}
}

// cfgTraining draws the conditional network's loss and its error per t,
// for its class outputs and its empty-label output.
func cfgTraining(ds *datasets.Dataset, tr *Trained, sched *toy.Schedule, src rand.Source) *viz.Chart {
	h := tr.History
	steps := make([]float64, len(h.Loss))
	for i := range steps {
		steps[i] = float64(i + 1)
	}
	loss := viz.LinePanel{Title: "batch loss (mean of 25)", XName: "Adam step", YName: "loss",
		Series: []viz.Series{{Name: "batch loss", X: thin(steps, 400), Y: thin(smooth(h.Loss, 25), 400)}}}
	panels := []viz.LinePanel{loss}
	if len(h.Evals) > 0 {
		ev := h.Evals[len(h.Evals)-1]
		var ts, empty []float64
		const n = 1000
		for i, t := range ev.T {
			ts = append(ts, float64(t))
			a := ev.Alpha[i]
			x := exactSample(ds.Exact, n, a, src)
			d := tr.Model.Denoise(nil, x, a, labels(n, toy.Empty))
			de := ds.Exact.Denoise(nil, x, a, nil)
			e := 0.0
			for k := range d {
				e += sq(d[k] - de[k])
			}
			empty = append(empty, e/n)
		}
		panels = append(panels, viz.LinePanel{Title: "error against the exact denoisers", XName: "step t", YName: "mean squared error", LogY: true,
			Series: []viz.Series{
				{Name: "D(x | y) vs D*(x | y)", X: ts, Y: ev.Err, Marks: true},
				{Name: "D(x | ∅) vs D*(x)", X: ts, Y: empty, Marks: true},
				{Name: "best constant", X: ts, Y: ev.Trivial, Dashed: true},
			}})
	}
	return viz.Lines("Training with label dropout", panels...).
		WithCaption("Left: the batch loss, smoothed. Right: the network's error per t with a class label (against D*(x | y)) and with " +
			"the empty label (against the unconditional D*(x), 1 000 exact draws of q_t), and the best constant for scale. " +
			"Look for both outputs far below the constant: one network learned both denoisers.")
}

// classAxis returns the unit vector from the mean of class 1 to the mean of
// class 0 of the labelled data.
func classAxis(ds *datasets.Dataset) [2]float64 {
	var m [2][2]float64
	var c [2]float64
	for i, y := range ds.Labels {
		if y > 1 {
			continue
		}
		m[y][0] += ds.Points[2*i]
		m[y][1] += ds.Points[2*i+1]
		c[y]++
	}
	dx, dy := m[0][0]/c[0]-m[1][0]/c[1], m[0][1]/c[0]-m[1][1]/c[1]
	l := math.Hypot(dx, dy)
	return [2]float64{dx / l, dy / l}
}

func project(x []float64, u [2]float64) []float64 {
	out := make([]float64, len(x)/2)
	for i := range out {
		out[i] = u[0]*x[2*i] + u[1]*x[2*i+1]
	}
	return out
}

// histogram returns the normalised histogram of v over bins equal bins
// between its extremes, as a curve through the bin centres.
func histogram(v []float64, bins int) viz.Series {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range v {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	w := (hi - lo) / float64(bins)
	if !(w > 0) {
		w = 1
	}
	count := make([]float64, bins)
	for _, x := range v {
		count[min(bins-1, int((x-lo)/w))]++
	}
	s := viz.Series{Marks: true}
	for b, c := range count {
		s.X = append(s.X, lo+(float64(b)+0.5)*w)
		s.Y = append(s.Y, c/(float64(len(v))*w))
	}
	return s
}
