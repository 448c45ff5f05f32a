package toy_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"difftoy/toy"
)

// repeat returns n copies of v.
func repeat(n int, v float64) []float64 {
	b := make([]float64, n)
	for i := range b {
		b[i] = v
	}
	return b
}

// TestFromBetasLevelsRepresentable checks the levels FromBetas refuses:
// alpha_1 rounding to 1 (exp(-beta) rounds to 1 for beta below 2^-54,
// about 5.6e-17, so 5e-17 is refused and 1e-16 kept) and alpha_T
// underflowing (0.999^k is below 2^-1022, the smallest normal float64,
// from k = 103 since 103 log10(1000) = 309 > 307.65 > 102 * 3), with the
// error naming the first step that breaks the rule (it used to blame
// beta_104 for 107 steps).
func TestFromBetasLevelsRepresentable(t *testing.T) {
	for _, tc := range []struct {
		name    string
		betas   []float64
		wantErr string // "" means accepted
	}{
		{"alpha_1 = 1", []float64{1e-17, 0.5}, "alpha_1 = 1 in floating point (beta_1 = 1e-17 is too small)"},
		{"alpha_1 just below 2^-54", []float64{5e-17, 0.5}, "alpha_1 = 1 in floating point"},
		{"alpha_1 just below 1", []float64{1e-16, 0.5}, ""},
		// Found by FuzzFromBetas: log sigma moves but alpha_2 rounds to
		// alpha_1, which made the reverse step panic; 1e-16 moves it.
		{"alpha_2 = alpha_1", []float64{5.751216496505281e-14, 1.3390594386740777e-23}, "alpha_2 = alpha_1 or sigma_2 = sigma_1 in floating point"},
		{"alpha_2 just below alpha_1", []float64{5.751216496505281e-14, 1e-16}, ""},
		// Found by FuzzFromBetas: alpha_2 < alpha_1 and log sigma moves by an
		// ulp, but sigma_2 = exp(log sigma_2) rounds to sigma_1 (sigma ~ 1.01,
		// whose ulp is 2.2e-16 while beta_2 moves it by about 1e-16).
		{"sigma_2 = sigma_1", []float64{0.5058823566664667, 9.779758702212776e-17}, "alpha_2 = alpha_1 or sigma_2 = sigma_1 in floating point"},
		{"sigma_2 well above sigma_1", []float64{0.5058823566664667, 1e-12}, ""},
		{"103 x 0.999", repeat(103, 0.999), "alpha_103 = 1.00000000000193e-309 underflows"},
		{"107 x 0.999", repeat(107, 0.999), "alpha_103 = 1.00000000000193e-309 underflows"},
		{"102 x 0.999", repeat(102, 0.999), ""},
		{"MaxSteps + 1", repeat(toy.MaxSteps+1, 1e-3), "want at most 1048576"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := toy.FromBetas("given", tc.betas)
			if tc.wantErr != "" {
				if err == nil || !errors.Is(err, toy.ErrSchedule) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("FromBetas error = %v, want ErrSchedule containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("FromBetas: %v", err)
			}
			T := s.T()
			for k := 1; k <= T; k++ {
				if a, sg := s.Alpha(k), s.Sigma(k); !(a < 1 && a >= 0x1p-1022) || !(sg > 0) || math.IsInf(sg, 0) {
					t.Fatalf("step %d: alpha = %v, sigma = %v, want alpha in [2^-1022, 1) and sigma finite and positive", k, a, sg)
				}
			}
			// Every reverse move has well-defined coefficients: no panic,
			// nothing NaN.
			for k := 1; k <= T; k++ {
				for _, v := range []toy.Variance{toy.PosteriorVariance, toy.BetaVariance} {
					A, B, C := toy.Coefficients(s.Alpha(k), s.Alpha(k-1), v)
					if math.IsNaN(A) || math.IsNaN(B) || math.IsNaN(C) {
						t.Fatalf("Coefficients step %d, %v = %v, %v, %v", k, v, A, B, C)
					}
				}
			}
			// The whole range maps back to steps.
			if st, err := s.StepForAlpha(s.Alpha(T)); err != nil || st != float64(T) {
				t.Errorf("StepForAlpha(alpha_T) = %v, %v, want %d", st, err, T)
			}
		})
	}
}

// TestStepForAlphaOwnEnd checks that a schedule whose alpha_T is near 1
// (Linear(10, 1e-7, 1e-7): alpha_T = 1 - 1e-6) maps its own alpha_T to T,
// and Reschedule on it does not panic there; the boundary next to it, a
// level 2e-12 below alpha_T in relative terms (twice the slack), is still
// refused.
func TestStepForAlphaOwnEnd(t *testing.T) {
	s, err := toy.Linear(10, 1e-7, 1e-7)
	if err != nil {
		t.Fatal(err)
	}
	aT := s.Alpha(10)
	if st, err := s.StepForAlpha(aT); err != nil || st != 10 {
		t.Errorf("StepForAlpha(alpha_T = %v) = %v, %v, want 10", aT, st, err)
	}
	if _, err := s.StepForAlpha(aT * (1 - 2e-12)); err == nil || !strings.Contains(err.Error(), "beyond the end") {
		t.Errorf("StepForAlpha(alpha_T (1 - 2e-12)) error = %v, want beyond the end", err)
	}
	for k := 0; k <= 10; k++ {
		if st, err := s.StepForAlpha(s.Alpha(k)); err != nil || math.Abs(st-float64(k)) > 1e-6 {
			t.Errorf("StepForAlpha(alpha_%d) = %v, %v", k, st, err)
		}
	}
	r := toy.Reschedule(&stepRecorder{}, s)
	r.Denoise(nil, []float64{0.5, 0.5}, aT, nil) // used to panic
}

// TestScheduleSizeLimit checks that T above MaxSteps is an error, not an
// out-of-memory crash, for every constructor that allocates by T, with
// MaxSteps itself accepted by one of them.
func TestScheduleSizeLimit(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func(T int) (*toy.Schedule, error)
	}{
		{"ScheduleByName linear", func(T int) (*toy.Schedule, error) { return toy.ScheduleByName("linear", T) }},
		{"ScheduleByName cosine", func(T int) (*toy.Schedule, error) { return toy.ScheduleByName("cosine", T) }},
		{"Linear", func(T int) (*toy.Schedule, error) { return toy.Linear(T, 1e-9, 1e-9) }},
		{"Cosine", func(T int) (*toy.Schedule, error) { return toy.Cosine(T, 0.008) }},
	} {
		for _, T := range []int{1e9, math.MaxInt, toy.MaxSteps + 1} {
			if _, err := tc.make(T); err == nil || !errors.Is(err, toy.ErrSchedule) || !strings.Contains(err.Error(), "want 1..1048576") {
				t.Errorf("%s(T = %d) error = %v, want one naming the limit", tc.name, T, err)
			}
		}
	}
	if testing.Short() {
		return
	}
	s, err := toy.ScheduleByName("cosine", toy.MaxSteps)
	if err != nil || s.T() != toy.MaxSteps {
		t.Errorf("ScheduleByName(cosine, MaxSteps) = %v, want accepted", err)
	}
}

// TestCosineOffsetBlamed checks that an offset s so large that the cosine
// does not move in floating point is blamed on s (it used to be "beta_1 =
// 0"); (t/T + s)/(1 + s) differs from 1 by (1 - t/T)/(1 + s), below the
// rounding of 1 from s = 1e16, while s = 1e14 still moves.
func TestCosineOffsetBlamed(t *testing.T) {
	for _, s := range []float64{1e300, 1e16} {
		if _, err := toy.Cosine(10, s); err == nil || !strings.Contains(err.Error(), "offset s = ") || !strings.Contains(err.Error(), "is too large") {
			t.Errorf("Cosine(10, %v) error = %v, want one blaming s", s, err)
		}
	}
	if _, err := toy.Cosine(10, 1e14); err != nil {
		t.Errorf("Cosine(10, 1e14): %v", err)
	}
}
