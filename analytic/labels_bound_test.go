package analytic_test

import (
	"math"
	"strings"
	"testing"

	"difftoy/analytic"
)

// TestLabelsBoundedByComponents checks that both constructors reject a label
// that cannot name a non-empty class (every class needs a component, so a
// label is at most K-1) before allocating anything by it: math.MaxInt used
// to overflow to an index out of range, MaxInt-1 to panic in makeslice, and
// 1e9 to allocate gigabytes before the missing-class check. The boundary
// next to them, labels 0..K-1 with every class present, is accepted.
func TestLabelsBoundedByComponents(t *testing.T) {
	pts := []float64{0, 0, 1, 1, 2, 2}
	id := []float64{1, 0, 0, 1}
	covs := [][]float64{id, id, id}
	for _, tc := range []struct {
		name    string
		labels  []int
		wantErr string // "" means accepted
	}{
		{"MaxInt", []int{0, 1, math.MaxInt}, "label of component 2 is 9223372036854775807, want 0..2"},
		{"MaxInt-1", []int{0, math.MaxInt - 1, 1}, "label of component 1 is 9223372036854775806, want 0..2"},
		{"1e9", []int{0, 1, 1e9}, "label of component 2 is 1000000000, want 0..2"},
		{"K", []int{0, 1, 3}, "label of component 2 is 3, want 0..2"},
		{"MinInt", []int{math.MinInt, 0, 1}, "label of component 0 is -9223372036854775808"},
		{"K-1, every class present", []int{0, 1, 2}, ""},
		{"K-1, class missing", []int{0, 2, 2}, "class 1 has no component"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errD := analytic.NewDelta(2, pts, nil, tc.labels)
			_, errG := analytic.NewGaussian(2, nil, pts, covs, tc.labels)
			for _, err := range []error{errD, errG} {
				if tc.wantErr == "" {
					if err != nil {
						t.Errorf("labels %v: %v, want accepted", tc.labels, err)
					}
				} else if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("labels %v: error %v, want one containing %q", tc.labels, err, tc.wantErr)
				}
			}
		})
	}
}

// TestSingularCovarianceConsistent checks that exactly singular covariances
// are rejected whatever their scale: [[1,1],[1,1]] has pivot 0, while the
// rounded pivot of [[.5,.5],[.5,.5]] is about 1e-17 (it used to pass). The
// boundary next to them, a correlation of 1 - 1e-6 (pivot 2e-6 S_11, far
// above the rounding floor 6 * 2^-53 S_11), is accepted.
func TestSingularCovarianceConsistent(t *testing.T) {
	for _, tc := range []struct {
		cov    []float64
		accept bool
	}{
		{[]float64{1, 1, 1, 1}, false},
		{[]float64{.5, .5, .5, .5}, false},
		{[]float64{.1, .1, .1, .1}, false},
		{[]float64{3, 3, 3, 3}, false},
		{[]float64{1e-300, 1e-300, 1e-300, 1e-300}, false},
		{[]float64{1, 1 - 1e-6, 1 - 1e-6, 1}, true},
		{[]float64{.5, .5 * (1 - 1e-6), .5 * (1 - 1e-6), .5}, true},
	} {
		_, err := analytic.NewGaussian(2, nil, []float64{0, 0}, [][]float64{tc.cov}, nil)
		if tc.accept && err != nil {
			t.Errorf("NewGaussian(cov %v) = %v, want accepted", tc.cov, err)
		}
		if !tc.accept && (err == nil || !strings.Contains(err.Error(), "not positive definite")) {
			t.Errorf("NewGaussian(cov %v) error = %v, want not positive definite", tc.cov, err)
		}
	}
}
