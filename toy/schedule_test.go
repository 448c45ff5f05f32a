package toy_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"difftoy/toy"
)

// relClose reports |got - want| <= tol * max(1, |want|).
func relClose(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

// mustPanic fails the test unless f panics with a message containing want.
func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Fatalf("no panic, want one containing %q", want)
		}
		msg, _ := r.(string)
		if !strings.Contains(msg, want) {
			t.Fatalf("panic %q, want one containing %q", r, want)
		}
	}()
	f()
}

// The schedules are checked against formulas written out here: the betas of
// the definition and alpha_t as a plain running product (the package sums
// log1p instead). Over T = 1000 factors the product accumulates at most
// ~T ulps of relative error, so 1e-12 is a safe bound that still catches
// any off-by-one step (which changes alpha by beta_t >= 1e-4).
func TestLinearMatchesDefinition(t *testing.T) {
	for _, c := range []struct {
		T          int
		beta1, end float64
	}{
		{1000, 1e-4, 0.02},
		{50, 0.002, 0.4},
		{2, 0.3, 0.1}, // decreasing betas are allowed
		{1, 0.25, 0.25},
	} {
		s, err := toy.Linear(c.T, c.beta1, c.end)
		if err != nil {
			t.Fatalf("Linear(%d, %v, %v): %v", c.T, c.beta1, c.end, err)
		}
		if s.T() != c.T {
			t.Fatalf("T() = %d, want %d", s.T(), c.T)
		}
		prod := 1.0
		for k := 1; k <= c.T; k++ {
			want := c.beta1
			if c.T > 1 {
				want = c.beta1 + float64(k-1)*(c.end-c.beta1)/float64(c.T-1)
			}
			if !relClose(s.Beta(k), want, 1e-14) {
				t.Errorf("Linear(%d): Beta(%d) = %v, want %v", c.T, k, s.Beta(k), want)
			}
			prod *= 1 - want
			if !relClose(s.Alpha(k)/prod, 1, 1e-12) {
				t.Errorf("Linear(%d): Alpha(%d) = %v, want %v", c.T, k, s.Alpha(k), prod)
			}
		}
		if s.Alpha(0) != 1 {
			t.Errorf("Alpha(0) = %v, want 1", s.Alpha(0))
		}
	}
}

func TestDDPM(t *testing.T) {
	s := toy.DDPM()
	if s.T() != 1000 || s.Beta(1) != 1e-4 || !relClose(s.Beta(1000), 0.02, 1e-15) {
		t.Fatalf("DDPM: T = %d, beta_1 = %v, beta_T = %v", s.T(), s.Beta(1), s.Beta(1000))
	}
	// log alpha_T = sum log(1 - beta_t) ~ -(sum beta_t) - (sum beta_t^2)/2 - ...:
	// sum beta = 1000 * (1e-4 + 0.02) / 2 = 10.05, so alpha_T is near e^-10.05
	// = 4.3e-5 and a little below it (the second-order term is -0.067).
	a := s.Alpha(1000)
	if !(a > 3.9e-5 && a < 4.3e-5) {
		t.Errorf("DDPM alpha_T = %v, want about 4.0e-5", a)
	}
}

// The cosine schedule must reproduce the closed form alpha_t = f(t)/f(0)
// wherever the 0.999 clip does not bind; where it binds, alpha_t =
// 0.001 alpha_{t-1}.
func TestCosineClosedForm(t *testing.T) {
	for _, c := range []struct {
		T int
		s float64
	}{{1000, 0.008}, {100, 0.008}, {10, 0}, {37, 0.1}} {
		sch, err := toy.Cosine(c.T, c.s)
		if err != nil {
			t.Fatal(err)
		}
		f := func(k int) float64 {
			return math.Pow(math.Cos((float64(k)/float64(c.T)+c.s)/(1+c.s)*math.Pi/2), 2)
		}
		clipped := 0
		for k := 1; k <= c.T; k++ {
			want := f(k) / f(0)
			if 1-f(k)/f(k-1) > 0.999 {
				clipped++
				want = 0.001 * sch.Alpha(k-1)
			}
			if !relClose(sch.Alpha(k)/want, 1, 1e-11) {
				t.Errorf("Cosine(%d, %v): Alpha(%d) = %v, want %v", c.T, c.s, k, sch.Alpha(k), want)
			}
		}
		// f(T) = cos^2(pi/2) = 0, so the last beta, and only it, is clipped.
		if clipped != 1 || sch.Beta(c.T) != toy.CosineMaxBeta {
			t.Errorf("Cosine(%d, %v): %d clipped betas, beta_T = %v; want 1 and 0.999", c.T, c.s, clipped, sch.Beta(c.T))
		}
	}
}

func TestScheduleByName(t *testing.T) {
	lin, err := toy.ScheduleByName("linear", 1000)
	if err != nil {
		t.Fatal(err)
	}
	ddpm := toy.DDPM()
	for k := 1; k <= 1000; k++ {
		if lin.Beta(k) != ddpm.Beta(k) {
			t.Fatalf("ScheduleByName(linear, 1000).Beta(%d) = %v, DDPM %v", k, lin.Beta(k), ddpm.Beta(k))
		}
	}
	// Scaled to T = 100: betas 1e-3 .. 0.2.
	lin100, err := toy.ScheduleByName("linear", 100)
	if err != nil {
		t.Fatal(err)
	}
	if !relClose(lin100.Beta(1), 1e-3, 1e-14) || !relClose(lin100.Beta(100), 0.2, 1e-14) {
		t.Errorf("linear T=100: beta_1 = %v, beta_T = %v, want 1e-3, 0.2", lin100.Beta(1), lin100.Beta(100))
	}
	cos, err := toy.ScheduleByName("cosine", 200)
	if err != nil || cos.T() != 200 || cos.Name != "cosine" {
		t.Fatalf("ScheduleByName(cosine, 200) = %v, %v", cos, err)
	}
	_, err = toy.ScheduleByName("quadratic", 100)
	if err == nil {
		t.Fatal("unknown name: no error")
	}
	for _, n := range toy.ScheduleNames() {
		if !strings.Contains(err.Error(), n) {
			t.Errorf("error %q does not list %q", err, n)
		}
		if _, err := toy.ScheduleByName(n, 100); err != nil {
			t.Errorf("ScheduleByName(%q, 100): %v", n, err)
		}
	}
}

func TestScheduleBadInput(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, c := range []struct {
		name string
		f    func() (*toy.Schedule, error)
	}{
		{"no betas", func() (*toy.Schedule, error) { return toy.FromBetas("x", nil) }},
		{"beta 0", func() (*toy.Schedule, error) { return toy.FromBetas("x", []float64{0.1, 0}) }},
		{"beta 1", func() (*toy.Schedule, error) { return toy.FromBetas("x", []float64{1}) }},
		{"beta < 0", func() (*toy.Schedule, error) { return toy.FromBetas("x", []float64{-0.1}) }},
		{"beta NaN", func() (*toy.Schedule, error) { return toy.FromBetas("x", []float64{0.1, nan}) }},
		{"beta Inf", func() (*toy.Schedule, error) { return toy.FromBetas("x", []float64{inf}) }},
		{"beta below resolution", func() (*toy.Schedule, error) { return toy.FromBetas("x", []float64{0.1, 1e-20}) }},
		{"linear T=0", func() (*toy.Schedule, error) { return toy.Linear(0, 1e-4, 0.02) }},
		{"linear beta1 NaN", func() (*toy.Schedule, error) { return toy.Linear(10, nan, 0.02) }},
		{"linear betaT 1", func() (*toy.Schedule, error) { return toy.Linear(10, 1e-4, 1) }},
		{"cosine T=0", func() (*toy.Schedule, error) { return toy.Cosine(0, 0.008) }},
		{"cosine s<0", func() (*toy.Schedule, error) { return toy.Cosine(10, -0.1) }},
		{"cosine s NaN", func() (*toy.Schedule, error) { return toy.Cosine(10, nan) }},
		{"cosine s Inf", func() (*toy.Schedule, error) { return toy.Cosine(10, inf) }},
		{"by name T=0", func() (*toy.Schedule, error) { return toy.ScheduleByName("linear", 0) }},
		{"linear T=20 scaled to beta_T=1", func() (*toy.Schedule, error) { return toy.ScheduleByName("linear", 20) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := c.f()
			if err == nil {
				t.Fatalf("got schedule %v, want an error", s)
			}
			if !errors.Is(err, toy.ErrSchedule) {
				t.Errorf("error %q does not wrap ErrSchedule", err)
			}
		})
	}
}

func TestScheduleDerived(t *testing.T) {
	for _, s := range []*toy.Schedule{toy.DDPM(), mustCosine(t, 1000)} {
		for k := 0; k <= s.T(); k++ {
			a := s.Alpha(k)
			var sig, snr float64
			if k > 0 {
				sig, snr = math.Sqrt((1-a)/a), a/(1-a)
			} else {
				sig, snr = 0, math.Inf(1)
			}
			if !relClose(s.Sigma(k), sig, 1e-12) && !(sig < 1e-3 && relClose(s.Sigma(k)/sig, 1, 1e-10)) {
				t.Errorf("%s: Sigma(%d) = %v, want %v", s.Name, k, s.Sigma(k), sig)
			}
			if k > 0 && !relClose(s.SNR(k)/snr, 1, 1e-9) || k == 0 && !math.IsInf(s.SNR(0), 1) {
				t.Errorf("%s: SNR(%d) = %v, want %v", s.Name, k, s.SNR(k), snr)
			}
			if !relClose(s.LogSNR(k), math.Log(snr), 1e-9) && !(k == 0 && math.IsInf(s.LogSNR(0), 1)) {
				t.Errorf("%s: LogSNR(%d) = %v, want %v", s.Name, k, s.LogSNR(k), math.Log(snr))
			}
			if k > 0 && !(s.Alpha(k) < s.Alpha(k-1)) {
				t.Errorf("%s: alpha not decreasing at %d", s.Name, k)
			}
		}
	}
}

// At small t the package's log1p route is more accurate than 1 - alpha:
// 1 - alpha_1 must be beta_1 to near machine precision, so sigma_1^2 =
// beta_1 / (1 - beta_1) to ~1e-15 relative.
func TestSigmaSmallStepAccurate(t *testing.T) {
	s, err := toy.FromBetas("tiny", []float64{1e-9, 1e-9})
	if err != nil {
		t.Fatal(err)
	}
	want := math.Sqrt(1e-9 / (1 - 1e-9))
	if !relClose(s.Sigma(1)/want, 1, 1e-14) {
		t.Errorf("Sigma(1) = %v, want %v", s.Sigma(1), want)
	}
}

func TestScheduleStepPanics(t *testing.T) {
	s := toy.DDPM()
	mustPanic(t, "toy.Schedule.Beta", func() { s.Beta(0) })
	mustPanic(t, "toy.Schedule.Beta", func() { s.Beta(1001) })
	mustPanic(t, "toy.Schedule.Alpha", func() { s.Alpha(-1) })
	mustPanic(t, "toy.Schedule.Sigma", func() { s.Sigma(1001) })
	mustPanic(t, "toy.Schedule.SNR", func() { s.SNR(-1) })
	mustPanic(t, "toy.Schedule.LogSNR", func() { s.LogSNR(1001) })
	mustPanic(t, "toy.Schedule.AlphaAt", func() { s.AlphaAt(1000.5) })
	mustPanic(t, "toy.Schedule.AlphaAt", func() { s.AlphaAt(-1e-9) })
	mustPanic(t, "toy.Schedule.AlphaAt", func() { s.AlphaAt(math.NaN()) })
}

func mustCosine(t testing.TB, T int) *toy.Schedule {
	s, err := toy.Cosine(T, 0.008)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The continuous view is checked against its defining properties: exact at
// integers, log sigma linear between integer steps t >= 1 (so at a half
// step sigma is the geometric mean of its neighbours), alpha_1^t on [0, 1].
func TestAlphaAtDefinition(t *testing.T) {
	for _, s := range []*toy.Schedule{toy.DDPM(), mustCosine(t, 1000), mustCosine(t, 7)} {
		for k := 0; k <= s.T(); k++ {
			if s.AlphaAt(float64(k)) != s.Alpha(k) {
				t.Fatalf("%s: AlphaAt(%d) = %v, Alpha = %v", s.Name, k, s.AlphaAt(float64(k)), s.Alpha(k))
			}
		}
		for k := 1; k < s.T(); k++ {
			want := math.Sqrt(s.Sigma(k) * s.Sigma(k+1))
			if got := s.SigmaAt(float64(k) + 0.5); !relClose(got/want, 1, 1e-12) {
				t.Errorf("%s: SigmaAt(%v) = %v, want geometric mean %v", s.Name, float64(k)+0.5, got, want)
			}
			// A quarter step: sigma_k^(3/4) sigma_{k+1}^(1/4).
			want = math.Pow(s.Sigma(k), 0.75) * math.Pow(s.Sigma(k+1), 0.25)
			if got := s.SigmaAt(float64(k) + 0.25); !relClose(got/want, 1, 1e-12) {
				t.Errorf("%s: SigmaAt(%v) = %v, want %v", s.Name, float64(k)+0.25, got, want)
			}
		}
		for _, u := range []float64{1e-9, 0.1, 0.5, 0.99} {
			want := math.Pow(s.Alpha(1), u)
			if got := s.AlphaAt(u); !relClose(got, want, 1e-15) {
				t.Errorf("%s: AlphaAt(%v) = %v, want alpha_1^t = %v", s.Name, u, got, want)
			}
		}
	}
}

// StepForSigma and StepForAlpha invert AlphaAt. The round trip t -> alpha
// -> t loses about eps / |d log sigma / dt| relative: with log sigma
// changing by >= 1e-3 per step at T = 1000 and |log sigma| <= 10, that is
// below 1e-9 in t.
func TestStepForInvertsAlphaAt(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range []*toy.Schedule{toy.DDPM(), mustCosine(t, 1000), mustCosine(t, 7)} {
		ts := []float64{0, 1e-7, 0.3, 1, 1.5, float64(s.T()) - 0.5, float64(s.T())}
		for range 200 {
			ts = append(ts, rng.Float64()*float64(s.T()))
		}
		for _, tt := range ts {
			a := s.AlphaAt(tt)
			got, err := s.StepForAlpha(a)
			if err != nil || math.Abs(got-tt) > 1e-9 {
				t.Errorf("%s: StepForAlpha(AlphaAt(%v) = %v) = %v, %v", s.Name, tt, a, got, err)
			}
			got, err = s.StepForSigma(math.Sqrt((1 - a) / a))
			if err != nil || math.Abs(got-tt) > 1e-9 {
				t.Errorf("%s: StepForSigma(SigmaAt(%v)) = %v, %v", s.Name, tt, got, err)
			}
		}
		// The exact ends of the schedule, computed the other way round.
		if got, err := s.StepForSigma(s.Sigma(s.T())); err != nil || got != float64(s.T()) {
			t.Errorf("%s: StepForSigma(sigma_T) = %v, %v, want T", s.Name, got, err)
		}
		if got, err := s.StepForAlpha(s.Alpha(s.T())); err != nil || got != float64(s.T()) {
			t.Errorf("%s: StepForAlpha(alpha_T) = %v, %v, want T", s.Name, got, err)
		}
	}
}

func TestStepForOutOfRange(t *testing.T) {
	s := toy.DDPM()
	for _, sigma := range []float64{-1, math.NaN(), math.Inf(1), s.Sigma(1000) * (1 + 1e-9), 1e6} {
		if v, err := s.StepForSigma(sigma); err == nil {
			t.Errorf("StepForSigma(%v) = %v, want an error", sigma, v)
		}
	}
	for _, a := range []float64{0, -0.5, 1.5, math.NaN(), s.Alpha(1000) * (1 - 1e-9), 1e-10} {
		if v, err := s.StepForAlpha(a); err == nil {
			t.Errorf("StepForAlpha(%v) = %v, want an error", a, v)
		}
	}
	if v, err := s.StepForSigma(0); err != nil || v != 0 {
		t.Errorf("StepForSigma(0) = %v, %v, want 0", v, err)
	}
	if v, err := s.StepForAlpha(1); err != nil || v != 0 {
		t.Errorf("StepForAlpha(1) = %v, %v, want 0", v, err)
	}
}

func TestBetasAlphasCopies(t *testing.T) {
	s := toy.DDPM()
	b, a := s.Betas(), s.Alphas()
	if len(b) != 1000 || len(a) != 1001 || b[0] != s.Beta(1) || a[1000] != s.Alpha(1000) || a[0] != 1 {
		t.Fatalf("Betas/Alphas: lengths %d, %d", len(b), len(a))
	}
	b[0], a[1] = 0.5, 0.5
	if s.Beta(1) == 0.5 || s.Alpha(1) == 0.5 {
		t.Error("Betas/Alphas share memory with the schedule")
	}
}
