package analytic

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// The assembly kernels must give the same bits as the Go kernels: they
// perform the same IEEE operations, each correctly rounded, on the same
// operands in the same order (see kernel.go), so the bound of every kernel
// is 0 ulp. The tests run every kernel set this processor supports on random
// lengths (including ones that are not multiples of 8, to exercise the
// tails), on slices starting at an odd offset into their array (unaligned
// for any vector width), and on values that hit each branch of the
// exponential (t above, at and below expFastMin, -Inf, NaN).

// same reports whether a and b have the same bits, or are both NaN.
func same(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
}

// offsetSlice returns a slice of n values starting at element off of a
// fresh array, filled by f.
func offsetSlice(n, off int, f func(i int) float64) []float64 {
	s := make([]float64, n+off)[off:]
	for i := range s {
		s[i] = f(i)
	}
	return s
}

// kernelInputs draws a case: n points around the origin at scale sc, a
// query (px, py), c, and log-weights (zero for uniform).
type kernelCase struct {
	xs, ys, lw    []float64
	px, py, c     float64
	lg            []float64
	nonUniform    bool
	special, both bool
}

func drawKernelCase(rng *rand.Rand, n, off int) kernelCase {
	sc := math.Pow(10, -3+6*rng.Float64())
	kc := kernelCase{
		xs: offsetSlice(n, off, func(int) float64 { return sc * rng.NormFloat64() }),
		ys: offsetSlice(n, off, func(int) float64 { return sc * rng.NormFloat64() }),
		px: sc * 2 * rng.NormFloat64(),
		py: sc * 2 * rng.NormFloat64(),
		c:  math.Pow(10, -2+6*rng.Float64()) / (sc * sc),
	}
	kc.lw = offsetSlice(n, off, func(int) float64 {
		if rng.IntN(2) == 0 {
			return 0
		}
		return math.Log(rng.Float64())
	})
	kc.lg = offsetSlice(n, off, func(int) float64 { return math.NaN() })
	return kc
}

func TestKernelsMatchGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, ks := range kernelSets() {
		t.Run(ks.name, func(t *testing.T) {
			for trial := range 3000 {
				n := rng.IntN(70)
				if trial%100 == 0 {
					n = 1000 + rng.IntN(30)
				}
				off := rng.IntN(8)
				kc := drawKernelCase(rng, n, off)
				// logits2
				lgK := offsetSlice(n, off, func(int) float64 { return 0 })
				lgG := offsetSlice(n, 0, func(int) float64 { return 0 })
				bK := logits2K(&ks, lgK, kc.xs, kc.ys, kc.lw, kc.px, kc.py, kc.c)
				bG := logits2Go(lgG, kc.xs, kc.ys, kc.lw, kc.px, kc.py, kc.c)
				if !same(bK, bG) {
					t.Fatalf("n=%d off=%d: logits2 max = %v, Go kernel gives %v", n, off, bK, bG)
				}
				for i := range lgG {
					if !same(lgK[i], lgG[i]) {
						t.Fatalf("n=%d off=%d: logits2 l[%d] = %v, Go kernel gives %v", n, off, i, lgK[i], lgG[i])
					}
				}
				// linear2, with the same columns standing in for the centred points
				bK = linear2K(&ks, lgK, kc.xs, kc.ys, kc.lw, kc.lw, kc.px, kc.py, kc.c)
				bG = linear2Go(lgG, kc.xs, kc.ys, kc.lw, kc.lw, kc.px, kc.py, kc.c)
				if !same(bK, bG) {
					t.Fatalf("n=%d off=%d: linear2 max = %v, Go kernel gives %v", n, off, bK, bG)
				}
				for i := range lgG {
					if !same(lgK[i], lgG[i]) {
						t.Fatalf("n=%d off=%d: linear2 l[%d] = %v, Go kernel gives %v", n, off, i, lgK[i], lgG[i])
					}
				}
				bG = logits2Go(lgG, kc.xs, kc.ys, kc.lw, kc.px, kc.py, kc.c)
				logits2K(&ks, lgK, kc.xs, kc.ys, kc.lw, kc.px, kc.py, kc.c)
				// Spread the logits over the exponential's branches now and then.
				if trial%3 == 0 {
					for i := range lgG {
						switch rng.IntN(8) {
						case 0:
							lgG[i] = bG + expFastMin
						case 1:
							lgG[i] = bG + math.Nextafter(expFastMin, 0)
						case 2:
							lgG[i] = bG + math.Nextafter(expFastMin, -1e3)
						case 3:
							lgG[i] = math.Inf(-1)
						case 4:
							lgG[i] = math.NaN()
						case 5:
							lgG[i] = bG - 750*rng.Float64()
						}
					}
					copy(lgK, lgG)
				}
				// expSum2
				s0, s1, s2 := expSum2K(&ks, lgK, kc.xs, kc.ys, bG)
				g0, g1, g2 := expSum2K(&goKernels, lgG, kc.xs, kc.ys, bG)
				if !same(s0, g0) || !same(s1, g1) || !same(s2, g2) {
					t.Fatalf("n=%d off=%d: expSum2 = (%v, %v, %v), Go kernel gives (%v, %v, %v)", n, off, s0, s1, s2, g0, g1, g2)
				}
				// expSum, in place
				s := expSumK(&ks, lgK, bG)
				g := expSumK(&goKernels, lgG, bG)
				if !same(s, g) {
					t.Fatalf("n=%d off=%d: expSum = %v, Go kernel gives %v", n, off, s, g)
				}
				for i := range lgG {
					if !same(lgK[i], lgG[i]) {
						t.Fatalf("n=%d off=%d: expSum e[%d] = %v, Go kernel gives %v", n, off, i, lgK[i], lgG[i])
					}
				}
			}
		})
	}
}

// TestGaussKernelsMatchGo: the d = 2 Gaussian kernels against their Go
// versions, bit for bit, on random columns (a random lower factor with
// positive diagonal, random means and covariance entries), random lengths
// and offsets; some logits are pushed below expFastMin and the z there set
// to infinity, which the sums must skip.
func TestGaussKernelsMatchGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, ks := range kernelSets() {
		t.Run(ks.name, func(t *testing.T) {
			for trial := range 2000 {
				n := rng.IntN(40)
				off := rng.IntN(8)
				cols := offsetSlice(g2Cols*n, off, func(i int) float64 {
					switch i / max(n, 1) {
					case g2I11, g2I22:
						return 0.1 + 10*rng.Float64()
					case g2Norm:
						return -5 * rng.Float64()
					}
					return 3 * rng.NormFloat64()
				})
				x0, x1, sa := 4*rng.NormFloat64(), 4*rng.NormFloat64(), rng.Float64()
				lgK, lgG := offsetSlice(n, off, func(int) float64 { return 0 }), make([]float64, n)
				z0K, z0G := offsetSlice(n, off, func(int) float64 { return 0 }), make([]float64, n)
				z1K, z1G := offsetSlice(n, off, func(int) float64 { return 0 }), make([]float64, n)
				bK := gauss2LogitsK(&ks, lgK, z0K, z1K, cols, x0, x1)
				bG := gauss2LogitsGo(lgG, z0G, z1G, cols, n, x0, x1)
				if !same(bK, bG) {
					t.Fatalf("n=%d off=%d: gauss2Logits max = %v, Go kernel gives %v", n, off, bK, bG)
				}
				for i := range lgG {
					if !same(lgK[i], lgG[i]) || !same(z0K[i], z0G[i]) || !same(z1K[i], z1G[i]) {
						t.Fatalf("n=%d off=%d: gauss2Logits (l, z0, z1)[%d] = (%v, %v, %v), Go kernel gives (%v, %v, %v)",
							n, off, i, lgK[i], z0K[i], z1K[i], lgG[i], z0G[i], z1G[i])
					}
				}
				if trial%2 == 0 {
					for i := range lgG {
						if rng.IntN(4) == 0 {
							lgG[i], z0G[i], z1G[i] = bG-800, math.Inf(1), math.Inf(-1)
							lgK[i], z0K[i], z1K[i] = lgG[i], z0G[i], z1G[i]
						}
					}
				}
				for _, denoise := range []bool{true, false} {
					s0, s1, s2 := gauss2SumK(&ks, denoise, lgK, z0K, z1K, cols, sa, bG)
					g0, g1, g2 := gauss2SumK(&goKernels, denoise, lgG, z0G, z1G, cols, sa, bG)
					if !same(s0, g0) || !same(s1, g1) || !same(s2, g2) {
						t.Fatalf("n=%d off=%d denoise=%v: gauss2 sums = (%v, %v, %v), Go kernel gives (%v, %v, %v)",
							n, off, denoise, s0, s1, s2, g0, g1, g2)
					}
					if n > 0 && (math.IsNaN(s1) || math.IsNaN(s2)) {
						t.Fatalf("n=%d off=%d denoise=%v: NaN sums (%v, %v): a skipped term leaked in", n, off, denoise, s1, s2)
					}
				}
			}
		})
	}
}

// TestKernelExpUlp measures the exponential of every kernel set (through
// expSum, which writes e^(l - best) in place) against the 200-bit series:
// within 2 ulp of e^t for t in [expFastMin, 0], as fastExp, exactly 0 below.
func TestKernelExpUlp(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	const n = 3000
	ts := make([]float64, n)
	for i := range ts {
		ts[i] = -40 * rng.Float64()
		if i%3 == 0 {
			ts[i] = expFastMin * rng.Float64()
		}
	}
	ts[0], ts[1], ts[2] = 0, expFastMin, -1e-300
	want := make([]float64, n)
	for i, x := range ts {
		want[i], _ = bigExp(new(big.Float).SetPrec(200).SetFloat64(x)).Float64()
	}
	below := []float64{math.Nextafter(expFastMin, -1e3), -708.39, expUnderflow, -1e300, math.Inf(-1)}
	for _, ks := range kernelSets() {
		e := append([]float64(nil), ts...)
		expSumK(&ks, e, 0)
		worst, at := 0.0, 0.0
		for i := range e {
			if d := ulpDiff(e[i], want[i]); d > worst {
				worst, at = d, ts[i]
			}
		}
		t.Logf("%s: largest error %.3f ulp at t = %v", ks.name, worst, at)
		if worst > 2 {
			t.Errorf("%s: exponential is %.3f ulp from e^t at t = %v, want <= 2", ks.name, worst, at)
		}
		e = append(make([]float64, 0, 16), below...)
		e = append(e, below...) // 10 values: a block of 8 and a tail
		expSumK(&ks, e, 0)
		for i, v := range e {
			if v != 0 {
				t.Errorf("%s: e^(%v) = %v, want 0 below expFastMin", ks.name, below[i%len(below)], v)
			}
		}
	}
}

// FuzzKernels compares every kernel set with the Go kernels on fuzzed
// inputs: a length, an offset, a query, c, a maximum shift and the points
// drawn from a seed (bit-for-bit agreement, as in TestKernelsMatchGo).
func FuzzKernels(f *testing.F) {
	f.Add(uint16(8), uint8(0), 0.3, -0.2, 0.5, 0.0, uint64(1))
	f.Add(uint16(13), uint8(3), 1e3, 1e-3, 1e-6, -1.0, uint64(2))
	f.Add(uint16(1000), uint8(7), -2.0, 2.0, 5e11, 700.0, uint64(3))
	f.Add(uint16(31), uint8(1), math.Inf(1), 0.0, 1.0, 0.0, uint64(4))
	f.Add(uint16(17), uint8(5), math.NaN(), 1.0, 1.0, 0.0, uint64(5))
	f.Fuzz(func(t *testing.T, n uint16, off uint8, px, py, c, shift float64, seed uint64) {
		nn, o := int(n%2048), int(off%8)
		rng := rand.New(rand.NewPCG(seed, seed>>7))
		xs := offsetSlice(nn, o, func(int) float64 { return rng.NormFloat64() })
		ys := offsetSlice(nn, o, func(int) float64 { return rng.NormFloat64() })
		lw := offsetSlice(nn, o, func(int) float64 { return math.Log(rng.Float64()) })
		for _, ks := range kernelSets()[1:] {
			lgK := offsetSlice(nn, o, func(int) float64 { return 0 })
			lgG := make([]float64, nn)
			bK := logits2K(&ks, lgK, xs, ys, lw, px, py, c)
			bG := logits2Go(lgG, xs, ys, lw, px, py, c)
			if !same(bK, bG) {
				t.Fatalf("%s: logits2 max = %v, Go kernel gives %v", ks.name, bK, bG)
			}
			if l, g := linear2K(&ks, lgK, xs, ys, lw, lw, px, py, c), linear2Go(lgG, xs, ys, lw, lw, px, py, c); !same(l, g) {
				t.Fatalf("%s: linear2 max = %v, Go kernel gives %v", ks.name, l, g)
			}
			for i := range lgG {
				if !same(lgK[i], lgG[i]) {
					t.Fatalf("%s: linear2 l[%d] = %v, Go kernel gives %v", ks.name, i, lgK[i], lgG[i])
				}
			}
			bK = logits2K(&ks, lgK, xs, ys, lw, px, py, c)
			bG = logits2Go(lgG, xs, ys, lw, px, py, c)
			best := bG + shift
			s0, s1, s2 := expSum2K(&ks, lgK, xs, ys, best)
			g0, g1, g2 := expSum2K(&goKernels, lgG, xs, ys, best)
			if !same(s0, g0) || !same(s1, g1) || !same(s2, g2) {
				t.Fatalf("%s: expSum2 = (%v, %v, %v), Go kernel gives (%v, %v, %v)", ks.name, s0, s1, s2, g0, g1, g2)
			}
			if s, g := expSumK(&ks, lgK, best), expSumK(&goKernels, lgG, best); !same(s, g) {
				t.Fatalf("%s: expSum = %v, Go kernel gives %v", ks.name, s, g)
			}
			for i := range lgG {
				if !same(lgK[i], lgG[i]) {
					t.Fatalf("%s: e[%d] = %v, Go kernel gives %v", ks.name, i, lgK[i], lgG[i])
				}
			}
			// The Gaussian kernels, with the fuzzed query and scale.
			cols := offsetSlice(g2Cols*nn, o, func(i int) float64 {
				if q := i / max(nn, 1); q == g2I11 || q == g2I22 {
					return math.Abs(c) + rng.Float64()
				}
				return rng.NormFloat64()
			})
			z0K, z1K := offsetSlice(nn, o, func(int) float64 { return 0 }), offsetSlice(nn, o, func(int) float64 { return 0 })
			z0G, z1G := make([]float64, nn), make([]float64, nn)
			bK = gauss2LogitsK(&ks, lgK, z0K, z1K, cols, px, py)
			bG = gauss2LogitsGo(lgG, z0G, z1G, cols, nn, px, py)
			if !same(bK, bG) {
				t.Fatalf("%s: gauss2Logits max = %v, Go kernel gives %v", ks.name, bK, bG)
			}
			for i := range lgG {
				if !same(lgK[i], lgG[i]) || !same(z0K[i], z0G[i]) || !same(z1K[i], z1G[i]) {
					t.Fatalf("%s: gauss2Logits [%d] differs from the Go kernel", ks.name, i)
				}
			}
			for _, denoise := range []bool{true, false} {
				s0, s1, s2 := gauss2SumK(&ks, denoise, lgK, z0K, z1K, cols, shift, bG)
				g0, g1, g2 := gauss2SumK(&goKernels, denoise, lgG, z0G, z1G, cols, shift, bG)
				if !same(s0, g0) || !same(s1, g1) || !same(s2, g2) {
					t.Fatalf("%s: gauss2 sums (denoise %v) = (%v, %v, %v), Go kernel gives (%v, %v, %v)", ks.name, denoise, s0, s1, s2, g0, g1, g2)
				}
			}
		}
	})
}

// BenchmarkKernels times the two passes of mean2 (logits2, then expSum2)
// over K = 1000 points with each kernel set (pairs/s per core).
func BenchmarkKernels(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 7))
	kc := drawKernelCase(rng, 1000, 0)
	for i := range kc.lw {
		kc.xs[i], kc.ys[i], kc.lw[i] = rng.NormFloat64(), rng.NormFloat64(), 0
	}
	for _, ks := range kernelSets() {
		b.Run(ks.name, func(b *testing.B) {
			for b.Loop() {
				best := logits2K(&ks, kc.lg, kc.xs, kc.ys, kc.lw, 0.3, -0.2, 0.5)
				expSum2K(&ks, kc.lg, kc.xs, kc.ys, best)
			}
			b.ReportMetric(float64(len(kc.lg))*float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
		})
	}
}
