// Mean log-likelihood of samples under an exact density.

package metrics

import (
	"fmt"
	"math"
)

// LogProber is an exact density, such as the mixtures of package analytic:
// LogProb writes log q_t(x_i) for each point of x at the signal level alpha
// into dst (allocated when nil) and returns it.
type LogProber interface {
	Dim() int
	LogProb(dst, x []float64, alpha float64) []float64
}

// MeanLogLik returns the mean of log q_0(x_i) (alpha = 1) over the points
// of x, and its Monte Carlo standard error sd / sqrt(n). Under the true law
// its expectation is minus the entropy of q_0; a sampler that misses or
// blurs the modes scores lower.
func MeanLogLik(q LogProber, x []float64) (mean, se float64) {
	n := checkSet("metrics.MeanLogLik", "x", x, q.Dim())
	if n == 0 {
		panic("metrics.MeanLogLik: no points")
	}
	lp := q.LogProb(nil, x, 1)
	return meanSE(lp)
}

// meanSE returns the mean of v and its standard error (0 for one value).
func meanSE(v []float64) (mean, se float64) {
	n := float64(len(v))
	for _, x := range v {
		mean += x
	}
	mean /= n
	if len(v) < 2 {
		return mean, 0
	}
	ss := 0.0
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / (n - 1) / n)
}

// StdNormalLogPDF writes log N(x_i | 0, I_d) for each point of x into dst
// (allocated when nil) and returns it: the log-density of the start x_T of
// a sampler.
func StdNormalLogPDF(dst, x []float64, d int) []float64 {
	n := checkSet("metrics.StdNormalLogPDF", "x", x, d)
	if dst == nil {
		dst = make([]float64, n)
	} else if len(dst) != n {
		panic(fmt.Sprintf("metrics.StdNormalLogPDF: len(dst) = %d, want %d", len(dst), n))
	}
	c := -0.5 * float64(d) * math.Log(2*math.Pi)
	for i := range dst {
		s := 0.0
		for _, v := range x[i*d : i*d+d] {
			s += v * v
		}
		dst[i] = c - 0.5*s
	}
	return dst
}
