package analytic

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// ulpDiff returns |a - b| in units of the last place of b.
func ulpDiff(a, b float64) float64 {
	if a == b {
		return 0
	}
	return math.Abs(a-b) / (math.Nextafter(math.Abs(b), math.Inf(1)) - math.Abs(b))
}

// TestFastExpTable checks the table against an independent construction:
// 2^(j/N) = exp(j ln2 / N) by math.Exp, to within math.Exp's own error (< 1 ulp).
func TestFastExpTable(t *testing.T) {
	for j, b := range expTab {
		got := math.Float64frombits(b)
		want := math.Exp(float64(j) * math.Ln2 / expN)
		if d := ulpDiff(got, want); d > 1 {
			t.Errorf("expTab[%d] = %v, math.Exp gives %v (%.2f ulp)", j, got, want, d)
		}
	}
}

// TestFastExpConstants checks the Cody-Waite split of ln2/N against a
// 200-bit value of ln 2 (a series independent of the constants' source).
func TestFastExpConstants(t *testing.T) {
	// ln 2 = sum_{k>=1} 1/(k 2^k).
	ln2 := new(big.Float).SetPrec(200)
	for k := 1; k < 200; k++ {
		term := new(big.Float).SetPrec(200).SetInt64(1)
		term.SetMantExp(term, -k)
		term.Quo(term, new(big.Float).SetPrec(200).SetInt64(int64(k)))
		ln2.Add(ln2, term)
	}
	want := new(big.Float).SetPrec(200).Quo(ln2, big.NewFloat(expN))
	got := new(big.Float).SetPrec(200).Add(big.NewFloat(ln2NHi), big.NewFloat(ln2NLo))
	diff := new(big.Float).Sub(got, want)
	rel, _ := new(big.Float).Quo(diff, want).Float64()
	// The pair carries 29 + 53 = 82 bits: relative error below 2^-80.
	if math.Abs(rel) > 0x1p-80 {
		t.Errorf("ln2NHi + ln2NLo differs from ln2/N by %g relative", rel)
	}
	if m := math.Float64bits(ln2NHi) & (1<<24 - 1); m != 0 {
		t.Errorf("ln2NHi has low mantissa bits %x, want 0 (k*ln2NHi must be exact)", m)
	}
	if math.Float64bits(expShift) != expShiftBits {
		t.Errorf("expShiftBits = %#x, want the bits of expShift %#x", uint64(expShiftBits), math.Float64bits(expShift))
	}
	if inv := float64(expN) / math.Ln2; invLn2N != inv {
		t.Errorf("invLn2N = %v, want %v", invLn2N, inv)
	}
}

// TestFastExpAccuracy measures fastExp against math.Exp (error < 1 ulp) on
// random arguments over the whole range and on the edges. fastExp is
// documented to 2 ulp; both errors together stay below 3 ulp of math.Exp.
func TestFastExpAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	worst, at := 0.0, 0.0
	check := func(x float64) {
		got, want := fastExp(x), math.Exp(x)
		if math.IsNaN(want) {
			if !math.IsNaN(got) {
				t.Errorf("fastExp(%v) = %v, want NaN", x, got)
			}
			return
		}
		d := ulpDiff(got, want)
		if want == 0 || math.IsInf(want, 0) {
			if got != want {
				t.Errorf("fastExp(%v) = %v, want %v", x, got, want)
			}
			return
		}
		if d > worst {
			worst, at = d, x
		}
	}
	for range 400000 {
		check(-750 + 1460*rng.Float64()) // the whole range
		check(-1 + 2*rng.Float64())      // near 0, where relative accuracy shows most
		check(-40 * rng.Float64())       // softmax exponents
	}
	for _, x := range []float64{0, -0.0, 1, -1, 1e-300, -1e-300, math.Ln2, -math.Ln2,
		expFastMin, expFastMax, math.Nextafter(expFastMin, 0), -708.39, -708.4, -745,
		expUnderflow, -746, 709.78, 710, math.Inf(1), math.Inf(-1), math.NaN()} {
		check(x)
	}
	t.Logf("largest difference from math.Exp: %.3f ulp at x = %v", worst, at)
	if worst > 3 {
		t.Errorf("fastExp is %.3f ulp from math.Exp at x = %v, want <= 3", worst, at)
	}
}

func BenchmarkFastExp(b *testing.B) {
	xs := make([]float64, 1024)
	for i := range xs {
		xs[i] = -30 * float64(i) / 1024
	}
	s := 0.0
	for i := 0; i < b.N; i++ {
		s += fastExp(xs[i&1023])
	}
	_ = s
}

func BenchmarkMathExp(b *testing.B) {
	xs := make([]float64, 1024)
	for i := range xs {
		xs[i] = -30 * float64(i) / 1024
	}
	s := 0.0
	for i := 0; i < b.N; i++ {
		s += math.Exp(xs[i&1023])
	}
	_ = s
}
