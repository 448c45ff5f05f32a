package course

import (
	"math"
	"testing"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/sample"
)

// Lesson 8, claims 1 (Tweedie form), 2, 3 and 7.
func TestLesson08Identities(t *testing.T) {
	m := load("two-classes", 10, pcg(1)).Exact
	s := toy.DDPM()
	x := gauss(20, pcg(2))
	y := make([]int, 20)
	for i := range y {
		y[i] = i % 2
	}
	for _, k := range []int{5, 100, 500, 1000} {
		a := s.Alpha(k)
		cg := analytic.ClassifierGrad(m, nil, x, a, y)
		dy := m.Denoise(nil, x, a, y)
		d := m.Denoise(nil, x, a, nil)
		f := math.Sqrt(a) / (1 - a)
		for i := range cg {
			// Rounding of D(x|y) - D(x), magnified by sqrt(alpha)/(1 - alpha).
			if e := math.Abs(cg[i] - f*(dy[i]-d[i])); e > 1e-13*f*(1+math.Abs(dy[i])+math.Abs(d[i]))+1e-13*math.Abs(cg[i]) {
				t.Errorf("t=%d [%d]: classifier gradient %v, sqrt(a)/(1-a) (D(x|y) - D(x)) = %v", k, i, cg[i], f*(dy[i]-d[i]))
			}
		}
		for _, gamma := range []float64{0, 2} {
			g, err := sample.NewClassifierGuided(m, sample.ExactClassifier{M: m}, gamma)
			if err != nil {
				t.Fatal(err)
			}
			gd := g.Denoise(nil, x, a, y)
			gs := g.Score(nil, x, a, y)
			sy := m.Score(nil, x, a, y)
			for i := range gd {
				want := d[i] + (1-a)/math.Sqrt(a)*(1+gamma)*cg[i]
				// Terms of size |D| and (1 - alpha)/sqrt(alpha) (1 + gamma) |grad|.
				tol := 1e-13 * (1 + math.Abs(d[i]) + (1-a)/math.Sqrt(a)*(1+gamma)*math.Abs(cg[i]))
				if e := math.Abs(gd[i] - want); e > tol {
					t.Errorf("t=%d gamma=%v [%d]: guided D %v, D + (1-a)/sqrt(a) (1+gamma) grad = %v", k, gamma, i, gd[i], want)
				}
				if gamma == 0 {
					if e := math.Abs(gd[i] - dy[i]); e > tol {
						t.Errorf("t=%d [%d]: guided D at gamma 0 = %v, D*(x|y) = %v", k, i, gd[i], dy[i])
					}
					if e := math.Abs(gs[i] - sy[i]); e > 1e-12*(1+math.Abs(sy[i])) {
						t.Errorf("t=%d [%d]: guided score at gamma 0 = %v, score(x|y) = %v", k, i, gs[i], sy[i])
					}
				}
			}
		}
	}
	g, err := sample.NewClassifierGuided(m, sample.ExactClassifier{M: m}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for y := 0; y < m.Classes(); y++ {
		if r := classSamplesMatch(t, g, m, y, 30+10*uint64(y)); !(r < 3) {
			t.Errorf("classifier guidance at gamma 0, class %d: energy distance %.2f times its noise level", y, r)
		}
	}
}
