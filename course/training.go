// Lesson 3: training a denoiser with the x0 loss E || D_t(x_t) - x_0 ||^2 and
// comparing it with the exact D*_t (lessons/03-training.md).

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
)

// TrainSetup is what lesson 3 varies.
type TrainSetup struct {
	Dataset string  // training data
	Points  int     // training points
	Steps   int     // Adam steps
	Spec    nn.Spec // the network
	Checks  []int   // steps t where the loss decomposition is measured
	MC      int     // Monte Carlo samples per t for the checks
	// Weight is the loss weighting over t: nn.WeightSimple (the default)
	// the network's own target unweighted, nn.WeightX0 the x0 loss,
	// nn.WeightELBO the ELBO weights w_t (exercise 2).
	Weight nn.Weighting
}

// DefaultTraining is the setup of lesson 3.
func DefaultTraining(cfg Config) TrainSetup {
	return TrainSetup{
		Dataset: "eight-gaussians",
		Points:  4000,
		Steps:   cfg.size(6000, 800),
		Spec:    recipeSpec(),
		Checks:  []int{1, 50, 200, 500, 1000},
		MC:      cfg.size(8000, 3000),
	}
}

// Trained is a trained denoiser with its data and record.
type Trained struct {
	Data    *datasets.Dataset
	Model   *nn.Model
	History *nn.History
	Sched   *toy.Schedule
}

// TrainDenoiser trains the network of the setup on its dataset with the
// linear (DDPM) schedule, reporting progress.
func TrainDenoiser(ctx context.Context, cfg Config, ts TrainSetup, p Progress) (*Trained, error) {
	ds, err := loadDataset("course.TrainDenoiser", ts.Dataset, ts.Points, cfg.rng(streamTrainingData))
	if err != nil {
		return nil, err
	}
	sched := toy.DDPM()
	tc := recipeConfig(ts.Steps)
	tc.Weight = ts.Weight
	m, h, err := trainedWith(ctx, ds, ts.Spec, sched, tc, cfg, "training "+ts.Spec.Pred.String(), p)
	if err != nil {
		return nil, err
	}
	return &Trained{ds, m, h, sched}, nil
}

// The random streams of lesson 3 (Config.rng).
const (
	streamTrainingData   = 1   // the training points
	streamTrainingTrace  = 2   // exact samples for tr Cov(x_0)
	streamTrainingChecks = 3   // x_0 and noise of the loss decomposition
	streamTrainingCharts = 100 // the draws of the loss floor in the charts
	streamAblationData   = 60  // fresh data for the ablation's energy distances
	// streamAblationRuns seeds x_T of the ablation's DDPM runs, and
	// streamAblationRuns+1 their moves (DDPMSample).
	streamAblationRuns = 61
)

// Training runs lesson 3 on a trained denoiser.
func Training(cfg Config, ts TrainSetup, tr *Trained) (*Result, error) {
	r := &Result{}
	sched := tr.Sched
	trCov := traceCov(tr.Data.Exact, cfg.rng(streamTrainingTrace))
	r.add("trace_cov", trCov, "tr Cov(x_0): the error of the best constant denoiser at t = T")
	addTrainingRecord(r, tr.History)

	// Loss decomposition on shared samples: loss(D) - loss(D*) = E||D - D*||^2.
	dc := decomposeLoss(tr.Model, tr.Data.Exact, sched, ts.Checks, ts.MC, cfg.rng(streamTrainingChecks))
	r.add("decomposition_z", dc.worstZ, "largest |loss(D) - loss(D*) - E||D - D*||^2| in standard errors, over the checked t")
	r.add("optimality_z", dc.worstOpt, "largest amount by which D* loses to the network, in standard errors (D* is optimal: not above 3)")
	r.add("mmse_1_over_trcov", dc.mmse[0]/trCov, "MMSE at the first checked t over tr Cov(x_0)")
	r.add("mmse_T_over_trcov", dc.mmse[len(dc.mmse)-1]/trCov, "MMSE at the last checked t over tr Cov(x_0)")

	r.Charts = append(r.Charts, trainingCharts(ts, tr, tr.History.Loss, dc.steps, dc.excess, dc.mmse, cfg.rng(streamTrainingCharts))...)
	addCoefficientChecks(r, sched)
	w := func(t int) float64 { return toy.ELBOWeight(sched.Alpha(t), sched.Alpha(t-1), toy.PosteriorVariance) }
	r.add("w_2_posterior", w(2), "ELBO weight w_2 with C^2 = beta~")
	r.add("w_T_posterior", w(sched.T()), "ELBO weight w_T with C^2 = beta~")
	trainingClaims(r)
	return r, nil
}

func runTraining(ctx context.Context, cfg Config, p Progress) (*Result, error) {
	ts := DefaultTraining(cfg)
	tr, err := TrainDenoiser(ctx, cfg, ts, p)
	if err != nil {
		return nil, err
	}
	r, err := Training(cfg, ts, tr)
	if err != nil {
		return nil, err
	}
	if err := Ablation(ctx, cfg, ts, tr, r, p); err != nil {
		return nil, err
	}
	return r, nil
}

// trainingClaims: lesson 3.
func trainingClaims(r *Result) {
	coefficientClaims(r)
	r.claims(
		cl(6, "The exact D* has the lowest loss: it never loses to the network by more than 3 standard errors.", "largest loss of D* to the network (SE)", r.value("optimality_z"), Below, 3),
		cl(7, "loss(D) − loss(D*) = E‖D − D*‖² on the same samples (largest deviation, in standard errors).", "largest deviation (SE)", r.value("decomposition_z"), Below, 3),
		cl(8, "At t = 1 the MMSE is below 1% of tr Cov(x_0).", "MMSE_1 / tr Cov", r.value("mmse_1_over_trcov"), Below, 0.01),
		// MC relative error of MMSE_T with 3000 samples is about 0.3 percent.
		cl(8, "At t = T the MMSE is within 1% of tr Cov(x_0).", "MMSE_T / tr Cov", r.value("mmse_T_over_trcov"), Near, 1).hi(0.01),
	)
	if r.has("excess_mean") {
		r.claims(cl(9, "The trained network's error is below the best constant denoiser's.", "E‖D − D*‖² of the network", r.value("excess_mean"), Below, r.value("trivial_mean")).against("best constant denoiser"))
	}
	r.claims(cl(9, "The training loss falls.", "mean loss, last steps", r.value("loss_last"), Below, r.value("loss_first")).against("first steps"))
}

// addTrainingRecord adds the mean batch loss of the first and the last
// steps and, when the training evaluated the network, its last error
// against D* and the best constant denoiser's.
func addTrainingRecord(r *Result, h *nn.History) {
	loss := h.Loss
	k := max(1, min(50, len(loss)/10))
	r.add("loss_first", mean(loss[:k]), fmt.Sprintf("mean batch loss of the first %d steps", k))
	r.add("loss_last", mean(loss[len(loss)-k:]), fmt.Sprintf("mean batch loss of the last %d steps", k))
	if ev := h.Evals; len(ev) > 0 {
		last := ev[len(ev)-1]
		r.add("excess_mean", last.Mean, "E||D - D*||^2 averaged over t: the trained network")
		r.add("trivial_mean", last.TrivialMean, "E||E[x_0] - D*||^2 averaged over t: the best constant denoiser")
	}
}

// lossDecomposition is the x0 loss of a network D and of the exact D* on
// the same samples at the checked steps.
type lossDecomposition struct {
	steps, mmse, excess []float64 // per step: t, MMSE_t = loss(D*), E||D - D*||^2
	// worstZ is the largest |loss(D) - loss(D*) - E||D - D*||^2| and
	// worstOpt the largest loss(D*) - loss(D), in standard errors.
	worstZ, worstOpt float64
}

// decomposeLoss measures loss(D) - loss(D*) = E||D - D*||^2 with n samples
// of x_0 and noise per step for the network m against the exact mixture.
func decomposeLoss(m toy.Denoiser, ex analytic.Mixture, sched *toy.Schedule, steps []int, n int, src rand.Source) lossDecomposition {
	var out lossDecomposition
	for _, t := range steps {
		a := sched.Alpha(t)
		x0 := exactSample(ex, n, 1, src)
		xt := toy.AddNoise(nil, nil, x0, a, src)
		dn := m.Denoise(nil, xt, a, nil)
		de := ex.Denoise(nil, xt, a, nil)
		diff := make([]float64, n) // per-sample (loss(D) - loss(D*)) - ||D - D*||^2
		lossGap := make([]float64, n)
		var le, ee float64
		for i := 0; i < n; i++ {
			var ln, lx, dd float64
			for j := 0; j < 2; j++ {
				q := 2*i + j
				ln += sq(dn[q] - x0[q])
				lx += sq(de[q] - x0[q])
				dd += sq(dn[q] - de[q])
			}
			le += lx
			ee += dd
			lossGap[i] = ln - lx
			diff[i] = ln - lx - dd
		}
		mm, se := meanSE(diff)
		out.worstZ = math.Max(out.worstZ, math.Abs(mm)/se)
		g, gse := meanSE(lossGap)
		out.worstOpt = math.Max(out.worstOpt, -g/gse)
		out.steps = append(out.steps, float64(t))
		out.mmse = append(out.mmse, le/float64(n))
		out.excess = append(out.excess, ee/float64(n))
	}
	return out
}

// traceCov estimates tr Cov(x_0) from 20000 exact samples.
func traceCov(m analytic.Mixture, src rand.Source) float64 {
	const n = 20000
	x := exactSample(m, n, 1, src)
	var s float64
	for j := 0; j < 2; j++ {
		var mu, q float64
		for i := 0; i < n; i++ {
			mu += x[2*i+j]
		}
		mu /= n
		for i := 0; i < n; i++ {
			q += sq(x[2*i+j] - mu)
		}
		s += q / (n - 1)
	}
	return s
}

// AblationRow is one network of lesson 3's ablation: the recipe with one
// ingredient changed.
type AblationRow struct {
	Key, Name string
	Spec      nn.Spec
	Config    nn.Config
}

// AblationRows returns the ablation of the setup's recipe: the recipe at
// a quarter of the setup's steps, and that run with one ingredient removed
// or changed. The setup's own network (all the steps) is the last row.
func AblationRows(ts TrainSetup) []AblationRow {
	short := max(1, ts.Steps/4)
	base := recipeConfig(short)
	plain := nn.DefaultSpec(2)
	noX := ts.Spec
	noX.XFeatures = 0
	x0 := ts.Spec
	x0.Pred, x0.SigmaData = nn.PredX0, 0
	narrow := ts.Spec
	narrow.Hidden = []int{64, 64, 64}
	noEMA := base
	noEMA.EMA = 0
	slow := base
	slow.LR = nn.DefaultConfig().LR
	return []AblationRow{
		{"plain", "plain MLP: x0 output, x and time features only", plain, base},
		{"no_xfeatures", "recipe without Fourier features of x", noX, base},
		{"no_precond", "recipe without preconditioning (plain x0 output and loss)", x0, base},
		{"no_ema", "recipe without EMA of the weights", ts.Spec, noEMA},
		{"lr_default", fmt.Sprintf("recipe with nn's default learning rate %g", slow.LR), ts.Spec, slow},
		{"narrow", "recipe with width 64 instead of 128", narrow, base},
		{"recipe", fmt.Sprintf("recipe (%d steps)", short), ts.Spec, base},
		{"recipe_full", fmt.Sprintf("recipe, %d steps: this lesson's network", ts.Steps), ts.Spec, recipeConfig(ts.Steps)},
	}
}

// Ablation adds lesson 3's ablation to r: each row's network (trained, or
// loaded from the cache; the last row is tr itself), sampled with
// lesson 4's sampler (DDPM, 250 steps, C^2 = beta~), with its energy
// distance to the data in units of the noise level and its error against
// D* averaged with weights alpha_t, and the ablation's claims (so the
// notebook, which calls it, checks them as the book does).
func Ablation(ctx context.Context, cfg Config, ts TrainSetup, tr *Trained, r *Result, p Progress) error {
	plan, err := sample.Strided(tr.Sched, 250)
	if err != nil {
		return err
	}
	n := cfg.size(1000, 400)
	src := cfg.rng(streamAblationData)
	draw := func(k int) []float64 { return exactSample(tr.Data.Exact, k, 1, src) }
	rows := AblationRows(ts)
	for i, row := range rows {
		m, h := tr.Model, tr.History
		if i < len(rows)-1 {
			if m, h, err = trainedWith(ctx, tr.Data, row.Spec, tr.Sched, row.Config, cfg, "ablation: "+row.Key, p); err != nil {
				return err
			}
		}
		x, _, err := DDPMSample(m, plan, toy.PosteriorVariance, n, cfg, streamAblationRuns)
		if err != nil {
			return err
		}
		ec := energyCheck(x, draw, 10)
		r.add("ablation/"+row.Key+"/energy", ec.Energy/ec.Noise, row.Name+": DDPM samples' energy distance to the data in units of its noise level")
		if ev := h.Evals; len(ev) > 0 {
			last := ev[len(ev)-1]
			r.add("ablation/"+row.Key+"/excess_weighted", last.Weighted, "its error E||D - D*||^2 averaged with weights alpha_t (the best constant denoiser: "+fmt.Sprintf("%.3g", last.TrivialWeighted)+")")
		}
	}
	ablationClaims(r, cfg)
	return nil
}

// ablationClaims: lesson 3's ablation; its last row is the lesson's
// network, which must learn the data.
func ablationClaims(r *Result, cfg Config) {
	if r.has("ablation/recipe_full/energy") {
		r.claims(trainedClaim(cfg, "DDPM with this lesson's network", r.value("ablation/recipe_full/energy")))
	}
	// Each ingredient the lesson names must pay for itself in the error
	// column (less noisy than one sample set's energy ratio), against the
	// recipe trained for the same steps.
	if r.has("ablation/recipe/excess_weighted") {
		base := r.value("ablation/recipe/excess_weighted")
		for _, row := range []struct{ key, text string }{
			{"plain", "The plain MLP"},
			{"no_xfeatures", "The recipe without Fourier features of x"},
			{"no_precond", "The recipe without preconditioning"},
		} {
			k := "ablation/" + row.key + "/excess_weighted"
			if !r.has(k) {
				continue
			}
			c := cl(0, row.text+" has a larger α-weighted error against D* than the recipe trained as long.", "α-weighted E‖D − D*‖², "+row.key, r.value(k), Above, base).against("recipe")
			c.Indicative = cfg.Quick
			r.claims(c)
		}
	}
}
