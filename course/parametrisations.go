// Lesson 6: eps, x0, score and v are linear readings of one optimum
// E[x_0 | x_t] (MATH.md section 5): four networks trained on the four
// targets, each converted to an x0 prediction.

package course

import (
	"context"
	"fmt"
	"math"

	"difftoy/toy"
	"difftoy/toy/nn"
	"difftoy/viz"
)

// ParamSetup is what lesson 6 varies.
type ParamSetup struct {
	Dataset string
	Steps   int       // Adam steps per network
	Preds   []nn.Pred // the parametrisations trained
}

// DefaultParametrisations is the setup of lesson 6.
func DefaultParametrisations(cfg Config) ParamSetup {
	return ParamSetup{Dataset: "eight-gaussians", Steps: cfg.size(800, 400),
		Preds: []nn.Pred{nn.PredX0, nn.PredEps, nn.PredScore, nn.PredV}}
}

// Parametrisations runs lesson 6.
func Parametrisations(ctx context.Context, cfg Config, ps ParamSetup, p Progress) (*Result, error) {
	r := &Result{}
	ds := load(ps.Dataset, 4000, cfg.rng(1))
	sched := toy.DDPM()
	var errs []viz.Series
	for _, pred := range ps.Preds {
		spec := nn.DefaultSpec(2)
		spec.Pred = pred
		_, h, err := trainedModel(ctx, ds, spec, sched, ps.Steps, cfg.Seed, "training "+pred.String(), p)
		if err != nil {
			return nil, err
		}
		last := h.Evals[len(h.Evals)-1]
		r.add(pred.String()+"/excess", last.Mean, "E||D - D*||^2 over uniform t, converted to x0")
		r.add(pred.String()+"/trivial", last.TrivialMean, "the same for the best constant denoiser E[x_0]")
		r.add(pred.String()+"/excess_weighted", last.Weighted, "E||D - D*||^2 averaged with weights alpha_t (the error a sampler step makes)")
		r.add(pred.String()+"/trivial_weighted", last.TrivialWeighted, "the same for the best constant denoiser")
		ts := make([]float64, len(last.T))
		for i, t := range last.T {
			ts[i] = float64(t)
		}
		errs = append(errs, viz.Series{Name: pred.String(), X: ts, Y: last.Err})
	}

	// The four exact fields at one t, and the implied loss weights.
	t := 200
	a := sched.Alpha(t)
	g := window(3, 17)
	x := g.Points()
	m := ds.Exact
	d := m.Denoise(nil, x, a, nil)
	for i := range d {
		d[i] -= x[i]
	}
	var wt, w1, wEps, wScore, wV []float64
	for s := 1; s <= sched.T(); s++ {
		snr := sched.SNR(s)
		wt = append(wt, float64(s))
		w1 = append(w1, 1)
		wEps = append(wEps, snr)
		wScore = append(wScore, snr/(1-sched.Alpha(s)))
		wV = append(wV, 1+snr)
	}
	r.Charts = append(r.Charts,
		viz.Lines("Four networks converted to x0: error against D*",
			viz.LinePanel{Title: "E||D_t - D*_t||² by parametrisation", XName: "step t", YName: "excess error", LogY: true, Series: errs},
			viz.LinePanel{Title: "weights each loss puts on ||D - x_0||²", XName: "step t", YName: "weight", LogY: true,
				Series: []viz.Series{{Name: "x0", X: wt, Y: w1}, {Name: "eps", X: wt, Y: wEps}, {Name: "score", X: wt, Y: wScore}, {Name: "v", X: wt, Y: wV}}}),
		viz.Quiver(fmt.Sprintf("x0 reading: D*_t(x) - x at t = %d", t), g, d, viz.QuiverOpts{Label: "|D* - x|"}),
		viz.Quiver(fmt.Sprintf("eps reading: ε*_t(x) at t = %d", t), g, m.Eps(nil, x, a, nil), viz.QuiverOpts{Label: "|ε*|"}),
		viz.Quiver(fmt.Sprintf("score reading: ∇log q_t(x) at t = %d", t), g, m.Score(nil, x, a, nil), viz.QuiverOpts{Label: "|score|"}),
		viz.Quiver(fmt.Sprintf("v reading: v*_t(x) at t = %d", t), g, toy.V(m, nil, x, a, nil), viz.QuiverOpts{Label: "|v*|"}),
	)
	// Conversion round trip: D* -> eps -> D*, to rounding.
	eps := m.Eps(nil, x, a, nil)
	worst := 0.0
	for i := range eps {
		back := (x[i] - math.Sqrt(1-a)*eps[i]) / math.Sqrt(a)
		worst = math.Max(worst, math.Abs(back-(d[i]+x[i])))
	}
	r.add("eps_roundtrip_error", worst, "largest |D* - (x - sqrt(1-alpha) eps*)/sqrt(alpha)| on the grid")
	return r, nil
}

func runParametrisations(ctx context.Context, cfg Config, p Progress) (*Result, error) {
	return Parametrisations(ctx, cfg, DefaultParametrisations(cfg), p)
}
