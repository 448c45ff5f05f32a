//go:build goexperiment.simd && amd64

// AVX2/FMA versions of the float32 kernels, built only with
// GOEXPERIMENT=simd (Go's experimental simd/archsimd package) and used
// only when the processor has AVX2 and FMA (checked at start-up; without
// them the package keeps its scalar kernels, see Kernels). Tiles of 4 rows x 16 columns
// keep eight 8-wide accumulators in registers. Each output element is
// still summed in a fixed order, so results do not depend on the number
// of cores (they differ from the scalar build in the last bits, as fused
// multiply-adds round once).

package nn

import (
	"simd/archsimd"
)

func init() {
	if archsimd.X86.AVX2() && archsimd.X86.FMA() {
		ab := vecAB
		kernelName = "avx2"
		if archsimd.X86.AVX512() {
			ab = vecAB512
			kernelName = "avx512"
		}
		simdNN = func(c, a, b []float32, m, k, n int, add bool) {
			if n < 8 && !add && k >= 8 {
				// Narrow output (the last layer): dot products with the
				// columns of b, copied out contiguous.
				var buf [256]float32
				bt := buf[:0]
				if k*n > len(buf) {
					bt = make([]float32, 0, k*n)
				}
				bt = bt[:k*n]
				for p := 0; p < k; p++ {
					for j := 0; j < n; j++ {
						bt[j*k+p] = b[p*n+j]
					}
				}
				vecNT(c, a, bt, m, k, n)
				return
			}
			ab(c, a, b, m, k, n, k, 1, add, 0)
		}
		simdTN = func(c, a, b []float32, m, k, n int) {
			if n < 8 && m >= 8 {
				// Narrow output: compute C^T = B^T A (n x m, wide rows),
				// then transpose it into c.
				var buf [256]float32
				ct := buf[:0]
				if m*n > len(buf) {
					ct = make([]float32, 0, m*n)
				}
				ct = ct[:m*n]
				ab(ct, b, a, n, k, m, 1, n, false, 0)
				for i := 0; i < m; i++ {
					for j := 0; j < n; j++ {
						c[i*n+j] = ct[j*m+i]
					}
				}
				return
			}
			ab(c, a, b, m, k, n, 1, m, false, 0)
		}
		simdNT = vecNT
		simdSiLU = vecSiLU
		simdSiLUBack = vecSiLUBack
		simdColSums = vecColSums
		simdAdamFused = vecAdamFused
	}
}

// vecAB512 is vecAB with 16-wide (AVX-512) tiles of 4 rows x 32 columns
// for the columns up to a multiple of 32; vecAB does the rest.
func vecAB512(c, a, b []float32, m, k, n, sa, sp int, add bool, _ int) {
	n32 := n &^ 31
	i := 0
	for ; i+4 <= m && n32 > 0; i += 4 {
		for j := 0; j < n32; j += 32 {
			var c00, c01, c10, c11, c20, c21, c30, c31 archsimd.Float32x16
			if add {
				c00 = archsimd.LoadFloat32x16Slice(c[i*n+j:])
				c01 = archsimd.LoadFloat32x16Slice(c[i*n+j+16:])
				c10 = archsimd.LoadFloat32x16Slice(c[(i+1)*n+j:])
				c11 = archsimd.LoadFloat32x16Slice(c[(i+1)*n+j+16:])
				c20 = archsimd.LoadFloat32x16Slice(c[(i+2)*n+j:])
				c21 = archsimd.LoadFloat32x16Slice(c[(i+2)*n+j+16:])
				c30 = archsimd.LoadFloat32x16Slice(c[(i+3)*n+j:])
				c31 = archsimd.LoadFloat32x16Slice(c[(i+3)*n+j+16:])
			}
			for p := 0; p < k; p++ {
				b0 := archsimd.LoadFloat32x16Slice(b[p*n+j:])
				b1 := archsimd.LoadFloat32x16Slice(b[p*n+j+16:])
				ap := i*sa + p*sp
				x := archsimd.BroadcastFloat32x16(a[ap])
				c00 = x.MulAdd(b0, c00)
				c01 = x.MulAdd(b1, c01)
				x = archsimd.BroadcastFloat32x16(a[ap+sa])
				c10 = x.MulAdd(b0, c10)
				c11 = x.MulAdd(b1, c11)
				x = archsimd.BroadcastFloat32x16(a[ap+2*sa])
				c20 = x.MulAdd(b0, c20)
				c21 = x.MulAdd(b1, c21)
				x = archsimd.BroadcastFloat32x16(a[ap+3*sa])
				c30 = x.MulAdd(b0, c30)
				c31 = x.MulAdd(b1, c31)
			}
			c00.StoreSlice(c[i*n+j:])
			c01.StoreSlice(c[i*n+j+16:])
			c10.StoreSlice(c[(i+1)*n+j:])
			c11.StoreSlice(c[(i+1)*n+j+16:])
			c20.StoreSlice(c[(i+2)*n+j:])
			c21.StoreSlice(c[(i+2)*n+j+16:])
			c30.StoreSlice(c[(i+3)*n+j:])
			c31.StoreSlice(c[(i+3)*n+j+16:])
		}
	}
	if i > 0 {
		// Rows 0..i-1 still need columns n32..n-1; rows i.. need all.
		vecAB(c, a, b, i, k, n, sa, sp, add, n32)
		vecAB(c[i*n:], a[i*sa:], b, m-i, k, n, sa, sp, add, 0)
		return
	}
	vecAB(c, a, b, m, k, n, sa, sp, add, 0)
}

// vecAB sets (or adds to) c (m x n) the product A B, with A's element
// (i, p) at a[i*sa + p*sp] and b (k x n) row-major, for the columns j0..n-1.
func vecAB(c, a, b []float32, m, k, n, sa, sp int, add bool, j0 int) {
	if m == 0 {
		return
	}
	_ = c[m*n-1]
	_ = b[k*n-1]
	i := 0
	for ; i+4 <= m; i += 4 {
		j := j0
		for ; j+16 <= n; j += 16 {
			var c00, c01, c10, c11, c20, c21, c30, c31 archsimd.Float32x8
			if add {
				c00 = archsimd.LoadFloat32x8Slice(c[i*n+j:])
				c01 = archsimd.LoadFloat32x8Slice(c[i*n+j+8:])
				c10 = archsimd.LoadFloat32x8Slice(c[(i+1)*n+j:])
				c11 = archsimd.LoadFloat32x8Slice(c[(i+1)*n+j+8:])
				c20 = archsimd.LoadFloat32x8Slice(c[(i+2)*n+j:])
				c21 = archsimd.LoadFloat32x8Slice(c[(i+2)*n+j+8:])
				c30 = archsimd.LoadFloat32x8Slice(c[(i+3)*n+j:])
				c31 = archsimd.LoadFloat32x8Slice(c[(i+3)*n+j+8:])
			}
			for p := 0; p < k; p++ {
				b0 := archsimd.LoadFloat32x8Slice(b[p*n+j:])
				b1 := archsimd.LoadFloat32x8Slice(b[p*n+j+8:])
				ap := i*sa + p*sp
				x := archsimd.BroadcastFloat32x8(a[ap])
				c00 = x.MulAdd(b0, c00)
				c01 = x.MulAdd(b1, c01)
				x = archsimd.BroadcastFloat32x8(a[ap+sa])
				c10 = x.MulAdd(b0, c10)
				c11 = x.MulAdd(b1, c11)
				x = archsimd.BroadcastFloat32x8(a[ap+2*sa])
				c20 = x.MulAdd(b0, c20)
				c21 = x.MulAdd(b1, c21)
				x = archsimd.BroadcastFloat32x8(a[ap+3*sa])
				c30 = x.MulAdd(b0, c30)
				c31 = x.MulAdd(b1, c31)
			}
			c00.StoreSlice(c[i*n+j:])
			c01.StoreSlice(c[i*n+j+8:])
			c10.StoreSlice(c[(i+1)*n+j:])
			c11.StoreSlice(c[(i+1)*n+j+8:])
			c20.StoreSlice(c[(i+2)*n+j:])
			c21.StoreSlice(c[(i+2)*n+j+8:])
			c30.StoreSlice(c[(i+3)*n+j:])
			c31.StoreSlice(c[(i+3)*n+j+8:])
		}
		for ; j+8 <= n; j += 8 {
			var c0, c1, c2, c3 archsimd.Float32x8
			if add {
				c0 = archsimd.LoadFloat32x8Slice(c[i*n+j:])
				c1 = archsimd.LoadFloat32x8Slice(c[(i+1)*n+j:])
				c2 = archsimd.LoadFloat32x8Slice(c[(i+2)*n+j:])
				c3 = archsimd.LoadFloat32x8Slice(c[(i+3)*n+j:])
			}
			for p := 0; p < k; p++ {
				b0 := archsimd.LoadFloat32x8Slice(b[p*n+j:])
				ap := i*sa + p*sp
				c0 = archsimd.BroadcastFloat32x8(a[ap]).MulAdd(b0, c0)
				c1 = archsimd.BroadcastFloat32x8(a[ap+sa]).MulAdd(b0, c1)
				c2 = archsimd.BroadcastFloat32x8(a[ap+2*sa]).MulAdd(b0, c2)
				c3 = archsimd.BroadcastFloat32x8(a[ap+3*sa]).MulAdd(b0, c3)
			}
			c0.StoreSlice(c[i*n+j:])
			c1.StoreSlice(c[(i+1)*n+j:])
			c2.StoreSlice(c[(i+2)*n+j:])
			c3.StoreSlice(c[(i+3)*n+j:])
		}
		for r := i; r < i+4; r++ {
			scalarABTail(c, a, b, r, j, k, n, sa, sp, add)
		}
	}
	for ; i < m; i++ {
		j := j0
		for ; j+8 <= n; j += 8 {
			var c0 archsimd.Float32x8
			if add {
				c0 = archsimd.LoadFloat32x8Slice(c[i*n+j:])
			}
			for p := 0; p < k; p++ {
				c0 = archsimd.BroadcastFloat32x8(a[i*sa+p*sp]).MulAdd(archsimd.LoadFloat32x8Slice(b[p*n+j:]), c0)
			}
			c0.StoreSlice(c[i*n+j:])
		}
		scalarABTail(c, a, b, i, j, k, n, sa, sp, add)
	}
}

// scalarABTail computes row r of A B for columns j0..n-1.
func scalarABTail(c, a, b []float32, r, j0, k, n, sa, sp int, add bool) {
	for j := j0; j < n; j++ {
		var s float32
		if add {
			s = c[r*n+j]
		}
		for p := 0; p < k; p++ {
			s += a[r*sa+p*sp] * b[p*n+j]
		}
		c[r*n+j] = s
	}
}

// vecNT sets c (m x n) to a (m x k) times the transpose of b (n x k):
// 8-wide dot products, 2 rows x 4 columns at a time, summed across lanes
// at the end.
func vecNT(c, a, b []float32, m, k, n int) {
	if k < 8 {
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				var s float32
				for p := 0; p < k; p++ {
					s += a[i*k+p] * b[j*k+p]
				}
				c[i*n+j] = s
			}
		}
		return
	}
	kv := k &^ 7
	var buf [8]float32
	hsum := func(v archsimd.Float32x8) float32 {
		v.Store(&buf)
		return ((buf[0] + buf[1]) + (buf[2] + buf[3])) + ((buf[4] + buf[5]) + (buf[6] + buf[7]))
	}
	tail := func(i, j int) float32 {
		var s float32
		for p := kv; p < k; p++ {
			s += a[i*k+p] * b[j*k+p]
		}
		return s
	}
	i := 0
	for ; i+2 <= m; i += 2 {
		a0, a1 := a[i*k:i*k+k], a[(i+1)*k:(i+1)*k+k]
		j := 0
		for ; j+4 <= n; j += 4 {
			b0, b1, b2, b3 := b[j*k:j*k+k], b[(j+1)*k:(j+1)*k+k], b[(j+2)*k:(j+2)*k+k], b[(j+3)*k:(j+3)*k+k]
			var s00, s01, s02, s03, s10, s11, s12, s13 archsimd.Float32x8
			for p := 0; p < kv; p += 8 {
				x0 := archsimd.LoadFloat32x8Slice(a0[p:])
				x1 := archsimd.LoadFloat32x8Slice(a1[p:])
				y := archsimd.LoadFloat32x8Slice(b0[p:])
				s00 = x0.MulAdd(y, s00)
				s10 = x1.MulAdd(y, s10)
				y = archsimd.LoadFloat32x8Slice(b1[p:])
				s01 = x0.MulAdd(y, s01)
				s11 = x1.MulAdd(y, s11)
				y = archsimd.LoadFloat32x8Slice(b2[p:])
				s02 = x0.MulAdd(y, s02)
				s12 = x1.MulAdd(y, s12)
				y = archsimd.LoadFloat32x8Slice(b3[p:])
				s03 = x0.MulAdd(y, s03)
				s13 = x1.MulAdd(y, s13)
			}
			c[i*n+j] = hsum(s00) + tail(i, j)
			c[i*n+j+1] = hsum(s01) + tail(i, j+1)
			c[i*n+j+2] = hsum(s02) + tail(i, j+2)
			c[i*n+j+3] = hsum(s03) + tail(i, j+3)
			c[(i+1)*n+j] = hsum(s10) + tail(i+1, j)
			c[(i+1)*n+j+1] = hsum(s11) + tail(i+1, j+1)
			c[(i+1)*n+j+2] = hsum(s12) + tail(i+1, j+2)
			c[(i+1)*n+j+3] = hsum(s13) + tail(i+1, j+3)
		}
		for ; j < n; j++ {
			c[i*n+j] = vecDot(a0, b[j*k:j*k+k], kv, hsum) + tail(i, j)
			c[(i+1)*n+j] = vecDot(a1, b[j*k:j*k+k], kv, hsum) + tail(i+1, j)
		}
	}
	for ; i < m; i++ {
		for j := 0; j < n; j++ {
			c[i*n+j] = vecDot(a[i*k:i*k+k], b[j*k:j*k+k], kv, hsum) + tail(i, j)
		}
	}
}

func vecDot(x, y []float32, kv int, hsum func(archsimd.Float32x8) float32) float32 {
	var s archsimd.Float32x8
	for p := 0; p < kv; p += 8 {
		s = archsimd.LoadFloat32x8Slice(x[p:]).MulAdd(archsimd.LoadFloat32x8Slice(y[p:]), s)
	}
	return hsum(s)
}

// vecSiLU is siluForward32 with an 8-wide exp (the same range reduction
// and polynomial as exp32).
func vecSiLU(h, s, z, b []float32, rows, n int) {
	one := archsimd.BroadcastFloat32x8(1)
	for r := 0; r < rows; r++ {
		zr, sr, hr := z[r*n:r*n+n], s[r*n:r*n+n], h[r*n:r*n+n]
		j := 0
		for ; j+8 <= n; j += 8 {
			v := archsimd.LoadFloat32x8Slice(zr[j:]).Add(archsimd.LoadFloat32x8Slice(b[j:]))
			v.StoreSlice(zr[j:])
			e := one.Add(vecExp(archsimd.BroadcastFloat32x8(0).Sub(v)))
			sg := one.Div(e)
			sg.StoreSlice(sr[j:])
			v.Mul(sg).StoreSlice(hr[j:])
		}
		for ; j < n; j++ {
			v := zr[j] + b[j]
			zr[j] = v
			e := 1 / (1 + exp32(-v))
			sr[j] = e
			hr[j] = v * e
		}
	}
}

// vecAdamFused is adamFused four parameters at a time.
func vecAdamFused(p []float64, m, v []float32, grads [][]float32, out []float32, off int, lr, c1, c2, b1, b2, eps, wd float64) {
	n := len(p)
	vb1, vb2 := archsimd.BroadcastFloat64x4(b1), archsimd.BroadcastFloat64x4(b2)
	va1, va2 := archsimd.BroadcastFloat64x4(1-b1), archsimd.BroadcastFloat64x4(1-b2)
	vc1, vc2 := archsimd.BroadcastFloat64x4(c1), archsimd.BroadcastFloat64x4(c2)
	veps, vwd, vlr := archsimd.BroadcastFloat64x4(eps), archsimd.BroadcastFloat64x4(wd), archsimd.BroadcastFloat64x4(lr)
	i := 0
	for ; i+4 <= n; i += 4 {
		g := archsimd.LoadFloat32x4Slice(grads[0][off+i:]).ConvertToFloat64()
		for c := 1; c < len(grads); c++ {
			g = g.Add(archsimd.LoadFloat32x4Slice(grads[c][off+i:]).ConvertToFloat64())
		}
		mi := vb1.Mul(archsimd.LoadFloat32x4Slice(m[i:]).ConvertToFloat64()).Add(va1.Mul(g))
		vi := vb2.Mul(archsimd.LoadFloat32x4Slice(v[i:]).ConvertToFloat64()).Add(va2.Mul(g).Mul(g))
		mi.ConvertToFloat32().StoreSlice(m[i:])
		vi.ConvertToFloat32().StoreSlice(v[i:])
		pi := archsimd.LoadFloat64x4Slice(p[i:])
		step := mi.Mul(vc1).Div(vi.Mul(vc2).Sqrt().Add(veps)).Add(vwd.Mul(pi))
		pi = pi.Sub(vlr.Mul(step))
		pi.StoreSlice(p[i:])
		pi.ConvertToFloat32().StoreSlice(out[i:])
	}
	for ; i < n; i++ {
		g := float64(grads[0][off+i])
		for c := 1; c < len(grads); c++ {
			g += float64(grads[c][off+i])
		}
		pv := adamElem(p[i], &m[i], &v[i], g, lr, c1, c2, b1, b2, eps, wd)
		p[i] = pv
		out[i] = float32(pv)
	}
}

// vecColSums sets dst (n) to the column sums of g (rows x n), each
// summed over the rows in order.
func vecColSums(dst, g []float32, rows, n int) {
	j := 0
	for ; j+8 <= n; j += 8 {
		var s archsimd.Float32x8
		for r := 0; r < rows; r++ {
			s = s.Add(archsimd.LoadFloat32x8Slice(g[r*n+j:]))
		}
		s.StoreSlice(dst[j:])
	}
	for ; j < n; j++ {
		var s float32
		for r := 0; r < rows; r++ {
			s += g[r*n+j]
		}
		dst[j] = s
	}
}

// vecSiLUBack is siluBackward for float32: dz = dh s (1 + z (1 - s)).
func vecSiLUBack(dz, dh, z, s []float32) {
	one := archsimd.BroadcastFloat32x8(1)
	n := len(dz)
	i := 0
	for ; i+8 <= n; i += 8 {
		sv := archsimd.LoadFloat32x8Slice(s[i:])
		zv := archsimd.LoadFloat32x8Slice(z[i:])
		t := zv.MulAdd(one.Sub(sv), one) // 1 + z (1 - s)
		archsimd.LoadFloat32x8Slice(dh[i:]).Mul(sv).Mul(t).StoreSlice(dz[i:])
	}
	for ; i < n; i++ {
		si := s[i]
		dz[i] = dh[i] * si * (1 + z[i]*(1-si))
	}
}

func vecExp(x archsimd.Float32x8) archsimd.Float32x8 {
	x = x.Max(archsimd.BroadcastFloat32x8(-87)).Min(archsimd.BroadcastFloat32x8(88))
	nf := x.Mul(archsimd.BroadcastFloat32x8(1.442695041)).RoundToEven()
	r := x.Sub(nf.Mul(archsimd.BroadcastFloat32x8(0.693145752)))
	r = r.Sub(nf.Mul(archsimd.BroadcastFloat32x8(1.42860677e-6)))
	p := archsimd.BroadcastFloat32x8(1.0 / 720)
	p = p.MulAdd(r, archsimd.BroadcastFloat32x8(1.0/120))
	p = p.MulAdd(r, archsimd.BroadcastFloat32x8(1.0/24))
	p = p.MulAdd(r, archsimd.BroadcastFloat32x8(1.0/6))
	p = p.MulAdd(r, archsimd.BroadcastFloat32x8(0.5))
	p = p.MulAdd(r, archsimd.BroadcastFloat32x8(1))
	p = p.MulAdd(r, archsimd.BroadcastFloat32x8(1))
	e := nf.ConvertToInt32().Add(archsimd.BroadcastInt32x8(127)).ShiftAllLeft(23).AsFloat32x8()
	return p.Mul(e)
}
