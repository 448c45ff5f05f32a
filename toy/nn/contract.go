// The contract a trained network meets.

package nn

import "difftoy/toy"

// A Model is a denoiser every sampler can call, and has the by-step view
// toy.Reschedule uses (meaningful when Spec.Time is TimeStep).
var (
	_ toy.Denoiser     = (*Model)(nil)
	_ toy.StepDenoiser = (*Model)(nil)
)
