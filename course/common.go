// Helpers shared by the experiments: data, exact samples, the two-sample
// noise level of the energy distance, training with progress, charts.

package course

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/datasets"
	"difftoy/toy/metrics"
	"difftoy/toy/nn"
	"difftoy/toy/sample"
	"difftoy/viz"
)

// loadDataset returns the named dataset of a lesson's setup, or an error
// that names the lesson's function (who), the dataset and the valid names.
func loadDataset(who, name string, n int, src rand.Source) (*datasets.Dataset, error) {
	ds, err := datasets.Load(name, n, src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", who, err)
	}
	return ds, nil
}

// load returns a named dataset or panics: for names fixed in the code,
// not for a setup's Dataset (loadDataset).
func load(name string, n int, src rand.Source) *datasets.Dataset {
	ds, err := datasets.Load(name, n, src)
	if err != nil {
		panic(err)
	}
	return ds
}

// gauss returns n independent N(0, I) points of dimension 2: a sampler's
// start x_T (toy.StandardNormal).
func gauss(n int, src rand.Source) []float64 { return toy.StandardNormal(nil, n, 2, src) }

// exactSample draws n points of q_t of the mixture (alpha = 1: the data).
func exactSample(m analytic.Mixture, n int, alpha float64, src rand.Source) []float64 {
	return m.Sample(make([]float64, n*m.Dim()), nil, alpha, src)
}

// EnergyCheck is an energy distance between samples and fresh draws of the
// target law, with the noise level of the statistic: its mean over
// independent pairs of samples of the target at the same sizes, which is
// what a perfect sampler scores on average. The statistic is a weighted sum
// of squared Gaussian-like terms; its ratio to its mean exceeds 3 rarely
// (under 10 percent even when one term dominates, far less in 2-D), so a
// ratio above 3 says the laws differ.
type EnergyCheck struct {
	Energy, Noise float64
}

// energyCheck compares x (n points) with fresh draws from draw(n) and the
// noise level from reps pairs of fresh draws.
func energyCheck(x []float64, draw func(n int) []float64, reps int) EnergyCheck {
	n := len(x) / 2
	e := metrics.Energy(x, draw(n), 2)
	noise := metrics.TwoSampleNoise(reps, func() []float64 { return draw(n) },
		func(a, b []float64) float64 { return metrics.Energy(a, b, 2) })
	var mean float64
	for _, v := range noise {
		mean += v
	}
	if mean == 0 {
		panic("course.energyCheck: zero noise level (draw returned the same points twice)")
	}
	return EnergyCheck{e, mean / float64(len(noise))}
}

// recipeSpec is the network every lesson trains unless it varies one
// ingredient: the default MLP with the preconditioning of Karras et al.
// (2022) (PredEDM; SigmaData is taken from the training data) and 6
// Fourier features of x. Lesson 3 measures what each ingredient buys.
func recipeSpec() nn.Spec {
	s := nn.DefaultSpec(2)
	s.Pred = nn.PredEDM
	s.XFeatures = 6
	return s
}

// recipeConfig is the training configuration of the recipe for a run of
// the given number of steps: nn's defaults (batch 256, cosine decay, EMA
// 0.999, label dropout 0.2) with Adam at 2e-3 (twice nn's default: the
// preconditioned network stays stable and gets closer to D* in the same
// steps), and 5 evaluations.
func recipeConfig(steps int) nn.Config {
	tc := nn.DefaultConfig()
	tc.Steps = steps
	tc.LR = 2e-3
	tc.EvalEvery = max(1, steps/5)
	return tc
}

// dataStd returns the standard deviation of the points per coordinate
// (the root mean square over the coordinates): PredEDM's SigmaData.
func dataStd(x []float64, d int) float64 {
	n := len(x) / d
	var s float64
	for j := 0; j < d; j++ {
		var mu, q float64
		for i := 0; i < n; i++ {
			mu += x[i*d+j]
		}
		mu /= float64(n)
		for i := 0; i < n; i++ {
			q += sq(x[i*d+j] - mu)
		}
		s += q / float64(n)
	}
	return math.Sqrt(s / float64(d))
}

// cache returns the trained-model cache of the configuration (nil: none).
// A rejected entry is reported on standard error (and through p): it is
// retrained, but a user should know the cache held a bad file.
func (c Config) cache(p Progress) *nn.Cache {
	dir := c.CacheDir
	if dir == "" {
		dir = nn.DefaultCacheDir()
	}
	if dir == "" || dir == "off" {
		return nil
	}
	return &nn.Cache{Dir: dir, Retrain: c.Retrain, Log: func(msg string) {
		fmt.Fprintln(os.Stderr, msg)
		p.report(msg, 0, 1)
	}}
}

// The random streams of every training run (nn.Job's PCG seeds
// {Config.Seed, k}, part of the cache key): the network's initial weights,
// and every draw of the training.
const (
	streamNetworkInit     = 11
	streamNetworkTraining = 12
)

// trainedModel trains a denoiser on the dataset with the given spec and
// number of steps (the recipe's other settings), or loads it from the
// cache, reporting progress as "stage". A PredEDM spec without SigmaData
// gets the data's.
func trainedModel(ctx context.Context, ds *datasets.Dataset, spec nn.Spec, sched *toy.Schedule,
	steps int, cfg Config, stage string, p Progress) (*nn.Model, *nn.History, error) {
	return trainedWith(ctx, ds, spec, sched, recipeConfig(steps), cfg, stage, p)
}

// trainedWith is trainedModel with every training setting given.
func trainedWith(ctx context.Context, ds *datasets.Dataset, spec nn.Spec, sched *toy.Schedule,
	tc nn.Config, cfg Config, stage string, p Progress) (*nn.Model, *nn.History, error) {
	if spec.Pred == nn.PredEDM && spec.SigmaData == 0 {
		spec.SigmaData = dataStd(ds.Points, 2)
	}
	if p != nil {
		tc.ProgressEvery = max(1, tc.Steps/50)
		tc.Progress = func(pr nn.Progress) { p.report(fmt.Sprintf("%s, loss %.4f", stage, pr.Loss), pr.Step, pr.Steps) }
	}
	data := nn.Data{Points: ds.Points, Labels: ds.Labels, Classes: ds.Classes, Exact: ds.Exact}
	if spec.Classes == 0 {
		data.Labels, data.Classes = nil, 0
	}
	job := &nn.Job{Spec: spec, Sched: sched, Data: data, Config: tc,
		Init: [2]uint64{cfg.Seed, streamNetworkInit}, Seed: [2]uint64{cfg.Seed, streamNetworkTraining}}
	m, h, cached, err := cfg.cache(p).Train(ctx, job)
	if err != nil {
		return nil, nil, fmt.Errorf("course: training %s: %w", stage, err)
	}
	if cached {
		p.report(stage+": loaded from cache", tc.Steps, tc.Steps)
	}
	return m, h, nil
}

// window is the grid the charts of a dataset use.
func window(half float64, n int) viz.Grid {
	return viz.Grid{X0: -half, X1: half, Y0: -half, Y1: half, NX: n, NY: n}
}

// density returns q_t of the mixture on the grid.
func density(m analytic.Mixture, g viz.Grid, alpha float64) []float64 {
	lp := m.LogProb(nil, g.Points(), alpha)
	for i, v := range lp {
		lp[i] = math.Exp(v)
	}
	return lp
}

// firstBelow returns the first step t >= 1 with f(t) < v, or 0 if none.
func firstBelow(T int, f func(int) float64, v float64) int {
	for t := 1; t <= T; t++ {
		if f(t) < v {
			return t
		}
	}
	return 0
}

// curves returns the curves of a schedule for viz.Schedules.
func curves(s *toy.Schedule) viz.ScheduleCurves {
	c := viz.ScheduleCurves{Name: s.Name}
	for t := 1; t <= s.T(); t++ {
		c.T = append(c.T, float64(t))
		c.Alpha = append(c.Alpha, s.Alpha(t))
		c.Beta = append(c.Beta, s.Beta(t))
		c.LogSNR = append(c.LogSNR, s.LogSNR(t))
	}
	return c
}

// trajectory keeps about 100 states of a run of the given number of moves.
func trajectory(moves int) *sample.Trajectory {
	return &sample.Trajectory{Every: max(1, moves/100)}
}

// run turns a recorded trajectory into a chart's run.
func run(name string, tr *sample.Trajectory, labels []int) viz.Run {
	r := viz.Run{Name: name, Labels: labels}
	for _, f := range tr.Frames {
		r.Steps = append(r.Steps, f.X)
		r.Times = append(r.Times, float64(f.T))
	}
	return r
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

// thinPoints keeps at most n points of the row-major batch p, evenly
// spaced over it.
func thinPoints(p []float64, n int) []float64 {
	m := len(p) / 2
	if m <= n {
		return p
	}
	out := make([]float64, 0, 2*n)
	for i := range n {
		k := i * m / n
		out = append(out, p[2*k], p[2*k+1])
	}
	return out
}
