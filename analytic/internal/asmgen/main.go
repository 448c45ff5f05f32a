// Command asmgen writes the amd64 assembly of package analytic's softmax
// kernels (kernel_amd64.s) and their Go declarations (kernel_stub_amd64.go)
// with avo. Run it through `go generate ./analytic/`; the committed files
// are its output byte for byte.
//
// Every kernel exists twice, for AVX2 + FMA (4 lanes per register, two
// registers per block) and for AVX-512 (8 lanes per register), and repeats
// the pure-Go kernels of kernel.go operation for operation: the same IEEE
// operations on the same operands in the same order, with the partial sums
// kept in 8 lanes (element i in lane i mod 8). The only fused multiply-add,
// t - k*ln2NHi in the exponential, has an exact product, so it rounds as the
// separate multiply and subtract of the Go code do. Hence the assembly and
// the Go kernels give identical bits. The kernels process whole blocks of 8
// elements; the Go wrappers finish the tail with the Go kernels.
package main

import (
	"fmt"
	"math"

	"github.com/mmcloughlin/avo/gotypes"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The exponential's constants, as in exp.go (the generator cannot import
// the package it generates for; any difference makes the kernels differ
// from the Go ones, which TestKernelsMatchGo and TestKernelExpUlp catch).
const (
	invLn2N    = 0x1.71547652b82fep+8
	ln2NHi     = 0x1.62e42fe000000p-9
	ln2NLo     = 0x1.f473de6af278fp-38
	expShift   = 0x1.8p52
	expFastMin = -708.0
	expBits    = 8
	expN       = 1 << expBits
	expC2      = 1.0 / 2
	expC3      = 1.0 / 6
	expC4      = 1.0 / 24
	cmpGEOQ    = 0x1d // VCMPPD predicate: greater or equal, ordered, quiet (false for NaN)
)

// consts holds the 64-byte (8-lane) memory constants; AVX2 reads the first 32 bytes.
var consts = map[string]Mem{}

func vconst(name string, bits uint64) Mem {
	if m, ok := consts[name]; ok {
		return m
	}
	m := GLOBL(name, RODATA|NOPTR)
	for i := range 8 {
		DATA(8*i, U64(bits))
	}
	consts[name] = m
	return m
}

func f64(name string, v float64) Mem { return vconst(name, math.Float64bits(v)) }

// isa describes one instruction set: lanes per register and register kind.
type isa struct {
	name string
	w    int // float64 lanes per register
	vec  func() VecVirtual
	// regs: how many registers cover the 8 lanes of a block.
	regs int
}

var (
	avx2   = isa{name: "AVX2", w: 4, vec: func() VecVirtual { return YMM() }, regs: 2}
	avx512 = isa{name: "AVX512", w: 8, vec: func() VecVirtual { return ZMM() }, regs: 1}
)

// expConsts are the exponential's constants, loaded into registers for
// AVX-512 (32 registers) and read from memory for AVX2 (16 registers).
type expConsts struct {
	fastMin, invLn2N, shift, hi, lo, mask, c2, c3, c4 Op
	tab                                               Register
}

func loadExpConsts(a isa) expConsts {
	c := expConsts{
		fastMin: f64("expFastMin", expFastMin),
		invLn2N: f64("invLn2N", invLn2N),
		shift:   f64("expShift", expShift),
		hi:      f64("ln2NHi", ln2NHi),
		lo:      f64("ln2NLo", ln2NLo),
		mask:    vconst("expMask", expN-1),
		c2:      f64("expC2", expC2),
		c3:      f64("expC3", expC3),
		c4:      f64("expC4", expC4),
	}
	c.tab = Load(Param("tab"), GP64())
	if a.w == 8 {
		for _, p := range []*Op{&c.fastMin, &c.invLn2N, &c.shift, &c.hi, &c.lo, &c.mask, &c.c2, &c.c3, &c.c4} {
			r := ZMM()
			VMOVUPD(*p, r)
			*p = r
		}
	}
	return c
}

// exp writes e^t into e for the lanes with t >= expFastMin and 0 into the
// others (NaN included), as expCore and expLane in package analytic:
//
//	z  = fma(t, invLn2N, expShift);  kf = z - expShift
//	r  = fma(-kf, ln2NLo, fma(-kf, ln2NHi, t))
//	s  = bits^-1(tab[u & 255] + (u >> 8) << 52),  u = bits(z) - 0x4338000000000000
//	r2 = r*r;  p = fma(r2, fma(r2, C4, fma(r, C3, C2)), r);  e = fma(s, p, s)
//
// The subtraction (its constant is zero in the low 48 bits) changes no bit
// of u that the table index or the exponent reads (bits 0 to 19), so it is left out.
func exp(a isa, c expConsts, t, e VecVirtual) Op {
	z, kf, r, j, s, h, r2, q := a.vec(), a.vec(), a.vec(), a.vec(), a.vec(), a.vec(), a.vec(), a.vec()
	VMOVAPD(c.shift, z)
	VFMADD231PD(c.invLn2N, t, z) // z = t*invLn2N + shift
	if a.w == 8 {
		VPANDQ(c.mask, z, j)
	} else {
		VPAND(c.mask, z, j)
	}
	VPSRLQ(Imm(expBits), z, h)
	VPSLLQ(Imm(52), h, h)
	VSUBPD(c.shift, z, kf)
	VMOVAPD(t, r)
	VFNMADD231PD(c.hi, kf, r) // r -= kf*ln2NHi
	VFNMADD231PD(c.lo, kf, r) // r -= kf*ln2NLo
	if a.w == 8 {
		k := K()
		KXNORB(k, k, k)
		VGATHERQPD(Mem{Base: c.tab, Index: j, Scale: 8}, k, s)
	} else {
		m := a.vec()
		VPCMPEQQ(m, m, m)
		VGATHERQPD(m, Mem{Base: c.tab, Index: j, Scale: 8}, s)
	}
	VPADDQ(h, s, s)
	VMULPD(r, r, r2)
	VMOVAPD(c.c2, q)
	VFMADD231PD(c.c3, r, q)  // q = r*C3 + C2
	VFMADD231PD(c.c4, r2, q) // q = r2*C4 + q
	VFMADD213PD(r, r2, q)    // p = r2*q + r
	if a.w == 8 {
		k := K()
		VCMPPD(Imm(cmpGEOQ), c.fastMin, t, k)
		VFMADD213PD_Z(s, s, k, q) // e = s*p + s, 0 where t < expFastMin
		VMOVAPD(q, e)
		return k
	}
	m := a.vec()
	VCMPPD(Imm(cmpGEOQ), c.fastMin, t, m)
	VFMADD213PD(s, s, q) // e = s*p + s
	VANDPD(m, q, e)
	return m
}

// maskedFMA adds src2*src3 (neg: subtracts it) to acc in the lanes of mask
// only (a k register for AVX-512, a vector of all-ones lanes for AVX2), as
// the Go kernels skip the terms below expFastMin.
func maskedFMA(a isa, mask, src3, src2 Op, acc VecVirtual, neg bool) {
	if a.w == 8 {
		if neg {
			VFNMADD231PD(src3, src2, mask, acc)
		} else {
			VFMADD231PD(src3, src2, mask, acc)
		}
		return
	}
	t := a.vec()
	VMOVAPD(acc, t)
	if neg {
		VFNMADD231PD(src3, src2, t)
	} else {
		VFMADD231PD(src3, src2, t)
	}
	VBLENDVPD(mask, t, acc, acc)
}

// maskedAdd adds v to acc in the lanes of mask only.
func maskedAdd(a isa, mask, v Op, acc VecVirtual) {
	if a.w == 8 {
		VADDPD(v, acc, mask, acc)
		return
	}
	t := a.vec()
	VADDPD(v, acc, t)
	VBLENDVPD(mask, t, acc, acc)
}

// columns loads the base addresses of the first ncol columns of cols
// (stride n elements).
func columns(ncol int) []Register {
	base := Load(Param("cols").Base(), GP64())
	n := Load(Param("n"), GP64())
	SHLQ(Imm(3), n)
	cs := make([]Register, ncol)
	for j := range cs {
		cs[j] = GP64()
		MOVQ(base, cs[j])
		if j < ncol-1 {
			ADDQ(n, base)
		}
	}
	return cs
}

// gauss2Logits: the d = 2 Gaussian logits and z_i = C_i^{-1} (x - sqrt(alpha) m_i).
func gauss2Logits(a isa) {
	TEXT("gauss2Logits"+a.name, NOSPLIT, "func(lg, z0, z1, cols []float64, n int, x0, x1 float64) float64")
	Pragma("noescape")
	Doc(fmt.Sprintf("gauss2Logits%s is gauss2LogitsGo with %s for len(lg) a multiple of 8.", a.name, a.name))
	lg, z0, z1 := Load(Param("lg").Base(), GP64()), Load(Param("z0").Base(), GP64()), Load(Param("z1").Base(), GP64())
	cnt := Load(Param("lg").Len(), GP64())
	c := columns(6) // mu0, mu1, i11, l21, i22, norm
	x0, x1 := bcast(a, Param("x0")), bcast(a, Param("x1"))
	half := f64("half", 0.5)
	best := make([]VecVirtual, a.regs)
	ninf := f64("negInf", math.Inf(-1))
	for r := range best {
		best[r] = a.vec()
		VMOVUPD(ninf, best[r])
	}
	loop("gauss2Logits"+a.name, cnt, func(i Register) {
		for r := range a.regs {
			o := r * a.w
			u1, u2, t, z, q, l := a.vec(), a.vec(), a.vec(), a.vec(), a.vec(), a.vec()
			VSUBPD(at(c[0], i, o), x0, t)
			VMULPD(at(c[2], i, o), t, u1) // u1 = (x0 - mu0) i11
			VSUBPD(at(c[1], i, o), x1, t)
			VFNMADD231PD(at(c[3], i, o), u1, t) // t = (x1 - mu1) - l21 u1
			VMULPD(at(c[4], i, o), t, u2)       // u2 = t i22
			VMULPD(at(c[4], i, o), u2, z)       // z1 = u2 i22
			VMOVUPD(z, at(z1, i, o))
			VMOVAPD(u1, t)
			VFNMADD231PD(at(c[3], i, o), z, t) // t = u1 - l21 z1
			VMULPD(at(c[2], i, o), t, t)       // z0 = t i11
			VMOVUPD(t, at(z0, i, o))
			VMULPD(u1, u1, q)
			VFMADD231PD(u2, u2, q) // q = u2^2 + u1^2
			VMOVUPD(at(c[5], i, o), l)
			VFNMADD231PD(half, q, l) // l = norm - q/2
			VMOVUPD(l, at(lg, i, o))
			VMAXPD(best[r], l, best[r])
		}
	})
	reduceMax(a, best)
}

// gauss2Sum adds, lane by lane, e_i = e^(lg_i - best) and e_i v_i to acc,
// with v_i = m_i + sqrt(alpha) S_i z_i (denoise) or -z_i (score), skipping
// the lanes below expFastMin.
func gauss2Sum(a isa, denoise bool) {
	name := "gauss2Score" + a.name
	sig := "func(acc *[24]float64, lg, z0, z1 []float64, best float64, tab *[256]uint64)"
	if denoise {
		name = "gauss2Denoise" + a.name
		sig = "func(acc *[24]float64, lg, z0, z1, cols []float64, n int, sa, best float64, tab *[256]uint64)"
	}
	TEXT(name, NOSPLIT, sig)
	Pragma("noescape")
	Doc(fmt.Sprintf("%s is %sGo with %s for len(lg) a multiple of 8.", name, name[:len(name)-len(a.name)], a.name))
	acc := Load(Param("acc"), GP64())
	lg, z0, z1 := Load(Param("lg").Base(), GP64()), Load(Param("z0").Base(), GP64()), Load(Param("z1").Base(), GP64())
	cnt := Load(Param("lg").Len(), GP64())
	var c []Register
	var sa VecVirtual
	if denoise {
		c = columns(11)[6:] // m0, m1, s11, s12, s22
		sa = bcast(a, Param("sa"))
	}
	best := bcast(a, Param("best"))
	ec := loadExpConsts(a)
	s := accumulators(a, acc, 3)
	loop(name, cnt, func(i Register) {
		for r := range a.regs {
			o := r * a.w
			t, e := a.vec(), a.vec()
			VMOVUPD(at(lg, i, o), t)
			VSUBPD(best, t, t)
			mask := exp(a, ec, t, e)
			maskedAdd(a, mask, e, s[0][r])
			if !denoise {
				maskedFMA(a, mask, at(z0, i, o), e, s[1][r], true) // s0 -= e z0
				maskedFMA(a, mask, at(z1, i, o), e, s[2][r], true)
				continue
			}
			za, zb := a.vec(), a.vec()
			VMOVUPD(at(z0, i, o), za)
			VMOVUPD(at(z1, i, o), zb)
			for k, cols := range [][3]Register{{c[2], c[3], c[0]}, {c[3], c[4], c[1]}} {
				// v = fma(sa, fma(s_b, z1, s_a*z0), m)
				v, w := a.vec(), a.vec()
				VMULPD(at(cols[0], i, o), za, w)
				VFMADD231PD(at(cols[1], i, o), zb, w)
				VMOVUPD(at(cols[2], i, o), v)
				VFMADD231PD(sa, w, v)
				maskedFMA(a, mask, v, e, s[1+k][r], false)
			}
		}
	})
	storeAccumulators(a, acc, s)
	VZEROUPPER()
	RET()
}

// loop emits a loop over the blocks of 8 elements: body(off) with off the
// byte offset of the block's first element, for n elements (a multiple of 8).
func loop(name string, n Register, body func(i Register)) {
	i := GP64()
	XORQ(i, i)
	Label(name + "loop")
	CMPQ(i, n)
	JAE(LabelRef(name + "done"))
	body(i)
	ADDQ(Imm(8), i)
	JMP(LabelRef(name + "loop"))
	Label(name + "done")
}

func at(base, i Register, lane int) Mem { return Mem{Base: base, Index: i, Scale: 8, Disp: 8 * lane} }

func bcast(a isa, p gotypes.Component) VecVirtual {
	x := Load(p, XMM())
	v := a.vec()
	VBROADCASTSD(x, v)
	return v
}

// logits2 writes l_i = lw_i - c*((px - xs_i)^2 + (py - ys_i)^2) into lg and
// returns the largest l_i (-Inf when there is none; NaN logits are passed over).
func logits2(a isa) {
	TEXT("logits2"+a.name, NOSPLIT, "func(lg, xs, ys, lw []float64, px, py, c float64) float64")
	Pragma("noescape")
	Doc(fmt.Sprintf("logits2%s is logits2Go with %s for len(lg) a multiple of 8 (xs, ys, lw at least as long).", a.name, a.name))
	lg, xs, ys, lw := Load(Param("lg").Base(), GP64()), Load(Param("xs").Base(), GP64()), Load(Param("ys").Base(), GP64()), Load(Param("lw").Base(), GP64())
	n := Load(Param("lg").Len(), GP64())
	px, py, c := bcast(a, Param("px")), bcast(a, Param("py")), bcast(a, Param("c"))
	best := make([]VecVirtual, a.regs)
	ninf := f64("negInf", math.Inf(-1))
	for r := range best {
		best[r] = a.vec()
		VMOVUPD(ninf, best[r])
	}
	loop("logits2"+a.name, n, func(i Register) {
		for r := range a.regs {
			dx, dy, l := a.vec(), a.vec(), a.vec()
			VSUBPD(at(xs, i, r*a.w), px, dx)
			VSUBPD(at(ys, i, r*a.w), py, dy)
			VMULPD(dx, dx, dx)
			VFMADD231PD(dy, dy, dx) // q = dy*dy + dx*dx
			VMOVUPD(at(lw, i, r*a.w), l)
			VFNMADD231PD(c, dx, l) // l = lw - c*q
			VMOVUPD(l, at(lg, i, r*a.w))
			VMAXPD(best[r], l, best[r]) // l > best ? l : best
		}
	})
	reduceMax(a, best)
}

// linear2 writes l_i = lw_i - c*r2_i + a*cx_i + b*cy_i into lg and returns
// the largest l_i.
func linear2(a isa) {
	TEXT("linear2"+a.name, NOSPLIT, "func(lg, cx, cy, r2, lw []float64, a, b, c float64) float64")
	Pragma("noescape")
	Doc(fmt.Sprintf("linear2%s is linear2Go with %s for len(lg) a multiple of 8 (cx, cy, r2, lw at least as long).", a.name, a.name))
	lg, cx, cy, r2, lw := Load(Param("lg").Base(), GP64()), Load(Param("cx").Base(), GP64()), Load(Param("cy").Base(), GP64()), Load(Param("r2").Base(), GP64()), Load(Param("lw").Base(), GP64())
	n := Load(Param("lg").Len(), GP64())
	va, vb, c := bcast(a, Param("a")), bcast(a, Param("b")), bcast(a, Param("c"))
	best := make([]VecVirtual, a.regs)
	ninf := f64("negInf", math.Inf(-1))
	for r := range best {
		best[r] = a.vec()
		VMOVUPD(ninf, best[r])
	}
	loop("linear2"+a.name, n, func(i Register) {
		for r := range a.regs {
			l, q := a.vec(), a.vec()
			VMOVUPD(at(lw, i, r*a.w), l)
			VMOVUPD(at(r2, i, r*a.w), q)
			VFNMADD231PD(c, q, l)                // l = lw - c*r2
			VFMADD231PD(at(cx, i, r*a.w), va, l) // l += a*cx
			VFMADD231PD(at(cy, i, r*a.w), vb, l) // l += b*cy
			VMOVUPD(l, at(lg, i, r*a.w))
			VMAXPD(best[r], l, best[r])
		}
	})
	reduceMax(a, best)
}

// reduceMax stores the largest lane of best (no NaN there) as the result.
func reduceMax(a isa, best []VecVirtual) {
	var y VecVirtual
	if a.w == 8 {
		y = YMM()
		VEXTRACTF64X4(Imm(1), best[0], y)
		VMAXPD(y, best[0].AsY(), y)
	} else {
		y = best[0]
		VMAXPD(best[1], y, y)
	}
	x := XMM()
	VEXTRACTF128(Imm(1), y, x)
	VMAXPD(x, y.AsX(), x)
	x2 := XMM()
	VPERMILPD(Imm(1), x, x2)
	VMAXPD(x2, x, x)
	Store(x, ReturnIndex(0))
	VZEROUPPER()
	RET()
}

// accumulators loads nacc groups of 8 lanes from acc.
func accumulators(a isa, acc Register, groups int) [][]VecVirtual {
	s := make([][]VecVirtual, groups)
	for g := range s {
		for r := range a.regs {
			v := a.vec()
			VMOVUPD(Mem{Base: acc, Disp: 64*g + 8*a.w*r}, v)
			s[g] = append(s[g], v)
		}
	}
	return s
}

func storeAccumulators(a isa, acc Register, s [][]VecVirtual) {
	for g := range s {
		for r, v := range s[g] {
			VMOVUPD(v, Mem{Base: acc, Disp: 64*g + 8*a.w*r})
		}
	}
}

// expSum2 adds, lane by lane, e_i = e^(lg_i - best), e_i*xs_i and e_i*ys_i
// to the three 8-lane groups of acc.
func expSum2(a isa) {
	TEXT("expSum2"+a.name, NOSPLIT, "func(acc *[24]float64, lg, xs, ys []float64, best float64, tab *[256]uint64)")
	Pragma("noescape")
	Doc(fmt.Sprintf("expSum2%s is expSum2Go with %s for len(lg) a multiple of 8 (xs, ys at least as long).", a.name, a.name))
	acc := Load(Param("acc"), GP64())
	lg, xs, ys := Load(Param("lg").Base(), GP64()), Load(Param("xs").Base(), GP64()), Load(Param("ys").Base(), GP64())
	n := Load(Param("lg").Len(), GP64())
	best := bcast(a, Param("best"))
	c := loadExpConsts(a)
	s := accumulators(a, acc, 3)
	loop("expSum2"+a.name, n, func(i Register) {
		for r := range a.regs {
			t, e := a.vec(), a.vec()
			VMOVUPD(at(lg, i, r*a.w), t)
			VSUBPD(best, t, t)
			exp(a, c, t, e)
			VADDPD(e, s[0][r], s[0][r])
			VFMADD231PD(at(xs, i, r*a.w), e, s[1][r]) // sx += e*xs
			VFMADD231PD(at(ys, i, r*a.w), e, s[2][r]) // sy += e*ys
		}
	})
	storeAccumulators(a, acc, s)
	VZEROUPPER()
	RET()
}

// expSum replaces lg_i by e_i = e^(lg_i - best) and adds e_i, lane by lane, to acc.
func expSum(a isa) {
	TEXT("expSum"+a.name, NOSPLIT, "func(acc *[8]float64, lg []float64, best float64, tab *[256]uint64)")
	Pragma("noescape")
	Doc(fmt.Sprintf("expSum%s is expSumGo with %s for len(lg) a multiple of 8.", a.name, a.name))
	acc := Load(Param("acc"), GP64())
	lg := Load(Param("lg").Base(), GP64())
	n := Load(Param("lg").Len(), GP64())
	best := bcast(a, Param("best"))
	c := loadExpConsts(a)
	s := accumulators(a, acc, 1)
	loop("expSum"+a.name, n, func(i Register) {
		for r := range a.regs {
			t, e := a.vec(), a.vec()
			VMOVUPD(at(lg, i, r*a.w), t)
			VSUBPD(best, t, t)
			exp(a, c, t, e)
			VMOVUPD(e, at(lg, i, r*a.w))
			VADDPD(e, s[0][r], s[0][r])
		}
	})
	storeAccumulators(a, acc, s)
	VZEROUPPER()
	RET()
}

func main() {
	ConstraintExpr("amd64,!purego")
	for _, a := range []isa{avx2, avx512} {
		logits2(a)
		linear2(a)
		gauss2Logits(a)
		gauss2Sum(a, true)
		gauss2Sum(a, false)
		expSum2(a)
		expSum(a)
	}
	Generate()
}
