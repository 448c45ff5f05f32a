// The forward (noising) process of lessons/01-forward-process.md sections 1
// and 2: one-shot noising to a level alpha, and whole Markov chains x_0, x_1,
// ..., x_T.

package toy

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Noise writes
//
//	x_t = sqrt(alpha) x0 + sqrt(1 - alpha) eps
//
// into dst (allocated when nil) and returns it. x0, eps and dst have the
// same length; alpha is in (0, 1].
func Noise(dst, x0, eps []float64, alpha float64) []float64 {
	if len(eps) != len(x0) {
		panic(fmt.Sprintf("toy.Noise: len(eps) = %d, len(x0) = %d", len(eps), len(x0)))
	}
	dst = checkNoise("toy.Noise", dst, x0, alpha)
	sa, sv := math.Sqrt(alpha), math.Sqrt(1-alpha)
	for i, x := range x0 {
		dst[i] = sa*x + sv*eps[i]
	}
	return dst
}

// AddNoise draws eps ~ N(0, I) from src, one standard normal per entry of
// x0 in order, writes x_t = sqrt(alpha) x0 + sqrt(1 - alpha) eps into dst
// (allocated when nil) and returns it. When eps is not nil the draws are
// also stored in it (the regression target of eps-prediction); it must
// then have the length of x0.
func AddNoise(dst, eps, x0 []float64, alpha float64, src rand.Source) []float64 {
	if eps != nil && len(eps) != len(x0) {
		panic(fmt.Sprintf("toy.AddNoise: len(eps) = %d, len(x0) = %d", len(eps), len(x0)))
	}
	dst = checkNoise("toy.AddNoise", dst, x0, alpha)
	rng := rand.New(src)
	sa, sv := math.Sqrt(alpha), math.Sqrt(1-alpha)
	for i, x := range x0 {
		e := rng.NormFloat64()
		if eps != nil {
			eps[i] = e
		}
		dst[i] = sa*x + sv*e
	}
	return dst
}

func checkNoise(who string, dst, x0 []float64, alpha float64) []float64 {
	CheckAlpha(who, alpha)
	if dst == nil {
		return make([]float64, len(x0))
	}
	if len(dst) != len(x0) {
		panic(fmt.Sprintf("%s: len(dst) = %d, want %d", who, len(dst), len(x0)))
	}
	return dst
}

// Chain runs the Markov chain of the forward process from x0,
//
//	x_t = sqrt(1 - beta_t) x_{t-1} + sqrt(beta_t) eps_t,   t = 1, 2, ...,
//
// for every entry of x0 (any number of points, row-major), and returns a
// copy of the state at each of the given steps: out[k] is x_{steps[k]}.
// steps must be strictly increasing in 0..T (step 0 records x0 itself);
// the chain stops at the last one. The noise is drawn from src step by
// step, entry by entry. An empty steps records nothing and returns an
// empty result.
func Chain(s *Schedule, x0 []float64, steps []int, src rand.Source) [][]float64 {
	for k, t := range steps {
		if t < 0 || t > s.T() {
			panic(fmt.Sprintf("toy.Chain: steps[%d] = %d is not in 0..%d", k, t, s.T()))
		}
		if k > 0 && t <= steps[k-1] {
			panic(fmt.Sprintf("toy.Chain: steps are not increasing: steps[%d] = %d after %d", k, t, steps[k-1]))
		}
	}
	out := make([][]float64, 0, len(steps))
	if len(steps) == 0 {
		return out
	}
	rng := rand.New(src)
	x := append([]float64(nil), x0...)
	k := 0
	for t := 0; ; t++ {
		if t > 0 {
			b := s.betas[t-1]
			sa, sb := math.Sqrt(1-b), math.Sqrt(b)
			for i := range x {
				x[i] = sa*x[i] + sb*rng.NormFloat64()
			}
		}
		if t == steps[k] {
			out = append(out, append([]float64(nil), x...))
			k++
			if k == len(steps) {
				return out
			}
		}
	}
}
