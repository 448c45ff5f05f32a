package metrics

import (
	"math"
	"math/rand/v2"
	"testing"
)

// affineMaps applies x -> A_k x + b_k, k = 1..len(as).
type affineMaps struct {
	as [][4]float64
	bs [][2]float64
}

func (affineMaps) Dim() int     { return 2 }
func (f affineMaps) Steps() int { return len(f.as) }
func (f affineMaps) Step(dst, x []float64, y []int, k int) []float64 {
	a, b := f.as[k-1], f.bs[k-1]
	for i := 0; i < len(x)/2; i++ {
		u, v := x[2*i], x[2*i+1]
		dst[2*i] = a[0]*u + a[1]*v + b[0]
		dst[2*i+1] = a[2]*u + a[3]*v + b[1]
	}
	return dst
}

// Pushing N(0, I) through affine maps gives N(b, M M^T) with M the product
// of the A_k: FlowLogLik must return that Gaussian log-density, computed
// here from its covariance (an independent route). Central differences are
// exact for affine maps up to rounding, so the tolerance is 1e-9.
func TestFlowLogLikAffine(t *testing.T) {
	f := affineMaps{
		as: [][4]float64{{2, 0.5, 0, 1}, {1, 0, -0.7, 0.3}, {0.5, 1, 1, 3}},
		bs: [][2]float64{{1, 0}, {0, -2}, {0.5, 0.5}},
	}
	// Compose the maps: M and c with x_K = M x_T + c.
	m := [4]float64{1, 0, 0, 1}
	c := [2]float64{0, 0}
	for k := range f.as {
		a, b := f.as[k], f.bs[k]
		m = [4]float64{a[0]*m[0] + a[1]*m[2], a[0]*m[1] + a[1]*m[3], a[2]*m[0] + a[3]*m[2], a[2]*m[1] + a[3]*m[3]}
		c = [2]float64{a[0]*c[0] + a[1]*c[1] + b[0], a[2]*c[0] + a[3]*c[1] + b[1]}
	}
	s := [4]float64{m[0]*m[0] + m[1]*m[1], m[0]*m[2] + m[1]*m[3], 0, m[2]*m[2] + m[3]*m[3]}
	s[2] = s[1]
	det := s[0]*s[3] - s[1]*s[2]
	rng := rand.New(rand.NewPCG(9, 9))
	const n = 50
	xT := make([]float64, 2*n)
	for i := range xT {
		xT[i] = rng.NormFloat64()
	}
	x0, lp := FlowLogLik(nil, nil, xT, StdNormalLogPDF(nil, xT, 2), f, nil)
	for i := 0; i < n; i++ {
		u, v := x0[2*i]-c[0], x0[2*i+1]-c[1]
		q := (s[3]*u*u - 2*s[1]*u*v + s[0]*v*v) / det
		want := -math.Log(2*math.Pi) - 0.5*math.Log(det) - 0.5*q
		if math.Abs(lp[i]-want) > 1e-9 {
			t.Fatalf("point %d: log p = %.12f, want %.12f", i, lp[i], want)
		}
	}
}

// shear is x -> (x1 + 0.3 sin(x2), x2 + 0.2 x1^3) in 2-D and its 3-D
// analogue with a third coordinate x3 + 0.5 tanh(x1); the Jacobian
// determinants are 1 - 0.18 cos(x2) x1^2 (both). Central differences with
// h = 1e-5 (1+|x|) <= 3.5e-5 err by h^2 |F3| / 6 <= 2.5e-10 per entry here
// (third derivatives |F3| <= 1.2, from 0.2 x1^3); the determinants are at
// least 0.6 with entries of order 1, so log |det| errs by a few 1e-10
// (1e-8 allowed).
type shear struct{ d int }

func (s shear) Dim() int { return s.d }
func (shear) Steps() int { return 1 }
func (s shear) Step(dst, x []float64, y []int, k int) []float64 {
	d := s.d
	for i := 0; i < len(x)/d; i++ {
		p := x[i*d : i*d+d]
		dst[i*d] = p[0] + 0.3*math.Sin(p[1])
		dst[i*d+1] = p[1] + 0.2*p[0]*p[0]*p[0]
		if d == 3 {
			dst[i*d+2] = p[2] + 0.5*math.Tanh(p[0])
		}
	}
	return dst
}

func TestFlowLogLikShear(t *testing.T) {
	for _, d := range []int{2, 3} {
		pts := []float64{0.3, -1.2, 1.5, 0.4, -2, 2.5, 0, 0, 0.9}
		pts = pts[:len(pts)/d*d]
		n := len(pts) / d
		zero := make([]float64, n)
		_, lp := FlowLogLik(nil, nil, pts, zero, shear{d}, nil)
		for i := 0; i < n; i++ {
			x1, x2 := pts[i*d], pts[i*d+1]
			want := -math.Log(math.Abs(1 - 0.18*math.Cos(x2)*x1*x1))
			if math.Abs(lp[i]-want) > 1e-8 {
				t.Errorf("d=%d point %d: -log|det J| = %.12f, want %.12f", d, i, lp[i], want)
			}
		}
	}
}

// scaleMap is one step of x -> 2x in 2-D.
type scaleMap struct{}

func (scaleMap) Dim() int   { return 2 }
func (scaleMap) Steps() int { return 1 }
func (scaleMap) Step(dst, x []float64, y []int, k int) []float64 {
	for i := range x {
		dst[i] = 2 * x[i]
	}
	return dst
}

// logAbsDet against determinants known by hand, including matrices whose
// leading entries are zero (elimination needs the row swap) and a singular
// one. The entries are small integers, so the results are exact to rounding.
func TestLogAbsDet(t *testing.T) {
	for _, tc := range []struct {
		name string
		a    []float64
		want float64 // |det|
	}{
		{"2x2", []float64{2, 1, 1, 3}, 5},
		{"3x3 permutation", []float64{0, 2, 0, 0, 0, 3, 4, 0, 0}, 24},
		{"3x3 zero corner", []float64{0, 1, 2, 1, 0, 3, 4, -3, 8}, 2},                // 0(0+9) - 1(8-12) + 2(-3-0) = -2
		{"4x4 block", []float64{0, 5, 0, 0, 3, 0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4}, 30}, // (-15)(4-6)
		{"3x3 singular", []float64{1, 2, 3, 2, 4, 6, 0, 1, 1}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := int(math.Round(math.Sqrt(float64(len(tc.a)))))
			got := logAbsDet(append([]float64(nil), tc.a...), d)
			if want := math.Log(tc.want); !(got == want || math.Abs(got-want) <= 1e-14*math.Abs(want)) {
				t.Errorf("logAbsDet = %v, want log %v = %v", got, tc.want, want)
			}
		})
	}
}

// labelScale is one step of x -> (1 + y) x in 2-D: the label of each point
// picks its map, so the Jacobian of point i is (1 + y_i) I.
type labelScale struct{}

func (labelScale) Dim() int   { return 2 }
func (labelScale) Steps() int { return 2 }
func (labelScale) Step(dst, x []float64, y []int, k int) []float64 {
	for i := range x {
		dst[i] = float64(1+y[i/2]) * x[i]
	}
	return dst
}

// The labels reach every copy of the batch that the differences use: two
// steps of x -> (1 + y) x change log p by -2 log (1 + y)^2 per point. The
// map is linear, so the differences are exact up to rounding (~1e-11).
func TestFlowLogLikLabels(t *testing.T) {
	xT := []float64{0.5, -1, 2, 0.3, -0.7, 0}
	y := []int{0, 1, 3}
	x0, lp := FlowLogLik(nil, nil, xT, make([]float64, 3), labelScale{}, y)
	for i, yi := range y {
		c := float64(1 + yi)
		if want := -4 * math.Log(c); math.Abs(lp[i]-want) > 1e-9 {
			t.Errorf("point %d (label %d): log p change %v, want %v", i, yi, lp[i], want)
		}
		if x0[2*i] != c*c*xT[2*i] || x0[2*i+1] != c*c*xT[2*i+1] {
			t.Errorf("point %d: x0 = %v, want %v times x_T", i, x0[2*i:2*i+2], c*c)
		}
	}
}
