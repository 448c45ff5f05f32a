// Exact log-likelihood of a deterministic sampler by the change of variables
// (lessons/10-deterministic-sampling.md section 5).

package metrics

import (
	"fmt"
	"math"
)

// StepMap is a deterministic sampler seen as a composition of maps
// x_k = F_k(x_{k-1}), k = 1..Steps(). Step writes F_k of each point of x
// (labels y, nil for none) into dst (allocated when nil) and returns it;
// it is called with k = 1, 2, ..., Steps() in order and must treat points
// independently (batch in, batch out). The deterministic samplers of
// package toy/sample provide one through their Map methods.
type StepMap interface {
	Dim() int
	Steps() int
	Step(dst, x []float64, y []int, k int) []float64
}

// fdStep is the relative central-difference step. The error of a central
// difference is h^2 |F3| / 6 (truncation, F3 the third derivative) plus
// about eps |F| / h (rounding, eps = 2.2e-16); h = 1e-5 (1 + |x|) is near
// the balance h ~ eps^(1/3). For |x| <= 2 (h <= 3e-5) the truncation error
// is at most 1.5e-10 |F3| and the rounding about 2e-11 |F|: 1.5e-7 for
// third derivatives of 10^3 (a denoiser near components of standard
// deviation 0.1), far smaller for smoother maps.
const fdStep = 1e-5

// FlowLogLik pushes the points xT with log-densities logpT through the step
// map f and returns the end points x_0 and their exact log-densities
//
//	log p(x_0) = log p(x_T) - sum_{k=1}^{K} log |det J_k(x_{k-1})|,
//	J_k = dF_k / dx,
//
// writing them into x0 and logp (allocated when nil). Each d x d Jacobian
// is taken by central differences of the step map (the map of any
// denoiser, trained or exact, without its derivative): one call of Step
// per step on the 2d+1 copies of the batch (the points and x +- h e_j), so
// the cost is (2d + 1) times that of running the sampler. For a sampler
// that starts from N(0, I), logpT is StdNormalLogPDF(nil, xT, d). y holds
// one label per point or is nil.
func FlowLogLik(x0, logp, xT, logpT []float64, f StepMap, y []int) ([]float64, []float64) {
	d := f.Dim()
	n, x0, logp := checkFlow(x0, logp, xT, logpT, d, y)
	copy(x0, xT)
	copy(logp, logpT)
	copies := 2*d + 1
	in := make([]float64, copies*n*d)
	out := make([]float64, copies*n*d)
	h := make([]float64, n*d)
	var ys []int
	if y != nil {
		ys = make([]int, copies*n)
		for c := 0; c < copies; c++ {
			copy(ys[c*n:], y)
		}
	}
	jac := make([]float64, d*d)
	for k := 1; k <= f.Steps(); k++ {
		perturb(in, h, x0, n, d)
		f.Step(out, in, ys, k)
		for i := 0; i < n; i++ {
			centralJacobian(jac, out, x0, h, i, n, d)
			logp[i] -= logAbsDet(jac, d)
		}
		copy(x0, out[:n*d])
	}
	return x0, logp
}

// checkFlow panics unless xT holds n points of dimension d with n
// log-densities logpT and y is nil or n labels; it returns n and the
// destinations x0 (n*d) and logp (n), allocated when nil.
func checkFlow(x0, logp, xT, logpT []float64, d int, y []int) (int, []float64, []float64) {
	n := checkSet("metrics.FlowLogLik", "xT", xT, d)
	if len(logpT) != n {
		panic(fmt.Sprintf("metrics.FlowLogLik: %d log-densities for %d points", len(logpT), n))
	}
	if y != nil && len(y) != n {
		panic(fmt.Sprintf("metrics.FlowLogLik: %d labels for %d points", len(y), n))
	}
	if x0 == nil {
		x0 = make([]float64, n*d)
	} else if len(x0) != n*d {
		panic(fmt.Sprintf("metrics.FlowLogLik: len(x0) = %d, want %d", len(x0), n*d))
	}
	if logp == nil {
		logp = make([]float64, n)
	} else if len(logp) != n {
		panic(fmt.Sprintf("metrics.FlowLogLik: len(logp) = %d, want %d", len(logp), n))
	}
	return n, x0, logp
}

// perturb sets the steps h = fdStep (1 + |x|) of the n points x (dimension
// d) and fills in with 2d+1 blocks of them: block 0 holds the points,
// block 1+2j the points + h e_j, block 2+2j the points - h e_j.
func perturb(in, h, x []float64, n, d int) {
	copy(in, x)
	for i := range h {
		h[i] = fdStep * (1 + math.Abs(x[i]))
	}
	for j := 0; j < d; j++ {
		plus := in[(1+2*j)*n*d : (2+2*j)*n*d]
		minus := in[(2+2*j)*n*d : (3+2*j)*n*d]
		copy(plus, x)
		copy(minus, x)
		for i := 0; i < n; i++ {
			plus[i*d+j] += h[i*d+j]
			minus[i*d+j] -= h[i*d+j]
		}
	}
}

// centralJacobian writes the d x d Jacobian of the step at point i of x
// into jac by central differences of out, the step map of the blocks
// perturb made.
func centralJacobian(jac, out, x, h []float64, i, n, d int) {
	for j := 0; j < d; j++ {
		p := out[(1+2*j)*n*d+i*d : (1+2*j)*n*d+i*d+d]
		m := out[(2+2*j)*n*d+i*d : (2+2*j)*n*d+i*d+d]
		// The realised step (x+h)-(x-h) is what the difference divides by.
		den := (x[i*d+j] + h[i*d+j]) - (x[i*d+j] - h[i*d+j])
		for a := 0; a < d; a++ {
			jac[a*d+j] = (p[a] - m[a]) / den
		}
	}
}

// logAbsDet returns log |det a| of the d x d row-major matrix a by Gaussian
// elimination with partial pivoting (a is overwritten); -Inf when singular.
func logAbsDet(a []float64, d int) float64 {
	if d == 2 {
		return math.Log(math.Abs(a[0]*a[3] - a[1]*a[2]))
	}
	s := 0.0
	for c := 0; c < d; c++ {
		p := c
		for r := c + 1; r < d; r++ {
			if math.Abs(a[r*d+c]) > math.Abs(a[p*d+c]) {
				p = r
			}
		}
		if a[p*d+c] == 0 {
			return math.Inf(-1)
		}
		if p != c {
			for k := 0; k < d; k++ {
				a[p*d+k], a[c*d+k] = a[c*d+k], a[p*d+k]
			}
		}
		piv := a[c*d+c]
		s += math.Log(math.Abs(piv))
		for r := c + 1; r < d; r++ {
			f := a[r*d+c] / piv
			for k := c; k < d; k++ {
				a[r*d+k] -= f * a[c*d+k]
			}
		}
	}
	return s
}
