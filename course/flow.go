// Lesson 14: flow matching, rectified flow and preconditioning, on the
// exact mixtures (lessons/14-flow-matching.md): the marginal velocity from
// D*, DDIM as flow-matching Euler after a change of time, how curved the
// exact paths are, the preconditioning of the course's networks, and
// editing a point by inversion into another class.

package course

import (
	"fmt"
	"math"
	"math/rand/v2"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/sample"
)

// FlowSetup is what lesson 14 varies.
type FlowSetup struct {
	Dataset    string    // the unlabelled mixture of sections 1-3
	LossPoints int       // Monte Carlo draws of the loss and variance checks
	LossTimes  []float64 // times s of the flow-matching loss check
	DDIMSteps  []int     // plan lengths of the DDIM = Euler check
	Paths      int       // particles of the curvature study
	RefSteps   int       // Euler moves (uniform in s) of the reference paths
	StepCounts []int     // Euler moves of the step-count sweep
	Sigmas     []float64 // noise levels of the unit-variance check (section 4)

	EditDataset string // the labelled mixture of section 5
	EditPoints  int    // points moved between classes
	EditSteps   int    // moves of the inversion and of the regeneration
	Refine      int    // fixed-point iterations per inversion move (sample.Inversion): 0 is the plain one-call inversion
	From, To    int    // the class the points come from and the class they are moved to
}

// DefaultFlow is the setup of lesson 14.
func DefaultFlow(cfg Config) FlowSetup {
	return FlowSetup{Dataset: "eight-gaussians", LossPoints: cfg.size(40000, 10000), LossTimes: []float64{0.2, 0.5, 0.8},
		DDIMSteps: []int{10, 50}, Paths: cfg.size(400, 200), RefSteps: 2000, StepCounts: []int{1, 2, 4, 8, 16, 32, 64, 128},
		Sigmas:      []float64{0.02, 0.1, 0.5, 1.4, 5, 30},
		EditDataset: "three-classes", EditPoints: cfg.size(400, 200), EditSteps: 100, Refine: 4, From: 0, To: 1}
}

// check reports the first setting of fs the lesson cannot run with, for a
// schedule of T steps.
func (fs FlowSetup) check(T int) error {
	switch {
	case fs.LossPoints < 2 || fs.Paths < 1 || fs.EditPoints < 1:
		return fmt.Errorf("course: lesson 14 needs at least 2 loss points, 1 path and 1 edited point (got %d, %d, %d)", fs.LossPoints, fs.Paths, fs.EditPoints)
	case fs.RefSteps < 1 || fs.EditSteps < 1 || len(fs.StepCounts) == 0 || len(fs.Sigmas) == 0 || len(fs.LossTimes) == 0:
		return fmt.Errorf("course: lesson 14 needs RefSteps and EditSteps of at least 1 and non-empty StepCounts, Sigmas and LossTimes")
	case fs.Refine < 0:
		return fmt.Errorf("course: Refine = %d is negative", fs.Refine)
	}
	for _, s := range fs.LossTimes {
		if !(s > 0 && s < 1) {
			return fmt.Errorf("course: loss time s = %v is not in (0, 1)", s)
		}
	}
	for _, sigma := range fs.Sigmas {
		if !(sigma > 0) || math.IsInf(sigma, 1) {
			return fmt.Errorf("course: noise level sigma = %v is not a finite positive number", sigma)
		}
	}
	for _, n := range fs.StepCounts {
		if n < 1 || n > T {
			return fmt.Errorf("course: step count %d is not in 1..%d", n, T)
		}
	}
	if fs.From == fs.To {
		return fmt.Errorf("course: editing moves points from class %d to class %d: choose two different classes", fs.From, fs.To)
	}
	return nil
}

// Random streams of lesson 14 (Config.rng); "+ i" is the i-th noise level
// of FlowSetup.Sigmas.
const (
	streamFlowData      = 1  // the unlabelled mixture
	streamFlowLoss      = 2  // the points z_s of the loss check (one stream for all times)
	streamFlowStart     = 3  // x_T of the DDIM = Euler check and of the paths
	streamFlowDataSD    = 39 // the 10^6 draws that measure sigma_data of a mixture other than the eight Gaussians
	streamPrecondData   = 40 // + i: x_0 of the unit-variance check
	streamPrecondNoise  = 50 // + i: its noise
	streamEditData      = 60 // the labelled mixture of the edit
	streamEditPoints    = 61 // the points moved between classes
	streamEditFreshData = 62 // fresh class data for the edit's energy distance
)

// Flow runs lesson 14 with the exact denoisers.
func Flow(cfg Config, fs FlowSetup) (*Result, error) {
	if err := fs.check(toy.DDPM().T()); err != nil {
		return nil, err
	}
	r := &Result{}
	ds, err := loadDataset("course.Flow", fs.Dataset, 1000, cfg.rng(streamFlowData))
	if err != nil {
		return nil, err
	}
	ex := ds.Exact
	flowLossGaps(r, cfg, fs, ex)
	xT := gauss(fs.Paths, cfg.rng(streamFlowStart))
	if err := ddimAsEuler(r, fs, ex, xT); err != nil {
		return nil, err
	}
	paths, err := flowPaths(r, fs, ex, xT)
	if err != nil {
		return nil, err
	}
	pre := preconditioning(r, cfg, fs, ex)
	ed, err := flowEdit(cfg, fs, toy.DDPM())
	if err != nil {
		return nil, err
	}
	addEdit(r, fs, ed)
	r.Charts = flowCharts(ex, toy.DDPM(), fs, paths, pre, ed)
	flowClaims(r, fs)
	return r, nil
}

// flowClaims: lesson 14.
func flowClaims(r *Result, fs FlowSetup) {
	r.claims(
		cl(2, "Any field u loses exactly E||u − v||² against the exact velocity (u = 1.1 v, at each time of the check): the rest of the gap is 0 within 3 standard errors.", "largest |gap − E||u − v||²| (SE)", r.value("loss/max_gap_z"), AtMost, 3),
		// Rounding: about 3 operations per move on numbers of order 10 (|x| up
		// to 5 at s near 1 where 1/(1 - s) ~ 160 scales z), up to 100 moves:
		// 100 * 3 * 10 * 2.2e-16 * 160 ~ 1e-11.
		cl(3, fmt.Sprintf("DDIM equals flow-matching Euler on the time-changed grid, to rounding (plans of %v moves).", fs.DDIMSteps), "largest coordinate difference", r.value("ddim/max_difference"), AtMost, 1e-11),
		cl(4, "The exact rectified-flow paths of the eight Gaussians are not straight: the straightness deficit is above 0.1.", "straightness deficit", r.value("paths/straightness_deficit"), Above, 0.1),
	)
	if n := len(fs.StepCounts); n >= 2 {
		fall := math.Inf(1)
		for i := 1; i < n; i++ {
			fall = math.Min(fall, r.value(fmt.Sprintf("euler%d/error", fs.StepCounts[i-1]))/r.value(fmt.Sprintf("euler%d/error", fs.StepCounts[i])))
		}
		worst := 0.0
		for _, k := range fs.StepCounts[1:] {
			worst = math.Max(worst, r.value(fmt.Sprintf("euler%d/error", k))/r.value(fmt.Sprintf("ddim_grid%d/error", k)))
		}
		r.claims(
			cl(5, fmt.Sprintf("Euler's endpoint error falls at each step count of the sweep %v.", fs.StepCounts), "smallest ratio of successive errors", fall, Above, 1),
			cl(5, fmt.Sprintf("On these paths moves evenly spaced in s beat DDIM's strided plan at every step count of the sweep after %d.", fs.StepCounts[0]), "largest error ratio, even s / strided t", worst, Below, 1),
		)
	}
	r.claims(
		cl(6, "The input c_in y and the target (x_0 − c_skip y)/c_out have unit variance at every noise level of the check, within 4 standard errors.", "largest |variance − 1| (SE)", r.value("edm/max_deviation_se"), AtMost, 4),
		cl(9, fmt.Sprintf("Edited points land in class %d: mean exact class posterior above 0.9.", fs.To), fmt.Sprintf("mean q_0(%d | edit)", fs.To), r.value("edit/posterior_to"), Above, 0.9),
		ratioClaim(9, fmt.Sprintf("Edited points follow class %d's law.", fs.To), "edited points", r.value("edit/energy")),
	)
	if fs.EditDataset == "three-classes" {
		// The discrete maps compose to x_0 + m' - m + L (m - m') with DDIM's
		// product of step factors L in place of 1/k_T: 0.01 allows a
		// difference of 0.004 in that factor times |m - m'| = 2.25.
		r.claims(cl(10, "For two classes that are translates of each other, the edit is the exact map m' + (x_0 − m) + (m − m')/k_T within 0.01.", "mean distance to the exact edit", r.value("edit/translation_error"), Below, 0.01))
	}
}

// eightGaussiansSD is the exact standard deviation per coordinate of the
// eight Gaussians (datasets.Load: std 0.15, means on the circle of radius 2, so
// the variance per coordinate is 0.15^2 + 2^2/2).
var eightGaussiansSD = math.Sqrt(0.15*0.15 + 2)

// flowLossGaps adds section 1's check: any field u loses E||u - v||^2
// against the exact v (the posterior argument), with u = 1.1 v; per time,
// the exact v's loss and the rest of the gap in standard errors.
func flowLossGaps(r *Result, cfg Config, fs FlowSetup, ex analytic.Mixture) {
	maxZ := 0.0
	for _, s := range fs.LossTimes {
		z, eps, x0 := flowDraws(ex, fs.LossPoints, s, cfg.rng(streamFlowLoss))
		v := Velocity(ex, nil, z, s, nil)
		var loss, gap, gap2 float64
		n := fs.LossPoints
		for i := 0; i < n; i++ {
			var lv, lu, luv float64
			for j := 0; j < 2; j++ {
				k := 2*i + j
				target := eps[k] - x0[k]
				u := 1.1 * v[k]
				lv += sq(v[k] - target)
				lu += sq(u - target)
				luv += sq(u - v[k])
			}
			loss += lv
			g := lu - lv - luv // mean 0 when v is the conditional mean
			gap += g
			gap2 += g * g
		}
		mean := gap / float64(n)
		se := math.Sqrt((gap2/float64(n) - mean*mean) / float64(n))
		r.add(fmt.Sprintf("loss/s%.1f", s), loss/float64(n), fmt.Sprintf("flow-matching loss E||v(z_s) - (eps - x_0)||^2 of the exact v at s = %.1f (the floor no network goes below)", s))
		r.add(fmt.Sprintf("loss/gap_z_s%.1f", s), mean/se, fmt.Sprintf("loss(1.1 v) - loss(v) - E||0.1 v||^2 at s = %.1f, in standard errors (0 by the posterior argument)", s))
		maxZ = math.Max(maxZ, math.Abs(mean/se))
	}
	r.add("loss/max_gap_z", maxZ, "largest |loss gap - E||u - v||^2| over the times, in standard errors")
}

// ddimAsEuler adds section 2's check: DDIM from x_T against flow-matching
// Euler on the time-changed grid s(alpha_t) of its plan (and on an even
// grid in s, another sampler), for each plan length of fs.DDIMSteps.
func ddimAsEuler(r *Result, fs FlowSetup, ex analytic.Mixture, xT []float64) error {
	maxDiff := 0.0
	for _, n := range fs.DDIMSteps {
		plan, err := sample.Strided(toy.DDPM(), n)
		if err != nil {
			return err
		}
		ddim, err := sample.DDIM(plan, 0).Sample(nil, xT, ex, nil, nil)
		if err != nil {
			return err
		}
		ss := planTimes(plan)
		euler := FlowEuler(ex, flowStart(xT, ss[0]), ss, nil, nil)
		d := 0.0
		for i := range ddim {
			d = math.Max(d, math.Abs(ddim[i]-euler[i]))
		}
		// The same number of Euler moves, evenly spaced in s.
		uni := FlowEuler(ex, flowStart(xT, ss[0]), uniformTimes(ss[0], n), nil, nil)
		r.add(fmt.Sprintf("ddim%d/max_difference", n), d, fmt.Sprintf("largest coordinate difference between DDIM (%d steps) and flow-matching Euler on the times s(alpha_t) of its plan", n))
		r.add(fmt.Sprintf("ddim%d/uniform_distance", n), meanDist(ddim, uni), fmt.Sprintf("mean distance between DDIM's end points and Euler's with %d moves evenly spaced in s (another sampler)", n))
		maxDiff = math.Max(maxDiff, d)
	}
	r.add("ddim/max_difference", maxDiff, "largest difference over the plans")
	return nil
}

// flowPathRun is section 3's run for the charts: the reference paths'
// frames from start, and Euler's endpoint errors against them per step
// count, on even and on DDIM's strided grids.
type flowPathRun struct {
	frames             [][]float64
	start              []float64
	ns, errs, ddimErrs []float64
}

// flowPaths adds section 3's numbers: how curved the exact paths from x_T
// are (against a reference of fs.RefSteps Euler moves), and Euler's
// endpoint error against the number of moves.
func flowPaths(r *Result, fs FlowSetup, ex analytic.Mixture, xT []float64) (flowPathRun, error) {
	sched := toy.DDPM()
	s0 := FlowTime(sched.Alpha(sched.T()))
	p := flowPathRun{start: flowStart(xT, s0)}
	refTimes := uniformTimes(s0, fs.RefSteps)
	every := max(1, fs.RefSteps/60)
	ref := FlowEuler(ex, p.start, refTimes, nil, func(k int, z []float64) {
		if k%every == 0 || k == fs.RefSteps {
			p.frames = append(p.frames, append([]float64(nil), z...))
		}
	})
	st := straightness(ex, p.start, ref, refTimes)
	r.add("paths/straightness_deficit", st.deficit, "mean over particles of (1/s_0) ∫ ||v - c||^2 ds / ||c||^2, c the chord's mean velocity (0 for straight paths at constant speed)")
	r.add("paths/length_excess", st.lengthExcess, "mean path length / chord length - 1")
	r.add("paths/late_bending_share", st.lateShare, "share of the paths' turning ∫ ||dv/ds|| ds spent at s < 0.2")
	for _, n := range fs.StepCounts {
		e := meanDist(FlowEuler(ex, p.start, uniformTimes(s0, n), nil, nil), ref)
		r.add(fmt.Sprintf("euler%d/error", n), e, fmt.Sprintf("mean |z_0 - reference| of Euler with %d moves evenly spaced in s", n))
		p.ns, p.errs = append(p.ns, float64(n)), append(p.errs, e)
		plan, err := sample.Strided(sched, n)
		if err != nil {
			return p, err
		}
		ed := meanDist(FlowEuler(ex, p.start, planTimes(plan), nil, nil), ref)
		r.add(fmt.Sprintf("ddim_grid%d/error", n), ed, fmt.Sprintf("the same with the %d moves of DDIM's strided plan (s(alpha_t))", n))
		p.ddimErrs = append(p.ddimErrs, ed)
	}
	one := FlowEuler(ex, p.start, []float64{s0, 0}, nil, nil)
	r.add("euler1/mean_radius", meanDist(one, make([]float64, len(one))), "mean |z_0| after one Euler move: it lands on D*(x_T), near the data mean 0 (the modes sit at radius 2)")
	return p, nil
}

// precondRun is section 4's run for the charts: sigma_data and, per noise
// level, the variances of the input and of the target.
type precondRun struct {
	sd             float64
	sig, vin, vout []float64
}

// preconditioning adds section 4's numbers: the variance of the input c_in y
// and of the target (x_0 - c_skip y)/c_out at each noise level of
// fs.Sigmas (1 for any law of standard deviation sigma_data), and the share
// of the recipe's training levels far from sigma_data.
func preconditioning(r *Result, cfg Config, fs FlowSetup, ex analytic.Mixture) precondRun {
	p := precondRun{sd: eightGaussiansSD}
	if fs.Dataset != "eight-gaussians" {
		// 10^6 draws: the relative error of the variance, about 1e-3, is a
		// fifth of the standard error of the check's variances.
		p.sd = dataStd(exactSample(ex, 1000000, 1, cfg.rng(streamFlowDataSD)), 2)
	}
	worst := 0.0
	for i, sigma := range fs.Sigmas {
		pc := EDMPrecond(sigma, p.sd)
		x0 := exactSample(ex, fs.LossPoints, 1, cfg.rng(streamPrecondData+uint64(i)))
		e := gauss(fs.LossPoints, cfg.rng(streamPrecondNoise+uint64(i)))
		in, tg := make([]float64, fs.LossPoints), make([]float64, fs.LossPoints)
		for k := 0; k < fs.LossPoints; k++ {
			for j := 0; j < 2; j++ {
				y := x0[2*k+j] + sigma*e[2*k+j]
				in[k] += sq(pc.In*y) / 2
				tg[k] += sq((x0[2*k+j]-pc.Skip*y)/pc.Out) / 2
			}
		}
		mi, si := meanSE(in)
		mt, stg := meanSE(tg)
		r.add(fmt.Sprintf("edm/input_var_sigma%g", sigma), mi, fmt.Sprintf("variance per coordinate of c_in y at sigma = %g (want 1)", sigma))
		r.add(fmt.Sprintf("edm/target_var_sigma%g", sigma), mt, fmt.Sprintf("variance per coordinate of the target (x_0 - c_skip y)/c_out at sigma = %g (want 1)", sigma))
		worst = math.Max(worst, math.Max(math.Abs(mi-1)/si, math.Abs(mt-1)/stg))
		p.sig, p.vin, p.vout = append(p.sig, sigma), append(p.vin, mi), append(p.vout, mt)
	}
	r.add("edm/max_deviation_se", worst, "largest |variance - 1| over the input and target variances, in standard errors")
	r.add("edm/sigma_data", p.sd, "the data's standard deviation per coordinate (exact)")
	sched := toy.DDPM()
	share := 0.0
	for t := 1; t <= sched.T(); t++ {
		if sched.Sigma(t) > 10*p.sd || sched.Sigma(t) < p.sd/10 {
			share++
		}
	}
	r.add("edm/recipe_share_far", share/float64(sched.T()), "share of the recipe's training draws (t uniform on 1..T) with sigma_t outside [s/10, 10 s]")
	return p
}

// addEdit adds section 5's numbers: the edit's class posterior and share,
// its distance to the exact edit, the round trips and the energy distance.
func addEdit(r *Result, fs FlowSetup, ed *editResult) {
	r.add("edit/posterior_to", ed.posterior, fmt.Sprintf("mean exact class posterior q_0(%d | edited point)", fs.To))
	r.add("edit/share_to", ed.share, fmt.Sprintf("share of edited points whose most probable class is %d", fs.To))
	r.add("edit/posterior_from_before", ed.before, fmt.Sprintf("mean q_0(%d | x_0) of the original points", fs.From))
	if fs.EditDataset == "three-classes" {
		r.add("edit/translation_error", ed.translation, "mean distance between the edited point and the exact edit of two translated classes, m' + (x_0 - m) + (m - m')/k_T")
	}
	r.add("edit/roundtrip_error", ed.roundtrip, fmt.Sprintf("mean |x_0 - DDIM(invert(x_0))| with the label %d both ways, %d refinements per inversion move", fs.From, fs.Refine))
	r.add("edit/roundtrip_plain", ed.roundtripPlain, "the same round trip with the plain inversion (one denoiser call per move, no refinement)")
	r.add("edit/energy", ed.energy, fmt.Sprintf("energy distance of the edited points to fresh draws of class %d, over its noise level", fs.To))
}

// flowDraws returns n points z_s = (1 - s) x_0 + s eps of the mixture with
// their eps and x_0.
func flowDraws(m analytic.Mixture, n int, s float64, src rand.Source) (z, eps, x0 []float64) {
	x0 = exactSample(m, n, 1, src)
	eps = gauss(n, src)
	z = make([]float64, len(x0))
	for i := range z {
		z[i] = (1-s)*x0[i] + s*eps[i]
	}
	return z, eps, x0
}

// planTimes returns the flow times s(alpha) of the levels of a plan.
func planTimes(p *sample.Plan) []float64 {
	as := p.Alphas()
	ss := make([]float64, len(as))
	for i, a := range as {
		ss[i] = FlowTime(a)
	}
	return ss
}

// uniformTimes returns n moves evenly spaced in s from s0 to 0.
func uniformTimes(s0 float64, n int) []float64 {
	ss := make([]float64, n+1)
	for k := range ss {
		ss[k] = s0 * float64(n-k) / float64(n)
	}
	return ss
}

// flowStart returns z_s = x_t / (sqrt(alpha) + sqrt(1 - alpha)) for the
// points x_t at flow time s.
func flowStart(x []float64, s float64) []float64 {
	z := make([]float64, len(x))
	c := flowScale(s)
	for i := range x {
		z[i] = x[i] / c
	}
	return z
}

func meanDist(a, b []float64) float64 {
	var e float64
	n := len(a) / 2
	for i := 0; i < n; i++ {
		e += math.Hypot(a[2*i]-b[2*i], a[2*i+1]-b[2*i+1])
	}
	return e / float64(n)
}

type pathStats struct{ deficit, lengthExcess, lateShare float64 }

// straightness measures the reference paths from start (at ss[0]) to end
// along the times ss: the straightness deficit, the excess length and the
// share of the turning ∫ ||dv/ds|| ds spent at s < 0.2.
func straightness(m analytic.Mixture, start, end []float64, ss []float64) pathStats {
	n := len(start) / 2
	s0 := ss[0]
	def := make([]float64, n)
	length := make([]float64, n)
	turn, late := make([]float64, n), make([]float64, n)
	z := append([]float64(nil), start...)
	v := make([]float64, len(z))
	prev := make([]float64, len(z))
	for k := 0; k+1 < len(ss); k++ {
		Velocity(m, v, z, ss[k], nil)
		h := ss[k] - ss[k+1]
		for i := 0; i < n; i++ {
			cx, cy := (start[2*i]-end[2*i])/s0, (start[2*i+1]-end[2*i+1])/s0
			def[i] += (sq(v[2*i]-cx) + sq(v[2*i+1]-cy)) * h / s0
			length[i] += math.Hypot(v[2*i], v[2*i+1]) * h
			if k > 0 {
				dv := math.Hypot(v[2*i]-prev[2*i], v[2*i+1]-prev[2*i+1])
				turn[i] += dv
				if ss[k] < 0.2 {
					late[i] += dv
				}
			}
		}
		for i := range z {
			z[i] -= h * v[i]
		}
		copy(prev, v)
	}
	var st pathStats
	var T, L float64
	for i := 0; i < n; i++ {
		c2 := sq(start[2*i]-end[2*i]) + sq(start[2*i+1]-end[2*i+1])
		st.deficit += def[i] / (c2 / (s0 * s0)) / float64(n)
		st.lengthExcess += (length[i]/math.Sqrt(c2) - 1) / float64(n)
		T += turn[i]
		L += late[i]
	}
	st.lateShare = L / T
	return st
}

// editResult is section 5's run.
type editResult struct {
	mix                            analytic.Mixture
	x0, zT, edited                 []float64
	labelsFrom, labelsTo           []int
	posterior, share, before       float64
	translation, roundtrip, energy float64
	roundtripPlain                 float64
}

// flowEdit moves fs.EditPoints points of class From into class To by
// DDIM inversion with the label From and regeneration with the label To.
func flowEdit(cfg Config, fs FlowSetup, sched *toy.Schedule) (*editResult, error) {
	ds, err := loadDataset("course.Flow", fs.EditDataset, 1000, cfg.rng(streamEditData))
	if err != nil {
		return nil, err
	}
	ex := ds.Exact
	C := ex.Classes()
	if C < 2 {
		return nil, fmt.Errorf("course: editing between classes needs a labelled data set with two classes or more; %s has %d", fs.EditDataset, C)
	}
	if fs.From < 0 || fs.From >= C || fs.To < 0 || fs.To >= C {
		return nil, fmt.Errorf("course: classes %d and %d: %s has classes 0..%d", fs.From, fs.To, fs.EditDataset, C-1)
	}
	from, err := ex.Class(fs.From)
	if err != nil {
		return nil, err
	}
	to, err := ex.Class(fs.To)
	if err != nil {
		return nil, err
	}
	n := fs.EditPoints
	x0 := exactSample(from, n, 1, cfg.rng(streamEditPoints))
	yf, yt := make([]int, n), make([]int, n)
	for i := range yf {
		yf[i], yt[i] = fs.From, fs.To
	}
	plan, err := sample.Strided(sched, fs.EditSteps)
	if err != nil {
		return nil, err
	}
	zT, err := (&sample.Inversion{Plan: plan, Refine: fs.Refine}).Invert(nil, x0, ex, yf)
	if err != nil {
		return nil, err
	}
	edited, err := sample.DDIM(plan, 0).Sample(nil, zT, ex, yt, nil)
	if err != nil {
		return nil, err
	}
	back, err := sample.DDIM(plan, 0).Sample(nil, zT, ex, yf, nil)
	if err != nil {
		return nil, err
	}
	e := &editResult{mix: ex, x0: x0, zT: zT, edited: edited, labelsFrom: yf, labelsTo: yt}
	e.posterior, e.share, e.before = editShares(ex, x0, edited, fs.From, fs.To)
	e.roundtrip = meanDist(back, x0)
	zPlain, err := (&sample.Inversion{Plan: plan}).Invert(nil, x0, ex, yf)
	if err != nil {
		return nil, err
	}
	backPlain, err := sample.DDIM(plan, 0).Sample(nil, zPlain, ex, yf, nil)
	if err != nil {
		return nil, err
	}
	e.roundtripPlain = meanDist(backPlain, x0)
	e.translation = meanDist(edited, exactTranslationEdit(from, to, x0, plan.Alpha(0)))
	src := cfg.rng(streamEditFreshData)
	ec := energyCheck(edited, func(n int) []float64 { return exactSample(to, n, 1, src) }, 10)
	e.energy = ec.Energy / ec.Noise
	return e, nil
}

// editShares returns the mean exact class posterior of class to at the
// edited points, the share of them whose most probable class is to, and
// the mean class posterior of class from at the original points x0.
func editShares(ex analytic.Mixture, x0, edited []float64, from, to int) (posterior, share, before float64) {
	C := ex.Classes()
	n := len(x0) / 2
	cpE := ex.ClassPosterior(nil, edited, 1)
	cp0 := ex.ClassPosterior(nil, x0, 1)
	for i := 0; i < n; i++ {
		posterior += cpE[i*C+to] / float64(n)
		before += cp0[i*C+from] / float64(n)
		best := 0
		for c := 1; c < C; c++ {
			if cpE[i*C+c] > cpE[i*C+best] {
				best = c
			}
		}
		if best == to {
			share += 1 / float64(n)
		}
	}
	return posterior, share, before
}

// exactTranslationEdit returns the exact edit of the points x0 of the
// class from into the class to, for classes N(m, c^2 I) and N(m', c^2 I)
// and a round trip through the level aT: in y = x / sqrt(alpha) each
// class's flow is y_sigma = m + k_sigma (y_0 - m), k_sigma = sqrt(c^2 +
// sigma^2) / c, so the round trip through sigma_T is
// m' + (x_0 - m) + (m - m') / k_T. The class means are D* at x = 0 as
// alpha -> 0 (posterior = prior; the error is O(sqrt(alpha)) = 1e-7).
func exactTranslationEdit(from, to analytic.Mixture, x0 []float64, aT float64) []float64 {
	m := from.Denoise(nil, []float64{0, 0}, 1e-14, nil)
	mp := to.Denoise(nil, []float64{0, 0}, 1e-14, nil)
	c2 := classVariance(from, m)
	k := math.Sqrt(c2+(1-aT)/aT) / math.Sqrt(c2)
	want := make([]float64, len(x0))
	for i := 0; i < len(x0)/2; i++ {
		for j := 0; j < 2; j++ {
			want[2*i+j] = mp[j] + (x0[2*i+j] - m[j]) + (m[j]-mp[j])/k
		}
	}
	return want
}

// classVariance returns the variance per coordinate c^2 of an isotropic
// Gaussian class with mean m, read off its denoiser: for N(m, c^2 I),
// D*(x) = m + c^2 sqrt(alpha) / (c^2 alpha + 1 - alpha) (x - sqrt(alpha) m),
// so at alpha = 1/2 and x = sqrt(1/2) m + u, D* - m = c^2 sqrt(2) / (c^2 + 1) u.
func classVariance(g analytic.Mixture, m []float64) float64 {
	a := 0.5
	x := []float64{math.Sqrt(a)*m[0] + 1, math.Sqrt(a) * m[1]}
	d := g.Denoise(nil, x, a, nil)
	r := (d[0] - m[0]) / math.Sqrt2 // c^2 / (c^2 + 1)
	return r / (1 - r)
}
