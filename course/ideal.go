// Lesson 2: the ideal denoiser D*_t(x) = E[x_0 | x_t = x] of three points,
// its posterior weights, and the score by Tweedie's formula
// (lessons/02-ideal-denoiser.md).

package course

import (
	"fmt"
	"math"
	"math/rand/v2"

	"difftoy/analytic"
	"difftoy/toy"
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

// The random streams of lesson 2 (Config.rng).
const (
	streamIdealData   = 1 // the dataset
	streamIdealScores = 2 // samples of q_t for the mean of the score
)

// Ideal runs lesson 2.
func Ideal(cfg Config, is IdealSetup) (*Result, error) {
	ds, err := loadDataset("course.Ideal", is.Dataset, 3, cfg.rng(streamIdealData))
	if err != nil {
		return nil, err
	}
	r := &Result{}
	m, sched := ds.Exact, toy.DDPM()
	x := window(2.5, 21).Points()
	steps := append([]int{1}, append(is.Steps, sched.T())...)
	r.add("posterior_sum_error", posteriorSumError(m, x, sched, steps), "largest |sum_i pi_i(x) - 1| over the grid and t")
	r.add("tweedie_error", tweedieGap(m, x, sched, steps), "largest relative gap between the score and (sqrt(alpha) D* - x)/(1 - alpha)")
	r.add("score_fd_error", scoreFDGap(m, x, sched, steps), "largest relative gap between the score and finite differences of log q_t")
	if m.Len() == 3 {
		r.add("hull_min_barycentric", minBarycentric(m, ds.Points, x, sched, append([]int{1, sched.T()}, is.Steps...)),
			"smallest barycentric coordinate of D*_t(x) in the triangle of the points (in the hull: >= 0)")
	}
	minW, offset := smallNoiseRecovery(m, ds.Points, sched.Alpha(1))
	r.add("small_noise_min_weight", minW, "t = 1, |eps| = 3 around each point: smallest posterior weight of that point")
	r.add("small_noise_offset", offset, "t = 1, |eps| = 3: largest |D*_1(x) - x_i| over the largest distance between points")
	priorGap, scoreGap := largeNoiseGaps(m, x, sched.Alpha(sched.T()))
	r.add("prior_gap_T", priorGap, "largest |pi_i(x) - w_i| at t = T on [-2.5, 2.5]^2")
	r.add("score_gap_T", scoreGap, "largest |grad log q_T(x) + x| at t = T on [-2.5, 2.5]^2")
	r.add("score_mean_z", scoreMeanZ(m, sched, is.Steps, is.Samples, cfg.rng(streamIdealScores)),
		"largest |mean score under q_t| in standard errors (mean zero: below about 3)")

	// Charts: posterior cells, the denoiser and score fields across t, the Tweedie overlap, q_t.
	r.Charts = append(r.Charts, idealCharts(m, ds.Points, sched, is.Steps)...)
	idealClaims(r)
	return r, nil
}

// idealClaims: lesson 2.
func idealClaims(r *Result) {
	r.claims(
		cl(1, "The posterior weights sum to 1 to rounding.", "largest |Σ π_i − 1|", r.value("posterior_sum_error"), AtMost, 1e-12),
		cl(2, "D*_t(x) lies in the convex hull of the data points.", "smallest barycentric coordinate", r.value("hull_min_barycentric"), AtLeast, -1e-12),
		// Central differences with h = 1e-4: truncation h^2 |f'''| / 6 with
		// |f'''| up to about (1 - alpha)^(-3/2) ~ 2e3 at t = 50 gives ~ 3e-6.
		cl(3, "The closed-form score equals finite differences of log q_t within their error.", "largest relative gap", r.value("score_fd_error"), Below, 1e-4),
		cl(4, "Tweedie's formula holds to rounding.", "largest relative gap", r.value("tweedie_error"), Below, 1e-12),
		cl(5, "At t = 1 a noisy point keeps more than 1 − 1e-9 of the weight on its own point.", "largest 1 − own weight", 1-r.value("small_noise_min_weight"), Below, 1e-9),
		// 1e-8 of the largest distance, plus rounding of the coordinates.
		cl(5, "At t = 1 D*_1 returns the point, within 1e-8 of the largest distance.", "largest offset / largest distance", r.value("small_noise_offset"), Below, 1e-8+1e-15),
		cl(6, "At t = T the weights are the prior's, within 0.05.", "largest |π_i − w_i|", r.value("prior_gap_T"), Below, 0.05),
		cl(6, "At t = T the score is −x, within 0.05.", "largest |∇log q_T + x|", r.value("score_gap_T"), Below, 0.05),
		// Eight comparisons (4 steps x 2 coordinates): bound 4.
		cl(7, "The score has mean zero under q_t (largest of eight deviations, in standard errors).", "largest |mean score| (SE)", r.value("score_mean_z"), Below, 4),
	)
}

// posteriorSumError returns the largest |sum_i pi_i(x) - 1| over the
// points x and the steps.
func posteriorSumError(m analytic.Mixture, x []float64, sched *toy.Schedule, steps []int) float64 {
	K, worst := m.Len(), 0.0
	for _, t := range steps {
		pi := m.Posterior(nil, x, sched.Alpha(t))
		for i := 0; i < len(x)/2; i++ {
			s := 0.0
			for k := 0; k < K; k++ {
				s += pi[i*K+k]
			}
			worst = math.Max(worst, math.Abs(s-1))
		}
	}
	return worst
}

// tweedieGap returns the largest relative gap between the score and
// Tweedie's (sqrt(alpha) D*(x) - x)/(1 - alpha) over the points and steps.
func tweedieGap(m analytic.Mixture, x []float64, sched *toy.Schedule, steps []int) float64 {
	worst := 0.0
	for _, t := range steps {
		a := sched.Alpha(t)
		d := m.Denoise(nil, x, a, nil)
		sc := m.Score(nil, x, a, nil)
		for i := range sc {
			tw := (math.Sqrt(a)*d[i] - x[i]) / (1 - a)
			worst = math.Max(worst, math.Abs(sc[i]-tw)/(1+math.Abs(sc[i])))
		}
	}
	return worst
}

// scoreFDGap returns the largest relative gap between the score and
// central differences of log q_t (step h = 1e-4, error O(h^2)) over the
// points and the steps t >= 50, where log q_t is smooth on the scale h.
func scoreFDGap(m analytic.Mixture, x []float64, sched *toy.Schedule, steps []int) float64 {
	const h = 1e-4
	n, worst := len(x)/2, 0.0
	for _, t := range steps {
		if t < 50 {
			continue
		}
		a := sched.Alpha(t)
		sc := m.Score(nil, x, a, nil)
		xp, xm := append([]float64(nil), x...), append([]float64(nil), x...)
		for j := 0; j < 2; j++ {
			for i := 0; i < n; i++ {
				xp[2*i+j] += h
				xm[2*i+j] -= h
			}
			lp, lm := m.LogProb(nil, xp, a), m.LogProb(nil, xm, a)
			for i := 0; i < n; i++ {
				fd := (lp[i] - lm[i]) / (2 * h)
				worst = math.Max(worst, math.Abs(fd-sc[2*i+j])/(1+math.Abs(sc[2*i+j])))
				xp[2*i+j] -= h
				xm[2*i+j] += h
			}
		}
	}
	return worst
}

// minBarycentric returns the smallest barycentric coordinate of D*_t(x),
// over the points x and the steps, in the triangle of the three points P
// (D* lies in their hull: all coordinates >= 0).
func minBarycentric(m analytic.Mixture, P, x []float64, sched *toy.Schedule, steps []int) float64 {
	worst := math.Inf(1)
	det := (P[3]-P[5])*(P[0]-P[4]) + (P[4]-P[2])*(P[1]-P[5])
	for _, t := range steps {
		d := m.Denoise(nil, x, sched.Alpha(t), nil)
		for i := 0; i < len(x)/2; i++ {
			l1 := ((P[3]-P[5])*(d[2*i]-P[4]) + (P[4]-P[2])*(d[2*i+1]-P[5])) / det
			l2 := ((P[5]-P[1])*(d[2*i]-P[4]) + (P[0]-P[4])*(d[2*i+1]-P[5])) / det
			worst = math.Min(worst, math.Min(l1, math.Min(l2, 1-l1-l2)))
		}
	}
	return worst
}

// smallNoiseRecovery noises each point x_i to level a1 with 16 noises of
// length 3 around it and returns the smallest posterior weight of x_i and
// the largest |D*(x) - x_i| over the largest distance between points.
func smallNoiseRecovery(m analytic.Mixture, pts []float64, a1 float64) (minWeight, offset float64) {
	K := len(pts) / 2
	minWeight = 1.0
	maxOff, maxDist := 0.0, 0.0
	for i := 0; i < K; i++ {
		for j := 0; j < K; j++ {
			maxDist = math.Max(maxDist, math.Hypot(pts[2*i]-pts[2*j], pts[2*i+1]-pts[2*j+1]))
		}
	}
	for i := 0; i < K; i++ {
		for k := 0; k < 16; k++ {
			th := 2 * math.Pi * float64(k) / 16
			xi := []float64{
				math.Sqrt(a1)*pts[2*i] + math.Sqrt(1-a1)*3*math.Cos(th),
				math.Sqrt(a1)*pts[2*i+1] + math.Sqrt(1-a1)*3*math.Sin(th),
			}
			w := m.Posterior(nil, xi, a1)
			minWeight = math.Min(minWeight, w[i])
			d := m.Denoise(nil, xi, a1, nil)
			maxOff = math.Max(maxOff, math.Hypot(d[0]-pts[2*i], d[1]-pts[2*i+1]))
		}
	}
	return minWeight, maxOff / maxDist
}

// largeNoiseGaps returns, at the level aT of the last step, the largest
// |pi_i(x) - w_i| (the weights are the prior's) and the largest
// |grad log q_T(x) + x| (the score is -x) over the points x.
func largeNoiseGaps(m analytic.Mixture, x []float64, aT float64) (priorGap, scoreGap float64) {
	K := m.Len()
	pi := m.Posterior(nil, x, aT)
	w := m.Weights()
	sc := m.Score(nil, x, aT, nil)
	for i := 0; i < len(x)/2; i++ {
		for k := 0; k < K; k++ {
			priorGap = math.Max(priorGap, math.Abs(pi[i*K+k]-w[k]))
		}
		scoreGap = math.Max(scoreGap, math.Hypot(sc[2*i]+x[2*i], sc[2*i+1]+x[2*i+1]))
	}
	return priorGap, scoreGap
}

// scoreMeanZ returns the largest |mean of the score| under q_t, over the
// steps and the two coordinates, in standard errors (n samples per step).
func scoreMeanZ(m analytic.Mixture, sched *toy.Schedule, steps []int, n int, src rand.Source) float64 {
	worst := 0.0
	for _, t := range steps {
		a := sched.Alpha(t)
		xt := exactSample(m, n, a, src)
		s := m.Score(nil, xt, a, nil)
		for j := 0; j < 2; j++ {
			var mean, sq float64
			for i := 0; i < n; i++ {
				mean += s[2*i+j]
				sq += s[2*i+j] * s[2*i+j]
			}
			N := float64(n)
			mean /= N
			se := math.Sqrt((sq/N - mean*mean) / N)
			worst = math.Max(worst, math.Abs(mean)/se)
		}
	}
	return worst
}

// IdealAt draws lesson 2's charts at the one step t of the linear
// schedule, for a notebook's slider over t; it checks no claim.
func IdealAt(cfg Config, is IdealSetup, t int) ([]*viz.Chart, error) {
	sched := toy.DDPM()
	if t < 1 || t > sched.T() {
		return nil, fmt.Errorf("course.IdealAt: step t = %d outside 1..%d", t, sched.T())
	}
	ds, err := loadDataset("course.IdealAt", is.Dataset, 3, cfg.rng(streamIdealData))
	if err != nil {
		return nil, err
	}
	return idealCharts(ds.Exact, ds.Points, sched, []int{t}), nil
}
