package analytic_test

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distmv"

	"difftoy/analytic"
)

func TestNewGaussianErrors(t *testing.T) {
	nan := math.NaN()
	id := []float64{1, 0, 0, 1}
	for _, tc := range []struct {
		name    string
		w       []float64
		means   []float64
		covs    [][]float64
		labels  []int
		wantErr string
	}{
		{"empty", nil, nil, nil, nil, "no components"},
		{"ragged means", nil, []float64{1, 2, 3}, nil, nil, "len(means) = 3 is not a multiple of the dimension 2"},
		{"NaN mean", nil, []float64{0, nan}, [][]float64{id}, nil, "coordinate 1 of the mean of component 0 is NaN"},
		{"Inf mean", nil, []float64{0, 0, math.Inf(-1), 0}, [][]float64{id, id}, nil, "coordinate 0 of the mean of component 1 is -Inf"},
		{"Inf covariance", nil, []float64{0, 0, 1, 1}, [][]float64{id, {1, 0, 0, math.Inf(1)}}, nil, "covariance of component 1 has entry (1, 1) = +Inf"},
		{"negative variance", nil, []float64{0, 0, 1, 1}, [][]float64{id, {-1, 0, 0, 1}}, nil, "covariance of component 1 is not positive definite"},
		{"zero weight", []float64{1, 0}, []float64{0, 0, 1, 1}, [][]float64{id, id}, nil, "weight of component 1 is 0"},
		{"NaN weight", []float64{nan, 1}, []float64{0, 0, 1, 1}, [][]float64{id, id}, nil, "weight of component 0 is NaN"},
		{"weights length", []float64{1, 1, 1}, []float64{0, 0, 1, 1}, [][]float64{id, id}, nil, "3 weights for 2 components"},
		{"labels length", nil, []float64{0, 0, 1, 1}, [][]float64{id, id}, []int{0}, "1 labels for 2 components"},
		{"covariance count", nil, []float64{0, 0, 1, 1}, [][]float64{id}, nil, "1 covariances for 2 components"},
		{"covariance size", nil, []float64{0, 0, 1, 1}, [][]float64{id, {1, 0, 1}}, nil, "covariance of component 1 has 3 entries, want 4"},
		{"NaN covariance", nil, []float64{0, 0}, [][]float64{{1, nan, nan, 1}}, nil, "covariance of component 0 has entry (0, 1) = NaN"},
		{"asymmetric", nil, []float64{0, 0, 1, 1}, [][]float64{id, {1, 0.5, 0.4, 1}}, nil, "covariance of component 1 is not symmetric"},
		{"indefinite", nil, []float64{0, 0, 1, 1}, [][]float64{{1, 2, 2, 1}, id}, nil, "covariance of component 0 is not positive definite"},
		{"singular", nil, []float64{0, 0}, [][]float64{{1, 1, 1, 1}}, nil, "covariance of component 0 is not positive definite"},
		{"zero", nil, []float64{0, 0}, [][]float64{{0, 0, 0, 0}}, nil, "covariance of component 0 is not positive definite"},
		{"bad weight", []float64{1, -2}, []float64{0, 0, 1, 1}, [][]float64{id, id}, nil, "weight of component 1 is -2"},
		{"missing class", nil, []float64{0, 0, 1, 1}, [][]float64{id, id}, []int{1, 1}, "class 0 has no component"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := analytic.NewGaussian(2, tc.w, tc.means, tc.covs, tc.labels)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.HasPrefix(err.Error(), "analytic.NewGaussian: ") {
				t.Errorf("NewGaussian error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
	if _, err := analytic.NewGaussian(0, nil, []float64{0}, [][]float64{{1}}, nil); err == nil || !strings.Contains(err.Error(), "dimension 0 is not positive") {
		t.Errorf("NewGaussian(d = 0) error = %v, want one naming the dimension", err)
	}
	// Rounding-level asymmetry (1e-17 against entries of size 1) is accepted.
	if _, err := analytic.NewGaussian(2, nil, []float64{0, 0}, [][]float64{{1, 0.3, 0.3 + 1e-17, 1}}, nil); err != nil {
		t.Errorf("NewGaussian rejects a covariance symmetric to rounding: %v", err)
	}
}

// TestGaussianOneComponent compares a one-component mixture with gonum's
// distmv.Normal: at alpha = 1 with N(m, S) itself, and at alpha < 1 with
// N(sqrt(alpha) m, alpha S + (1-alpha) I) built here; log-density and score
// (ScoreInput). Both sides are one Cholesky solve: agreement to 1e-12
// relative to the size of the values.
func TestGaussianOneComponent(t *testing.T) {
	mean := []float64{1, -0.5, 0.25}
	cov := []float64{0.7, 0.2, -0.1, 0.2, 0.4, 0.05, -0.1, 0.05, 0.3}
	g, err := analytic.NewGaussian(3, []float64{4}, mean, [][]float64{cov}, nil)
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{0, 0, 0, 1.5, -2, 0.3, 10, 7, -9}
	for _, alpha := range []float64{1e-8, 0.2, 0.8, 1 - 1e-12, 1} {
		mu := make([]float64, 3)
		for j := range mu {
			mu[j] = math.Sqrt(alpha) * mean[j]
		}
		c := mat.NewSymDense(3, nil)
		c.ScaleSym(alpha, mat.NewSymDense(3, cov))
		for j := range 3 {
			c.SetSym(j, j, c.At(j, j)+1-alpha)
		}
		n, ok := distmv.NewNormal(mu, c, nil)
		if !ok {
			t.Fatal("distmv.NewNormal failed")
		}
		lp := g.LogProb(nil, x, alpha)
		sc := g.Score(nil, x, alpha, nil)
		for p := range 3 {
			xp := row(x, 3, p)
			if want := n.LogProb(xp); math.Abs(lp[p]-want) > 1e-12*(1+math.Abs(want)) {
				t.Errorf("alpha=%v: LogProb(%v) = %v, distmv %v", alpha, xp, lp[p], want)
			}
			want := n.ScoreInput(nil, xp)
			if e := maxAbsDiff(row(sc, 3, p), want); e > 1e-12*(1+maxAbs(want)) {
				t.Errorf("alpha=%v: Score(%v) = %v, distmv %v", alpha, xp, row(sc, 3, p), want)
			}
		}
	}
}

// TestGaussianAccessors checks copies and the alpha = 1 values.
func TestGaussianAccessors(t *testing.T) {
	g := gauss2(t)
	if g.Dim() != 2 || g.Len() != 4 || g.Classes() != 2 {
		t.Errorf("Dim, Len, Classes = %d, %d, %d; want 2, 4, 2", g.Dim(), g.Len(), g.Classes())
	}
	g.Means()[0] = 100
	g.Cov(0)[0] = 100
	if g.Means()[0] != -1 || g.Cov(0)[0] != 0.3 {
		t.Error("Means or Cov is not a copy")
	}
	x := []float64{0.3, 0.1, -2, 5}
	if got := g.Eps(nil, x, 1, nil); maxAbs(got) != 0 {
		t.Errorf("Eps at alpha = 1 = %v, want 0", got)
	}
	if got := g.Denoise(nil, x, 1, []int{0, 1}); maxAbsDiff(got, x) != 0 {
		t.Errorf("Denoise at alpha = 1 = %v, want x", got)
	}
}
