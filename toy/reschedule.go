// Changing the schedule without retraining (lessons/05-changing-schedule.md
// sections 2 and 3): a denoiser indexed by the steps of one schedule serves
// any noise level in its range.

package toy

import (
	"fmt"
	"math"
)

// StepDenoiser is a denoiser indexed by a (continuous) step of its own
// schedule rather than by the level alpha, as a network trained on that
// schedule is: DenoiseStep writes the prediction of x_0 from x_t at the
// given step into dst (allocated when nil) and returns it. Batches and
// labels follow the conventions of Denoiser.
type StepDenoiser interface {
	Dim() int
	DenoiseStep(dst, x []float64, step float64, y []int) []float64
}

// Stepped indexes d by the steps of s:
//
//	D_step(x) = d.Denoise(x, s.AlphaAt(step)).
//
// step must be in [0, T] of s (AlphaAt panics otherwise).
func Stepped(d Denoiser, s *Schedule) StepDenoiser { return stepped{d, s} }

type stepped struct {
	d Denoiser
	s *Schedule
}

func (w stepped) Dim() int { return w.d.Dim() }

func (w stepped) DenoiseStep(dst, x []float64, step float64, y []int) []float64 {
	return w.d.Denoise(dst, x, w.s.AlphaAt(step), y)
}

// Reschedule turns a denoiser d indexed by the steps of the schedule from
// into a Denoiser indexed by the level alpha. Dividing x_t by sqrt(alpha)
// gives x_0 + sigma eps, so denoising depends on the level only through
// sigma = sqrt((1 - alpha) / alpha). At level alpha the wrapper finds the
// continuous step s of from with sigma_s = sigma (from.StepForAlpha, log
// sigma interpolation) and returns
//
//	D(x) = D_s( sqrt(alpha_s / alpha) x ).
//
// For two variance-preserving schedules, as here, sigma_s = sigma means
// alpha_s = alpha, so the factor is 1 up to rounding and the change of
// schedule is a change of the time variable only.
//
// A level outside [alpha_T, 1] of from is a programmer error and panics:
// d was never trained there, and the wrapper does not clamp. Each call
// allocates one batch-sized buffer for the scaled input.
func Reschedule(d StepDenoiser, from *Schedule) Denoiser { return rescheduled{d, from} }

type rescheduled struct {
	d    StepDenoiser
	from *Schedule
}

func (w rescheduled) Dim() int { return w.d.Dim() }

func (w rescheduled) Denoise(dst, x []float64, alpha float64, y []int) []float64 {
	_, dst = CheckBatch("toy.Reschedule", dst, x, w.d.Dim(), alpha, y)
	return w.denoise("toy.Reschedule", dst, x, alpha, y)
}

func (w rescheduled) denoise(who string, dst, x []float64, alpha float64, y []int) []float64 {
	s, err := w.from.StepForAlpha(alpha)
	if err != nil {
		panic(fmt.Sprintf("%s: %v", who, err))
	}
	c := math.Sqrt(w.from.AlphaAt(s) / alpha)
	xs := make([]float64, len(x))
	for i, v := range x {
		xs[i] = c * v
	}
	return w.d.DenoiseStep(dst, xs, s, y)
}

// RescheduleSteps returns the denoiser D^_t of the schedule to, indexed by
// the steps t of to, built from d of the schedule from:
//
//	D^_t(x) = Reschedule(d, from) at level to.AlphaAt(t).
//
// A step of to whose level is outside the range of from panics (see
// Reschedule).
func RescheduleSteps(d StepDenoiser, from, to *Schedule) StepDenoiser {
	return rescheduledSteps{rescheduled{d, from}, to}
}

type rescheduledSteps struct {
	r  rescheduled
	to *Schedule
}

func (w rescheduledSteps) Dim() int { return w.r.Dim() }

func (w rescheduledSteps) DenoiseStep(dst, x []float64, step float64, y []int) []float64 {
	alpha := w.to.AlphaAt(step)
	_, dst = CheckBatch("toy.RescheduleSteps", dst, x, w.r.Dim(), alpha, y)
	return w.r.denoise("toy.RescheduleSteps", dst, x, alpha, y)
}
