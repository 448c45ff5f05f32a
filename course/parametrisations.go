// Lesson 6: eps, x0, score and v are linear readings of one optimum
// E[x_0 | x_t] (lessons/06-parametrisations.md): four networks trained on
// the four targets, each converted to an x0 prediction.

package course

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

// The random streams of lesson 6 (Config.rng).
const (
	streamParamData  = 1  // the dataset
	streamParamNoise = 30 // the noise of the optimum-shift check, then the eps of the v-norm check
	streamParamX0    = 31 // x_0 of those two checks
	streamParamStart = 40 // x_T of the networks' DDPM runs, the same for all four
	streamParamMoves = 41 // the moves of those runs
	streamParamFresh = 42 // fresh data for the energy distances
)

// Parametrisations runs lesson 6.
func Parametrisations(ctx context.Context, cfg Config, ps ParamSetup, p Progress) (*Result, error) {
	ds, err := loadDataset("course.Parametrisations", ps.Dataset, 4000, cfg.rng(streamParamData))
	if err != nil {
		return nil, err
	}
	if ds, err = scaled(ds, ps.Scale); err != nil {
		return nil, err
	}
	sched := toy.DDPM()
	r := &Result{}
	errs, scenes, err := sampleParametrisations(ctx, r, cfg, ps, ds, sched, p)
	if err != nil {
		return nil, err
	}

	// The four exact fields at one t, and the implied loss weights.
	const t = 200
	a := sched.Alpha(t)
	g := window(3, 17)
	x := g.Points()
	m := ds.Exact
	d := m.Denoise(nil, x, a, nil)
	for i := range d {
		d[i] -= x[i]
	}
	wt, weights := impliedLossWeights(sched)
	r.Charts = append(r.Charts, paramCharts(errs, scenes, wt, weights, g, t, a, d, m, ds.Points)...)

	// The optimum in every reading, and the size of v, on the same x_0.
	const mc = 20000
	noise := rand.New(cfg.rng(streamParamNoise))
	x0 := exactSample(m, mc, 1, cfg.rng(streamParamX0))
	r.add("optimum_shift_z", optimumShiftZ(m, x0, a, noise), fmt.Sprintf("largest |loss(optimum + c) - loss(optimum) - |c|^2| over the four readings at t = %d, in standard errors", t))
	r.add("v_norm_z", standardisedVNormZ(sched, x0, noise), "standardised data: largest |mean |v|^2 - d| over t = 10, 300, 700, 1000, in standard errors")
	r.add("eps_roundtrip_error", epsRoundTripError(m, x, d, a), "largest |D* - (x - sqrt(1-alpha) eps*)/sqrt(alpha)| on the grid")
	parametrisationClaims(r, cfg)
	return r, nil
}

func runParametrisations(ctx context.Context, cfg Config, p Progress) (*Result, error) {
	return Parametrisations(ctx, cfg, DefaultParametrisations(cfg), p)
}

// parametrisationClaims: lesson 6.
func parametrisationClaims(r *Result, cfg Config) {
	r.claims(
		cl(1, "D* converted to eps and back is D* to rounding.", "largest gap", r.value("eps_roundtrip_error"), Below, 1e-12),
		cl(4, "Moving the optimum by c costs ‖c‖² in every reading (largest of four deviations, in standard errors).", "largest deviation (SE)", r.value("optimum_shift_z"), Below, 3),
		cl(6, "For standardised data E‖v‖² = d (largest of four t, in standard errors).", "largest deviation (SE)", r.value("v_norm_z"), Below, 4),
	)
	for _, p := range []string{"x0", "eps", "score", "v"} {
		if r.has(p + "/energy") {
			r.claims(trainedClaim(cfg, "DDPM with the "+p+" network", r.value(p+"/energy")))
		}
		if r.has(p + "/excess_weighted") {
			r.claims(cl(7, "The "+p+" network, converted to x0, beats the best constant denoiser (α-weighted error).", "α-weighted E‖D − D*‖², "+p, r.value(p+"/excess_weighted"), Below, r.value(p+"/trivial_weighted")).against("best constant denoiser"))
		}
	}
}

// sampleParametrisations trains a network for each of ps.Preds, samples
// each with DDPM (200 steps, C^2 = beta~) from the same x_T, and adds its
// energy distance to the data and its last errors against D*. It returns
// each network's error per t and its sample panel.
func sampleParametrisations(ctx context.Context, r *Result, cfg Config, ps ParamSetup, ds *datasets.Dataset,
	sched *toy.Schedule, p Progress) ([]viz.Series, []viz.Scene, error) {
	plan, err := sample.Strided(sched, 200)
	if err != nil {
		return nil, nil, err
	}
	src := cfg.rng(streamParamFresh)
	win := window(3.5, 50)
	dens := density(ds.Exact, win, 1)
	var errs []viz.Series
	var scenes []viz.Scene
	for _, pred := range ps.Preds {
		spec := recipeSpec() // its Fourier features of x, with each parametrisation's own reading
		spec.Pred = pred
		tc := recipeConfig(ps.Steps)
		tc.Weight = ps.Weight
		model, h, err := trainedWith(ctx, ds, spec, sched, tc, cfg, "training "+pred.String(), p)
		if err != nil {
			return nil, nil, err
		}
		// Samples from the same x_T with the same sampler: each network is a
		// toy.Denoiser whatever it predicts.
		x, err := sample.DDPM(plan, toy.PosteriorVariance).Sample(nil, gauss(ps.Samples, cfg.rng(streamParamStart)), model, nil, cfg.rng(streamParamMoves))
		if err != nil {
			return nil, nil, err
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
	return errs, scenes, nil
}

// impliedLossWeights returns the steps 1..T and the weight each loss (x0,
// eps, score, v) puts on ||D - x_0||^2 there: 1, SNR_t, SNR_t/(1 - alpha_t)
// and 1 + SNR_t.
func impliedLossWeights(sched *toy.Schedule) ([]float64, [4][]float64) {
	var wt, w1, wEps, wScore, wV []float64
	for s := 1; s <= sched.T(); s++ {
		snr := sched.SNR(s)
		wt = append(wt, float64(s))
		w1 = append(w1, 1)
		wEps = append(wEps, snr)
		wScore = append(wScore, snr/(1-sched.Alpha(s)))
		wV = append(wV, 1+snr)
	}
	return wt, [4][]float64{w1, wEps, wScore, wV}
}

// epsRoundTripError converts D* to eps at the points x (level a) and
// back, and returns the largest gap to D* (given as d = D* - x).
func epsRoundTripError(m analytic.Mixture, x, d []float64, a float64) float64 {
	eps := m.Eps(nil, x, a, nil)
	worst := 0.0
	for i := range eps {
		back := (x[i] - math.Sqrt(1-a)*eps[i]) / math.Sqrt(a)
		worst = math.Max(worst, math.Abs(back-(d[i]+x[i])))
	}
	return worst
}

// optimumShiftZ noises x_0 to level a with noise drawn from rng and
// returns, over the four readings (x0, eps, score, v), the largest
// |loss(T* + c) - loss(T*) - |c|^2| in standard errors, for the exact
// optimum T* and c = (0.1, -0.05): the cross term 2 c.(T* - T) has mean
// zero, so moving the optimum by c costs |c|^2 in every reading.
func optimumShiftZ(m analytic.Mixture, x0 []float64, a float64, rng *rand.Rand) float64 {
	mc := len(x0) / 2
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
	return worstZ
}

// standardisedVNormZ scales x_0 to E|x_0|^2 = d and returns the largest
// |mean |v|^2 - d| over t = 10, 300, 700, 1000 in standard errors, with
// the noise drawn from rng.
func standardisedVNormZ(sched *toy.Schedule, x0 []float64, rng *rand.Rand) float64 {
	mc := len(x0) / 2
	var norm float64
	for _, v := range x0 {
		norm += v * v
	}
	scale := math.Sqrt(2 / (norm / float64(mc)))
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
	return worstV
}
