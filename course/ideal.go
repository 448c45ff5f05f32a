// Lesson 2: the ideal denoiser D*_t(x) = E[x_0 | x_t = x] of three points,
// its posterior weights, and the score by Tweedie's formula
// (lessons/02-ideal-denoiser.md).

package course

import (
	"context"
	"fmt"
	"math"

	"difftoy/toy"
	"difftoy/toy/datasets"
	"difftoy/viz"
)

// IdealSetup is what lesson 2 varies.
type IdealSetup struct {
	Dataset string // a dataset whose exact law the fields are drawn from
	Steps   []int  // steps t of the linear schedule to draw
	Samples int    // samples of q_t for the mean-zero check of the score
}

// DefaultIdeal is the setup of lesson 2: three points with weights 1/3.
func DefaultIdeal(cfg Config) IdealSetup {
	return IdealSetup{Dataset: "three-points", Steps: []int{50, 150, 300, 600}, Samples: cfg.size(20000, 4000)}
}

// Ideal runs lesson 2.
func Ideal(cfg Config, is IdealSetup) (*Result, error) {
	r := &Result{}
	ds := load(is.Dataset, 3, cfg.rng(1))
	m := ds.Exact
	sched := toy.DDPM()
	g := window(2.5, 21)
	x := g.Points()
	n := g.Len()
	K := m.Len()

	var sumErr, tweedie, fdErr float64
	for _, t := range append([]int{1}, append(is.Steps, sched.T())...) {
		a := sched.Alpha(t)
		pi := m.Posterior(nil, x, a)
		for i := 0; i < n; i++ {
			s := 0.0
			for k := 0; k < K; k++ {
				s += pi[i*K+k]
			}
			sumErr = math.Max(sumErr, math.Abs(s-1))
		}
		d := m.Denoise(nil, x, a, nil)
		sc := m.Score(nil, x, a, nil)
		for i := range sc {
			tw := (math.Sqrt(a)*d[i] - x[i]) / (1 - a)
			tweedie = math.Max(tweedie, math.Abs(sc[i]-tw)/(1+math.Abs(sc[i])))
		}
		if t >= 50 { // finite differences of log q_t, step h: error O(h^2)
			const h = 1e-4
			xp, xm := append([]float64(nil), x...), append([]float64(nil), x...)
			for j := 0; j < 2; j++ {
				for i := 0; i < n; i++ {
					xp[2*i+j] += h
					xm[2*i+j] -= h
				}
				lp, lm := m.LogProb(nil, xp, a), m.LogProb(nil, xm, a)
				for i := 0; i < n; i++ {
					fd := (lp[i] - lm[i]) / (2 * h)
					fdErr = math.Max(fdErr, math.Abs(fd-sc[2*i+j])/(1+math.Abs(sc[2*i+j])))
					xp[2*i+j] -= h
					xm[2*i+j] += h
				}
			}
		}
	}
	r.add("posterior_sum_error", sumErr, "largest |sum_i pi_i(x) - 1| over the grid and t")
	r.add("tweedie_error", tweedie, "largest relative gap between the score and (sqrt(alpha) D* - x)/(1 - alpha)")
	r.add("score_fd_error", fdErr, "largest relative gap between the score and finite differences of log q_t")

	// D* lies in the triangle of the three points: barycentric coordinates >= 0.
	if K == 3 {
		P := ds.Points
		minBary := math.Inf(1)
		det := (P[3]-P[5])*(P[0]-P[4]) + (P[4]-P[2])*(P[1]-P[5])
		for _, t := range append([]int{1, sched.T()}, is.Steps...) {
			d := m.Denoise(nil, x, sched.Alpha(t), nil)
			for i := 0; i < n; i++ {
				l1 := ((P[3]-P[5])*(d[2*i]-P[4]) + (P[4]-P[2])*(d[2*i+1]-P[5])) / det
				l2 := ((P[5]-P[1])*(d[2*i]-P[4]) + (P[0]-P[4])*(d[2*i+1]-P[5])) / det
				minBary = math.Min(minBary, math.Min(l1, math.Min(l2, 1-l1-l2)))
			}
		}
		r.add("hull_min_barycentric", minBary, "smallest barycentric coordinate of D*_t(x) in the triangle of the points (in the hull: >= 0)")
	}

	// Small noise: at t = 1 a point noised from x_i with |eps| <= 3 is
	// assigned to x_i with weight 1 and denoised back onto it.
	a1 := sched.Alpha(1)
	minW, maxOff, maxDist := 1.0, 0.0, 0.0
	for i := 0; i < K; i++ {
		for j := 0; j < K; j++ {
			maxDist = math.Max(maxDist, math.Hypot(ds.Points[2*i]-ds.Points[2*j], ds.Points[2*i+1]-ds.Points[2*j+1]))
		}
	}
	for i := 0; i < K; i++ {
		for k := 0; k < 16; k++ {
			th := 2 * math.Pi * float64(k) / 16
			xi := []float64{
				math.Sqrt(a1)*ds.Points[2*i] + math.Sqrt(1-a1)*3*math.Cos(th),
				math.Sqrt(a1)*ds.Points[2*i+1] + math.Sqrt(1-a1)*3*math.Sin(th),
			}
			w := m.Posterior(nil, xi, a1)
			minW = math.Min(minW, w[i])
			d := m.Denoise(nil, xi, a1, nil)
			maxOff = math.Max(maxOff, math.Hypot(d[0]-ds.Points[2*i], d[1]-ds.Points[2*i+1]))
		}
	}
	r.add("small_noise_min_weight", minW, "t = 1, |eps| = 3 around each point: smallest posterior weight of that point")
	r.add("small_noise_offset", maxOff/maxDist, "t = 1, |eps| = 3: largest |D*_1(x) - x_i| over the largest distance between points")

	// Much noise: at t = T the weights are the prior and the score is -x.
	aT := sched.Alpha(sched.T())
	pi := m.Posterior(nil, x, aT)
	w := m.Weights()
	sc := m.Score(nil, x, aT, nil)
	var piT, scT float64
	for i := 0; i < n; i++ {
		for k := 0; k < K; k++ {
			piT = math.Max(piT, math.Abs(pi[i*K+k]-w[k]))
		}
		scT = math.Max(scT, math.Hypot(sc[2*i]+x[2*i], sc[2*i+1]+x[2*i+1]))
	}
	r.add("prior_gap_T", piT, "largest |pi_i(x) - w_i| at t = T on [-2.5, 2.5]^2")
	r.add("score_gap_T", scT, "largest |grad log q_T(x) + x| at t = T on [-2.5, 2.5]^2")

	// The score has mean zero under q_t.
	src := cfg.rng(2)
	worst := 0.0
	for _, t := range is.Steps {
		a := sched.Alpha(t)
		xt := exactSample(m, is.Samples, a, src)
		s := m.Score(nil, xt, a, nil)
		for j := 0; j < 2; j++ {
			var mean, sq float64
			for i := 0; i < is.Samples; i++ {
				mean += s[2*i+j]
				sq += s[2*i+j] * s[2*i+j]
			}
			N := float64(is.Samples)
			mean /= N
			se := math.Sqrt((sq/N - mean*mean) / N)
			worst = math.Max(worst, math.Abs(mean)/se)
		}
	}
	r.add("score_mean_z", worst, "largest |mean score under q_t| in standard errors (mean zero: below about 3)")

	// Charts: posterior cells, the denoiser and score fields across t, the Tweedie overlap, q_t.
	r.Charts = append(r.Charts, idealCharts(m, ds.Points, sched, is.Steps)...)
	idealClaims(r)
	return r, nil
}

func runIdeal(ctx context.Context, cfg Config, p Progress) (*Result, error) {
	return Ideal(cfg, DefaultIdeal(cfg))
}

// IdealAt draws lesson 2's charts at the one step t of the linear
// schedule, for a notebook's slider over t; it checks no claim.
func IdealAt(cfg Config, is IdealSetup, t int) ([]*viz.Chart, error) {
	sched := toy.DDPM()
	if t < 1 || t > sched.T() {
		return nil, fmt.Errorf("course.IdealAt: step t = %d outside 1..%d", t, sched.T())
	}
	ds, err := datasets.Load(is.Dataset, 3, cfg.rng(1))
	if err != nil {
		return nil, fmt.Errorf("course.IdealAt: %w", err)
	}
	return idealCharts(ds.Exact, ds.Points, sched, []int{t}), nil
}
