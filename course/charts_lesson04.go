// Lesson 4's charts: samples of both variance choices, trajectories with
// the denoiser's guesses, snapshots of the chains against q_t, and the
// chains moving.

package course

import (
	"fmt"
	"math/rand/v2"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/viz"
)

// ancestralCharts draws lesson 4. scenes are the sample panels; runs are
// the recorded chains: runs[0] the exact denoiser on ex, runs[1] the three
// points (m3, whose points are pts3), then the trained network if any.
func ancestralCharts(scenes []viz.Scene, runs []viz.Run, ex, m3 analytic.Mixture, pts3 []float64,
	sched *toy.Schedule, src rand.Source) []*viz.Chart {
	charts := []*viz.Chart{
		viz.Plane("DDPM samples over the data density", scenes, viz.PlaneOpts{PerPanel: true}).
			WithCaption("Samples (dots) over the data density (grey); each title gives the energy distance to fresh data in units " +
				"of its noise level (about 1 for a perfect sampler on average; one run's ratio scatters around that, so the two 1000-step titles " +
				"differ by chance). Look for both variance choices on the clusters at 1000 steps, each ratio below 3 (claim 4), " +
				"and the C² = β_t panel more spread out at 10 steps."),
	}

	// The three points: the chains and the denoiser's guesses D*_t(x_t).
	three := runs[1]
	three.Train = pts3
	guesses := viz.Run{Name: "three points: guesses D*_t(x_t)", Times: three.Times, Train: pts3}
	for s, x := range three.Steps {
		a := sched.Alpha(int(three.Times[s]))
		if a >= 1 {
			guesses.Steps = append(guesses.Steps, x)
			continue
		}
		guesses.Steps = append(guesses.Steps, m3.Denoise(nil, x, a, nil))
	}
	paths := []viz.Run{runs[0], three, guesses}
	paths = append(paths, runs[2:]...)
	charts = append(charts, viz.Paths("Trajectories x_T → x_0 and the denoiser's guesses", paths,
		viz.TrajOpts{MaxPaths: 12, Cols: 2}).
		WithCaption("12 chains per panel, coloured by time (blue at t = T, orange at t = 0), grey circles at x_T, black dots at x_0; "+
			"rings: the three points. Look for every three-point chain ending inside a ring, and for the guesses "+
			"jumping between the points' blend and one point long before the chain arrives."))

	// Snapshots: the chains of the exact denoiser at a few t against
	// fresh samples of q_t.
	if snaps := chainSnapshots(runs[0], ex, sched, src); len(snaps) > 0 {
		charts = append(charts, viz.Plane("The chains at t against fresh samples of q_t", snaps,
			viz.PlaneOpts{Classes: []string{"DDPM chains (exact D*)", "fresh samples of q_t"}, Cols: 4, Side: 240}).
			WithCaption("400 chains of the exact-denoiser run and 400 exact samples of q_t at the same t. "+
				"Look for the two clouds matching at every t, not only at the end."))
	}
	anim := append([]viz.Run(nil), runs...)
	anim[1].Train = pts3
	charts = append(charts, viz.Animate("The chains moving, t = T → 0", anim, viz.TrajOpts{MaxPaths: 400}).
		WithCaption("The same runs frame by frame (the timeline plays; drag it to stop at a t). Look for the cloud staying "+
			"round until the middle of the run and splitting into the modes near the end."))
	return charts
}

// chainSnapshots pairs the recorded chains at t = 750, 500, 250, 0 (400 of
// them) with as many fresh samples of q_t of ex, labelled 0 and 1.
func chainSnapshots(chains viz.Run, ex analytic.Mixture, sched *toy.Schedule, src rand.Source) []viz.Scene {
	var snaps []viz.Scene
	for _, t := range []int{750, 500, 250, 0} {
		for s, tt := range chains.Times {
			if int(tt) != t {
				continue
			}
			x := chains.Steps[s]
			n := min(400, len(x)/2)
			a := 1.0
			if t > 0 {
				a = sched.Alpha(t)
			}
			p := append(append([]float64(nil), x[:2*n]...), exactSample(ex, n, a, src)...)
			labels := make([]int, 2*n)
			for i := n; i < 2*n; i++ {
				labels[i] = 1
			}
			snaps = append(snaps, viz.Scene{Title: fmt.Sprintf("t = %d", t), Points: p, Labels: labels})
			break
		}
	}
	return snaps
}
