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
	ds := load(ts.Dataset, ts.Points, cfg.rng(1))
	sched := toy.DDPM()
	tc := recipeConfig(ts.Steps)
	tc.Weight = ts.Weight
	m, h, err := trainedWith(ctx, ds, ts.Spec, sched, tc, cfg, "training "+ts.Spec.Pred.String(), p)
	if err != nil {
		return nil, err
	}
	return &Trained{ds, m, h, sched}, nil
}

// Training runs lesson 3 on a trained denoiser.
func Training(cfg Config, ts TrainSetup, tr *Trained) (*Result, error) {
	r := &Result{}
	m, ex, sched := tr.Model, tr.Data.Exact, tr.Sched
	trCov := traceCov(ex, cfg.rng(2))
	r.add("trace_cov", trCov, "tr Cov(x_0): the error of the best constant denoiser at t = T")

	loss := tr.History.Loss
	k := max(1, min(50, len(loss)/10))
	r.add("loss_first", mean(loss[:k]), fmt.Sprintf("mean batch loss of the first %d steps", k))
	r.add("loss_last", mean(loss[len(loss)-k:]), fmt.Sprintf("mean batch loss of the last %d steps", k))
	if ev := tr.History.Evals; len(ev) > 0 {
		last := ev[len(ev)-1]
		r.add("excess_mean", last.Mean, "E||D - D*||^2 averaged over t: the trained network")
		r.add("trivial_mean", last.TrivialMean, "E||E[x_0] - D*||^2 averaged over t: the best constant denoiser")
	}

	// Loss decomposition on shared samples: loss(D) - loss(D*) = E||D - D*||^2.
	src := cfg.rng(3)
	var ts2, mmse, excess []float64
	worstZ, worstOpt := 0.0, 0.0
	for _, t := range ts.Checks {
		a := sched.Alpha(t)
		x0 := exactSample(ex, ts.MC, 1, src)
		xt := toy.AddNoise(nil, nil, x0, a, src)
		dn := m.Denoise(nil, xt, a, nil)
		de := ex.Denoise(nil, xt, a, nil)
		n := ts.MC
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
		worstZ = math.Max(worstZ, math.Abs(mm)/se)
		g, gse := meanSE(lossGap)
		worstOpt = math.Max(worstOpt, -g/gse)
		ts2 = append(ts2, float64(t))
		mmse = append(mmse, le/float64(n))
		excess = append(excess, ee/float64(n))
	}
	r.add("decomposition_z", worstZ, "largest |loss(D) - loss(D*) - E||D - D*||^2| in standard errors, over the checked t")
	r.add("optimality_z", worstOpt, "largest amount by which D* loses to the network, in standard errors (D* is optimal: not above 3)")
	r.add("mmse_1_over_trcov", mmse[0]/trCov, "MMSE at the first checked t over tr Cov(x_0)")
	r.add("mmse_T_over_trcov", mmse[len(mmse)-1]/trCov, "MMSE at the last checked t over tr Cov(x_0)")

	r.Charts = append(r.Charts, trainingCharts(ts, tr, loss, ts2, excess, mmse, cfg.rng(100))...)
	var wT, wPost, wBeta []float64
	for t := 2; t <= sched.T(); t++ {
		wT = append(wT, float64(t))
		wPost = append(wPost, toy.ELBOWeight(sched.Alpha(t), sched.Alpha(t-1), toy.PosteriorVariance))
		wBeta = append(wBeta, toy.ELBOWeight(sched.Alpha(t), sched.Alpha(t-1), toy.BetaVariance))
	}
	addCoefficientChecks(r, sched)
	r.add("w_2_posterior", wPost[0], "ELBO weight w_2 with C^2 = beta~")
	r.add("w_T_posterior", wPost[len(wPost)-1], "ELBO weight w_T with C^2 = beta~")
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
	src := cfg.rng(60)
	draw := func(k int) []float64 { return exactSample(tr.Data.Exact, k, 1, src) }
	rows := AblationRows(ts)
	for i, row := range rows {
		m, h := tr.Model, tr.History
		if i < len(rows)-1 {
			if m, h, err = trainedWith(ctx, tr.Data, row.Spec, tr.Sched, row.Config, cfg, "ablation: "+row.Key, p); err != nil {
				return err
			}
		}
		x, _, err := DDPMSample(m, plan, toy.PosteriorVariance, n, cfg, 61)
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

func sq(x float64) float64 { return x * x }

func mean(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// meanSE returns the mean of x and its standard error.
func meanSE(x []float64) (float64, float64) {
	m := mean(x)
	var q float64
	for _, v := range x {
		q += sq(v - m)
	}
	n := float64(len(x))
	return m, math.Sqrt(q / (n - 1) / n)
}

// smooth returns the running mean of x over windows of w values.
func smooth(x []float64, w int) []float64 {
	out := make([]float64, len(x))
	var s float64
	for i, v := range x {
		s += v
		if i >= w {
			s -= x[i-w]
		}
		out[i] = s / float64(min(i+1, w))
	}
	return out
}

// thin keeps at most n evenly spaced values of x (and the last one).
func thin(x []float64, n int) []float64 {
	if len(x) <= n {
		return x
	}
	out := make([]float64, 0, n+1)
	for i := 0; i < n; i++ {
		out = append(out, x[i*len(x)/n])
	}
	return append(out, x[len(x)-1])
}
