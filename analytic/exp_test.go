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
	ln2 := bigLn2()
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

// bigExp returns e^x at 200 bits: the Taylor series of e^(x/2^10), squared
// ten times (|x/2^10| < 1, so the series converges fast and the squarings
// lose about 10 bits).
func bigExp(x *big.Float) *big.Float {
	const prec = 200
	y := new(big.Float).SetPrec(prec).SetMantExp(x, -10)
	sum := new(big.Float).SetPrec(prec).SetInt64(1)
	term := new(big.Float).SetPrec(prec).SetInt64(1)
	for k := int64(1); k < 80; k++ {
		term.Mul(term, y)
		term.Quo(term, new(big.Float).SetPrec(prec).SetInt64(k))
		sum.Add(sum, term)
	}
	for range 10 {
		sum.Mul(sum, sum)
	}
	return sum
}

// bigLn2 returns ln 2 = sum_{k>=1} 1/(k 2^k) at 200 bits.
func bigLn2() *big.Float {
	ln2 := new(big.Float).SetPrec(200)
	for k := 1; k < 200; k++ {
		term := new(big.Float).SetPrec(200).SetInt64(1)
		term.SetMantExp(term, -k)
		term.Quo(term, new(big.Float).SetPrec(200).SetInt64(int64(k)))
		ln2.Add(ln2, term)
	}
	return ln2
}

// TestFastExpTableCorrectlyRounded checks that every table entry is 2^(j/N)
// correctly rounded, computed independently of the table's construction
// (square roots of 2^j) as exp(j ln2 / N) with a series at 200 bits. The
// error of that value (about 2^-185 relative) is far below the distance of
// any float64 rounding boundary that could matter, so the rounded bits must
// be equal: a table off by one ulp (within TestFastExpTable's bound) fails here.
func TestFastExpTableCorrectlyRounded(t *testing.T) {
	ln2 := bigLn2()
	for j, b := range expTab {
		arg := new(big.Float).SetPrec(200).Mul(ln2, new(big.Float).SetPrec(200).SetInt64(int64(j)))
		arg.Quo(arg, new(big.Float).SetPrec(200).SetInt64(expN))
		want, _ := bigExp(arg).Float64() // rounds to nearest even
		if got := math.Float64frombits(b); got != want {
			t.Errorf("expTab[%d] = %v (%#x), correctly rounded 2^(%d/%d) is %v (%#x)", j, got, b, j, expN, want, math.Float64bits(want))
		}
	}
}

// TestExpLaneEqualsFastExp: expLane, the exponential of the softmax
// kernels, is fastExp bit for bit from expFastMin to 0 and exactly 0 below
// (and for NaN).
func TestExpLaneEqualsFastExp(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	check := func(x float64) {
		want := fastExp(x)
		if !(x >= expFastMin) {
			want = 0
		}
		if got := expLane(x); math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("expLane(%v) = %v, want %v", x, got, want)
		}
	}
	for range 200000 {
		check(-750 * rng.Float64())
		check(-1e-3 * rng.Float64())
	}
	for _, x := range []float64{0, -0.0, -1e-300, expFastMin, math.Nextafter(expFastMin, 0), math.Nextafter(expFastMin, -1000),
		-708.39, -745, expUnderflow, -746, math.Inf(-1), math.NaN()} {
		check(x)
	}
}

// TestMean2InlineExp checks the exponential of deltaSet.mean2 (the vector
// kernels) bit for bit against expLane, which is fastExp above expFastMin
// and 0 below. With two points (0, 0) and (1, 0), uniform weights, c = 200
// and a query (px, 0), -3/2 <= px < 1/2 (near the data: |px - 1/2| <=
// farRatio * 1/2), the first point has the largest logit, the second the
// logit difference t = -c((px-1)^2 - px^2) in [-800, 0), and mean2 returns
// (e/(1+e), 0) with e = exp(t): every step is one rounded operation (the
// other lanes of the sums add exact zeros), so the same expression with
// expLane must give the same bits. e/(1+e) keeps the relative size of a
// change of e, so one ulp of e shows.
func TestMean2InlineExp(t *testing.T) {
	m, err := NewDelta(2, []float64{0, 0, 1, 0}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := &m.all
	lg, xq, g := make([]float64, 2), make([]float64, 2), make([]float64, 2)
	rng := rand.New(rand.NewPCG(5, 6))
	const c = 200
	for range 100000 {
		px := 0.5 - 2*rng.Float64()
		l0 := -(c * (px * px))
		l1 := -(c * ((px - 1) * (px - 1)))
		e := expLane(l1 - l0)
		if l1-l0 >= expFastMin && e != fastExp(l1-l0) {
			t.Fatalf("expLane(%v) = %v, fastExp gives %v", l1-l0, e, fastExp(l1-l0))
		}
		want := e / (1 + e)
		// sqrt(alpha) = 1 makes x = xq; only c enters the near-field logits.
		if gx, gy := s.mean2(lg, []float64{px, 0}, xq, g, 1, 1, c); gx != want || gy != 0 {
			t.Errorf("mean2 at px = %v (t = %v): (%v, %v), want (%v, 0)", px, l1-l0, gx, gy, want)
			return
		}
	}
}

// TestFastExpUlp checks the documented bound, 2 ulp from the exact e^x,
// against the 200-bit series (bigExp) on random arguments over the fast
// path's range, the softmax's range [-40, 0] weighted most.
func TestFastExpUlp(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	worst, at := 0.0, 0.0
	for i := range 3000 {
		x := -40 * rng.Float64()
		if i%3 == 0 {
			x = expFastMin + (expFastMax-expFastMin)*rng.Float64()
		}
		want, _ := bigExp(new(big.Float).SetPrec(200).SetFloat64(x)).Float64()
		if d := ulpDiff(fastExp(x), want); d > worst {
			worst, at = d, x
		}
	}
	t.Logf("largest error: %.3f ulp at x = %v", worst, at)
	if worst > 2 {
		t.Errorf("fastExp is %.3f ulp from e^x at x = %v, documented <= 2", worst, at)
	}
}
