// The check that a run's state stays finite: a setting that is finite but
// far too large (a guidance scale of 1e300, a Langevin step of 1e10, a start
// at 1e200) overflows the state, and the run then stops with an error naming
// the move and the settings instead of returning NaN samples.

package sample

import (
	"errors"
	"fmt"
	"math"
)

// ErrNonFinite is wrapped by the error of a run whose state became NaN or
// infinite.
var ErrNonFinite = errors.New("sample: the state is no longer finite")

// runInfo describes a run for the error of checkState: the settings of the
// sampler, of its denoiser (guidance scales) and the size of the start.
type runInfo struct {
	settings string
	den      any
	start    float64 // largest |x| of the start
}

// newRunInfo records the settings and the largest |x| of the start x.
func newRunInfo(settings string, den any, x []float64) runInfo {
	m := 0.0
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	return runInfo{settings: settings, den: den, start: m}
}

// checkState returns nil when every value of x is finite, and otherwise an
// error wrapping ErrNonFinite that names where in the run (move and level),
// the first particle hit, and the settings that may be too large.
func (r runInfo) checkState(x []float64, d int, where string) error {
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w after %s: particle %d has coordinate %d = %v (settings: %s; denoiser: %s; largest |x| of the start: %g)",
				ErrNonFinite, where, i/d, i%d, v, r.settings, describe(r.den), r.start)
		}
	}
	return nil
}

// describe names a denoiser or scorer with the scales it applies.
func describe(den any) string {
	switch g := den.(type) {
	case *CFG:
		return fmt.Sprintf("classifier-free guidance with gamma = %v", g.gamma)
	case *ClassifierGuided:
		return fmt.Sprintf("classifier guidance with gamma = %v", g.gamma)
	case *Tempered:
		return fmt.Sprintf("tempered with a = %v", g.a)
	}
	return fmt.Sprintf("%T", den)
}
