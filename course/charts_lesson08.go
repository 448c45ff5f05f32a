// Lesson 8's charts: the exact and trained noisy classifiers over the plane
// and their gradient fields side by side, accuracy per t, the gamma
// sweeps, and the class posterior and spread of the samples against gamma.

package course

import (
	"fmt"
	"math"
	"strings"

	"difftoy/toy"
	"difftoy/toy/datasets"
	"difftoy/toy/nn"
	"difftoy/toy/sample"
	"difftoy/viz"
)

// classifierCharts draws lesson 8 from its run r (the sweep numbers), the
// accuracies accE, accT at steps ts, the sweep charts and the trained
// classifier clf (nil: none).
func classifierCharts(r *Result, ds *datasets.Dataset, gs GuidanceSetup, ts, accE, accT []float64,
	chExact, chTrained *viz.Chart, clf *nn.Classifier) []*viz.Chart {
	charts := []*viz.Chart{classifierPlane(ds, clf), classifierFields(ds, clf), accuracyChart(ts, accE, accT, clf)}
	sweepCaption := "Class-0 samples guided with scale γ over the data density. Look for the samples leaving the class boundary as γ " +
		"grows; most of the change happens between γ = 0 and 1, after which the mean class posterior is near its ceiling " +
		"(the chart below) and the panels change little."
	charts = append(charts, chExact.WithCaption(sweepCaption))
	if chTrained != nil {
		charts = append(charts, chTrained.WithCaption("The same sweep guided by the trained classifier. Look for the same pattern as with the exact one."))
	}
	charts = append(charts, gammaCurves(r, gs, []string{"exact classifier", "trained classifier"}).
		WithCaption("Left: the mean exact class posterior q_0(0 | x) of the guided samples, with ±2 standard errors; right: their spread "+
			"(trace of the covariance). Look for the posterior rising towards 1 and the spread dropping most between γ = 0 and 1, "+
			"then moving less"+spreadNote(r, gs, "exact classifier")+"."))
	return charts
}

// classifierPlane draws the exact noisy class posterior of class 0 over the
// plane at three steps, and the trained classifier's when clf is not nil.
func classifierPlane(ds *datasets.Dataset, clf *nn.Classifier) *viz.Chart {
	sched := toy.DDPM()
	fine := window(3.5, 50)
	var post []viz.Scene
	steps := []int{100, 300, 600}
	for _, t := range steps {
		a := sched.Alpha(t)
		cp := ds.Exact.ClassPosterior(nil, fine.Points(), a)
		v := make([]float64, fine.Len())
		for i := range v {
			v[i] = cp[i*ds.Classes]
		}
		post = append(post, viz.Scene{Title: fmt.Sprintf("exact q_t(0 | x), t = %d", t), Grid: fine, Density: v})
	}
	if clf != nil {
		for _, t := range steps {
			cp := clf.Probs(nil, fine.Points(), sched.Alpha(t))
			v := make([]float64, fine.Len())
			for i := range v {
				v[i] = cp[i*ds.Classes]
			}
			post = append(post, viz.Scene{Title: fmt.Sprintf("trained C_t(0 | x), t = %d", t), Grid: fine, Density: v})
		}
	}
	caption := "The probability of class 0 given x_t, one colour scale for all panels"
	if clf != nil {
		caption += ": the exact posterior on the top row, the trained classifier below"
	}
	return viz.Plane("The noisy classifiers over the plane", post, viz.PlaneOpts{DensityLabel: "P(0 | x)", Cols: 3, Side: 240}).
		WithCaption(caption + ". Look for the trained classifier reproducing the exact boundary, sharp at small t and blurred at large t.")
}

// classifierFields draws the gradient of the log probability of class 0 at
// t = 300, exact and (when clf is not nil) trained.
func classifierFields(ds *datasets.Dataset, clf *nn.Classifier) *viz.Chart {
	exact := sample.ExactClassifier{M: ds.Exact}
	g := window(3.5, 17)
	const t = 300
	a := toy.DDPM().Alpha(t)
	fields := []viz.Field{{Title: "exact ∇log q_t(0 | x)", V: exact.Grad(nil, g.Points(), a, labels(g.Len(), 0))}}
	if clf != nil {
		fields = append(fields, viz.Field{Title: "trained ∇log C_t(0 | x)", V: clf.Grad(nil, g.Points(), a, labels(g.Len(), 0))})
	}
	return viz.Fields(fmt.Sprintf("Classifier gradient fields at t = %d", t), g, fields,
		viz.QuiverOpts{Label: "|∇log p(0|x)|", Train: thinPoints(ds.Points, 200), Cols: 2}).
		WithCaption("Arrows of the gradient of the log probability of class 0, one scale for both panels; dark dots: 200 training points. " +
			"Look for short arrows deep inside class 0 (where the probability is flat near 1) and long ones across the boundary and on " +
			"class 1's side, all pointing into class 0; the trained field should match the exact one.")
}

// accuracyChart draws the accuracies of the exact (accE) and trained (accT)
// noisy classifiers at the steps ts.
func accuracyChart(ts, accE, accT []float64, clf *nn.Classifier) *viz.Chart {
	series := []viz.Series{{Name: "exact q_t(y | x)", X: ts, Y: accE, Marks: true}}
	if clf != nil {
		series = append(series, viz.Series{Name: "trained C_t(y | x)", X: ts, Y: accT, Marks: true})
	}
	return viz.Lines("Noisy classifiers",
		viz.LinePanel{Title: "accuracy on (x_t, y)", XName: "step t", YName: "accuracy", Series: series}).
		WithCaption("The share of noisy points (x_t, y) each classifier labels right. Look for both falling from the clean Bayes " +
			"accuracy at small t to chance (1/2) at t = T, the trained one on top of the exact one.")
}

// spreadNote gives spreadValues of each sweep found in r, as
// " (exact: …; each point is one set of samples)", or "" when none is.
func spreadNote(r *Result, gs GuidanceSetup, prefixes ...string) string {
	var parts []string
	for _, p := range prefixes {
		if s := spreadValues(r, gs, p); s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, "; ") + "; each point is one set of samples)"
}

// spreadValues gives, from the run's numbers, the spread of the sweep
// named prefix at γ = 0 and 1 and its range over the larger γ, as
// "prefix: 0.52 at γ = 0, 0.37 at γ = 1, 0.35 to 0.37 above" ("" when the
// run has no such numbers).
func spreadValues(r *Result, gs GuidanceSetup, prefix string) string {
	p := prefix + "/spread_gamma"
	s0, ok0 := r.Number(p + "0")
	s1, ok1 := r.Number(p + "1")
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, g := range gs.Gammas {
		if v, ok := r.Number(fmt.Sprintf("%s%g", p, g)); ok && g > 1 {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if !ok0 || !ok1 || lo > hi {
		return ""
	}
	return fmt.Sprintf("%s: %.3g at γ = 0, %.3g at γ = 1, %.3g to %.3g above", prefix, s0, s1, lo, hi)
}

// gammaCurves draws, for each sweep prefix found in r, the mean class
// posterior (with ±2 standard errors) and the spread of the samples
// against gamma.
func gammaCurves(r *Result, gs GuidanceSetup, prefixes []string) *viz.Chart {
	var post, spr []viz.Series
	for _, p := range prefixes {
		var m, lo, hi, s viz.Series
		m.Name, s.Name = p, p
		// The band takes its curve's name: its colour and one legend entry.
		lo.Name, hi.Name = p, p
		lo.Dashed, hi.Dashed, m.Marks, s.Marks = true, true, true, true
		for _, g := range gs.Gammas {
			v, ok := r.Number(fmt.Sprintf("%s/posterior_gamma%g", p, g))
			se, _ := r.Number(fmt.Sprintf("%s/posterior_se_gamma%g", p, g))
			sp, _ := r.Number(fmt.Sprintf("%s/spread_gamma%g", p, g))
			if !ok {
				continue
			}
			m.X, m.Y = append(m.X, g), append(m.Y, v)
			lo.X, lo.Y = append(lo.X, g), append(lo.Y, v-2*se)
			hi.X, hi.Y = append(hi.X, g), append(hi.Y, math.Min(1, v+2*se))
			s.X, s.Y = append(s.X, g), append(s.Y, sp)
		}
		if len(m.X) > 0 {
			post = append(post, m, lo, hi)
			spr = append(spr, s)
		}
	}
	return viz.Lines("The guided samples against γ",
		viz.LinePanel{Title: "mean exact q_0(0 | x) of the samples", XName: "guidance scale γ", YName: "q_0(0 | x)", Series: post},
		viz.LinePanel{Title: "spread: trace of the samples' covariance", XName: "guidance scale γ", YName: "spread", Series: spr})
}
