// Lesson 3's charts: the loss curve with its floor, the error per t next to
// MMSE_t, trained and exact denoiser fields side by side, and the ELBO
// weights with their ratio.

package course

import (
	"fmt"
	"math"
	"math/rand/v2"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/nn"
	"difftoy/viz"
)

// lossWeight returns the weight, in x_0 terms, that nn's default (simple)
// loss puts on ||D - x_0||^2 at signal level alpha for the spec: 1/b^2
// where D = a x + b F. For PredX0 b = 1; for PredEDM with data scale s,
// b = s sqrt((1 - alpha) / (1 - alpha + alpha s^2)). ok is false for the
// other parametrisations (lesson 6 draws their weights).
func lossWeight(spec nn.Spec, alpha float64) (w float64, ok bool) {
	switch spec.Pred {
	case nn.PredX0:
		return 1, true
	case nn.PredEDM:
		s2 := spec.SigmaData * spec.SigmaData
		return (1 - alpha + alpha*s2) / (s2 * (1 - alpha)), true
	}
	return 0, false
}

// lossFloor estimates the loss of the exact denoiser under the training's
// draws (t uniform on 1..T, x_0 a training point, the squared error summed
// over the coordinates and weighted by lossWeight): the average over t of
// w_t MMSE_t, the floor of the training loss. It returns the estimate and
// its standard error.
// The weighting is that of the training (nn.Config.Weight): WeightX0 weighs
// every t by 1, WeightELBO draws t from 2..T with the ELBO weights scaled to
// mean 1 there (as nn does).
func lossFloor(spec nn.Spec, wt nn.Weighting, ex analytic.Mixture, data []float64, sched *toy.Schedule, n int, src rand.Source) (float64, float64) {
	r := rand.New(src)
	T, m := sched.T(), len(data)/2
	tMin, elbo := 1, 0.0
	if wt == nn.WeightELBO {
		tMin = 2
		for t := 2; t <= T; t++ {
			elbo += toy.ELBOWeight(sched.Alpha(t), sched.Alpha(t-1), toy.PosteriorVariance) / float64(T-1)
		}
	}
	l := make([]float64, n)
	x := make([]float64, 2)
	for i := range l {
		t := tMin + r.IntN(T-tMin+1)
		a := sched.Alpha(t)
		j := r.IntN(m)
		x0 := data[2*j : 2*j+2]
		for c := range 2 {
			x[c] = math.Sqrt(a)*x0[c] + math.Sqrt(1-a)*r.NormFloat64()
		}
		d := ex.Denoise(nil, x, a, nil)
		w, _ := lossWeight(spec, a)
		switch wt {
		case nn.WeightX0:
			w = 1
		case nn.WeightELBO:
			w = toy.ELBOWeight(a, sched.Alpha(t-1), toy.PosteriorVariance) / elbo
		}
		l[i] = w * (sq(d[0]-x0[0]) + sq(d[1]-x0[1]))
	}
	return meanSE(l)
}

// trainingCharts draws lesson 3. loss holds the batch losses, ts2 the
// checked steps with the network's excess error and MMSE_t there.
func trainingCharts(ts TrainSetup, tr *Trained, loss, ts2, excess, mmse []float64, src rand.Source) []*viz.Chart {
	m, ex, sched := tr.Model, tr.Data.Exact, tr.Sched
	steps := make([]float64, len(loss))
	for i := range steps {
		steps[i] = float64(i + 1)
	}
	sx, sy := thin(steps, 400), thin(smooth(loss, 25), 400)
	lossSeries := []viz.Series{{Name: "batch loss (mean of 25)", X: sx, Y: sy}}
	caption := "Left: the batch loss, smoothed over 25 Adam steps. "
	if _, ok := lossWeight(m.Spec, 0.5); ok || ts.Weight != nn.WeightSimple {
		floor, se := lossFloor(m.Spec, ts.Weight, ex, tr.Data.Points, sched, 20000, src)
		lossSeries = append(lossSeries, viz.Series{Name: fmt.Sprintf("floor E_t w_t MMSE_t = %.3f ± %.3f", floor, se),
			X: []float64{sx[0], sx[len(sx)-1]}, Y: []float64{floor, floor}, Dashed: true})
		caption += "Dashed: the same loss of the exact D*, the average over t of MMSE_t weighted as the loss weighs it " +
			"(Monte Carlo, 20 000 draws). Look for the loss falling fast onto this floor, not to zero. "
	}
	caption += "Right: the network's excess error E‖D − D*‖² at the checked t next to MMSE_t, the error no denoiser can avoid; " +
		"look for the excess staying below MMSE_t at every t."
	charts := []*viz.Chart{viz.Lines("Training",
		viz.LinePanel{Title: "batch loss and its floor", XName: "Adam step", YName: "loss", Series: lossSeries},
		viz.LinePanel{Title: "error against the exact denoiser", XName: "step t", YName: "mean squared error", LogY: true,
			Series: []viz.Series{{Name: "network E‖D − D*‖²", X: ts2, Y: excess, Marks: true}, {Name: "MMSE E‖D* − x_0‖²", X: ts2, Y: mmse, Marks: true}}},
	).WithCaption(caption)}

	g := window(3, 17)
	x := g.Points()
	var fields []viz.Field
	for _, t := range []int{100, 400} {
		a := sched.Alpha(t)
		dn, de := m.Denoise(nil, x, a, nil), ex.Denoise(nil, x, a, nil)
		for i := range x {
			dn[i] -= x[i]
			de[i] -= x[i]
		}
		fields = append(fields, viz.Field{Title: fmt.Sprintf("trained D_t(x) − x, t = %d", t), V: dn},
			viz.Field{Title: fmt.Sprintf("exact D*_t(x) − x, t = %d", t), V: de})
	}
	charts = append(charts, viz.Fields("Trained against exact denoiser fields", g, fields,
		viz.QuiverOpts{Label: "|D − x|", Train: thinPoints(tr.Data.Points, 200), Cols: 4}).
		WithCaption("Arrows from x to D_t(x), all four panels on one length and colour scale; dark dots: 200 training points. "+
			"Compare each trained panel with the exact one to its right, arrow by arrow."))

	var wT, wPost, wBeta, ratio []float64
	for t := 2; t <= sched.T(); t++ {
		wT = append(wT, float64(t))
		p := toy.ELBOWeight(sched.Alpha(t), sched.Alpha(t-1), toy.PosteriorVariance)
		b := toy.ELBOWeight(sched.Alpha(t), sched.Alpha(t-1), toy.BetaVariance)
		wPost, wBeta, ratio = append(wPost, p), append(wBeta, b), append(ratio, p/b)
	}
	charts = append(charts, viz.Lines("ELBO weights w_t = B_t² / (2 C_t²)",
		viz.LinePanel{Title: "w_t for both variance choices", XName: "step t", YName: "w_t", LogY: true,
			Series: []viz.Series{{Name: "C² = β_t", X: wT, Y: wBeta}, {Name: "C² = β̃_t (dashed: nearly on top)", X: wT, Y: wPost, Dashed: true}}},
		viz.LinePanel{Title: "ratio of the two: β_t / β̃_t", XName: "step t", YName: "w_t(β̃) / w_t(β)",
			Series: []viz.Series{{Name: "ratio", X: wT, Y: ratio}}}).
		WithCaption(fmt.Sprintf("Left: the weights fall over many orders of magnitude in t; past the first steps the dashed β̃ curve "+
			"hides the β one, but at t = 2 they differ by a factor %.2g (w₂ = %.4g for β̃, %.4g for β). "+
			"Right: their ratio β_t / β̃_t, large only at the first steps.", wPost[0]/wBeta[0], wPost[0], wBeta[0])))
	return charts
}
