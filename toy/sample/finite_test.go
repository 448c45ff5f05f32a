package sample_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"difftoy/toy"
	"difftoy/toy/sample"
)

// TestHugeSettingsError runs each sampler with a finite but far too large
// setting (the inputs that used to return NaN samples with a nil error):
// the run must stop with ErrNonFinite naming the move and the setting. The
// boundary next to each, an ordinary value of the same setting, runs to
// finite samples without error.
func TestHugeSettingsError(t *testing.T) {
	m := load(t, "three-classes")
	s := toy.DDPM()
	p := plan(t, s, 20)
	n := 50
	xT := gaussians(n, 2, 3)
	y := make([]int, n)
	for i := range y {
		y[i] = i % 3
	}
	cfg := func(g float64) toy.Denoiser {
		d, err := sample.NewCFG(m, g)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	tempered := func(a float64) toy.Denoiser {
		d, err := sample.NewTempered(m, a)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	ddpm := func(den toy.Denoiser, x []float64) ([]float64, error) {
		return sample.DDPM(p, toy.PosteriorVariance).Sample(nil, x, den, y, rand.NewPCG(1, 2))
	}
	x0 := exact(m, n, 5)
	for _, tc := range []struct {
		name     string
		run      func(huge bool) ([]float64, error)
		wantHuge []string // in the error of the huge setting; nil: the huge setting stays finite
	}{
		// The exact guided field stays finite at any finite x (analytic's
		// far-field logits), and the state grows only in proportion to
		// gamma: gamma = 1e300 gives samples of about 1e295, finite, and no error.
		{"CFG gamma 1e300 vs 3", func(huge bool) ([]float64, error) {
			return ddpm(cfg(pick(huge, 1e300, 3)), xT)
		}, nil},
		{"tempered a 1e6 vs 2", func(huge bool) ([]float64, error) {
			// 20 moves leave |x| about 1e114; the full 1000 overflow.
			return sample.DDPM(sample.Full(s), toy.PosteriorVariance).Sample(nil, xT, tempered(pick(huge, 1e6, 2)), y, rand.NewPCG(1, 2))
		}, []string{"tempered with a = 1e+06", "move "}},
		{"Langevin size 1e10 vs 0.05", func(huge bool) ([]float64, error) {
			l := &sample.Langevin{Size: pick(huge, 1e10, 0.05), Iters: 20}
			return l.Sample(nil, x0, m, y, rand.NewPCG(1, 2))
		}, []string{"Langevin step size 1e+10", "Langevin move ", " of 20"}},
		{"annealed ratio 1e6 vs 0.1", func(huge bool) ([]float64, error) {
			a := &sample.Annealed{Plan: p, Iters: 3, Ratio: pick(huge, 1e6, 0.1)}
			return a.Sample(nil, xT, m, y, rand.NewPCG(1, 2))
		}, []string{"annealed Langevin ratio 1e+06", "annealed Langevin move "}},
		{"corrector ratio 1e300 vs 0.1", func(huge bool) ([]float64, error) {
			smp := sample.DDPM(p, toy.PosteriorVariance)
			smp.Corrector = sample.Corrector{Iters: 2, Ratio: pick(huge, 1e300, 0.1)}
			return smp.Sample(nil, xT, m, y, rand.NewPCG(1, 2))
		}, []string{"corrector 2 x ratio 1e+300", "move 1 of 20"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x, err := tc.run(false)
			if err != nil {
				t.Fatalf("ordinary setting: %v", err)
			}
			for i, v := range x {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("ordinary setting: x[%d] = %v", i, v)
				}
			}
			x, err = tc.run(true)
			if tc.wantHuge == nil {
				if err != nil {
					t.Fatalf("huge setting: %v, want finite samples", err)
				}
				for i, v := range x {
					if math.IsNaN(v) || math.IsInf(v, 0) {
						t.Fatalf("huge setting: x[%d] = %v with a nil error", i, v)
					}
				}
				return
			}
			if !errors.Is(err, sample.ErrNonFinite) || x != nil {
				t.Fatalf("huge setting: x = %.3g..., err = %v, want ErrNonFinite", head(x), err)
			}
			for _, w := range tc.wantHuge {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("huge setting: err = %v, want it to contain %q", err, w)
				}
			}
		})
	}
}

// TestFarStartNeverNaN starts every deterministic and stochastic sampler
// at 1e200 (and at 1e3 next to it): the run either returns finite samples
// or stops with ErrNonFinite naming the size of the start, never NaN with
// a nil error.
func TestFarStartNeverNaN(t *testing.T) {
	m := load(t, "three-points")
	p := plan(t, toy.DDPM(), 10)
	for _, far := range []float64{1e200, 1e3} {
		xT := []float64{far, -far, 0.5, far, far, 0}
		for _, smp := range []struct {
			name string
			run  func() ([]float64, error)
		}{
			{"DDPM", func() ([]float64, error) {
				return sample.DDPM(p, toy.PosteriorVariance).Sample(nil, xT, m, nil, rand.NewPCG(1, 2))
			}},
			{"DDIM", func() ([]float64, error) { return sample.DDIM(p, 0).Sample(nil, xT, m, nil, nil) }},
			{"Heun", func() ([]float64, error) { return (&sample.ODE{Plan: p, Heun: true}).Sample(nil, xT, m, nil) }},
		} {
			x, err := smp.run()
			t.Logf("%s from %g: %v", smp.name, far, err)
			if err != nil {
				if !errors.Is(err, sample.ErrNonFinite) || !strings.Contains(err.Error(), "largest |x| of the start: ") {
					t.Errorf("%s from %g: err = %v, want ErrNonFinite naming the start", smp.name, far, err)
				}
				continue
			}
			for i, v := range x {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Errorf("%s from %g: x[%d] = %v with a nil error", smp.name, far, i, v)
				}
			}
		}
	}
}

func pick(huge bool, a, b float64) float64 {
	if huge {
		return a
	}
	return b
}

func head(x []float64) []float64 { return x[:min(len(x), 4)] }

// TestDeepestSchedule runs DDPM, Heun and a Karras plan on the longest run
// of betas 0.999 FromBetas accepts (102: alpha_T = 1e-306, sigma_T = 1e153;
// 103 underflows and is refused, see toy's tests): Karras used to panic and
// DDPM to return NaN on the schedule one step longer. Here every sampler
// returns finite samples without error.
func TestDeepestSchedule(t *testing.T) {
	betas := make([]float64, 102)
	for i := range betas {
		betas[i] = 0.999
	}
	s, err := toy.FromBetas("deep", betas)
	if err != nil {
		t.Fatal(err)
	}
	m := load(t, "three-points")
	kp, err := sample.Karras(s, 20, 7)
	if err != nil {
		t.Fatalf("Karras: %v", err)
	}
	xT := gaussians(30, 2, 9)
	for _, run := range []struct {
		name string
		f    func() ([]float64, error)
	}{
		{"DDPM full", func() ([]float64, error) {
			return sample.DDPM(sample.Full(s), toy.PosteriorVariance).Sample(nil, xT, m, nil, rand.NewPCG(1, 2))
		}},
		{"Heun Karras", func() ([]float64, error) { return (&sample.ODE{Plan: kp, Heun: true}).Sample(nil, xT, m, nil) }},
		{"DDIM Karras", func() ([]float64, error) { return sample.DDIM(kp, 0).Sample(nil, xT, m, nil, nil) }},
	} {
		x, err := run.f()
		if err != nil {
			t.Errorf("%s: %v", run.name, err)
			continue
		}
		for i, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%s: x[%d] = %v", run.name, i, v)
			}
		}
	}
}
