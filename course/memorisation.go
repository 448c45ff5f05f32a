// Lesson 12: the ideal denoiser of a finite training set (a delta mixture)
// can only return training points; a trained network generalises
// (MATH.md section 6, last paragraph).

package course

import (
	"context"
	"fmt"
	"math"
	"slices"

	"difftoy/toy"
	"difftoy/toy/metrics"
	"difftoy/toy/nn"
	"difftoy/toy/sample"
	"difftoy/viz"
)

// MemoriseSetup is what lesson 12 varies.
type MemoriseSetup struct {
	Dataset string // a finite training set (moons, swiss-roll, checkerboard)
	Train   int    // number of training points N
	Samples int
	Steps   int // Adam steps of the network
}

// DefaultMemorisation is the setup of lesson 12.
func DefaultMemorisation(cfg Config) MemoriseSetup {
	return MemoriseSetup{Dataset: "moons", Train: 32, Samples: cfg.size(600, 300), Steps: cfg.size(1500, 600)}
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

// Memorisation runs lesson 12.
func Memorisation(ctx context.Context, cfg Config, ms MemoriseSetup, p Progress) (*Result, error) {
	r := &Result{}
	ds := load(ms.Dataset, ms.Train, cfg.rng(1))
	radius := 0.1 * medianNN(ds.Points)
	r.add("radius", radius, "r = 0.1 times the median nearest-neighbour distance among training points")
	plan := sample.Full(toy.DDPM())
	emp, _, err := DDPMSample(ds.Exact, plan, toy.PosteriorVariance, ms.Samples, cfg, 90)
	if err != nil {
		return nil, err
	}
	r.add("empirical/within_r", metrics.WithinRadius(emp, ds.Points, 2, radius), "share of samples of the empirical ideal denoiser within r of a training point")

	fresh := load(ms.Dataset, ms.Samples, cfg.rng(2)).Points
	r.add("fresh/within_r", metrics.WithinRadius(fresh, ds.Points, 2, radius), "share of fresh data within r of a training point")
	r.add("fresh/median_distance", medianToTrain(fresh, ds.Points), "median distance of fresh data to the nearest training point")

	spec := nn.DefaultSpec(2)
	m, _, err := trainedModel(ctx, ds, spec, toy.DDPM(), ms.Steps, cfg.Seed, fmt.Sprintf("training on %d points", ms.Train), p)
	if err != nil {
		return nil, err
	}
	netPlan, err := sample.Strided(toy.DDPM(), 250) // each step is a pass of the network
	if err != nil {
		return nil, err
	}
	net, _, err := DDPMSample(m, netPlan, toy.PosteriorVariance, ms.Samples, cfg, 92)
	if err != nil {
		return nil, err
	}
	r.add("trained/within_r", metrics.WithinRadius(net, ds.Points, 2, radius), "share of the network's samples within r of a training point")
	r.add("trained/median_distance", medianToTrain(net, ds.Points), "median distance of the network's samples to the nearest training point")

	r.Charts = append(r.Charts, viz.Plane(fmt.Sprintf("%d training points of %s: who copies them?", ms.Train, ms.Dataset), []viz.Scene{
		{Title: "empirical ideal denoiser D̂*", Train: ds.Points, Points: emp},
		{Title: "trained network", Train: ds.Points, Points: net},
		{Title: "fresh data", Train: ds.Points, Points: fresh},
	}, viz.PlaneOpts{}))
	return r, nil
}

func runMemorisation(ctx context.Context, cfg Config, p Progress) (*Result, error) {
	return Memorisation(ctx, cfg, DefaultMemorisation(cfg), p)
}
