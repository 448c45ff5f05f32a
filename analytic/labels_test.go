package analytic_test

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distmv"

	"difftoy/analytic"
	"difftoy/toy"
)

// TestClassPosteriorBayes compares q_t(y | x) with Bayes' rule evaluated
// naively: q_t(y | x) = sum_{i in y} w_i N_i(x) / sum_i w_i N_i(x) with the
// densities themselves (gonum's distmv.Normal.Prob, no logarithms), on well
// scaled points where nothing under- or overflows. The rows must also sum to
// one. Rounding of K densities and two sums: 1e-13 leaves a wide margin.
func TestClassPosteriorBayes(t *testing.T) {
	for _, tc := range mixtures(t) {
		m := tc.m
		if m.Classes() == 0 {
			mustPanic(t, "unlabelled", func() { m.ClassPosterior(nil, make([]float64, m.Dim()), 0.5) })
			continue
		}
		d, nc := m.Dim(), m.Classes()
		cs := refComps(t, m)
		x := testPoints(d)[:4*d] // near the data
		for _, alpha := range []float64{0.05, 0.5, 0.95} {
			got := m.ClassPosterior(nil, x, alpha)
			for p := range len(x) / d {
				xp := row(x, d, p)
				want := make([]float64, nc)
				total := 0.0
				for _, c := range cs {
					mu := make([]float64, d)
					for j := range mu {
						mu[j] = math.Sqrt(alpha) * c.mean[j]
					}
					cov := mat.NewSymDense(d, nil)
					cov.ScaleSym(alpha, c.cov)
					for j := range d {
						cov.SetSym(j, j, cov.At(j, j)+1-alpha)
					}
					nrm, _ := distmv.NewNormal(mu, cov, nil)
					q := c.w * nrm.Prob(xp)
					want[c.label] += q
					total += q
				}
				sum := 0.0
				for y := range want {
					want[y] /= total
					sum += row(got, nc, p)[y]
				}
				if math.Abs(sum-1) > 1e-13 {
					t.Errorf("%s alpha=%v: ClassPosterior(%v) sums to %v", tc.name, alpha, xp, sum)
				}
				if e := maxAbsDiff(row(got, nc, p), want); e > 1e-13 {
					t.Errorf("%s alpha=%v: ClassPosterior(%v) = %v, Bayes gives %v", tc.name, alpha, xp, row(got, nc, p), want)
				}
			}
		}
	}
}

// TestClassifierGradEmptyLabel checks the empty label on the labelled
// mixtures: it gives the unconditional score and a zero classifier
// gradient. (Bayes, s(x | y) = s(x) + grad log q_t(y | x), holds by
// construction of ClassifierGrad; its value is checked by finite
// differences in score_test.go. The guidance fields built on it are
// checked in toy/sample.)
func TestClassifierGradEmptyLabel(t *testing.T) {
	for _, tc := range mixtures(t) {
		m := tc.m
		if m.Classes() == 0 {
			continue
		}
		d := m.Dim()
		x := testPoints(d)
		n := len(x) / d
		y := make([]int, n)
		for p := range y {
			y[p] = p%(m.Classes()+1) - 1 // Empty, 0, 1, ...
		}
		for _, alpha := range []float64{0.01, 0.4, 0.9} {
			uncond := m.Score(nil, x, alpha, nil)
			cond := m.Score(nil, x, alpha, y)
			cg := analytic.ClassifierGrad(m, nil, x, alpha, y)
			for p := range n {
				if y[p] != toy.Empty {
					continue
				}
				if e := maxAbs(row(cg, d, p)); e != 0 {
					t.Errorf("%s alpha=%v: ClassifierGrad for the empty label = %v, want 0", tc.name, alpha, row(cg, d, p))
				}
				if e := maxAbsDiff(row(cond, d, p), row(uncond, d, p)); e != 0 {
					t.Errorf("%s alpha=%v: Score for the empty label differs from the unconditional score", tc.name, alpha)
				}
			}
		}
	}
}

// TestClassifierGradPanics checks the argument checks of ClassifierGrad.
func TestClassifierGradPanics(t *testing.T) {
	m := delta2(t)
	x := []float64{0, 0, 1, 1}
	mustPanic(t, "analytic.ClassifierGrad: label y[1] = 3 is outside 0..2", func() { analytic.ClassifierGrad(m, nil, x, 0.5, []int{0, 3}) })
	mustPanic(t, "analytic.ClassifierGrad: 1 labels for 2 points", func() { analytic.ClassifierGrad(m, nil, x, 0.5, []int{0}) })
	mustPanic(t, "analytic.ClassifierGrad: alpha = 0 is not in (0, 1]", func() { analytic.ClassifierGrad(m, nil, x, 0, nil) })
	mustPanic(t, "analytic.ClassifierGrad: a delta mixture has no density at alpha = 1", func() { analytic.ClassifierGrad(m, nil, x, 1, nil) })
	u := delta3(t)
	mustPanic(t, "given to an unlabelled mixture", func() { analytic.ClassifierGrad(u, nil, []float64{0, 0, 0}, 0.5, []int{0}) })
}

// TestClass checks the class sub-mixtures: their weights are the class's
// weights renormalised, they are unlabelled, and bad classes are errors.
func TestClass(t *testing.T) {
	for _, tc := range mixtures(t) {
		m := tc.m
		if m.Classes() == 0 {
			if _, err := m.Class(0); err == nil {
				t.Errorf("%s: Class(0) of an unlabelled mixture gave no error", tc.name)
			}
			continue
		}
		w, lab := m.Weights(), m.Labels()
		for y := range m.Classes() {
			sub, err := m.Class(y)
			if err != nil {
				t.Fatal(err)
			}
			var want []float64
			total := 0.0
			for i := range w {
				if lab[i] == y {
					want = append(want, w[i])
					total += w[i]
				}
			}
			for i := range want {
				want[i] /= total
			}
			if got := sub.Weights(); len(got) != len(want) || maxAbsDiff(got, want) > 1e-15 {
				t.Errorf("%s: Class(%d).Weights() = %v, want %v", tc.name, y, got, want)
			}
			if sub.Labels() != nil || sub.Classes() != 0 {
				t.Errorf("%s: Class(%d) is labelled", tc.name, y)
			}
		}
		for _, y := range []int{-1, m.Classes()} {
			if _, err := m.Class(y); err == nil {
				t.Errorf("%s: Class(%d) gave no error", tc.name, y)
			}
		}
	}
}
