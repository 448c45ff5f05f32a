// The probability-flow ODE (lessons/10-deterministic-sampling.md sections 1
// and 3) solved with Euler or Heun steps in the noise level sigma.

package sample

import (
	"errors"
	"fmt"
	"math"

	"difftoy/toy"
)

// ODE integrates the probability-flow ODE of the forward process. In the
// scaled variable xbar = x / sqrt(alpha) and the noise level
// sigma = sqrt((1 - alpha) / alpha) it reads (Karras et al. 2022)
//
//	d xbar / d sigma = (xbar - D(x)) / sigma = eps^(x),
//
// whose solution carries q_T to q_0 when D is exact. A move from sigma_t
// to sigma_s along the plan is, with d_t = (xbar_t - D(x_t)) / sigma_t,
//
//	Euler: xbar_s = xbar_t + (sigma_s - sigma_t) d_t
//	Heun:  xbar_s = xbar_t + (sigma_s - sigma_t) (d_t + d_s') / 2,
//	       d_s' the slope at the Euler point (skipped when sigma_s = 0).
//
// Euler in sigma is exactly the DDIM step (Eta = 0): the same map written
// differently. Heun is second order and costs two denoiser calls per move
// (one on the last move to sigma = 0, which is an Euler move: the slope is
// undefined at sigma = 0). Near t = 0 a schedule's sigma grows like
// sqrt(beta_1 t), so on a plan uniform in t that last move is first order
// in the step and bounds Heun's overall order; plans that stop at some
// t > 0 keep the second order, and so, down to the small bias of its move
// from sigma_1 to 0, does the sigma-spaced plan of Karras et al. (Karras).
type ODE struct {
	// Plan is the sequence of steps visited; required.
	Plan *Plan
	// Heun selects Heun's second-order step; false is Euler.
	Heun bool
	// Record receives every state of the run (nil: none).
	Record Recorder
}

func (o *ODE) check() error {
	if o.Plan == nil {
		return errors.New("sample: ODE without a plan")
	}
	return nil
}

// Sample integrates from the particles xT (at the first level of the plan)
// and writes the end states into dst (allocated when nil; it may be xT).
// y holds one label per particle, or is nil.
func (o *ODE) Sample(dst, xT []float64, den toy.Denoiser, y []int) ([]float64, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	_, dst, err := start("sample.ODE.Sample", dst, xT, den.Dim(), y)
	if err != nil {
		return nil, err
	}
	x := dst
	b := o.buffers(len(x))
	p := o.Plan
	info := newRunInfo(fmt.Sprintf("heun = %v", o.Heun), den, x)
	record(o.Record, 0, p.Step(0), p.Alpha(0), x, false)
	for k := 1; k <= p.Len(); k++ {
		o.move(x, x, den, y, k, b)
		if err := info.checkState(x, den.Dim(), fmt.Sprintf("move %d of %d (t = %d -> %d, alpha = %v)", k, p.Len(), p.Step(k-1), p.Step(k), p.Alpha(k))); err != nil {
			return nil, err
		}
		record(o.Record, k, p.Step(k), p.Alpha(k), x, k == p.Len())
	}
	return dst, nil
}

type odeBuffers struct{ d1, xe, d2 []float64 }

func (o *ODE) buffers(n int) *odeBuffers {
	b := &odeBuffers{d1: make([]float64, n), xe: make([]float64, n)}
	if o.Heun {
		b.d2 = make([]float64, n)
	}
	return b
}

// move writes move k of x into dst (which may be x).
func (o *ODE) move(dst, x []float64, den toy.Denoiser, y []int, k int, b *odeBuffers) {
	at, as := o.Plan.Alpha(k-1), o.Plan.Alpha(k)
	st, ss := math.Sqrt((1-at)/at), math.Sqrt((1-as)/as)
	rt, rs := math.Sqrt(at), math.Sqrt(as)
	den.Denoise(b.d1, x, at, y)
	// Euler: xbar_e = (ss/st) xbar_t + (1 - ss/st) D; the slope d_t is kept in d1.
	for i := range x {
		xb := x[i] / rt
		b.d1[i] = (xb - b.d1[i]) / st
		b.xe[i] = rs * (xb + (ss-st)*b.d1[i])
	}
	if !o.Heun || as == 1 {
		copy(dst, b.xe)
		return
	}
	den.Denoise(b.d2, b.xe, as, y)
	h := ss - st
	for i := range x {
		xe := b.xe[i] / rs
		d2 := (xe - b.d2[i]) / ss
		dst[i] = rs * (x[i]/rt + 0.5*h*(b.d1[i]+d2))
	}
}

// Map returns the ODE solver as a step map (for metrics.FlowLogLik).
func (o *ODE) Map(den toy.Denoiser) (*Map, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	return &Map{dim: den.Dim(), steps: o.Plan.Len(), step: func(dst, x []float64, y []int, k int) {
		o.move(dst, x, den, y, k, o.buffers(len(x)))
	}}, nil
}

// Inversion runs the deterministic DDIM map backwards, x_0 -> x_T
// (lessons/10-deterministic-sampling.md section 4): the plan is walked from
// its last level to its first. The move from the level a_s up to a_t < a_s
// solves the DDIM step
//
//	xbar_s = xbar_t - (sigma_t - sigma_s) eps^(x_t, a_t)
//
// for x_t. With Refine = 0 the slope is taken at the guess with the same
// scaled position, x_t ~ sqrt(a_t) xbar_s (one denoiser call per move, the
// usual inversion); its error per move is second order in the step, so the
// round trip x_0 -> x_T -> x_0 returns closer as steps grow. Refine > 0
// adds that many fixed-point iterations of
//
//	xbar_t <- xbar_s + (sigma_t - sigma_s) eps^(x_t, a_t),
//
// whose fixed point is the exact inverse of the DDIM move.
type Inversion struct {
	// Plan is walked backwards; required.
	Plan *Plan
	// Refine is the number of fixed-point iterations per move (0: none).
	Refine int
	// Record receives every state, K counting from the start x_0.
	Record Recorder
}

// Invert maps the points x0 (at the last level of the plan, usually alpha
// = 1) to the first level of the plan and writes them into dst (allocated
// when nil; it may be x0).
func (v *Inversion) Invert(dst, x0 []float64, den toy.Denoiser, y []int) ([]float64, error) {
	if v.Plan == nil {
		return nil, errors.New("sample: inversion without a plan")
	}
	if v.Refine < 0 {
		return nil, fmt.Errorf("sample: refine = %d is negative", v.Refine)
	}
	_, dst, err := start("sample.Inversion.Invert", dst, x0, den.Dim(), y)
	if err != nil {
		return nil, err
	}
	x := dst
	xs := make([]float64, len(x))
	e := make([]float64, len(x))
	p := v.Plan
	L := p.Len()
	info := newRunInfo(fmt.Sprintf("inversion with %d refinements", v.Refine), den, x)
	record(v.Record, 0, p.Step(L), p.Alpha(L), x, false)
	for k := L; k >= 1; k-- {
		as, at := p.Alpha(k), p.Alpha(k-1)
		ss, st := math.Sqrt((1-as)/as), math.Sqrt((1-at)/at)
		rs, rt := math.Sqrt(as), math.Sqrt(at)
		// xs holds xbar_s; x becomes the guess sqrt(a_t) xbar_s.
		for i := range x {
			xs[i] = x[i] / rs
			x[i] = rt * xs[i]
		}
		for it := 0; it <= v.Refine; it++ {
			toy.Eps(den, e, x, at, y)
			for i := range x {
				x[i] = rt * (xs[i] + (st-ss)*e[i])
			}
		}
		if err := info.checkState(x, den.Dim(), fmt.Sprintf("inversion move %d of %d (t = %d -> %d, alpha = %v)", L-k+1, L, p.Step(k), p.Step(k-1), at)); err != nil {
			return nil, err
		}
		record(v.Record, L-k+1, p.Step(k-1), at, x, k == 1)
	}
	return dst, nil
}
