package sample_test

import (
	"math"
	"testing"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/sample"
)

// The guidance fields of an exact labelled mixture written out from its
// scores s(x) = m.Score(x) and s(x | y) = m.Score(x, y), independently of
// guidance.go: the closed forms of lessons/08-classifier-guidance.md
// section 3 and lessons/09-classifier-free-guidance.md section 1,
//
//	classifier guidance:  s(x) + (1 + gamma) (s(x | y) - s(x))
//	classifier-free:      s(x | y) + gamma (s(x | y) - s(x | Empty))
//	tempered:             a s(x)

func guidedField(m analytic.Mixture, x []float64, alpha float64, y []int, gamma float64) []float64 {
	s, sy := m.Score(nil, x, alpha, nil), m.Score(nil, x, alpha, y)
	out := make([]float64, len(x))
	for i := range out {
		out[i] = s[i] + (1+gamma)*(sy[i]-s[i])
	}
	return out
}

func cfgField(m analytic.Mixture, x []float64, alpha float64, y []int, gamma float64) []float64 {
	s, sy := m.Score(nil, x, alpha, nil), m.Score(nil, x, alpha, y)
	out := make([]float64, len(x))
	for i := range out {
		out[i] = sy[i] + gamma*(sy[i]-s[i])
	}
	return out
}

func temperedField(m analytic.Mixture, x []float64, alpha, a float64) []float64 {
	s := m.Score(nil, x, alpha, nil)
	for i := range s {
		s[i] *= a
	}
	return s
}

// exactGuidance returns classifier guidance with the exact classifier and
// classifier-free guidance of the mixture m, both with scale gamma.
func exactGuidance(t testing.TB, m analytic.Mixture, gamma float64) (*sample.ClassifierGuided, *sample.CFG) {
	t.Helper()
	cg, err := sample.NewClassifierGuided(m, sample.ExactClassifier{M: m}, gamma)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := sample.NewCFG(m, gamma)
	if err != nil {
		t.Fatal(err)
	}
	return cg, cfg
}

func maxAbsDiff(a, b []float64) float64 {
	var e float64
	for i := range a {
		e = math.Max(e, math.Abs(a[i]-b[i]))
	}
	return e
}

func maxAbs(a []float64) float64 {
	var e float64
	for _, v := range a {
		e = math.Max(e, math.Abs(v))
	}
	return e
}

// TestGuidanceIdentities checks the guidance wrappers on exact labelled
// mixtures (lessons/09-classifier-free-guidance.md section 1): classifier-
// free guidance and classifier guidance with the exact classifier are the
// same field written two ways, gamma = 0 gives the conditional score,
// gamma = -1 the unconditional one, and the tempered score is a times the
// score. The identities that hold operation for operation are exact; the
// two ways of writing the guided field differ by rounding in sums of terms
// of size (2 + |gamma|) max|score|: 8 ulps of that allowed.
func TestGuidanceIdentities(t *testing.T) {
	const ulp = 0x1p-52
	for _, name := range []string{"two-classes", "three-classes", "moons"} {
		m := load(t, name)
		x := gaussians(60, 2, 31)
		y := make([]int, 60)
		for p := range y {
			y[p] = p%(m.Classes()+1) - 1 // Empty, 0, 1, ...
		}
		for _, alpha := range []float64{0.01, 0.4, 0.9} {
			uncond := m.Score(nil, x, alpha, nil)
			cond := m.Score(nil, x, alpha, y)
			scale := maxAbs(uncond) + maxAbs(cond)
			for _, gamma := range []float64{-1, 0, 0.5, 3, 10} {
				cg, cfg := exactGuidance(t, m, gamma)
				g, c := cg.Score(nil, x, alpha, y), cfg.Score(nil, x, alpha, y)
				if e := maxAbsDiff(g, c); e > 8*ulp*(2+math.Abs(gamma))*scale {
					t.Errorf("%s alpha=%v gamma=%v: classifier guidance and CFG differ by %g", name, alpha, gamma, e)
				}
				switch gamma {
				case 0:
					if e := maxAbsDiff(g, cond); e > 8*ulp*scale {
						t.Errorf("%s alpha=%v: classifier guidance at gamma = 0 differs from the conditional score by %g", name, alpha, e)
					}
					if e := maxAbsDiff(c, cond); e != 0 {
						t.Errorf("%s alpha=%v: CFG at gamma = 0 differs from the conditional score by %g", name, alpha, e)
					}
				case -1:
					if e := maxAbsDiff(g, uncond); e != 0 {
						t.Errorf("%s alpha=%v: classifier guidance at gamma = -1 differs from the unconditional score by %g", name, alpha, e)
					}
				}
			}
			for _, a := range []float64{0, 0.5, 2} {
				tmp, err := sample.NewTempered(m, a)
				if err != nil {
					t.Fatal(err)
				}
				if e := maxAbsDiff(tmp.Score(nil, x, alpha, nil), temperedField(m, x, alpha, a)); e != 0 {
					t.Errorf("%s alpha=%v: tempered score (a=%v) differs from a * Score by %g", name, alpha, a, e)
				}
			}
		}
	}
}

// The classifier-free field labels the unconditional term with Empty; for
// an exact mixture an Empty label and no label are one computation.
func TestEmptyLabelIsUnconditional(t *testing.T) {
	m := load(t, "three-classes")
	x := gaussians(50, 2, 32)
	empty := make([]int, 50)
	for i := range empty {
		empty[i] = toy.Empty
	}
	for _, alpha := range []float64{0.1, 0.7, 1} {
		if e := maxAbsDiff(m.Score(nil, x, alpha, empty), m.Score(nil, x, alpha, nil)); e != 0 {
			t.Errorf("alpha=%v: Score with Empty labels differs from Score without labels by %g", alpha, e)
		}
	}
}
