// Lesson 12's charts: who copies the training points, distances to the
// nearest training point, the two denoiser fields at a small t, losses per
// t on training and held-out data, and a sweep over the training-set size.

package course

import (
	"context"
	"fmt"
	"math"

	"difftoy/toy"
	"difftoy/toy/datasets"
	"difftoy/toy/metrics"
	"difftoy/toy/sample"
	"difftoy/viz"
)

// Random streams of lesson 12's charts (Config.rng).
const (
	streamTrainLossPerT = 170 // + i: (eps) of the losses at the i-th t on training points
	streamHeldLossPerT  = 180 // + i: the same on held-out points
	streamSweepSample   = 190 // + 2 i: DDPM samples of the i-th network of the sweep (and + 2 i + 1)
	streamSweepFresh    = 200 // + i: fresh data of the i-th training-set size
)

// memorisationCharts draws lesson 12: ds the training set (its Exact is
// the empirical ideal denoiser D̂*), m the trained network, emp, net and
// fresh the samples of D̂*, of the network and of the population;
// trainX and held the training points (repeated) and held-out points of the
// losses.
func memorisationCharts(ctx context.Context, cfg Config, ms MemoriseSetup, ds *datasets.Dataset, m toy.Denoiser,
	emp, net, fresh, trainX, held []float64, p Progress) ([]*viz.Chart, error) {
	charts := []*viz.Chart{copiesChart(ms, ds, emp, net, fresh), distanceChart(ds, emp, net, fresh), fieldsChart(ds, m),
		lossPerTChart(cfg, ds, m, trainX, held)}
	if len(ms.SweepN) > 0 {
		sweep, err := copyingSweepChart(ctx, cfg, ms, p)
		if err != nil {
			return nil, err
		}
		charts = append(charts, sweep)
	}
	return charts, nil
}

// copiesChart draws the samples of D̂*, of the network and fresh data over
// the training points.
func copiesChart(ms MemoriseSetup, ds *datasets.Dataset, emp, net, fresh []float64) *viz.Chart {
	return viz.Plane(fmt.Sprintf("%d training points of %s: who copies them?", ms.Train, ms.Dataset), []viz.Scene{
		{Title: "empirical ideal denoiser D̂*", Train: ds.Points, Points: emp},
		{Title: "trained network", Train: ds.Points, Points: net},
		{Title: "population D*: fresh data", Train: ds.Points, Points: fresh},
	}, viz.PlaneOpts{}).
		WithCaption("Samples (dots) of each generator; rings: the training points. Look for D̂*'s samples all inside the rings, " +
			"the network's spread along the data's shape, and fresh data ignoring the rings.")
}

// distanceChart draws the histograms of each sample's distance to its
// nearest training point.
func distanceChart(ds *datasets.Dataset, emp, net, fresh []float64) *viz.Chart {
	dist := func(x []float64) []float64 { return metrics.Nearest(nil, x, ds.Points, 2) }
	de, dn, df := dist(emp), dist(net), dist(fresh)
	hi := math.Max(maxOf(dn), maxOf(df))
	h := func(name string, d []float64) viz.Series {
		s := histogramRange(d, 0, hi, 25)
		s.Name = name
		return s
	}
	return viz.Lines("Distance to the nearest training point",
		viz.LinePanel{Title: "histograms (25 bins)", XName: "distance to the nearest training point", YName: "density", LogY: true,
			Series: []viz.Series{h("D̂* samples", de), h("network samples", dn), h("fresh data", df)}}).
		WithCaption("Normalised histograms of each sample's distance to its nearest training point (log scale; empty bins left out). " +
			"Look for D̂*'s spike at 0 and the network's histogram close to the fresh data's.")
}

// fieldsChart draws the displacement fields D(x) - x of D̂* and of the
// network at t = 20.
func fieldsChart(ds *datasets.Dataset, m toy.Denoiser) *viz.Chart {
	const t = 20
	a := toy.DDPM().Alpha(t)
	g := window(2.5, 21)
	x := g.Points()
	disp := func(d toy.Denoiser) []float64 {
		v := d.Denoise(nil, x, a, nil)
		for i := range v {
			v[i] -= x[i]
		}
		return v
	}
	return viz.Fields(fmt.Sprintf("Denoiser fields at t = %d", t), g, []viz.Field{
		{Title: "empirical D̂*_t(x) − x", V: disp(ds.Exact)}, {Title: "network D_t(x) − x", V: disp(m)},
	}, viz.QuiverOpts{Label: "|D − x|", Train: ds.Points, TrainName: "training points", Cols: 2}).
		WithCaption("Arrows from x to each denoiser's output, one scale for both; rings: the training points. Look for D̂*'s arrows " +
			"snapping to the nearest training point (cells with sharp borders) against the network's smoother field.")
}

// lossPerTChart draws the x0 losses of D̂* and of the network per t, on
// training and held-out points.
func lossPerTChart(cfg Config, ds *datasets.Dataset, m toy.Denoiser, trainX, held []float64) *viz.Chart {
	sched := toy.DDPM()
	k := min(1000, len(trainX)/2, len(held)/2)
	var ts []float64
	var eTr, eHe, nTr, nHe []float64
	for i, tt := range []int{1, 5, 20, 50, 100, 200, 500, 1000} {
		le, ln := pairedLosses(ds.Exact, m, trainX[:2*k], sched, tt, streamTrainLossPerT+uint64(i), cfg)
		he, hn := pairedLosses(ds.Exact, m, held[:2*k], sched, tt, streamHeldLossPerT+uint64(i), cfg)
		ts = append(ts, float64(tt))
		eTr, nTr, eHe, nHe = append(eTr, mean(le)), append(nTr, mean(ln)), append(eHe, mean(he)), append(nHe, mean(hn))
	}
	return viz.Lines("x_0 loss per t on training and held-out points",
		viz.LinePanel{Title: fmt.Sprintf("mean ‖D(x_t) − x_0‖², %d points per t", k), XName: "step t", YName: "loss", LogX: true, LogY: true,
			Series: []viz.Series{
				{Name: "D̂*, training points", X: ts, Y: eTr, Marks: true},
				{Name: "D̂*, held-out points", X: ts, Y: eHe, Marks: true, Dashed: true},
				{Name: "network, training points", X: ts, Y: nTr, Marks: true},
				{Name: "network, held-out points", X: ts, Y: nHe, Marks: true, Dashed: true},
			}}).
		WithCaption("Solid: on the training points; dashed: on fresh points of the same law, with the same noise. Look for D̂* " +
			"winning on the training points and losing on held-out points at small t, where the network generalises.")
}

// copyingSweepChart trains one network per training-set size of ms.SweepN
// and draws the share of its samples within r of a training point, against
// fresh data's.
func copyingSweepChart(ctx context.Context, cfg Config, ms MemoriseSetup, p Progress) (*viz.Chart, error) {
	sched := toy.DDPM()
	var ns, share, freshShare []float64
	plan, err := sample.Strided(sched, 100)
	if err != nil {
		return nil, err
	}
	for i, n := range ms.SweepN {
		dsn := load(ms.Dataset, n, cfg.rng(streamTrainingSet))
		r := 0.1 * medianNN(dsn.Points)
		mn, _, err := trainedModel(ctx, dsn, recipeSpec(), sched, ms.Steps, cfg, fmt.Sprintf("training on %d points", n), p)
		if err != nil {
			return nil, err
		}
		xs, _, err := DDPMSample(mn, plan, toy.PosteriorVariance, ms.Samples/2, cfg, streamSweepSample+2*uint64(i))
		if err != nil {
			return nil, err
		}
		fr := load(ms.Dataset, ms.Samples/2, cfg.rng(streamSweepFresh+uint64(i))).Points
		ns = append(ns, float64(n))
		share = append(share, metrics.WithinRadius(xs, dsn.Points, 2, r))
		freshShare = append(freshShare, metrics.WithinRadius(fr, dsn.Points, 2, r))
	}
	return viz.Lines("Copying against the number of training points N",
		viz.LinePanel{Title: "share of samples within r of a training point", XName: "training points N", YName: "share", LogX: true,
			Series: []viz.Series{{Name: "network samples", X: ns, Y: share, Marks: true}, {Name: "fresh data", X: ns, Y: freshShare, Marks: true, Dashed: true}}}).
		WithCaption(fmt.Sprintf("One network per N (%d Adam steps each, 100 DDPM steps, %d samples); r is 0.1 times the median "+
			"nearest-neighbour distance of each training set. Look for the network's share falling towards the fresh data's as N grows.", ms.Steps, ms.Samples/2)), nil
}

// histogramRange is histogram over fixed bins on [lo, hi].
func histogramRange(v []float64, lo, hi float64, bins int) viz.Series {
	w := (hi - lo) / float64(bins)
	if !(w > 0) {
		w = 1
	}
	count := make([]float64, bins)
	for _, x := range v {
		count[max(0, min(bins-1, int((x-lo)/w)))]++
	}
	s := viz.Series{Marks: true}
	for b, c := range count {
		s.X = append(s.X, lo+(float64(b)+0.5)*w)
		s.Y = append(s.Y, c/(float64(len(v))*w))
	}
	return s
}
