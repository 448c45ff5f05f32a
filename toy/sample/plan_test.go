package sample_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"difftoy/toy"
	"difftoy/toy/sample"
)

func TestPlanErrors(t *testing.T) {
	s := toy.DDPM()
	for _, tc := range []struct {
		name  string
		steps []int
		want  string
	}{
		{"empty", nil, "at least two steps"},
		{"one step", []int{10}, "at least two steps"},
		{"equal", []int{10, 10, 0}, "decrease strictly"},
		{"increasing", []int{0, 10}, "decrease strictly"},
		{"negative", []int{10, -1}, "outside 0..1000"},
		{"beyond T", []int{1001, 0}, "outside 0..1000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sample.NewPlan(s, tc.steps)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("NewPlan(%v) error = %v, want one containing %q", tc.steps, err, tc.want)
			}
		})
	}
	for _, n := range []int{0, -3, 1001} {
		if _, err := sample.Strided(s, n); err == nil {
			t.Errorf("Strided(%d) gave no error", n)
		}
	}
	if _, err := sample.NewPlan(nil, []int{1, 0}); err == nil {
		t.Error("NewPlan(nil schedule) gave no error")
	}
}

func TestStrided(t *testing.T) {
	s := toy.DDPM()
	p, err := sample.Strided(s, 4)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Steps(), []int{1000, 750, 500, 250, 0}; !slices.Equal(got, want) {
		t.Errorf("Strided(4) steps = %v, want %v", got, want)
	}
	for k, st := range p.Steps() {
		if p.Alpha(k) != s.Alpha(st) {
			t.Errorf("Alpha(%d) = %v, want schedule alpha_%d = %v", k, p.Alpha(k), st, s.Alpha(st))
		}
	}
	if p.Len() != 4 || sample.Full(s).Len() != 1000 {
		t.Errorf("Len = %d, Full Len = %d, want 4 and 1000", p.Len(), sample.Full(s).Len())
	}
	for name, f := range map[string]func(){
		"Step(-1)": func() { p.Step(-1) },
		"Alpha(5)": func() { p.Alpha(5) },
	} {
		func() {
			defer func() {
				if r, _ := recover().(string); !strings.Contains(r, "sample.Plan.") || !strings.Contains(r, "not in 0..4") {
					t.Errorf("%s: panic %q, want one naming sample.Plan and the range 0..4", name, r)
				}
			}()
			f()
		}()
	}
}

func TestSpaced(t *testing.T) {
	s := toy.DDPM()
	for _, tc := range []struct {
		n     int
		power float64
		want  []int
	}{
		{4, 1, []int{1000, 750, 500, 250, 0}},
		// 1000 (3/4)^2 = 562.5 and 1000 (1/4)^2 = 62.5 round up.
		{4, 2, []int{1000, 563, 250, 63, 0}},
		{10, 3, []int{1000, 729, 512, 343, 216, 125, 64, 27, 8, 1, 0}},
	} {
		p, err := sample.Spaced(s, tc.n, tc.power)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Steps(); !slices.Equal(got, tc.want) {
			t.Errorf("Spaced(%d, %v) = %v, want %v", tc.n, tc.power, got, tc.want)
		}
	}
	// With 100 cubic moves the last steps round to 0 and the floor keeps them distinct.
	p, err := sample.Spaced(s, 100, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Steps()[97:]; !slices.Equal(got, []int{3, 2, 1, 0}) {
		t.Errorf("Spaced(100, 3) ends %v, want [3 2 1 0]", got)
	}
	for _, pw := range []float64{0.5, math.NaN(), math.Inf(1)} {
		if _, err := sample.Spaced(s, 10, pw); err == nil || !strings.Contains(err.Error(), "power") {
			t.Errorf("Spaced(power %v) error = %v, want one about the power", pw, err)
		}
	}
}

// The Karras plan from its definition: sigma_k of Karras et al. eq. 5
// between sigma_T and sigma_1, each at the nearest step, the ends T and 0,
// and t = 1 before the last move. Where the schedule is resolved (steps
// above the push-apart at the bottom), t_k is within half a step of the
// continuous step of sigma_k.
func TestKarras(t *testing.T) {
	for _, s := range []*toy.Schedule{toy.DDPM(), mustCosine(t, 1000), mustCosine(t, 50)} {
		for _, tc := range []struct {
			n   int
			rho float64
		}{{1, 7}, {2, 7}, {10, 7}, {50, 7}, {25, 1}, {s.T(), 7}} {
			if tc.n > s.T() {
				continue
			}
			p, err := sample.Karras(s, tc.n, tc.rho)
			if err != nil {
				t.Fatalf("Karras(%s, %d, %v): %v", s.Name, tc.n, tc.rho, err)
			}
			steps := p.Steps()
			if len(steps) != tc.n+1 || steps[0] != s.T() || steps[tc.n] != 0 || (tc.n > 1 && steps[tc.n-1] != 1) {
				t.Fatalf("Karras(%s, %d, %v) = %v, want T ... 1 0", s.Name, tc.n, tc.rho, steps)
			}
			if tc.n == s.T() {
				continue // every step: nothing left to choose
			}
			hi, lo := math.Pow(s.Sigma(s.T()), 1/tc.rho), math.Pow(s.Sigma(1), 1/tc.rho)
			for k := 1; k < tc.n-1; k++ {
				sigma := math.Pow(hi+float64(k)/float64(tc.n-1)*(lo-hi), tc.rho)
				want, err := s.StepForSigma(sigma)
				if err != nil {
					t.Fatal(err)
				}
				// Rounded levels crowd at the bottom (and at the top of the
				// cosine schedule, whose clipped last beta makes sigma_T
				// huge): there the steps are pushed apart instead.
				crowded := want < float64(tc.n-k)+0.5 || want > float64(s.T()-k)-0.5
				if !crowded && math.Abs(float64(steps[k])-want) > 0.5 {
					t.Errorf("Karras(%s, %d, %v): t_%d = %d, want the step nearest %.3f (sigma %.4g)", s.Name, tc.n, tc.rho, k, steps[k], want, sigma)
				}
			}
		}
	}
	// A hand-checked small case: DDPM, 4 moves, rho = 1 (uniform in sigma):
	// sigma_T = 157.41 and sigma_1 = 0.01, so the levels are 157.41, 104.94,
	// 52.48 (then sigma_1 and 0); the steps are those levels' nearest (the
	// constants are rounded to 1e-4 relative, a few hundredths of a step).
	p, err := sample.Karras(toy.DDPM(), 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	for k, sigma := range []float64{104.94, 52.48} {
		want, _ := toy.DDPM().StepForSigma(sigma)
		if math.Abs(float64(p.Step(k+1))-want) > 0.6 {
			t.Errorf("Karras(DDPM, 4, 1) = %v: t_%d should be near %.2f", p.Steps(), k+1, want)
		}
	}
	for _, rho := range []float64{0.5, math.NaN(), math.Inf(1)} {
		if _, err := sample.Karras(toy.DDPM(), 10, rho); err == nil || !strings.Contains(err.Error(), "rho") {
			t.Errorf("Karras(rho %v) error = %v, want one about rho", rho, err)
		}
	}
	for _, n := range []int{0, 1001} {
		if _, err := sample.Karras(toy.DDPM(), n, 7); err == nil || !strings.Contains(err.Error(), "moves") {
			t.Errorf("Karras(%d moves) error = %v, want one about the moves", n, err)
		}
	}
}

// Every plan constructor gives T, strictly decreasing steps, 0, however
// crowded the rounding is (n close to T, steep spacing), also on a
// schedule whose sigma jumps by a factor of 1000 in one step: there many
// Karras levels fall between the same two integer steps and must be pushed
// apart.
func TestPlansAlwaysValid(t *testing.T) {
	betas := make([]float64, 21)
	for i := range betas {
		betas[i] = 1e-3
	}
	betas[10] = 0.9999
	jump, err := toy.FromBetas("jump", betas)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*toy.Schedule{toy.DDPM(), mustCosine(t, 30), jump} {
		for _, n := range []int{1, 2, 3, s.T() / 2, s.T() - 1, s.T()} {
			for name, mk := range map[string]func() (*sample.Plan, error){
				"strided":  func() (*sample.Plan, error) { return sample.Strided(s, n) },
				"spaced 3": func() (*sample.Plan, error) { return sample.Spaced(s, n, 3) },
				"spaced 9": func() (*sample.Plan, error) { return sample.Spaced(s, n, 9) },
				"karras 7": func() (*sample.Plan, error) { return sample.Karras(s, n, 7) },
				"karras 1": func() (*sample.Plan, error) { return sample.Karras(s, n, 1) },
			} {
				p, err := mk()
				if err != nil {
					t.Fatalf("%s %s n=%d: %v", name, s.Name, n, err)
				}
				st := p.Steps()
				if len(st) != n+1 || st[0] != s.T() || st[n] != 0 {
					t.Fatalf("%s %s n=%d: steps %v", name, s.Name, n, st)
				}
			}
		}
	}
}

func mustCosine(t testing.TB, T int) *toy.Schedule {
	t.Helper()
	s, err := toy.Cosine(T, 0.008)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
