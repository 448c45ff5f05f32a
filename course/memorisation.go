// Lesson 12: the ideal denoiser of a finite training set (a delta mixture)
// can only return training points; a trained network generalises
// (lessons/12-memorisation.md).

package course

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"difftoy/toy"
	"difftoy/toy/datasets"
	"difftoy/toy/metrics"
	"difftoy/toy/sample"
)

// MemoriseSetup is what lesson 12 varies.
type MemoriseSetup struct {
	Dataset string // a finite training set (moons, swiss-roll, checkerboard)
	Train   int    // number of training points N
	Samples int
	Steps   int // Adam steps of the network
	// SweepN are the training-set sizes of the copying sweep (one network
	// each; none: no sweep).
	SweepN []int
	// Hidden are the hidden widths of the network trained on the N points
	// (nil: the recipe's; exercise 2 doubles them).
	Hidden []int
}

// DefaultMemorisation is the setup of lesson 12.
func DefaultMemorisation(cfg Config) MemoriseSetup {
	return MemoriseSetup{Dataset: "moons", Train: 32, Samples: cfg.size(600, 300), Steps: 1500, // shorter training leaves the network weak at small noise
		SweepN: []int{8, 32, 128, 512}}
}

// Random streams of lesson 12 (Config.rng). DDPMSample draws x_T from
// its stream s and the noise from s+1.
const (
	streamTrainingSet     = 1   // the N training points (and those of the sweep's sets)
	streamFreshData       = 2   // fresh data of the population
	streamHeldOut         = 3   // the held-out points of the losses
	streamEmpiricalSample = 90  // DDPM samples of D̂* (and 91)
	streamNetworkSample   = 92  // DDPM samples of the network (and 93)
	streamFieldPoints     = 95  // the points of q_5 where the network's field is compared with D̂*'s
	streamTrainLossPair   = 100 // (t, eps) of the training-loss comparison
	streamEmpHeldLoss     = 102 // (t, eps) of D̂*'s held-out loss
	streamEmpTrainLoss    = 103 // (t, eps) of D̂*'s training loss, independent of the held-out one
	streamSmallNoiseLoss  = 104 // (eps) of the held-out comparison at t = 5
)

// Memorisation runs lesson 12.
func Memorisation(ctx context.Context, cfg Config, ms MemoriseSetup, p Progress) (*Result, error) {
	r := &Result{}
	ds, err := loadDataset("course.Memorisation", ms.Dataset, ms.Train, cfg.rng(streamTrainingSet))
	if err != nil {
		return nil, err
	}
	radius := 0.1 * medianNN(ds.Points)
	r.add("radius", radius, "r = 0.1 times the median nearest-neighbour distance among training points")
	emp, fresh, err := empiricalCopies(r, cfg, ms, ds, radius)
	if err != nil {
		return nil, err
	}
	spec := recipeSpec()
	if ms.Hidden != nil {
		spec.Hidden = ms.Hidden
	}
	m, _, err := trainedModel(ctx, ds, spec, toy.DDPM(), ms.Steps, cfg, fmt.Sprintf("training on %d points", ms.Train), p)
	if err != nil {
		return nil, err
	}
	net, err := networkCopies(r, cfg, ms, ds, m, radius)
	if err != nil {
		return nil, err
	}
	trainX, held := lossPoints(cfg, ms, ds)
	memorisationLosses(r, cfg, ds, m, trainX, held)
	charts, err := memorisationCharts(ctx, cfg, ms, ds, m, emp, net, fresh, trainX, held, p)
	if err != nil {
		return nil, err
	}
	r.Charts = append(r.Charts, charts...)
	memorisationClaims(r)
	return r, nil
}

func runMemorisation(ctx context.Context, cfg Config, p Progress) (*Result, error) {
	return Memorisation(ctx, cfg, DefaultMemorisation(cfg), p)
}

// memorisationClaims: lesson 12.
func memorisationClaims(r *Result) {
	r.claims(
		cl(1, "The empirical ideal denoiser returns training points: at least 99% of its samples lie within r of one.", "share within r, D̂*", r.value("empirical/within_r"), AtLeast, 0.99),
		cl(3, "Fresh data rarely lie within r of a training point (below 5%).", "share within r, fresh data", r.value("fresh/within_r"), Below, 0.05),
		cl(5, "D̂* has the lowest training loss: it never loses to the network by 3 standard errors.", "training loss D̂* − network (SE)", r.value("loss/train_emp_minus_net_z"), Below, 3),
		cl(6, "At t = 5 D̂*'s held-out loss exceeds its training loss by more than 3 standard errors.", "held-out − training, D̂* (SE)", r.value("loss/emp_heldout_minus_train_t5_z"), Above, 3),
	)
	if r.has("trained/within_r") {
		s, f := r.value("trained/within_r"), r.value("fresh/within_r")
		r.claims(
			cl(7, "At t = 5 the network's held-out loss is below D̂*'s by more than 3 standard errors.", "held-out, network − D̂* (SE)", r.value("loss/small_noise_net_minus_emp_z"), Below, -3),
			cl(4, "The network's samples are not copies: their share within r is closer to fresh data's than to 1.", "|share − fresh share| − (1 − share)", math.Abs(s-f)-(1-s), Below, 0),
			cl(4, "The network's samples spread like data: median distance to the training set at least a third of fresh data's.", "median distance, network", r.value("trained/median_distance"), AtLeast, r.value("fresh/median_distance")/3).against("fresh data's / 3"),
		)
	}
}

// medianNN is the median distance from each training point to its nearest
// other training point.
func medianNN(train []float64) float64 {
	n := len(train) / 2
	d := make([]float64, n)
	for i := 0; i < n; i++ {
		best := math.Inf(1)
		for j := 0; j < n; j++ {
			if i != j {
				best = math.Min(best, math.Hypot(train[2*i]-train[2*j], train[2*i+1]-train[2*j+1]))
			}
		}
		d[i] = best
	}
	slices.Sort(d)
	return d[n/2]
}

// medianToTrain is the median distance from the points of x to their
// nearest training point.
func medianToTrain(x, train []float64) float64 {
	d := metrics.Nearest(nil, x, train, 2)
	slices.Sort(d)
	return d[len(d)/2]
}

// empiricalCopies samples D̂* (1000 DDPM steps) and fresh data, adds the
// share of each within r of a training point and the fresh data's median
// distance to the training set, and returns both samples.
func empiricalCopies(r *Result, cfg Config, ms MemoriseSetup, ds *datasets.Dataset, radius float64) (emp, fresh []float64, err error) {
	emp, _, err = DDPMSample(ds.Exact, sample.Full(toy.DDPM()), toy.PosteriorVariance, ms.Samples, cfg, streamEmpiricalSample)
	if err != nil {
		return nil, nil, err
	}
	r.add("empirical/within_r", metrics.WithinRadius(emp, ds.Points, 2, radius), "share of samples of the empirical ideal denoiser within r of a training point")
	fresh = load(ms.Dataset, ms.Samples, cfg.rng(streamFreshData)).Points
	r.add("fresh/within_r", metrics.WithinRadius(fresh, ds.Points, 2, radius), "share of fresh data within r of a training point")
	r.add("fresh/median_distance", medianToTrain(fresh, ds.Points), "median distance of fresh data to the nearest training point")
	return emp, fresh, nil
}

// networkCopies samples the network m (250 strided DDPM steps: each is a
// pass of the network), adds its field's distance to D̂*'s at t = 5, the
// share of its samples within r of a training point and their median
// distance to the training set, and returns the samples.
func networkCopies(r *Result, cfg Config, ms MemoriseSetup, ds *datasets.Dataset, m toy.Denoiser, radius float64) ([]float64, error) {
	netPlan, err := sample.Strided(toy.DDPM(), 250)
	if err != nil {
		return nil, err
	}
	net, _, err := DDPMSample(m, netPlan, toy.PosteriorVariance, ms.Samples, cfg, streamNetworkSample)
	if err != nil {
		return nil, err
	}
	// The network's field against D̂*'s at small t, on q_t of the training
	// set (exercise 2: a network that memorises approaches D̂*).
	a5 := toy.DDPM().Alpha(5)
	x5 := exactSample(ds.Exact, ms.Samples, a5, cfg.rng(streamFieldPoints))
	dn, de := m.Denoise(nil, x5, a5, nil), ds.Exact.Denoise(nil, x5, a5, nil)
	fe := make([]float64, ms.Samples)
	for i := range fe {
		fe[i] = sq(dn[2*i]-de[2*i]) + sq(dn[2*i+1]-de[2*i+1])
	}
	feMean, feSE := meanSE(fe)
	r.add("trained/field_error_t5", feMean, "E||D(x_t) - D̂*(x_t)||^2 of the network at t = 5, x_t from q_t of the training points")
	r.add("trained/field_error_se_t5", feSE, "its Monte Carlo standard error")
	r.add("trained/within_r", metrics.WithinRadius(net, ds.Points, 2, radius), "share of the network's samples within r of a training point")
	r.add("trained/median_distance", medianToTrain(net, ds.Points), "median distance of the network's samples to the nearest training point")
	return net, nil
}

// lossPoints returns the training points repeated to about 3000 and as
// many held-out points of the same law.
func lossPoints(cfg Config, ms MemoriseSetup, ds *datasets.Dataset) (trainX, held []float64) {
	reps := max(1, 3000/ms.Train)
	trainX = make([]float64, 0, 2*reps*ms.Train)
	for k := 0; k < reps; k++ {
		trainX = append(trainX, ds.Points...)
	}
	return trainX, load(ms.Dataset, len(trainX)/2, cfg.rng(streamHeldOut)).Points
}

// memorisationLosses adds the x0 losses of D̂* and of the network m on
// shared noise, in standard errors: on the training points trainX and on
// the held-out points held, t uniform and at a small noise level (t = 5,
// sigma ~ 0.02).
func memorisationLosses(r *Result, cfg Config, ds *datasets.Dataset, m toy.Denoiser, trainX, held []float64) {
	sched := toy.DDPM()
	lossGap := func(key, note string, a, b toy.Denoiser, x0 []float64, t int, stream uint64) {
		la, lb := pairedLosses(a, b, x0, sched, t, stream, cfg)
		d := make([]float64, len(la))
		for i := range d {
			d[i] = la[i] - lb[i]
		}
		m, se := meanSE(d)
		r.add(key, m/se, note)
	}
	lossGap("loss/train_emp_minus_net_z", "training loss of D̂* minus the network's, in standard errors (D̂* is optimal on the training set: not above 3)", ds.Exact, m, trainX, 0, streamTrainLossPair)
	for _, t := range []int{0, 5} {
		// Two independent samples: the standard errors of the means add.
		la, _ := pairedLosses(ds.Exact, ds.Exact, held, sched, t, streamEmpHeldLoss, cfg)
		lt, _ := pairedLosses(ds.Exact, ds.Exact, trainX, sched, t, streamEmpTrainLoss, cfg)
		mh, sh := meanSE(la)
		mt, st := meanSE(lt)
		key, when := "loss/emp_heldout_minus_train_z", "t uniform"
		if t > 0 {
			key, when = fmt.Sprintf("loss/emp_heldout_minus_train_t%d_z", t), fmt.Sprintf("t = %d", t)
		}
		r.add(key, (mh-mt)/math.Hypot(sh, st), "D̂*: held-out loss minus training loss, "+when+", in standard errors (overfitting: above 3)")
	}
	lossGap("loss/small_noise_net_minus_emp_z", "held-out loss at t = 5 of the network minus D̂*'s, in standard errors (the network generalises: below -3)", m, ds.Exact, held, 5, streamSmallNoiseLoss)
}

// pairedLosses returns the per-sample x0 losses ||D(x_t) - x_0||^2 of a and
// b on the same (x_0, t, eps): t uniform in 1..T when t = 0.
func pairedLosses(a, b toy.Denoiser, x0 []float64, sched *toy.Schedule, t int, stream uint64, cfg Config) ([]float64, []float64) {
	n := len(x0) / 2
	r := rand.New(cfg.rng(stream))
	la, lb := make([]float64, n), make([]float64, n)
	xt := make([]float64, 2)
	for i := 0; i < n; i++ {
		s := t
		if s == 0 {
			s = 1 + r.IntN(sched.T())
		}
		al := sched.Alpha(s)
		for j := 0; j < 2; j++ {
			xt[j] = math.Sqrt(al)*x0[2*i+j] + math.Sqrt(1-al)*r.NormFloat64()
		}
		da, db := a.Denoise(nil, xt, al, nil), b.Denoise(nil, xt, al, nil)
		la[i] = sq(da[0]-x0[2*i]) + sq(da[1]-x0[2*i+1])
		lb[i] = sq(db[0]-x0[2*i]) + sq(db[1]-x0[2*i+1])
	}
	return la, lb
}
