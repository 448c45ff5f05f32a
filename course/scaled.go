// A dataset multiplied by a constant, with its exact law to match: the
// exercises that ask what the data's scale changes (lessons/01-forward-process.md
// exercise 4, lessons/06-parametrisations.md exercise 4).

package course

import (
	"fmt"
	"math"

	"difftoy/analytic"
	"difftoy/toy/datasets"
)

// scaled returns a copy of ds with every point multiplied by c > 0 and the
// exact law of c x_0: a Gaussian mixture with means c m_i and covariances
// c^2 S_i, or a delta mixture on the points c x_i (same weights and labels).
// c = 1 returns ds itself.
func scaled(ds *datasets.Dataset, c float64) (*datasets.Dataset, error) {
	if !(c > 0) || math.IsInf(c, 0) {
		return nil, fmt.Errorf("course: data scale %v, want a finite positive number (1: the data as loaded)", c)
	}
	if c == 1 {
		return ds, nil
	}
	out := *ds
	out.Points = make([]float64, len(ds.Points))
	for i, v := range ds.Points {
		out.Points[i] = c * v
	}
	out.Description = fmt.Sprintf("%s, scaled by %g", ds.Description, c)
	var err error
	switch m := ds.Exact.(type) {
	case *analytic.GaussianMixture:
		means := m.Means()
		for i := range means {
			means[i] *= c
		}
		covs := make([][]float64, m.Len())
		for i := range covs {
			covs[i] = m.Cov(i)
			for j := range covs[i] {
				covs[i][j] *= c * c
			}
		}
		out.Exact, err = analytic.NewGaussian(ds.Dim, m.Weights(), means, covs, m.Labels())
	case *analytic.DeltaMixture:
		pts := m.Points()
		for i := range pts {
			pts[i] *= c
		}
		out.Exact, err = analytic.NewDelta(ds.Dim, pts, m.Weights(), m.Labels())
	default:
		return nil, fmt.Errorf("course: cannot scale the exact law %T of dataset %q", ds.Exact, ds.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("course: dataset %q scaled by %g: %w", ds.Name, c, err)
	}
	return &out, nil
}
