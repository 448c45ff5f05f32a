package toy_test

import (
	"encoding/binary"
	"math"
	"testing"

	"difftoy/toy"
	"difftoy/toy/sample"
)

// FuzzFromBetas feeds FromBetas arbitrary betas (8 bytes each, little
// endian, so NaN, Inf, 0, 1, subnormals and values rounding alpha to 1 or
// to 0 are all reachable). It must not panic; a schedule it accepts must
// have every level usable: alpha_t in [2^-1022, 1) strictly decreasing,
// sigma_t finite and strictly increasing, reverse coefficients that do not
// panic, and StepForAlpha mapping each alpha_t back to t.
func FuzzFromBetas(f *testing.F) {
	for _, betas := range [][]float64{
		{0.5},
		{1e-4, 0.02},
		{1e-17, 0.5},
		{1e-16, 0.5},
		repeat(103, 0.999),
		repeat(102, 0.999),
		repeat(10, 1e-7),
		{0, 0.5},
		{1, 0.5},
		{math.NaN()},
		{0.5, 5e-324},
		{0.999, 0.999, 1e-300},
	} {
		b := make([]byte, 0, 8*len(betas))
		for _, v := range betas {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		betas := make([]float64, len(b)/8)
		for i := range betas {
			betas[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
		}
		s, err := toy.FromBetas("fuzz", betas)
		if err != nil {
			return
		}
		T := s.T()
		if T != len(betas) {
			t.Fatalf("T = %d for %d betas", T, len(betas))
		}
		for k := 1; k <= T; k++ {
			a, prev := s.Alpha(k), s.Alpha(k-1)
			if !(a >= 0x1p-1022 && a < prev) {
				t.Fatalf("alpha_%d = %v after alpha_%d = %v", k, a, k-1, prev)
			}
			sg := s.Sigma(k)
			if !(sg > s.Sigma(k-1)) || math.IsInf(sg, 0) {
				t.Fatalf("sigma_%d = %v after sigma_%d = %v", k, sg, k-1, s.Sigma(k-1))
			}
			toy.Coefficients(a, prev, toy.PosteriorVariance)
			toy.Coefficients(a, 1, toy.BetaVariance)
			st, err := s.StepForAlpha(a)
			if err != nil {
				t.Fatalf("StepForAlpha(alpha_%d = %v): %v", k, a, err)
			}
			// The step is only as well defined as the level: near alpha = 1
			// the rounding of alpha moves log sigma by u / (1 - alpha), so
			// the check is on the level it maps back to, AlphaAt(st) = alpha,
			// up to the rounding of log sigma (u |log sigma| with u = 2^-53,
			// amplified by at most 2 when turned into alpha) with a factor 16
			// for the few operations on each side, plus the rounding of the
			// step itself (half an ulp of st, at most u T) times the slope
			// |d log alpha / dt| on either side of step k: |log alpha_1| on
			// [0, 1], at most 2 |log sigma_j - log sigma_{j-1}| on [j-1, j].
			if !(st >= 0 && st <= float64(T)) {
				t.Fatalf("StepForAlpha(alpha_%d = %v) = %v, outside [0, %d]", k, a, st, T)
			}
			slope := 0.0
			for j := k; j <= min(k+1, T); j++ {
				if j == 1 {
					slope = math.Max(slope, -math.Log(s.Alpha(1)))
				} else {
					slope = math.Max(slope, 2*math.Abs(math.Log(s.Sigma(j))-math.Log(s.Sigma(j-1))))
				}
			}
			tol := 32*0x1p-53*math.Max(1, math.Abs(math.Log(sg))) + 4*0x1p-53*float64(T)*slope
			if back := s.AlphaAt(st); math.Abs(back/a-1) > tol {
				t.Fatalf("AlphaAt(StepForAlpha(alpha_%d = %v) = %v) = %v, relative error %.3g > %.3g", k, a, st, back, back/a-1, tol)
			}
			if _, err := s.StepForSigma(sg); err != nil {
				t.Fatalf("StepForSigma(sigma_%d = %v): %v", k, sg, err)
			}
		}
		// The sigma-spaced plan walks the whole range by StepForSigma (it
		// panicked on an underflowed alpha_T).
		for _, rho := range []float64{1, 7} {
			if _, err := sample.Karras(s, min(T, 5), rho); err != nil {
				t.Fatalf("Karras(%d moves, rho %v): %v", min(T, 5), rho, err)
			}
		}
	})
}
