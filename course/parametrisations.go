// Lesson 6: eps, x0, score and v are linear readings of one optimum
// E[x_0 | x_t] (lessons/06-parametrisations.md): four networks trained on
// the four targets, each converted to an x0 prediction.

package course

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"difftoy/toy"
	"difftoy/toy/nn"
	"difftoy/toy/sample"
	"difftoy/viz"
)

// ParamSetup is what lesson 6 varies.
type ParamSetup struct {
	Dataset string
	Steps   int       // Adam steps per network
	Preds   []nn.Pred // the parametrisations trained
	Samples int       // samples drawn from each network
	// Weight is the loss weighting of every network: nn.WeightSimple (the
	// default) each network's own target unweighted, nn.WeightX0 the x0
	// loss for all (exercise 1: the eps network with weight 1/SNR_t).
	Weight nn.Weighting
	// Scale multiplies the data (1: as loaded; exercise 4 tries 5).
	Scale float64
}

// DefaultParametrisations is the setup of lesson 6.
func DefaultParametrisations(cfg Config) ParamSetup {
	return ParamSetup{Dataset: "eight-gaussians", Steps: cfg.size(6000, 400),
		Preds: []nn.Pred{nn.PredX0, nn.PredEps, nn.PredScore, nn.PredV}, Samples: cfg.size(500, 300), Scale: 1}
}

// Parametrisations runs lesson 6.
func Parametrisations(ctx context.Context, cfg Config, ps ParamSetup, p Progress) (*Result, error) {
	r := &Result{}
	ds, err := scaled(load(ps.Dataset, 4000, cfg.rng(1)), ps.Scale)
	if err != nil {
		return nil, err
	}
	sched := toy.DDPM()
	var errs []viz.Series
	var scenes []viz.Scene
	plan, err := sample.Strided(sched, 200)
	if err != nil {
		return nil, err
	}
	src := cfg.rng(42)
	win := window(3.5, 50)
	dens := density(ds.Exact, win, 1)
	for _, pred := range ps.Preds {
		spec := recipeSpec() // its Fourier features of x, with each parametrisation's own reading
		spec.Pred = pred
		tc := recipeConfig(ps.Steps)
		tc.Weight = ps.Weight
		model, h, err := trainedWith(ctx, ds, spec, sched, tc, cfg, "training "+pred.String(), p)
		if err != nil {
			return nil, err
		}
		// Samples from the same x_T with the same sampler: each network is a
		// toy.Denoiser whatever it predicts.
		x, err := sample.DDPM(plan, toy.PosteriorVariance).Sample(nil, gauss(ps.Samples, cfg.rng(40)), model, nil, cfg.rng(41))
		if err != nil {
			return nil, err
		}
		ec := energyCheck(x, func(n int) []float64 { return exactSample(ds.Exact, n, 1, src) }, 10)
		r.add(pred.String()+"/energy", ec.Energy/ec.Noise, fmt.Sprintf("DDPM samples (%d steps) of the %s network: energy distance to the data in units of its noise level", plan.Len(), pred))
		scenes = append(scenes, viz.Scene{Title: fmt.Sprintf("%s network (E/noise %.2g)", pred, ec.Energy/ec.Noise), Grid: win, Density: dens, Points: x})
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
	r.Charts = append(r.Charts, paramCharts(errs, scenes, wt, [4][]float64{w1, wEps, wScore, wV}, g, t, a, d, m, ds.Points)...)
	// Conversion round trip: D* -> eps -> D*, to rounding.
	eps := m.Eps(nil, x, a, nil)
	worst := 0.0
	for i := range eps {
		back := (x[i] - math.Sqrt(1-a)*eps[i]) / math.Sqrt(a)
		worst = math.Max(worst, math.Abs(back-(d[i]+x[i])))
	}
	// Optimality in every reading: adding a constant c to the exact optimum
	// raises the Monte Carlo loss by |c|^2 (the cross term has mean zero).
	const mc = 20000
	rng := rand.New(cfg.rng(30))
	x0 := exactSample(m, mc, 1, cfg.rng(31))
	noise := make([]float64, 2*mc)
	for i := range noise {
		noise[i] = rng.NormFloat64()
	}
	xt := toy.Noise(nil, x0, noise, a)
	dStar := m.Denoise(nil, xt, a, nil)
	c := []float64{0.1, -0.05}
	sa, sv := math.Sqrt(a), math.Sqrt(1-a)
	worstZ := 0.0
	for _, rd := range []string{"x0", "eps", "score", "v"} {
		cross := make([]float64, mc) // per sample: loss(T* + c) - loss(T*) - |c|^2 = 2 c.(T* - T)
		for i := 0; i < mc; i++ {
			for j := 0; j < 2; j++ {
				q := 2*i + j
				eh := (xt[q] - sa*dStar[q]) / sv
				var pred, target float64
				switch rd {
				case "x0":
					pred, target = dStar[q], x0[q]
				case "eps":
					pred, target = eh, noise[q]
				case "score":
					pred, target = -eh/sv, -noise[q]/sv
				case "v":
					pred, target = sa*eh-sv*dStar[q], sa*noise[q]-sv*x0[q]
				}
				cross[i] += 2 * c[j] * (pred - target)
			}
		}
		mm, se := meanSE(cross)
		worstZ = math.Max(worstZ, math.Abs(mm)/se)
	}
	r.add("optimum_shift_z", worstZ, fmt.Sprintf("largest |loss(optimum + c) - loss(optimum) - |c|^2| over the four readings at t = %d, in standard errors", t))

	// For standardised data (E|x_0|^2 = d) the v target has E|v|^2 = d.
	var norm float64
	for _, v := range x0 {
		norm += v * v
	}
	scale := math.Sqrt(2 / (norm / mc))
	worstV := 0.0
	for _, s := range []int{10, 300, 700, 1000} {
		as := sched.Alpha(s)
		vs := make([]float64, mc)
		for i := 0; i < mc; i++ {
			for j := 0; j < 2; j++ {
				e := rng.NormFloat64()
				v := math.Sqrt(as)*e - math.Sqrt(1-as)*scale*x0[2*i+j]
				vs[i] += v * v
			}
		}
		mm, se := meanSE(vs)
		worstV = math.Max(worstV, math.Abs(mm-2)/se)
	}
	r.add("v_norm_z", worstV, "standardised data: largest |mean |v|^2 - d| over t = 10, 300, 700, 1000, in standard errors")
	r.add("eps_roundtrip_error", worst, "largest |D* - (x - sqrt(1-alpha) eps*)/sqrt(alpha)| on the grid")
	parametrisationClaims(r, cfg)
	return r, nil
}

func runParametrisations(ctx context.Context, cfg Config, p Progress) (*Result, error) {
	return Parametrisations(ctx, cfg, DefaultParametrisations(cfg), p)
}
