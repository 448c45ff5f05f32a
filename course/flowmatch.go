// The rectified-flow path, its marginal velocity computed from a denoiser,
// Euler's method on it, and the preconditioning of Karras et al. (2022)
// (lessons/14-flow-matching.md sections 1, 2 and 4).
//
// The rectified-flow path z_s = (1 - s) x_0 + s eps, s in [0, 1], is the
// variance-preserving x_t rescaled:
//
//	z_s = x_t / (sqrt(alpha_t) + sqrt(1 - alpha_t)),
//	s   = sqrt(1 - alpha_t) / (sqrt(alpha_t) + sqrt(1 - alpha_t)),
//
// so conditioning on z_s is conditioning on x_t and the marginal velocity
// is read off the denoiser: v(z, s) = E[eps - x_0 | z_s = z] = eps^(x_t) -
// D(x_t).

package course

import (
	"fmt"
	"math"

	"difftoy/toy"
)

// FlowTime returns the rectified-flow time s of the signal level alpha:
// s = sqrt(1 - alpha) / (sqrt(alpha) + sqrt(1 - alpha)), in [0, 1).
func FlowTime(alpha float64) float64 {
	if !(alpha > 0 && alpha <= 1) {
		panic(fmt.Sprintf("course.FlowTime: alpha = %v is not in (0, 1]", alpha))
	}
	sa, sv := math.Sqrt(alpha), math.Sqrt(1-alpha)
	return sv / (sa + sv)
}

// FlowAlpha is the inverse of FlowTime: alpha = (1 - s)^2 / ((1 - s)^2 + s^2)
// for s in [0, 1).
func FlowAlpha(s float64) float64 {
	if !(s >= 0 && s < 1) {
		panic(fmt.Sprintf("course.FlowAlpha: s = %v is not in [0, 1)", s))
	}
	return (1 - s) * (1 - s) / ((1-s)*(1-s) + s*s)
}

// flowScale is sqrt(alpha) + sqrt(1 - alpha) = 1 / sqrt((1 - s)^2 + s^2):
// x_t = flowScale(s) z_s.
func flowScale(s float64) float64 { return 1 / math.Sqrt((1-s)*(1-s)+s*s) }

// Velocity writes the marginal velocity of the rectified-flow path,
//
//	v(z, s) = E[eps - x_0 | z_s = z] = eps^(x) - D(x),   x = z / sqrt((1 - s)^2 + s^2),
//
// of the denoiser d at time s in (0, 1) into dst (allocated when nil) and
// returns it. With the exact D* it is the field flow matching learns.
func Velocity(d toy.Denoiser, dst, z []float64, s float64, y []int) []float64 {
	if !(s > 0 && s < 1) {
		panic(fmt.Sprintf("course.Velocity: s = %v is not in (0, 1)", s))
	}
	a := FlowAlpha(s)
	_, dst = toy.CheckBatch("course.Velocity", dst, z, d.Dim(), a, y)
	c := flowScale(s)
	x := make([]float64, len(z))
	for i := range z {
		x[i] = c * z[i]
	}
	d.Denoise(dst, x, a, y)
	sa, sv := math.Sqrt(a), math.Sqrt(1-a)
	for i := range dst {
		eps := (x[i] - sa*dst[i]) / sv
		dst[i] = eps - dst[i]
	}
	return dst
}

// FlowEuler runs Euler's method on dz/ds = v(z, s) through the times ss
// (strictly decreasing, ss[0] < 1, the last one >= 0) from the points z at
// ss[0], and returns the points at the last time (z is not changed). rec,
// when not nil, receives the state after every move (k = 1..len(ss)-1)
// and the start (k = 0).
func FlowEuler(d toy.Denoiser, z []float64, ss []float64, y []int, rec func(k int, z []float64)) []float64 {
	if len(ss) < 2 {
		panic(fmt.Sprintf("course.FlowEuler: %d times, want at least 2", len(ss)))
	}
	for k := 1; k < len(ss); k++ {
		if !(ss[k] < ss[k-1]) || ss[k] < 0 {
			panic(fmt.Sprintf("course.FlowEuler: times must decrease strictly from below 1 to 0 or more, got %v after %v", ss[k], ss[k-1]))
		}
	}
	cur := append([]float64(nil), z...)
	v := make([]float64, len(z))
	if rec != nil {
		rec(0, cur)
	}
	for k := 1; k < len(ss); k++ {
		Velocity(d, v, cur, ss[k-1], y)
		h := ss[k] - ss[k-1]
		for i := range cur {
			cur[i] += h * v[i]
		}
		if rec != nil {
			rec(k, cur)
		}
	}
	return cur
}

// Precond is the preconditioning of a denoiser at one noise level
// (Karras et al. 2022), in the variables y = x_t / sqrt(alpha_t) = x_0 +
// sigma eps: the network sees In * y, its output F is read as
// D = Skip * y + Out * F, and the x_0 loss is weighted by Weight = 1 /
// Out^2, which makes it the plain squared error of F on its own target.
type Precond struct {
	Skip, Out, In, Weight float64
}

// EDMPrecond returns the coefficients of noise level sigma >= 0 for data
// of standard deviation sd > 0 per coordinate (lessons/14-flow-matching.md
// section 4):
//
//	Skip = sd^2 / (sigma^2 + sd^2),  Out = sigma sd / sqrt(sigma^2 + sd^2),
//	In = 1 / sqrt(sigma^2 + sd^2),   Weight = 1 / Out^2 = 1/sigma^2 + 1/sd^2,
//
// the values for which In y and the target (x_0 - Skip y) / Out have unit
// variance (Skip minimising the target's variance). Weight is +Inf at
// sigma = 0.
func EDMPrecond(sigma, sd float64) Precond {
	if !(sigma >= 0) || math.IsInf(sigma, 1) {
		panic(fmt.Sprintf("course.EDMPrecond: sigma = %v is not a finite number >= 0", sigma))
	}
	if !(sd > 0) || math.IsInf(sd, 1) {
		panic(fmt.Sprintf("course.EDMPrecond: sd = %v is not a finite positive number", sd))
	}
	v := sigma*sigma + sd*sd
	out := sigma * sd / math.Sqrt(v)
	return Precond{Skip: sd * sd / v, Out: out, In: 1 / math.Sqrt(v), Weight: 1 / (out * out)}
}
