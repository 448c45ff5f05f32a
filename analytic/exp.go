package analytic

import (
	"math"
	"math/big"
)

// A fast exponential for the softmax loops.
//
// exp(x) = 2^(k/N) * exp(r) with N = 256, k = round(x N / ln 2) and
// r = x - k ln2/N, so |r| <= ln2/(2N) ~ 1.354e-3 (k from a fused
// multiply-add, the exact x N/ln2 rounded once). 2^(k/N) = 2^floor(k/N) *
// 2^(j/N), j = k mod N, comes from a table of the N values 2^(j/N) (correctly
// rounded, computed at start-up with math/big) and an integer add to the
// exponent field; exp(r) - 1 is its Taylor polynomial of degree 4, whose
// truncation error r^5/120 < 3.8e-17 is a sixth of an ulp of 1. k ln2/N is
// subtracted in two parts (Cody and Waite): ln2NHi has 29 significant bits,
// so k * ln2NHi is exact for |k| < 2^24. The error against the exact value
// is below 2 ulp (exp_test.go measures it against math.Exp).

const (
	expBits  = 8
	expN     = 1 << expBits
	invLn2N  = 0x1.71547652b82fep+8  // N / ln 2
	ln2NHi   = 0x1.62e42fe000000p-9  // ln 2 / N, leading 29 bits
	ln2NLo   = 0x1.f473de6af278fp-38 // ln 2 / N - ln2NHi
	expShift = 0x1.8p52              // adding it rounds to an integer held in the low mantissa bits

	// The fast path needs a normal result: exp(x) >= 2^-1022 for x >= -708.39.
	expFastMin = -708.0
	expFastMax = 709.0
	// math.Exp(x) == 0 for every x < expUnderflow (the threshold math.Exp
	// itself uses), so a term below it can be skipped without changing a bit.
	expUnderflow = -7.45133219101941108420e+02
	// Polynomial coefficients 1/2!, 1/3!, 1/4!.
	expC2 = 1.0 / 2
	expC3 = 1.0 / 6
	expC4 = 1.0 / 24
)

// expTab[j] holds the bits of 2^(j/N), j = 0..N-1.
var expTab = func() (t [expN]uint64) {
	// 2^(j/N) = sqrt applied expBits times to 2^j, at 128 bits of precision;
	// the final rounding to float64 is then correct (the error before it is
	// about 2^-120 relative).
	for j := range t {
		v := new(big.Float).SetPrec(128).SetInt64(1)
		v.SetMantExp(v, j) // keeps v's 128-bit precision
		for range expBits {
			v.Sqrt(v)
		}
		f, _ := v.Float64()
		t[j] = math.Float64bits(f)
	}
	return t
}()

// expShiftBits is the bit pattern of expShift; Float64bits(x + expShift)
// minus it is round(x) modulo 2^64 for |x| < 2^51.
const expShiftBits = 0x4338000000000000

// fastExp returns e^x to within 2 ulp for every float64 x (math.Exp handles
// the arguments outside [expFastMin, expFastMax], NaN and infinities).
// It is the reference of the softmax kernels and what the accuracy tests
// measure.
func fastExp(x float64) float64 {
	if !(x >= expFastMin && x <= expFastMax) {
		return math.Exp(x)
	}
	return expCore(x)
}

// expCore is the fast path for x in [expFastMin, expFastMax], written
// with fused multiply-adds (fma: one rounding each on every processor but
// WebAssembly, see fma_wasm.go), so that the assembly kernels can repeat it
// bit for bit and no compiler choice of fusing changes it. Under
// WebAssembly the first step of the reduction stays exact (k ln2NHi is
// exact and x - k ln2NHi is exact by Sterbenz's lemma); the other steps
// round twice, a fraction of an ulp more.
func expCore(x float64) float64 {
	z := fma(x, invLn2N, expShift)
	u := math.Float64bits(z) - expShiftBits // k mod 2^64
	kf := z - expShift                      // k as a float64, exactly
	r := fma(-kf, ln2NLo, fma(-kf, ln2NHi, x))
	s := math.Float64frombits(expTab[u&(expN-1)] + (u>>expBits)<<52)
	r2 := r * r
	p := fma(r2, fma(r2, expC4, fma(r, expC3, expC2)), r)
	return fma(s, p, s)
}
