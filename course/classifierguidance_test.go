package course

import (
	"math"
	"testing"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/sample"
)

// TestLesson08Identities checks the identities among lesson 8's claims
// (lessons/08-classifier-guidance.md, "Claims checked by the tests"), one
// subtest per claim, named by its number there; claim 1 in its Tweedie
// form.
func TestLesson08Identities(t *testing.T) {
	m := load("two-classes", 10, pcg(1)).Exact
	s := toy.DDPM()
	x := gauss(20, pcg(2))
	y := make([]int, 20)
	for i := range y {
		y[i] = i % 2
	}
	steps := []int{5, 100, 500, 1000}
	guided := func(t *testing.T, gamma float64) *sample.ClassifierGuided {
		t.Helper()
		g, err := sample.NewClassifierGuided(m, sample.ExactClassifier{M: m}, gamma)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	// guidedTol bounds the rounding of D + (1 - alpha)/sqrt(alpha) (1 +
	// gamma) grad: terms of size |D| and (1 - alpha)/sqrt(alpha) (1 +
	// gamma) |grad|.
	guidedTol := func(a, gamma, d, cg float64) float64 {
		return 1e-13 * (1 + math.Abs(d) + (1-a)/math.Sqrt(a)*(1+gamma)*math.Abs(cg))
	}
	t.Run("claim1/classifier_gradient_is_the_denoiser_gap", func(t *testing.T) {
		for _, k := range steps {
			a := s.Alpha(k)
			cg := analytic.ClassifierGrad(m, nil, x, a, y)
			dy, d := m.Denoise(nil, x, a, y), m.Denoise(nil, x, a, nil)
			f := math.Sqrt(a) / (1 - a)
			for i := range cg {
				// Rounding of D(x|y) - D(x), magnified by sqrt(alpha)/(1 - alpha).
				if e := math.Abs(cg[i] - f*(dy[i]-d[i])); e > 1e-13*f*(1+math.Abs(dy[i])+math.Abs(d[i]))+1e-13*math.Abs(cg[i]) {
					t.Errorf("t=%d [%d]: classifier gradient %v, sqrt(a)/(1-a) (D(x|y) - D(x)) = %v", k, i, cg[i], f*(dy[i]-d[i]))
				}
			}
		}
	})
	t.Run("claim2/gamma0_gives_the_conditional_score", func(t *testing.T) {
		g := guided(t, 0)
		for _, k := range steps {
			a := s.Alpha(k)
			cg := analytic.ClassifierGrad(m, nil, x, a, y)
			dy, d := m.Denoise(nil, x, a, y), m.Denoise(nil, x, a, nil)
			gd, gs, sy := g.Denoise(nil, x, a, y), g.Score(nil, x, a, y), m.Score(nil, x, a, y)
			for i := range gd {
				if e := math.Abs(gd[i] - dy[i]); e > guidedTol(a, 0, d[i], cg[i]) {
					t.Errorf("t=%d [%d]: guided D at gamma 0 = %v, D*(x|y) = %v", k, i, gd[i], dy[i])
				}
				if e := math.Abs(gs[i] - sy[i]); e > 1e-12*(1+math.Abs(sy[i])) {
					t.Errorf("t=%d [%d]: guided score at gamma 0 = %v, score(x|y) = %v", k, i, gs[i], sy[i])
				}
			}
		}
	})
	t.Run("claim3/guided_denoiser_is_affine_in_the_guided_score", func(t *testing.T) {
		for _, gamma := range []float64{0, 2} {
			g := guided(t, gamma)
			for _, k := range steps {
				a := s.Alpha(k)
				cg := analytic.ClassifierGrad(m, nil, x, a, y)
				d, gd := m.Denoise(nil, x, a, nil), g.Denoise(nil, x, a, y)
				for i := range gd {
					want := d[i] + (1-a)/math.Sqrt(a)*(1+gamma)*cg[i]
					if e := math.Abs(gd[i] - want); e > guidedTol(a, gamma, d[i], cg[i]) {
						t.Errorf("t=%d gamma=%v [%d]: guided D %v, D + (1-a)/sqrt(a) (1+gamma) grad = %v", k, gamma, i, gd[i], want)
					}
				}
			}
		}
	})
	t.Run("claim7/gamma0_samples_match_the_class", func(t *testing.T) {
		g := guided(t, 0)
		for y := 0; y < m.Classes(); y++ {
			if r := classSamplesMatch(t, g, m, y, 30+10*uint64(y)); !(r < 3) {
				t.Errorf("classifier guidance at gamma 0, class %d: energy distance %.2f times its noise level", y, r)
			}
		}
	})
}
