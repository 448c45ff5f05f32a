// Lesson 7: conditional generation with the exact and the trained
// conditional denoisers, and the tower identities that tie the class
// posterior to them (lessons/07-conditional.md).

package course

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/metrics"
	"difftoy/toy/sample"
	"difftoy/viz"
)

// Random streams of lesson 7 (Config.rng); "+ y" is class y. Each
// sampleClass call takes a pair of streams (x_T, then the noise), so class
// y's pair starts at + 2y: up to five classes before the exact samples
// reach the trained ones.
const (
	streamFreshClass   = 3   // fresh class data for the energy distances and the Bayes accuracy
	streamExactClass   = 50  // + 2y: exact conditional samples (x_T here, the noise at + 2y + 1)
	streamTrainedClass = 60  // + 2y: trained conditional samples (likewise)
	streamClassLaw     = 700 // + y: the 20 000 draws that measure the class law's spread
)

// Conditional runs lesson 7: per class, exact and trained conditional
// samples with their energy distance and classifier share.
func Conditional(cfg Config, gs GuidanceSetup, tr *Trained) (*Result, error) {
	r := &Result{}
	ds, err := gs.data("course.Conditional", 4000, cfg.rng(streamLabelledData))
	if err != nil {
		return nil, err
	}
	plan, err := sample.Strided(toy.DDPM(), gs.Sampling)
	if err != nil {
		return nil, err
	}
	src := cfg.rng(streamFreshClass)
	var scenes []viz.Scene
	for y := 0; y < ds.Classes; y++ {
		sc, err := classSamples(r, cfg, gs, ds.Exact, plan, y, tr, src)
		if err != nil {
			return nil, err
		}
		scenes = append(scenes, sc...)
	}
	if tr != nil {
		addTrainingError(r, tr)
	}
	addTowerChecks(r, ds.Exact, ds.Classes)
	r.Charts = append(r.Charts, conditionalCharts(ds, ds.Exact, scenes, classPosteriorScenes(ds.Exact))...)
	conditionalClaims(r, cfg, gs)
	return r, nil
}

// conditionalClaims: lesson 7; n samples per class, the Bayes accuracy
// from 4000 fresh points.
func conditionalClaims(r *Result, cfg Config, gs GuidanceSetup) {
	r.claims(
		cl(1, "The class posteriors sum to 1 to rounding.", "largest |Σ q_t(y|x) − 1|", r.value("tower/class_sum_error"), Below, 1e-12),
		cl(2, "D*(x) = Σ_y q_t(y|x) D*(x|y) to rounding.", "largest gap", r.value("tower/denoiser_error"), Below, 1e-12),
		cl(2, "The score is Σ_y q_t(y|x) ∇log q_t(x|y) to rounding.", "largest relative gap", r.value("tower/score_error"), Below, 1e-9),
		cl(0, "With exact scores the CFG field equals the classifier-guidance field (lesson 9, claim 1).", "largest relative gap", r.value("tower/cfg_vs_cg_error"), Below, 1e-9),
	)
	if r.has("trained/excess") {
		r.claims(cl(0, "The conditional network's error is below the best constant denoiser's.", "E‖D(x|y) − D*(x|y)‖²", r.value("trained/excess"), Below, r.value("trained/trivial")).against("best constant denoiser"))
	}
	for y := 0; ; y++ {
		p := fmt.Sprintf("class%d/", y)
		if !r.has(p + "bayes") {
			break
		}
		b := r.value(p + "bayes")
		// Binomial standard error of the two shares combined.
		se := math.Sqrt(b*(1-b)/float64(gs.Samples) + b*(1-b)/4000)
		r.claims(
			ratioClaim(5, fmt.Sprintf("Exact conditional samples of class %d match the class.", y), fmt.Sprintf("class %d, exact", y), r.value(p+"exact_energy")),
			cl(6, fmt.Sprintf("The classifier's share of exact class-%d samples is the Bayes accuracy (within 3 standard errors).", y), fmt.Sprintf("share of class %d", y), r.value(p+"exact_share"), Near, b).hi(3*se+1e-12).se(se).against("Bayes accuracy ± 3 SE"),
		)
		if r.has(p + "exact_beta_spread") {
			law, se := r.value(p+"law_spread"), r.value(p+"exact_beta_spread_se")
			pse := r.value(p + "beta_minus_exact_spread_se")
			r.claims(
				cl(8, fmt.Sprintf("From the same starts and noise, exact samples of class %d spread wider with the variance β than with β̃ (by more than 3 paired standard errors).", y), fmt.Sprintf("spread, β − β̃ (%.3g − %.3g)", r.value(p+"exact_beta_spread"), r.value(p+"exact_spread")), r.value(p+"exact_beta_spread")-r.value(p+"exact_spread"), Above, 3*pse).se(pse).against("3 paired SE"),
				cl(8, fmt.Sprintf("Exact samples of class %d drawn with the variance β spread like the class law (within 3 standard errors).", y), fmt.Sprintf("spread, β − law (%.3g − %.3g)", r.value(p+"exact_beta_spread"), law), r.value(p+"exact_beta_spread")-law, Near, 0).hi(3*se).se(se).against("0 ± 3 SE"),
			)
		}
		if r.has(p+"trained_spread") && r.has(p+"law_spread") {
			law := r.value(p + "law_spread")
			c := cl(0, fmt.Sprintf("Trained samples of class %d spread like the class law (trace of covariance within 15%%).", y), fmt.Sprintf("spread, trained / law (%.3g / %.3g)", r.value(p+"trained_spread"), law), r.value(p+"trained_spread")/law, Near, 1).hi(0.15)
			c.Indicative = cfg.Quick
			r.claims(c)
		}
		if r.has(p + "trained_share") {
			s := r.value(p + "trained_share")
			r.claims(
				cl(7, fmt.Sprintf("Trained samples of class %d are assigned to it more often than chance.", y), fmt.Sprintf("share of class %d, trained", y), s, Above, 0.5).se(math.Sqrt(s*(1-s)/float64(gs.Samples))).against("q(y)"),
				cl(7, fmt.Sprintf("Trained samples of class %d reach 0.8 of the Bayes accuracy.", y), fmt.Sprintf("share of class %d, trained", y), s, Above, 0.8*b).se(math.Sqrt(s*(1-s)/float64(gs.Samples))).against("0.8 × Bayes"),
			)
		}
	}
}

// classSamples adds, for class y, the Bayes accuracy on fresh class data
// (drawn from src), and the energy distance, classifier share and spread
// of exact conditional samples (and the share and spread of the trained
// network's when tr is not nil); it returns their scenes.
func classSamples(r *Result, cfg Config, gs GuidanceSetup, ex analytic.Mixture, plan *sample.Plan, y int, tr *Trained, src rand.Source) ([]viz.Scene, error) {
	cls, err := ex.Class(y)
	if err != nil {
		return nil, err
	}
	g := window(3.5, 50)
	fresh := func(n int) []float64 { return exactSample(cls, n, 1, src) }
	bayes := metrics.ClassAccuracy(ex, fresh(4000), labels(4000, y))
	r.add(fmt.Sprintf("class%d/bayes", y), bayes, "share of fresh class data the exact classifier assigns to the class (Bayes accuracy)")
	x, xb, err := classVariances(ex, plan, gs.Samples, y, cfg, streamExactClass+2*uint64(y))
	if err != nil {
		return nil, err
	}
	ec := energyCheck(x, fresh, 10)
	r.add(fmt.Sprintf("class%d/exact_energy", y), ec.Energy/ec.Noise, "exact conditional samples: energy distance to the class data in units of its noise level")
	r.add(fmt.Sprintf("class%d/exact_share", y), metrics.ClassAccuracy(ex, x, labels(gs.Samples, y)), "exact conditional samples the classifier assigns to the class")
	lawPts := exactSample(cls, 20000, 1, cfg.rng(streamClassLaw+uint64(y)))
	r.add(fmt.Sprintf("class%d/law_spread", y), spread(lawPts), "trace of the class law's covariance (20000 fresh draws)")
	r.add(fmt.Sprintf("class%d/exact_spread", y), spread(x), "the same for the exact conditional samples (variance β̃)")
	r.add(fmt.Sprintf("class%d/exact_beta_spread", y), spread(xb), "the same for exact conditional samples with the variance β (same starts and noise)")
	r.add(fmt.Sprintf("class%d/exact_beta_spread_se", y), math.Hypot(spreadSE(xb), spreadSE(lawPts)), "Monte Carlo standard error of exact_beta_spread − law_spread")
	r.add(fmt.Sprintf("class%d/beta_minus_exact_spread_se", y), pairedSpreadSE(xb, x), "standard error of exact_beta_spread − exact_spread, paired sample by sample (same x_T and noise)")
	scenes := []viz.Scene{{Title: fmt.Sprintf("exact D*(x | %d)", y), Grid: g, Density: density(cls, g, 1), Points: x, Labels: labels(gs.Samples, y)}}
	if tr == nil {
		return scenes, nil
	}
	xt, err := sampleClass(tr.Model, plan, gs.Samples, y, cfg, streamTrainedClass+2*uint64(y))
	if err != nil {
		return nil, err
	}
	r.add(fmt.Sprintf("class%d/trained_share", y), metrics.ClassAccuracy(ex, xt, labels(gs.Samples, y)), "trained conditional samples the classifier assigns to the class")
	r.add(fmt.Sprintf("class%d/trained_spread", y), spread(xt), "the same for the trained conditional samples: compare with law_spread")
	return append(scenes, viz.Scene{Title: fmt.Sprintf("trained D(x | %d)", y), Grid: g, Density: density(cls, g, 1), Points: xt, Labels: labels(gs.Samples, y)}), nil
}

// classVariances samples class y with den twice from the same x_T and
// noise (streams stream and stream+1, as sampleClass): with the variance
// β̃, exactly sampleClass's samples, and with β, so that the two compare
// paired.
func classVariances(den toy.Denoiser, plan *sample.Plan, n, y int, cfg Config, stream uint64) (post, beta []float64, err error) {
	var xs [2][]float64
	for i, v := range []toy.Variance{toy.PosteriorVariance, toy.BetaVariance} {
		xs[i], err = sample.DDPM(plan, v).Sample(nil, gauss(n, cfg.rng(stream)), den, labels(n, y), cfg.rng(stream+1))
		if err != nil {
			return nil, nil, err
		}
	}
	return xs[0], xs[1], nil
}

// classPosteriorScenes draws the noisy class posterior q_t(0 | x) of ex
// across t.
func classPosteriorScenes(ex analytic.Mixture) []viz.Scene {
	var post []viz.Scene
	fine := window(3.5, 50)
	k := ex.Classes()
	for _, t := range []int{10, 200, 400, 700} {
		cp := ex.ClassPosterior(nil, fine.Points(), toy.DDPM().Alpha(t))
		v := make([]float64, fine.Len())
		for i := range v {
			v[i] = cp[i*k]
		}
		post = append(post, viz.Scene{Title: fmt.Sprintf("q_t(class 0 | x), t = %d", t), Grid: fine, Density: v})
	}
	return post
}

// addTowerChecks adds the largest departures, on a grid and at several t,
// from sum_y q_t(y | x) = 1 and from the tower identities
//
//	D*_t(x) = sum_y q_t(y | x) D*_t(x | y),
//	grad log q_t(x) = sum_y q_t(y | x) grad log q_t(x | y),
//
// and between the classifier-free and classifier guidance fields of the exact
// mixture at gamma = 3 (lessons/09-classifier-free-guidance.md section 1).
func addTowerChecks(r *Result, m analytic.Mixture, k int) {
	cfgField, err1 := sample.NewCFG(m, 3)
	cgField, err2 := sample.NewClassifierGuided(m, sample.ExactClassifier{M: m}, 3)
	if err := errors.Join(err1, err2); err != nil {
		panic("course: guidance fields at gamma = 3: " + err.Error()) // a finite gamma on one mixture: cannot happen
	}
	g := window(3, 15)
	x := g.Points()
	n := g.Len()
	var sumErr, dErr, sErr, gErr float64
	for _, t := range []int{1, 50, 300, 1000} {
		a := toy.DDPM().Alpha(t)
		cp := m.ClassPosterior(nil, x, a)
		d, s := m.Denoise(nil, x, a, nil), m.Score(nil, x, a, nil)
		dm, sm := make([]float64, 2*n), make([]float64, 2*n)
		for y := 0; y < k; y++ {
			ly := labels(n, y)
			dy, sy := m.Denoise(nil, x, a, ly), m.Score(nil, x, a, ly)
			for i := 0; i < n; i++ {
				for j := 0; j < 2; j++ {
					dm[2*i+j] += cp[i*k+y] * dy[2*i+j]
					sm[2*i+j] += cp[i*k+y] * sy[2*i+j]
				}
			}
			cfg := cfgField.Score(nil, x, a, ly)
			cg := cgField.Score(nil, x, a, ly)
			for i := range cfg {
				gErr = math.Max(gErr, math.Abs(cfg[i]-cg[i])/(1+math.Abs(cg[i])))
			}
		}
		for i := 0; i < n; i++ {
			var sum float64
			for y := 0; y < k; y++ {
				sum += cp[i*k+y]
			}
			sumErr = math.Max(sumErr, math.Abs(sum-1))
		}
		for i := range d {
			dErr = math.Max(dErr, math.Abs(d[i]-dm[i]))
			sErr = math.Max(sErr, math.Abs(s[i]-sm[i])/(1+math.Abs(s[i])))
		}
	}
	r.add("tower/class_sum_error", sumErr, "largest |sum_y q_t(y | x) - 1|")
	r.add("tower/denoiser_error", dErr, "largest |D*(x) - sum_y q_t(y|x) D*(x|y)|")
	r.add("tower/score_error", sErr, "largest relative |score - sum_y q_t(y|x) score(x|y)|")
	r.add("tower/cfg_vs_cg_error", gErr, "largest relative gap between the CFG and classifier-guidance fields (gamma = 3)")
}
