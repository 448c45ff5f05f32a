package nn

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"difftoy/toy"
)

// The vector kernels against the pure-Go ones, kernel by kernel, on random
// shapes (lengths that are not multiples of the vector width included) and
// on slices that start at an offset of 1 to 3 elements (so neither 16- nor
// 32-byte aligned), with guard elements around every output to catch
// writes out of bounds.
//
// Bounds, with u = 2^-24 the float32 unit roundoff:
//
//   - products: each output is a sum of k products (k+1 terms with the
//     added c), accumulated in order. Recursive summation with one rounding
//     per product and per addition is within gamma_{k+1} = (k+1)u/(1-(k+1)u)
//     of the exact sum times sum|terms| (Higham, Accuracy and Stability,
//     3.1); a fused multiply-add rounds once instead of twice, so the same
//     bound holds. Both versions are within it of the exact value, so they
//     are within c = 2 times it of each other.
//   - column sums, the Adam step: the same operations in the same order,
//     no fusing: equal bit for bit.
//   - SiLU backward: dz = (dh s) t with t = 1 + z(1-s); the vector version
//     rounds z(1-s) + 1 once (fused), the Go one twice. With P = dh s (the
//     same in both): |P t_vec - P t_go| <= |P| u (2|1+z w| + |z w|)(1+u)
//     for w = 1-s, plus a rounding of each final product, u |P t| each:
//     in all at most 6u |P| (1 + |z w|), so c = 6.
//   - SiLU forward: z + b is the same addition (equal bits). e = exp(-z)
//     is within 5e-7 relative of e^-z in both versions (TestExp32 checks
//     the Go one; the vector one is the same reduction and polynomial with
//     fewer roundings, and is checked against the float64 sigmoid below),
//     so s = 1/(1+e) is within 5e-7 + 2u relative of the exact sigmoid
//     (d s / s = -(e/(1+e)) de/e, then one add and one divide) and the two
//     versions within twice that; h = z s adds one rounding to each.

const u32 = 1.0 / (1 << 24)

// gamma is Higham's gamma_n = n u / (1 - n u).
func gamma(n int) float64 { return float64(n) * u32 / (1 - float64(n)*u32) }

// guarded returns a slice of n elements at offset off inside a buffer
// filled with a guard value, and a check that the guards are intact.
func guarded(n, off int, fill func(int) float32) ([]float32, func(t *testing.T, what string)) {
	const guard = 12345.678
	buf := make([]float32, off+n+5)
	for i := range buf {
		buf[i] = guard
	}
	s := buf[off : off+n : off+n]
	for i := range s {
		s[i] = fill(i)
	}
	return s, func(t *testing.T, what string) {
		t.Helper()
		for i := 0; i < off; i++ {
			if buf[i] != guard {
				t.Fatalf("%s wrote before its output (element %d)", what, i-off)
			}
		}
		for i := off + n; i < len(buf); i++ {
			if buf[i] != guard {
				t.Fatalf("%s wrote past its output (element %d of %d)", what, i-off, n)
			}
		}
	}
}

func vectorSets(t testing.TB) []*kernels32 {
	if len(vectorKernels) == 0 {
		t.Skipf("no vector kernels in this build or on this processor (Kernels() = %q): nothing to compare", Kernels())
	}
	return vectorKernels
}

// checkProducts runs the three products of every vector set on one shape
// and compares them with the pure-Go loops.
func checkProducts(t *testing.T, r *rand.Rand, m, k, n, off int) {
	t.Helper()
	norm := func(int) float32 { return float32(r.NormFloat64()) }
	a, _ := guarded(m*k, off, norm)   // m x k, and read as k x m for TN
	b, _ := guarded(k*n, off+1, norm) // k x n, and read as n x k for NT
	c0, _ := guarded(m*n, 0, norm)    // the c that add=true adds to
	// absAB(i, j) is sum_p |a(i,p) b(p,j)| for the layout of each product.
	type layout struct {
		name string
		ai   func(i, p int) int // index of A(i, p) in a
		bj   func(p, j int) int // index of B(p, j) in b
		run  func(ks *kernels32, c []float32, add bool)
		ref  func(c []float32, add bool)
		add  bool
	}
	nn := func(i, p int) int { return i*k + p }
	rowB := func(p, j int) int { return p*n + j }
	layouts := []layout{
		{"gemmNN", nn, rowB, func(ks *kernels32, c []float32, add bool) { ks.nn(c, a, b, m, k, n, add) },
			func(c []float32, add bool) { gemmNNGo(c, a, b, m, k, n, add) }, false},
		{"gemmNN add", nn, rowB, func(ks *kernels32, c []float32, add bool) { ks.nn(c, a, b, m, k, n, add) },
			func(c []float32, add bool) { gemmNNGo(c, a, b, m, k, n, add) }, true},
		{"gemmNT", nn, func(p, j int) int { return j*k + p }, func(ks *kernels32, c []float32, _ bool) { ks.nt(c, a, b, m, k, n) },
			func(c []float32, _ bool) { gemmNTGo(c, a, b, m, k, n) }, false},
		{"gemmTN", func(i, p int) int { return p*m + i }, rowB, func(ks *kernels32, c []float32, _ bool) { ks.tn(c, a, b, m, k, n) },
			func(c []float32, _ bool) { gemmTNGo(c, a, b, m, k, n) }, false},
	}
	for _, ks := range vectorSets(t) {
		for _, l := range layouts {
			init := func(i int) float32 {
				if l.add {
					return c0[i]
				}
				return float32(math.NaN()) // must be overwritten
			}
			want, _ := guarded(m*n, 0, init)
			l.ref(want, l.add)
			got, intact := guarded(m*n, off+2, init)
			l.run(ks, got, l.add)
			what := fmt.Sprintf("%s %s m=%d k=%d n=%d offset %d", ks.name, l.name, m, k, n, off)
			intact(t, what)
			for i := 0; i < m; i++ {
				for j := 0; j < n; j++ {
					sum, terms := 0.0, k
					if l.add {
						sum, terms = math.Abs(float64(c0[i*n+j])), k+1
					}
					for p := 0; p < k; p++ {
						sum += math.Abs(float64(a[l.ai(i, p)]) * float64(b[l.bj(p, j)]))
					}
					bound := 2 * gamma(terms) * sum
					g, w := float64(got[i*n+j]), float64(want[i*n+j])
					if !(math.Abs(g-w) <= bound) {
						t.Fatalf("%s: c[%d,%d] = %v, pure Go %v, |diff| %.3g > bound %.3g", what, i, j, g, w, math.Abs(g-w), bound)
					}
				}
			}
		}
	}
}

// TestVectorProducts: every product on every tile edge of both widths
// (tiles of 4 rows x 16 columns with AVX2, 8 and 4 rows x 32 columns with
// AVX-512, 8/16-wide tails), at offsets 0..3,
// then on random shapes up to 100 x 100 x 100.
func TestVectorProducts(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	ms := []int{1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 16, 17}
	ks := []int{1, 2, 7, 16, 33}
	ns := []int{1, 2, 3, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 47, 48, 63, 64, 65}
	for _, m := range ms {
		for _, k := range ks {
			for _, n := range ns {
				checkProducts(t, r, m, k, n, (m+k+n)%4)
			}
		}
	}
	// Random shapes and offsets.
	for range 60 {
		checkProducts(t, r, 1+r.IntN(100), 1+r.IntN(100), 1+r.IntN(100), r.IntN(4))
	}
	// The shapes of training (chunk rows x widths), transposed narrow outputs.
	for _, s := range [][3]int{{64, 18, 128}, {64, 128, 128}, {64, 128, 2}, {128, 64, 2}, {18, 64, 128}, {2, 64, 128}, {256, 256, 256}} {
		checkProducts(t, r, s[0], s[1], s[2], 1)
	}
}

// checkElementwise compares SiLU forward and backward, column sums and
// the Adam step of every vector set with the pure-Go loops on rows x n.
func checkElementwise(t *testing.T, r *rand.Rand, rows, n, off int) {
	t.Helper()
	N := rows * n
	zf := func(int) float32 { return float32(4 * r.NormFloat64()) }
	z0, _ := guarded(N, off, zf)
	bias, _ := guarded(n, off, func(int) float32 { return float32(r.NormFloat64()) })
	for _, ks := range vectorSets(t) {
		what := fmt.Sprintf("%s rows=%d n=%d offset %d", ks.name, rows, n, off)
		// SiLU forward.
		zw, _ := guarded(N, 0, func(i int) float32 { return z0[i] })
		hw, _ := guarded(N, 0, func(int) float32 { return 0 })
		sw, _ := guarded(N, 0, func(int) float32 { return 0 })
		siluForward32Go(hw, sw, zw, bias, rows, n)
		zg, zok := guarded(N, off+1, func(i int) float32 { return z0[i] })
		hg, hok := guarded(N, off+2, func(int) float32 { return 0 })
		sg, sok := guarded(N, off+3, func(int) float32 { return 0 })
		ks.siluFwd(hg, sg, zg, bias, rows, n)
		zok(t, what+" siluFwd z")
		hok(t, what+" siluFwd h")
		sok(t, what+" siluFwd s")
		const expErr = 5e-7
		for i := 0; i < N; i++ {
			if zg[i] != zw[i] {
				t.Fatalf("%s siluFwd: z[%d] = %v, pure Go %v (the same addition)", what, i, zg[i], zw[i])
			}
			v := float64(zw[i])
			sig := 1 / (1 + math.Exp(-v))
			one := expErr + 2*u32
			if d := math.Abs(float64(sg[i]) - sig); !(d <= one*sig) {
				t.Fatalf("%s siluFwd: s[%d] = %v, sigmoid(%v) = %v, |diff| %.3g > %.3g", what, i, sg[i], v, sig, d, one*sig)
			}
			if d := math.Abs(float64(sg[i]) - float64(sw[i])); !(d <= 2*one*sig) {
				t.Fatalf("%s siluFwd: s[%d] = %v, pure Go %v, |diff| %.3g > %.3g", what, i, sg[i], sw[i], d, 2*one*sig)
			}
			hb := (2*one + 2*u32) * math.Abs(v*sig)
			if d := math.Abs(float64(hg[i]) - float64(hw[i])); !(d <= hb) {
				t.Fatalf("%s siluFwd: h[%d] = %v, pure Go %v, |diff| %.3g > %.3g", what, i, hg[i], hw[i], d, hb)
			}
		}
		// SiLU backward on the s just computed.
		dh, _ := guarded(N, off, func(int) float32 { return float32(r.NormFloat64()) })
		dzw, _ := guarded(N, 0, func(int) float32 { return 0 })
		siluBackward32Go(dzw, dh, zw, sw)
		dzg, dzok := guarded(N, off+1, func(int) float32 { return 0 })
		ks.siluBack(dzg, dh, zw, sw)
		dzok(t, what+" siluBack")
		for i := 0; i < N; i++ {
			zw1 := math.Abs(float64(zw[i]) * float64(1-sw[i]))
			b := 6 * u32 * math.Abs(float64(dh[i])*float64(sw[i])) * (1 + zw1)
			if d := math.Abs(float64(dzg[i]) - float64(dzw[i])); !(d <= b) {
				t.Fatalf("%s siluBack: dz[%d] = %v, pure Go %v, |diff| %.3g > %.3g", what, i, dzg[i], dzw[i], d, b)
			}
		}
		// Column sums: bit for bit.
		sumw := make([]float32, n)
		colSumsGo(sumw, dh, rows, n)
		sumg, sumok := guarded(n, off+2, func(int) float32 { return float32(math.NaN()) })
		ks.colSums(sumg, dh, rows, n)
		sumok(t, what+" colSums")
		for j := range sumw {
			if sumg[j] != sumw[j] {
				t.Fatalf("%s colSums: column %d = %v, pure Go %v", what, j, sumg[j], sumw[j])
			}
		}
		// Adam on N parameters, 1 to 4 gradient chunks, at an offset
		// into the gradients: bit for bit.
		for chunks := 1; chunks <= 4; chunks++ {
			goff := (off + chunks) % 4
			grads := make([][]float32, chunks)
			for c := range grads {
				grads[c], _ = guarded(goff+N, c%4, func(int) float32 { return float32(1e-2 * r.NormFloat64()) })
			}
			pw := make([]float64, N)
			mw, vw, ow := make([]float32, N), make([]float32, N), make([]float32, N)
			for i := range pw {
				pw[i] = r.NormFloat64()
				mw[i] = float32(1e-2 * r.NormFloat64())
				vw[i] = float32(1e-4 * r.Float64())
			}
			pg := append([]float64(nil), pw...)
			mg, mok := guarded(N, off, func(i int) float32 { return mw[i] })
			vg, vok := guarded(N, off+1, func(i int) float32 { return vw[i] })
			og, ook := guarded(N, off+2, func(int) float32 { return 0 })
			const lr, c1, c2, b1, b2, eps, wd = 1e-3, 10, 1000, 0.9, 0.999, 1e-8, 0.01
			adamFusedGo(pw, mw, vw, grads, ow, goff, lr, c1, c2, b1, b2, eps, wd)
			ks.adam(pg, mg, vg, grads, og, goff, lr, c1, c2, b1, b2, eps, wd)
			mok(t, what+" adam m")
			vok(t, what+" adam v")
			ook(t, what+" adam out")
			for i := range pw {
				if pg[i] != pw[i] || mg[i] != mw[i] || vg[i] != vw[i] || og[i] != ow[i] {
					t.Fatalf("%s adam, %d chunks: parameter %d: p %v m %v v %v out %v, pure Go %v %v %v %v",
						what, chunks, i, pg[i], mg[i], vg[i], og[i], pw[i], mw[i], vw[i], ow[i])
				}
			}
		}
	}
}

// TestVectorElementwise: the elementwise kernels on widths around the
// vector widths (8, 16), random shapes and a training shape.
func TestVectorElementwise(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	for _, rows := range []int{1, 2, 3, 5} {
		for _, n := range []int{1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 130} {
			checkElementwise(t, r, rows, n, (rows+n)%4)
		}
	}
	for range 30 {
		checkElementwise(t, r, 1+r.IntN(9), 1+r.IntN(200), r.IntN(4))
	}
	checkElementwise(t, r, 64, 128, 1)
}

// FuzzKernels compares every kernel of every vector set with the pure-Go
// one on a fuzzed shape and offset; the seeds are tile and tail edges.
func FuzzKernels(f *testing.F) {
	for _, s := range [][5]int{
		{1, 1, 1, 0, 1}, {4, 8, 16, 1, 2}, {5, 3, 17, 3, 3}, {9, 33, 65, 2, 4},
		{3, 1, 7, 1, 5}, {64, 18, 2, 1, 6}, {2, 64, 31, 3, 7}, {17, 16, 48, 0, 8},
	} {
		f.Add(uint8(s[0]), uint8(s[1]), uint8(s[2]), uint8(s[3]), uint64(s[4]))
	}
	f.Fuzz(func(t *testing.T, m, k, n, off uint8, seed uint64) {
		// Shapes up to 70 keep one case fast; larger ones add nothing
		// that 70 (several full tiles plus every tail) does not cover.
		M, K, N, O := int(m)%70+1, int(k)%70+1, int(n)%70+1, int(off)%4
		r := rand.New(rand.NewPCG(seed, 25))
		checkProducts(t, r, M, K, N, O)
		checkElementwise(t, r, M%7+1, N, O)
		checkTranspose(t, r, M, N, K%3, O)
	})
}

// TestVectorDeterministic: with each vector set, training gives the same
// bits on 1 and on 2 threads (every sum has an order fixed by the shapes).
func TestVectorDeterministic(t *testing.T) {
	saved := fast
	defer func() { fast = saved }()
	spec := DefaultSpec(2)
	spec.Hidden = []int{24, 24}
	data := Data{Points: toy.StandardNormal(nil, 1000, 2, rand.NewPCG(7, 7))}
	for _, ks := range vectorSets(t) {
		fast = ks
		run := func(procs int) []float64 {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			m, err := NewModel(spec, toy.DDPM(), rand.NewPCG(5, 5))
			if err != nil {
				t.Fatal(err)
			}
			cfg := Config{Steps: 20, Batch: 200, LR: 1e-3, Decay: DecayNone, Weight: WeightX0}
			if _, err := Train(context.Background(), m, data, cfg, rand.NewPCG(6, 6)); err != nil {
				t.Fatal(err)
			}
			return m.Net.Params
		}
		a, b := run(1), run(2)
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("%s: parameter %d is %v with 1 thread, %v with 2", ks.name, i, a[i], b[i])
			}
		}
	}
}

// TestVectorTranspose: the transpose kernel moves every element exactly
// (a copy: equal bits) and nothing else, on sizes around the 8 x 8 blocks
// and with leading dimensions larger than the block.
func TestVectorTranspose(t *testing.T) {
	r := rand.New(rand.NewPCG(26, 27))
	for _, rows := range []int{1, 3, 7, 8, 9, 16, 17, 33} {
		for _, cols := range []int{1, 2, 7, 8, 9, 15, 16, 24, 40} {
			for _, pad := range []int{0, 3} {
				checkTranspose(t, r, rows, cols, pad, (rows+cols+pad)%4)
			}
		}
	}
}

func checkTranspose(t *testing.T, r *rand.Rand, rows, cols, pad, off int) {
	t.Helper()
	lds, ldd := cols+pad, rows+pad
	src, _ := guarded((rows-1)*lds+cols, off, func(int) float32 { return float32(r.NormFloat64()) })
	dn := (cols-1)*ldd + rows
	want, _ := guarded(dn, 0, func(int) float32 { return -7 })
	transposeGo(want, src, rows, cols, ldd, lds)
	for _, ks := range vectorSets(t) {
		got, intact := guarded(dn, off+1, func(int) float32 { return -7 })
		ks.transpose(got, src, rows, cols, ldd, lds)
		what := fmt.Sprintf("%s transpose rows=%d cols=%d ldd=%d lds=%d", ks.name, rows, cols, ldd, lds)
		intact(t, what)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s: element %d = %v, pure Go %v", what, i, got[i], want[i])
			}
		}
	}
}
