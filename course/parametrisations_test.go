package course

import (
	"math"
	"testing"

	"difftoy/analytic"
	"difftoy/toy"
)

// shifted is a deliberately wrong denoiser: D* + c.
type shifted struct {
	m analytic.Mixture
	c []float64
}

func (s shifted) Dim() int { return 2 }

func (s shifted) Denoise(dst, x []float64, alpha float64, y []int) []float64 {
	dst = s.m.Denoise(dst, x, alpha, y)
	for i := range dst {
		dst[i] += s.c[i%2]
	}
	return dst
}

// epsShift is the exact score with the eps prediction moved by delta:
// s = -(eps* + delta) / sqrt(1 - alpha).
type epsShift struct {
	m     analytic.Mixture
	delta []float64
}

func (e epsShift) Dim() int { return 2 }

func (e epsShift) Score(dst, x []float64, alpha float64, y []int) []float64 {
	dst = e.m.Score(dst, x, alpha, y)
	for i := range dst {
		dst[i] -= e.delta[i%2] / math.Sqrt(1-alpha)
	}
	return dst
}

// TestLesson06Identities checks the identities among lesson 6's claims
// (lessons/06-parametrisations.md, "Claims checked by the tests"), one
// subtest per claim, named by its number there, on a deliberately wrong
// denoiser D* + c at three steps.
func TestLesson06Identities(t *testing.T) {
	for _, c := range []struct {
		name  string
		check func(t *testing.T)
	}{
		{"claim2/errors_convert_by_SNR", lesson06ErrorConversions},
		{"claim3/v_rotates_x_and_eps", lesson06Rotation},
		{"claim5/magnification", lesson06Magnification},
	} {
		t.Run(c.name, c.check)
	}
}

// lesson06Case is the data of the identity checks at one step: x_0, eps,
// x_t and the wrong denoiser's four readings there.
type lesson06Case struct {
	k              int
	a, sa, sv      float64
	x0, eps, x     []float64
	dh, eh, sh, vh []float64
	m              analytic.Mixture
	c              []float64 // the wrong denoiser's shift
}

// lesson06Cases returns the cases at t = 10, 300, 900: 50 exact samples of
// the eight Gaussians noised with fixed eps.
func lesson06Cases() []lesson06Case {
	m := load("eight-gaussians", 10, pcg(1)).Exact
	s := toy.DDPM()
	const n = 50
	x0 := exactSample(m, n, 1, pcg(2))
	eps := gauss(n, pcg(3))
	c := []float64{0.3, -0.2}
	wrong := shifted{m, c}
	var out []lesson06Case
	for _, k := range []int{10, 300, 900} {
		a := s.Alpha(k)
		x := toy.Noise(nil, x0, eps, a)
		out = append(out, lesson06Case{k: k, a: a, sa: math.Sqrt(a), sv: math.Sqrt(1 - a), x0: x0, eps: eps, x: x,
			dh: wrong.Denoise(nil, x, a, nil), eh: toy.Eps(wrong, nil, x, a, nil),
			sh: toy.ScoreFrom(wrong).Score(nil, x, a, nil), vh: toy.V(wrong, nil, x, a, nil), m: m, c: c})
	}
	return out
}

// Claim 2, componentwise (hence for the squared norms):
// eps^ - eps = -sqrt(SNR) (D^ - x0), s^ - s = sqrt(SNR) (D^ - x0) / sqrt(1 - alpha),
// v^ - v = -(D^ - x0) / sqrt(1 - alpha).
func lesson06ErrorConversions(t *testing.T) {
	for _, c := range lesson06Cases() {
		k, sa, sv := c.k, c.sa, c.sv
		for i := range c.x {
			v := sa*c.eps[i] - sv*c.x0[i]
			dd := c.dh[i] - c.x0[i]
			// The conversions divide by sqrt(1 - alpha): rounding of terms of
			// size |x| + |D| becomes that over sqrt(1 - alpha).
			tol := 1e-13 * (1 + math.Abs(c.x[i]) + math.Abs(c.dh[i]) + math.Abs(c.eps[i])) / sv
			if e := math.Abs((c.eh[i] - c.eps[i]) + sa/sv*dd); e > tol {
				t.Errorf("t=%d [%d]: eps^ - eps off -sqrt(SNR)(D^ - x0) by %v", k, i, e)
			}
			if e := math.Abs((c.sh[i] - (-c.eps[i] / sv)) - sa/sv*dd/sv); e > tol/sv {
				t.Errorf("t=%d [%d]: s^ - s off sqrt(SNR)(D^ - x0)/sqrt(1-alpha) by %v", k, i, e)
			}
			if e := math.Abs((c.vh[i] - v) + dd/sv); e > tol {
				t.Errorf("t=%d [%d]: v^ - v off -(D^ - x0)/sqrt(1-alpha) by %v", k, i, e)
			}
		}
	}
}

// Claim 3: the rotation with the true v, sqrt(a) x - sqrt(1-a) v = x0 and
// sqrt(1-a) x + sqrt(a) v = eps.
func lesson06Rotation(t *testing.T) {
	for _, c := range lesson06Cases() {
		k, sa, sv := c.k, c.sa, c.sv
		for i := range c.x {
			v := sa*c.eps[i] - sv*c.x0[i]
			tol := 1e-14 * (math.Abs(c.x0[i]) + math.Abs(c.eps[i]) + 1)
			if e := math.Abs(sa*c.x[i] - sv*v - c.x0[i]); e > tol {
				t.Errorf("t=%d [%d]: sqrt(a) x - sqrt(1-a) v - x0 = %v", k, i, e)
			}
			if e := math.Abs(sv*c.x[i] + sa*v - c.eps[i]); e > tol {
				t.Errorf("t=%d [%d]: sqrt(1-a) x + sqrt(a) v - eps = %v", k, i, e)
			}
		}
	}
}

// Claim 5: an eps error delta gives an x0 error sigma_t |delta|; a v
// error delta (here the wrong denoiser's) gives sqrt(1 - alpha) |delta|
// of x0 error.
func lesson06Magnification(t *testing.T) {
	for _, c := range lesson06Cases() {
		k, a, sa, sv, x := c.k, c.a, c.sa, c.sv, c.x
		delta := []float64{0.05, -0.02}
		dExact := toy.DenoiserFrom(c.m).Denoise(nil, x, a, nil)
		dEps := toy.DenoiserFrom(epsShift{c.m, delta}).Denoise(nil, x, a, nil)
		vExact := toy.V(c.m, nil, x, a, nil)
		sigma := sv / sa
		for p := 0; p < len(x)/2; p++ {
			gotD := math.Hypot(dEps[2*p]-dExact[2*p], dEps[2*p+1]-dExact[2*p+1])
			// Rounding of terms of size |x| / sqrt(alpha).
			if e := math.Abs(gotD - sigma*norm2(delta)); e > 1e-13*(1+maxAbs(x[2*p:2*p+2]))/sa {
				t.Errorf("t=%d point %d: eps error |delta| gives x0 error %v, want sigma |delta| = %v", k, p, gotD, sigma*norm2(delta))
			}
			dv := math.Hypot(c.vh[2*p]-vExact[2*p], c.vh[2*p+1]-vExact[2*p+1])
			if e := math.Abs(sv*dv - norm2(c.c)); e > 1e-13*(1+maxAbs(x[2*p:2*p+2])) {
				t.Errorf("t=%d point %d: v error %v times sqrt(1-alpha) = %v, want the x0 error %v", k, p, dv, sv*dv, norm2(c.c))
			}
		}
	}
}
