package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestKernels checks the three matrix products (pure Go and every vector
// set) against a plain float64 triple loop on shapes that hit every tile
// edge. A float32 dot product of length k of O(1) terms is off
// by at most about k * 6e-8 (each rounding 2^-24 relative), so the bound
// is 1e-7 * k * (sum of |terms|).
func TestKernels(t *testing.T) { forEachKernel(t, testKernels) }

func testKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	dims := []int{1, 2, 3, 5, 8, 9, 17, 18, 33}
	for _, m := range dims {
		for _, k := range dims {
			for _, n := range dims {
				a := make([]float32, m*k)
				b := make([]float32, k*n)
				bt := make([]float32, n*k)
				at := make([]float32, k*m)
				for i := range a {
					a[i] = float32(r.NormFloat64())
				}
				for i := range b {
					b[i] = float32(r.NormFloat64())
				}
				for i := 0; i < m; i++ {
					for p := 0; p < k; p++ {
						at[p*m+i] = a[i*k+p]
					}
				}
				for p := 0; p < k; p++ {
					for j := 0; j < n; j++ {
						bt[j*k+p] = b[p*n+j]
					}
				}
				want := make([]float64, m*n)
				bound := make([]float64, m*n)
				for i := 0; i < m; i++ {
					for j := 0; j < n; j++ {
						for p := 0; p < k; p++ {
							v := float64(a[i*k+p]) * float64(b[p*n+j])
							want[i*n+j] += v
							bound[i*n+j] += math.Abs(v)
						}
						bound[i*n+j] *= 1e-7 * float64(k+1)
					}
				}
				check := func(name string, got []float32, offset float64) {
					for i := range want {
						if math.Abs(float64(got[i])-want[i]-offset) > bound[i]+1e-6*math.Abs(offset) {
							t.Fatalf("%s m=%d k=%d n=%d: element %d = %v, want %v", name, m, k, n, i, got[i], want[i]+offset)
						}
					}
				}
				c := make([]float32, m*n)
				gemmNN(c, a, b, m, k, n, false)
				check("gemmNN", c, 0)
				for i := range c {
					c[i] = 1
				}
				gemmNN(c, a, b, m, k, n, true)
				check("gemmNN add", c, 1)
				gemmNT(c, a, bt, m, k, n)
				check("gemmNT", c, 0)
				gemmTN(c, at, b, m, k, n)
				check("gemmTN", c, 0)
			}
		}
	}
}

// forEachKernel runs f with the pure-Go kernels and with every vector
// kernel set this build and processor can run (on an AVX-512 machine both
// "avx512" and "avx2"), so the fallback paths are tested on any machine.
func forEachKernel(t *testing.T, f func(t *testing.T)) {
	saved := fast
	defer func() { fast = saved }()
	fast = nil
	t.Run("purego", f)
	for _, k := range vectorKernels {
		fast = k
		t.Run(k.name, f)
	}
}

func TestExp32(t *testing.T) {
	for x := -87.0; x <= 88; x += 0.01 {
		got := float64(exp32(float32(x)))
		want := math.Exp(float64(float32(x)))
		// A few float32 ulp (1.2e-7 relative each).
		if math.Abs(got-want) > 5e-7*want {
			t.Fatalf("exp32(%v) = %v, want %v", x, got, want)
		}
	}
}
