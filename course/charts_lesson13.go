// Lesson 13's charts: the family's paths and samples, its marginals
// against q_t, Analytic-DPM's variances and errors, the score-matching
// losses.

package course

import (
	"fmt"

	"difftoy/viz"
)

// sdeCharts draws lesson 13 from the family's run, the three reverse
// variances of one plan and the numbers of r.
func sdeCharts(ss SDESetup, fam familyRun, vars reverseVariances, r *Result) []*viz.Chart {
	return append(familyCharts(ss, fam), varianceChart(vars, r), adpmChart(ss, r), scoreMatchingChart(ss, r))
}

// familyCharts draws the family's paths, final samples and energy ratios
// against exact q_t.
func familyCharts(ss SDESetup, fam familyRun) []*viz.Chart {
	finals, ratios := fam.finals, fam.ratios
	anim := viz.Animate("Paths of the SDE family from the same x_T", fam.runs, viz.TrajOpts{MaxPaths: 150}).
		WithCaption("Each member of the family (churn λ; the last adds a Langevin corrector move per level) run from the same " +
			"starting points, shown as the cloud of particles at each frame. Look for the clouds at each frame looking alike " +
			"whatever λ: every member has the marginals q_t.")
	ends := viz.Plane("The family's samples at t = 0", finals, viz.PlaneOpts{PerPanel: true, Cols: 5, Side: 200}).
		WithCaption(fmt.Sprintf("The %d chains of each member at the end of %d moves, over the data density (grey), with the "+
			"energy distance to fresh data over its noise level in each title. Look for the same picture in every panel.", ss.Chains, ss.Moves))
	xs := []float64{float64(ss.Checks[len(ss.Checks)-1]), float64(ss.Checks[0])}
	ratios = append(ratios, viz.Series{Name: "bound of the largest, 4", X: xs, Y: []float64{4, 4}, Dashed: true})
	return []*viz.Chart{anim, ends, viz.Lines("Marginals of the family against exact q_t",
		viz.LinePanel{Title: "energy distance / noise level", XName: "t", YName: "ratio", Series: ratios}).
		WithCaption("For each member and each checked t, the energy distance between its chains and fresh exact samples of " +
			"q_t, over the noise level of two exact samples (a perfect sampler scores about 1; the largest of these 25 ratios is held below 4). " +
			"Look for every point below the dashed bound and no member or t standing out: all members have the marginals q_t.")}
}

// varianceChart draws the three reverse variances of each move of one plan.
func varianceChart(vars reverseVariances, r *Result) *viz.Chart {
	optV, betaV, tildeV := vars.opt, vars.beta, vars.tilde
	var ks []float64
	for k := range optV {
		ks = append(ks, float64(k+1))
	}
	return viz.Lines(fmt.Sprintf("Reverse variances per move, %d steps", len(optV)),
		viz.LinePanel{Title: "C² of each move", XName: "move k", YName: "C²", LogY: true, Series: threeVariances(ks, [3]string{"β (upper)", "β̃ (lower)", "Analytic-DPM optimal"}, betaV, tildeV, optV)}).
		WithCaption(fmt.Sprintf("The variance of each reverse move: β and β̃ of the strided step, and the optimal β̃ + B² E tr Cov[x₀|x_t]/d "+
			"computed from the exact posterior (the values drawn at the last move are not used: the move to the data adds no noise "+
			"in any setting, and β̃ = 0 there is off the log axis). Look for the optimum never below β̃, close to β at the noisy start "+
			"and above β at %d of the %d moves (possible for data of variance above 1 per coordinate, section 5; the eight Gaussians "+
			"have about 2).", int(r.value("adpm/moves_above_beta")), len(optV)))
}

// threeVariances are the marked series of the three reverse variances
// (C² = β, C² = β̃, Analytic-DPM's optimum) against x.
func threeVariances(x []float64, names [3]string, beta, tilde, opt []float64) []viz.Series {
	return []viz.Series{
		{Name: names[0], X: x, Y: beta, Marks: true},
		{Name: names[1], X: x, Y: tilde, Marks: true},
		{Name: names[2], X: x, Y: opt, Marks: true},
	}
}

// adpmChart draws the energy distance of DDPM with the three variances
// against the number of steps.
func adpmChart(ss SDESetup, r *Result) *viz.Chart {
	var xsK, eb, et, eo, en []float64
	for _, K := range ss.FewSteps {
		xsK = append(xsK, float64(K))
		eb = append(eb, r.value(fmt.Sprintf("adpm/%d/beta", K)))
		et = append(et, r.value(fmt.Sprintf("adpm/%d/beta~", K)))
		eo = append(eo, r.value(fmt.Sprintf("adpm/%d/optimal", K)))
		en = append(en, r.value(fmt.Sprintf("adpm/%d/noise", K)))
	}
	return viz.Lines("Energy distance against the number of steps: three reverse variances",
		viz.LinePanel{Title: "energy distance to the data", XName: "steps", YName: "energy distance", LogY: true, Series: append(threeVariances(xsK, [3]string{"C² = β", "C² = β̃", "Analytic-DPM"}, eb, et, eo),
			viz.Series{Name: "noise level", X: xsK, Y: en, Dashed: true})}).
		WithCaption(fmt.Sprintf("DDPM with the exact denoiser and few strided steps, each variance from the same x_T, against the "+
			"two-sample noise level (dashed). Look for Analytic-DPM below both fixed variances by many noise levels at %d steps; "+
			"from 10 steps on all three are within a few noise levels of the data and of each other, and their order there is "+
			"not reliable.", ss.FewSteps[0]))
}

// scoreMatchingChart draws the three score-matching losses of s(x) = -x.
func scoreMatchingChart(ss SDESetup, r *Result) *viz.Chart {
	var ts, esm, dsm, ism []float64
	for _, t := range ss.SMSteps {
		e := r.value(fmt.Sprintf("sm/t%d/esm", t))
		ts, esm = append(ts, float64(t)), append(esm, e)
		dsm = append(dsm, e+r.value(fmt.Sprintf("sm/t%d/dsm_gap", t)))
		ism = append(ism, e+r.value(fmt.Sprintf("sm/t%d/ism_gap", t)))
	}
	return viz.Lines("Three score-matching losses of one field",
		viz.LinePanel{Title: "loss of s(x) = −x", XName: "t", YName: "loss", LogY: true, Series: []viz.Series{
			{Name: "explicit |s − ∇log q_t|²", X: ts, Y: esm, Marks: true},
			{Name: "denoising − its constant", X: ts, Y: dsm, Marks: true, Dashed: true},
			{Name: "implicit + E|∇log q_t|²", X: ts, Y: ism, Marks: true, Dashed: true},
		}}).
		WithCaption("The three losses of the field −x (the score of N(0, I), which ignores the data) at three noise levels, " +
			"on the same Monte Carlo draws. Look for the three curves on top of each other: the losses differ only by " +
			"constants that do not depend on the model.")
}
