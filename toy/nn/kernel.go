// The float32 kernels of the float32 pass (mlp32.go): the three products
// of a dense layer's forward and backward pass (linearForward and
// linearBackward in mlp.go), written as register-tiled loops in plain Go,
// and the elementwise SiLU and column sums.
//
// All matrices are row-major. With a layer's weights W stored in x out,
//
//	forward    Z  = H W          gemmNN
//	input grad dH = G W^T        gemmNT
//	weight grad dW = H^T G       gemmTN
//
// On amd64 they run vector kernels in assembly when the processor has them
// (kernel_amd64.go); these loops are the pure-Go path (other processors and
// architectures, the purego build tag). Every version sums each output
// element in an order fixed by the shapes, whatever the number of cores.

package nn

import "math"

// gemmNN sets c (m x n) to a (m x k) times b (k x n), or adds the product
// to c when add is true.
func gemmNN(c, a, b []float32, m, k, n int, add bool) {
	if fast != nil {
		fast.nn(c, a, b, m, k, n, add)
		return
	}
	gemmNNGo(c, a, b, m, k, n, add)
}

func gemmNNGo(c, a, b []float32, m, k, n int, add bool) {
	_ = c[m*n-1]
	_ = a[m*k-1]
	_ = b[k*n-1]
	i := 0
	for ; i+2 <= m; i += 2 {
		a0 := a[i*k : i*k+k]
		a1 := a[(i+1)*k : (i+1)*k+k]
		c0 := c[i*n : i*n+n]
		c1 := c[(i+1)*n : (i+1)*n+n]
		j := 0
		for ; j+4 <= n; j += 4 {
			var s00, s01, s02, s03, s10, s11, s12, s13 float32
			if add {
				s00, s01, s02, s03 = c0[j], c0[j+1], c0[j+2], c0[j+3]
				s10, s11, s12, s13 = c1[j], c1[j+1], c1[j+2], c1[j+3]
			}
			for p := 0; p < k; p++ {
				bp := b[p*n+j : p*n+j+4 : p*n+j+4]
				x0, x1 := a0[p], a1[p]
				b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
				s00 += x0 * b0
				s01 += x0 * b1
				s02 += x0 * b2
				s03 += x0 * b3
				s10 += x1 * b0
				s11 += x1 * b1
				s12 += x1 * b2
				s13 += x1 * b3
			}
			c0[j], c0[j+1], c0[j+2], c0[j+3] = s00, s01, s02, s03
			c1[j], c1[j+1], c1[j+2], c1[j+3] = s10, s11, s12, s13
		}
		for ; j < n; j++ {
			var s0, s1 float32
			if add {
				s0, s1 = c0[j], c1[j]
			}
			for p := 0; p < k; p++ {
				s0 += a0[p] * b[p*n+j]
				s1 += a1[p] * b[p*n+j]
			}
			c0[j], c1[j] = s0, s1
		}
	}
	for ; i < m; i++ {
		ai := a[i*k : i*k+k]
		ci := c[i*n : i*n+n]
		for j := range ci {
			var s float32
			if add {
				s = ci[j]
			}
			for p, x := range ai {
				s += x * b[p*n+j]
			}
			ci[j] = s
		}
	}
}

// gemmNT sets c (m x n) to a (m x k) times the transpose of b (n x k).
func gemmNT(c, a, b []float32, m, k, n int) {
	if fast != nil {
		fast.nt(c, a, b, m, k, n)
		return
	}
	gemmNTGo(c, a, b, m, k, n)
}

func gemmNTGo(c, a, b []float32, m, k, n int) {
	_ = c[m*n-1]
	_ = a[m*k-1]
	_ = b[n*k-1]
	i := 0
	for ; i+2 <= m; i += 2 {
		a0 := a[i*k : i*k+k]
		a1 := a[(i+1)*k : (i+1)*k+k]
		j := 0
		for ; j+2 <= n; j += 2 {
			b0 := b[j*k : j*k+k]
			b1 := b[(j+1)*k : (j+1)*k+k]
			var s00, s01, s10, s11 float32
			for p := range a0 {
				x0, x1 := a0[p], a1[p]
				y0, y1 := b0[p], b1[p]
				s00 += x0 * y0
				s01 += x0 * y1
				s10 += x1 * y0
				s11 += x1 * y1
			}
			c[i*n+j], c[i*n+j+1] = s00, s01
			c[(i+1)*n+j], c[(i+1)*n+j+1] = s10, s11
		}
		for ; j < n; j++ {
			bj := b[j*k : j*k+k]
			var s0, s1 float32
			for p := range bj {
				s0 += a0[p] * bj[p]
				s1 += a1[p] * bj[p]
			}
			c[i*n+j], c[(i+1)*n+j] = s0, s1
		}
	}
	for ; i < m; i++ {
		ai := a[i*k : i*k+k]
		for j := 0; j < n; j++ {
			bj := b[j*k : j*k+k]
			var s float32
			for p := range bj {
				s += ai[p] * bj[p]
			}
			c[i*n+j] = s
		}
	}
}

// gemmTN sets c (m x n) to the transpose of a (k x m) times b (k x n).
func gemmTN(c, a, b []float32, m, k, n int) {
	if fast != nil {
		fast.tn(c, a, b, m, k, n)
		return
	}
	gemmTNGo(c, a, b, m, k, n)
}

func gemmTNGo(c, a, b []float32, m, k, n int) {
	_ = c[m*n-1]
	_ = a[k*m-1]
	_ = b[k*n-1]
	i := 0
	for ; i+2 <= m; i += 2 {
		c0 := c[i*n : i*n+n]
		c1 := c[(i+1)*n : (i+1)*n+n]
		j := 0
		for ; j+4 <= n; j += 4 {
			var s00, s01, s02, s03, s10, s11, s12, s13 float32
			for p := 0; p < k; p++ {
				bp := b[p*n+j : p*n+j+4 : p*n+j+4]
				x0, x1 := a[p*m+i], a[p*m+i+1]
				b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
				s00 += x0 * b0
				s01 += x0 * b1
				s02 += x0 * b2
				s03 += x0 * b3
				s10 += x1 * b0
				s11 += x1 * b1
				s12 += x1 * b2
				s13 += x1 * b3
			}
			c0[j], c0[j+1], c0[j+2], c0[j+3] = s00, s01, s02, s03
			c1[j], c1[j+1], c1[j+2], c1[j+3] = s10, s11, s12, s13
		}
		for ; j < n; j++ {
			var s0, s1 float32
			for p := 0; p < k; p++ {
				s0 += a[p*m+i] * b[p*n+j]
				s1 += a[p*m+i+1] * b[p*n+j]
			}
			c0[j], c1[j] = s0, s1
		}
	}
	for ; i < m; i++ {
		ci := c[i*n : i*n+n]
		for j := range ci {
			var s float32
			for p := 0; p < k; p++ {
				s += a[p*m+i] * b[p*n+j]
			}
			ci[j] = s
		}
	}
}

// colSums sets dst[j] to the sum over rows of g[r][j], rows in order.
func colSums(dst, g []float32, rows, n int) {
	if fast != nil {
		fast.colSums(dst, g, rows, n)
		return
	}
	colSumsGo(dst, g, rows, n)
}

func colSumsGo(dst, g []float32, rows, n int) {
	clear(dst)
	for r := 0; r < rows; r++ {
		gr := g[r*n : r*n+n]
		for j := range dst {
			dst[j] += gr[j]
		}
	}
}

// siluForward32 sets z += b, s = sigmoid(z), h = z s (siluForward with the
// bias, and exp32 for the exponential).
func siluForward32(h, s, z, b []float32, rows, n int) {
	if fast != nil {
		fast.siluFwd(h, s, z, b, rows, n)
		return
	}
	siluForward32Go(h, s, z, b, rows, n)
}

func siluForward32Go(h, s, z, b []float32, rows, n int) {
	for r := 0; r < rows; r++ {
		zr, sr, hr := z[r*n:r*n+n], s[r*n:r*n+n], h[r*n:r*n+n]
		for j := range zr {
			v := zr[j] + b[j]
			zr[j] = v
			e := 1 / (1 + exp32(-v))
			sr[j] = e
			hr[j] = v * e
		}
	}
}

// siluBackward32 is siluBackward in float32: dz = dh s (1 + z (1 - s)).
func siluBackward32(dz, dh, z, s []float32) {
	if fast != nil {
		fast.siluBack(dz, dh, z, s)
		return
	}
	siluBackward32Go(dz, dh, z, s)
}

func siluBackward32Go(dz, dh, z, s []float32) {
	for i := range dz {
		si := s[i]
		dz[i] = dh[i] * si * (1 + z[i]*(1-si))
	}
}

// exp32 is e^x in float32 to within a few ulp: x = n ln2 + r with
// |r| <= ln2/2, e^r by its degree-6 Taylor polynomial (remainder below
// 0.35^7/7! ~ 1.3e-7), and 2^n put into the exponent bits.
func exp32(x float32) float32 {
	x = min(max(x, -87), 88)
	n := float32(math.Floor(float64(x*1.442695041 + 0.5)))
	r := x - n*0.693145752 - n*1.42860677e-6
	p := 1 + r*(1+r*(0.5+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720))))))
	return p * math.Float32frombits(uint32(int32(n)+127)<<23)
}

// Kernels names the float32 kernels in use: "avx512" or "avx2" on amd64
// processors with AVX-512 (F) or AVX2 and FMA, chosen at start-up from the
// processor's features, and "purego" for the plain-Go loops everywhere else
// (other processors and architectures, and builds with the purego tag).
// The vector kernels round differently (fused multiply-adds, another exp
// polynomial evaluation), so they agree with the plain-Go ones to float32
// precision, not bit for bit; either gives the same bits on any number of
// cores.
func Kernels() string {
	if fast == nil {
		return "purego"
	}
	return fast.name
}

// kernels32 is a set of float32 kernels, each doing what the pure-Go
// function of the same name does (gemmNNGo, ..., adamFusedGo).
type kernels32 struct {
	name     string
	nn       func(c, a, b []float32, m, k, n int, add bool)
	nt       func(c, a, b []float32, m, k, n int)
	tn       func(c, a, b []float32, m, k, n int)
	siluFwd  func(h, s, z, b []float32, rows, n int)
	siluBack func(dz, dh, z, s []float32)
	colSums  func(dst, g []float32, rows, n int)
	adam     func(p []float64, m, v []float32, grads [][]float32, out []float32, off int, lr, c1, c2, b1, b2, eps, wd float64)
	// transpose sets dst[j*ldd + i] = src[i*lds + j], i < rows, j < cols.
	transpose func(dst, src []float32, rows, cols, ldd, lds int)
}

// transposeGo is the pure-Go transpose: dst[j*ldd + i] = src[i*lds + j]
// for i < rows, j < cols.
func transposeGo(dst, src []float32, rows, cols, ldd, lds int) {
	for i := 0; i < rows; i++ {
		sr := src[i*lds : i*lds+cols]
		for j, x := range sr {
			dst[j*ldd+i] = x
		}
	}
}

// fast is the set in use, nil for the pure-Go loops; vectorKernels lists
// every set this build and processor can run, fastest first (the tests
// run each).
var (
	fast          *kernels32
	vectorKernels []*kernels32
)
