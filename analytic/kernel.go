package analytic

import "math"

//go:generate go run ./internal/asmgen -out kernel_amd64.s -stubs kernel_stub_amd64.go

// The vector kernels of the softmax loops, in pure Go (here) and in amd64
// assembly (kernel_amd64.s, AVX2 + FMA or AVX-512, chosen at start-up from
// the processor's features; kernel_amd64.go). The assembly repeats the Go
// kernels operation for operation, so both give the same bits:
//
//   - every operation is one IEEE operation written out in the Go code,
//     fused multiply-adds as fma (math.FMA: one rounding, on every processor
//     but WebAssembly, which has none; see fma_wasm.go),
//     other products with explicit float64 conversions, which keep the
//     compiler from fusing them (the Go specification allows that, and
//     GOAMD64=v3 does it);
//   - partial sums are kept in lanes = 8 lanes, element i adding into lane
//     i mod 8, and the lanes are added in a fixed tree (sum8);
//   - maxima do not depend on the order.
//
// Under the purego build tag, and on other processors and architectures,
// only the Go kernels exist.

// lanes is the number of partial sums of every kernel: the width of an
// AVX-512 register, two AVX2 registers.
const lanes = 8

// kernelSet names one implementation of the block kernels (methods
// logits2, linear2, expSum2, expSum and the Gaussian gauss2Logits,
// gauss2Denoise and gauss2Score, in kernel_amd64.go and kernel_other.go).
// Each processes the whole of lg, whose length is a multiple of lanes for
// the assembly; the wrappers below pass the tail to the Go kernels. The
// dispatch is a switch of direct calls, not function values, so that the
// accumulators stay on the stack.
type kernelSet struct {
	name string
	id   int
}

// The kernel sets.
const (
	idGo = iota
	idAVX2
	idAVX512
)

// goKernels are the pure-Go kernels, the reference of the others.
var goKernels = kernelSet{name: "go", id: idGo}

// kern is the kernel set in use (see Kernels).
var kern = bestKernels()

// Kernels names the implementation of the softmax kernels in use: "avx512",
// "avx2" or "go".
func Kernels() string { return kern.name }

// logits2Go writes l_i = lw_i - c ((px - xs_i)^2 + (py - ys_i)^2) (two
// fused multiply-adds) into lg
// and returns the largest l_i (-Inf for none; a NaN l_i is passed over).
func logits2Go(lg, xs, ys, lw []float64, px, py, c float64) float64 {
	xs, ys, lw = xs[:len(lg)], ys[:len(lg)], lw[:len(lg)]
	best := math.Inf(-1)
	for i := range lg {
		dx, dy := px-xs[i], py-ys[i]
		l := fma(-c, fma(dy, dy, float64(dx*dx)), lw[i])
		lg[i] = l
		if l > best {
			best = l
		}
	}
	return best
}

// linear2Go writes l_i = lw_i - c r2_i + a cx_i + b cy_i (three fused
// multiply-adds in that order) into lg and returns the largest l_i: the
// far-field logits (far.go).
func linear2Go(lg, cx, cy, r2, lw []float64, a, b, c float64) float64 {
	cx, cy, r2, lw = cx[:len(lg)], cy[:len(lg)], r2[:len(lg)], lw[:len(lg)]
	best := math.Inf(-1)
	for i := range lg {
		l := fma(b, cy[i], fma(a, cx[i], fma(-c, r2[i], lw[i])))
		lg[i] = l
		if l > best {
			best = l
		}
	}
	return best
}

// The columns of a d = 2 Gaussian set (gauss2Cols), each n long.
const (
	g2Mu0  = iota // sqrt(alpha) m_i, first coordinate
	g2Mu1         // and second
	g2I11         // 1 / l11 of the Cholesky factor L = [l11 0; l21 l22] of C_i
	g2L21         // l21
	g2I22         // 1 / l22
	g2Norm        // log w_i - (1/2) log det C_i - log(2 pi)
	g2M0          // m_i, first coordinate
	g2M1          // and second
	g2S11         // the entries of S_i
	g2S12
	g2S22
	g2Cols
)

// gauss2LogitsGo writes, for the d = 2 Gaussians of cols (column stride
// n), u = L^{-1} (x - sqrt(alpha) m_i), z_i = L^{-T} u into z0, z1 and
// l_i = norm_i - |u|^2/2 into lg, and returns the largest l_i:
//
//	u1 = (x0 - mu0) i11,  u2 = fma(-l21, u1, x1 - mu1) i22,
//	z1 = u2 i22,  z0 = fma(-l21, z1, u1) i11,  l = fma(-1/2, fma(u2, u2, u1 u1), norm).
func gauss2LogitsGo(lg, z0, z1, cols []float64, n int, x0, x1 float64) float64 {
	k := len(lg)
	z0, z1 = z0[:k], z1[:k]
	mu0, mu1, i11, l21 := cols[g2Mu0*n:][:k], cols[g2Mu1*n:][:k], cols[g2I11*n:][:k], cols[g2L21*n:][:k]
	i22, nrm := cols[g2I22*n:][:k], cols[g2Norm*n:][:k]
	best := math.Inf(-1)
	for i := range lg {
		u1 := (x0 - mu0[i]) * i11[i]
		u2 := fma(-l21[i], u1, x1-mu1[i]) * i22[i]
		zb := u2 * i22[i]
		z0[i] = fma(-l21[i], zb, u1) * i11[i]
		z1[i] = zb
		l := fma(-0.5, fma(u2, u2, float64(u1*u1)), nrm[i])
		lg[i] = l
		if l > best {
			best = l
		}
	}
	return best
}

// gauss2DenoiseGo adds, into lane i mod 8, e_i = e^(lg_i - best) to
// acc[0:8] and e_i v_i to acc[8:16], acc[16:24], with
// v_i = m_i + sqrt(alpha) S_i z_i written as
// (fma(sa, fma(s12, z1, s11 z0), m0), fma(sa, fma(s22, z1, s12 z0), m1)).
// Terms below e^-708 are skipped (z_i may be infinite there).
func gauss2DenoiseGo(acc *[3 * lanes]float64, lg, z0, z1, cols []float64, n int, sa, best float64, _ *[expN]uint64) {
	k := len(lg)
	z0, z1 = z0[:k], z1[:k]
	m0, m1, s11, s12, s22 := cols[g2M0*n:][:k], cols[g2M1*n:][:k], cols[g2S11*n:][:k], cols[g2S12*n:][:k], cols[g2S22*n:][:k]
	for i, l := range lg {
		t := l - best
		if !(t >= expFastMin) {
			continue
		}
		e := expCore(t)
		j := i % lanes
		v0 := fma(sa, fma(s12[i], z1[i], float64(s11[i]*z0[i])), m0[i])
		v1 := fma(sa, fma(s22[i], z1[i], float64(s12[i]*z0[i])), m1[i])
		acc[j] += e
		acc[lanes+j] = fma(e, v0, acc[lanes+j])
		acc[2*lanes+j] = fma(e, v1, acc[2*lanes+j])
	}
}

// gauss2ScoreGo is gauss2DenoiseGo with v_i = -z_i.
func gauss2ScoreGo(acc *[3 * lanes]float64, lg, z0, z1 []float64, best float64, _ *[expN]uint64) {
	k := len(lg)
	z0, z1 = z0[:k], z1[:k]
	for i, l := range lg {
		t := l - best
		if !(t >= expFastMin) {
			continue
		}
		e := expCore(t)
		j := i % lanes
		acc[j] += e
		acc[lanes+j] = fma(-e, z0[i], acc[lanes+j])
		acc[2*lanes+j] = fma(-e, z1[i], acc[2*lanes+j])
	}
}

// expLane returns e^t for t >= expFastMin, as fastExp does, and 0 below
// (and for NaN). Dropping e^t < e^-708 < 2^-1021 next to the largest term,
// which is exactly 1, changes a sum of K terms by less than K 2^-1021.
func expLane(t float64) float64 {
	if !(t >= expFastMin) {
		return 0
	}
	return expCore(t)
}

// expSum2Go adds e_i = e^(lg_i - best), e_i xs_i and e_i ys_i into lane
// i mod 8 of acc[0:8], acc[8:16] and acc[16:24].
func expSum2Go(acc *[3 * lanes]float64, lg, xs, ys []float64, best float64, _ *[expN]uint64) {
	xs, ys = xs[:len(lg)], ys[:len(lg)]
	for i, l := range lg {
		e := expLane(l - best)
		j := i % lanes
		acc[j] += e
		acc[lanes+j] = fma(e, xs[i], acc[lanes+j])
		acc[2*lanes+j] = fma(e, ys[i], acc[2*lanes+j])
	}
}

// expSumGo replaces lg_i by e_i = e^(lg_i - best) and adds e_i into lane
// i mod 8 of acc.
func expSumGo(acc *[lanes]float64, lg []float64, best float64, _ *[expN]uint64) {
	for i, l := range lg {
		e := expLane(l - best)
		lg[i] = e
		acc[i%lanes] += e
	}
}

// sum8 adds the 8 lanes in the fixed order ((a0+a4)+(a2+a6)) + ((a1+a5)+(a3+a7)),
// the order in which a vector register is folded in halves.
func sum8(a []float64) float64 {
	a = a[:lanes]
	return ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7]))
}

// split returns the length of the whole blocks of n elements.
func split(n int) int { return n &^ (lanes - 1) }

// logits2K is logits2Go through the kernel set k.
func logits2K(k *kernelSet, lg, xs, ys, lw []float64, px, py, c float64) float64 {
	n := len(lg)
	xs, ys, lw = xs[:n], ys[:n], lw[:n]
	m := split(n)
	best := math.Inf(-1)
	if m > 0 {
		best = k.logits2(lg[:m], xs[:m], ys[:m], lw[:m], px, py, c)
	}
	if m < n {
		if b := logits2Go(lg[m:], xs[m:], ys[m:], lw[m:], px, py, c); b > best {
			best = b
		}
	}
	return best
}

// linear2K is linear2Go through the kernel set k.
func linear2K(k *kernelSet, lg, cx, cy, r2, lw []float64, a, b, c float64) float64 {
	n := len(lg)
	cx, cy, r2, lw = cx[:n], cy[:n], r2[:n], lw[:n]
	m := split(n)
	best := math.Inf(-1)
	if m > 0 {
		best = k.linear2(lg[:m], cx[:m], cy[:m], r2[:m], lw[:m], a, b, c)
	}
	if m < n {
		if t := linear2Go(lg[m:], cx[m:], cy[m:], r2[m:], lw[m:], a, b, c); t > best {
			best = t
		}
	}
	return best
}

// gauss2LogitsK is gauss2LogitsGo through the kernel set k.
func gauss2LogitsK(k *kernelSet, lg, z0, z1, cols []float64, x0, x1 float64) float64 {
	n := len(lg)
	z0, z1, cols = z0[:n], z1[:n], cols[:g2Cols*n]
	m := split(n)
	best := math.Inf(-1)
	if m > 0 {
		best = k.gauss2Logits(lg[:m], z0[:m], z1[:m], cols, n, x0, x1)
	}
	if m < n {
		if t := gauss2LogitsGo(lg[m:], z0[m:], z1[m:], cols[m:], n, x0, x1); t > best {
			best = t
		}
	}
	return best
}

// gauss2SumK returns sum_i e_i, sum_i e_i v_i (two coordinates) with
// e_i = e^(lg_i - best) and v_i as in gauss2DenoiseGo (denoise) or -z_i,
// through the kernel set k.
func gauss2SumK(k *kernelSet, denoise bool, lg, z0, z1, cols []float64, sa, best float64) (sum, s0, s1 float64) {
	n := len(lg)
	z0, z1, cols = z0[:n], z1[:n], cols[:g2Cols*n]
	m := split(n)
	var acc [3 * lanes]float64
	if denoise {
		if m > 0 {
			k.gauss2Denoise(&acc, lg[:m], z0[:m], z1[:m], cols, n, sa, best, &expTab)
		}
		if m < n {
			gauss2DenoiseGo(&acc, lg[m:], z0[m:], z1[m:], cols[m:], n, sa, best, &expTab)
		}
	} else {
		if m > 0 {
			k.gauss2Score(&acc, lg[:m], z0[:m], z1[:m], best, &expTab)
		}
		if m < n {
			gauss2ScoreGo(&acc, lg[m:], z0[m:], z1[m:], best, &expTab)
		}
	}
	return sum8(acc[:lanes]), sum8(acc[lanes : 2*lanes]), sum8(acc[2*lanes:])
}

// expSum2K returns sum_i e_i, sum_i e_i xs_i and sum_i e_i ys_i with
// e_i = e^(lg_i - best) (0 below e^-708), through the kernel set k.
func expSum2K(k *kernelSet, lg, xs, ys []float64, best float64) (sum, sx, sy float64) {
	n := len(lg)
	xs, ys = xs[:n], ys[:n]
	m := split(n)
	var acc [3 * lanes]float64
	if m > 0 {
		k.expSum2(&acc, lg[:m], xs[:m], ys[:m], best, &expTab)
	}
	if m < n {
		expSum2Go(&acc, lg[m:], xs[m:], ys[m:], best, &expTab)
	}
	return sum8(acc[:lanes]), sum8(acc[lanes : 2*lanes]), sum8(acc[2*lanes:])
}

// expSumK replaces lg_i by e^(lg_i - best) (0 below e^-708) and returns
// their sum, through the kernel set k.
func expSumK(k *kernelSet, lg []float64, best float64) float64 {
	n := len(lg)
	m := split(n)
	var acc [lanes]float64
	if m > 0 {
		k.expSum(&acc, lg[:m], best, &expTab)
	}
	if m < n {
		expSumGo(&acc, lg[m:], best, &expTab)
	}
	return sum8(acc[:])
}
