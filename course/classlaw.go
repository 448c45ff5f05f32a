// The labelled data of lessons 7-9 with the class law changed: other class
// weights q(y), or class means moved together or apart
// (lessons/07-conditional.md exercises 1 and 2,
// lessons/08-classifier-guidance.md exercise 4).

package course

import (
	"fmt"
	"math"
	"math/rand/v2"

	"difftoy/analytic"
	"difftoy/toy/datasets"
)

// data returns n points of gs.Dataset drawn with src, with the law the
// setup asks for. With ClassWeights set, component i of class y gets weight
// q(y) w_i / sum_{j in y} w_j (q normalised); with Spacing s > 0 other than
// 1, each component mean m_i moves to c + s (m_i - c), c the average of the
// component means. The points and labels are then drawn from the changed
// Gaussian mixture. With neither set it is the dataset as loaded. Errors
// begin with who, the exported function that asked (course.Conditional).
func (gs GuidanceSetup) data(who string, n int, src rand.Source) (*datasets.Dataset, error) {
	if gs.ClassWeights == nil && (gs.Spacing == 0 || gs.Spacing == 1) {
		return loadDataset(who, gs.Dataset, n, src)
	}
	if !(gs.Spacing >= 0) || math.IsInf(gs.Spacing, 0) {
		return nil, fmt.Errorf("%s: class spacing %v, want a finite number > 0 (0 or 1: the dataset's)", who, gs.Spacing)
	}
	ds, err := loadDataset(who, gs.Dataset, 1, src)
	if err != nil {
		return nil, err
	}
	gm, ok := ds.Exact.(*analytic.GaussianMixture)
	if !ok || ds.Classes == 0 {
		return nil, fmt.Errorf("%s: dataset %q: class weights and spacing need a labelled Gaussian mixture", who, gs.Dataset)
	}
	w, lab, means := gm.Weights(), gm.Labels(), gm.Means()
	if gs.ClassWeights != nil {
		if err := reweightClasses(w, lab, gs.ClassWeights, ds.Classes, gs.Dataset); err != nil {
			return nil, fmt.Errorf("%s: %w", who, err)
		}
	}
	if s := gs.Spacing; s != 0 && s != 1 {
		spaceMeans(means, ds.Dim, s)
	}
	covs := make([][]float64, gm.Len())
	for i := range covs {
		covs[i] = gm.Cov(i)
	}
	m, err := analytic.NewGaussian(ds.Dim, w, means, covs, lab)
	if err != nil {
		return nil, fmt.Errorf("%s: dataset %q with class weights %v and spacing %v: %w", who, gs.Dataset, gs.ClassWeights, gs.Spacing, err)
	}
	comp := make([]int, n)
	out := &datasets.Dataset{Name: ds.Name, Dim: ds.Dim, Points: m.Sample(make([]float64, n*ds.Dim), comp, 1, src),
		Labels: make([]int, n), Classes: ds.Classes, Exact: m,
		Description: fmt.Sprintf("%s, class weights %v, class means spaced by %g", ds.Description, gs.ClassWeights, gs.Spacing)}
	for i, c := range comp {
		out.Labels[i] = lab[c]
	}
	return out, nil
}

// reweightClasses rescales the component weights w (labels lab) so that
// class y holds the share q[y]/sum(q) and keeps its components' ratios;
// name is the dataset's, for the errors.
func reweightClasses(w []float64, lab []int, q []float64, classes int, name string) error {
	if len(q) != classes {
		return fmt.Errorf("%d class weights for the %d classes of %q", len(q), classes, name)
	}
	var total float64
	for y, v := range q {
		if !(v > 0) || math.IsInf(v, 0) {
			return fmt.Errorf("class %d weight %v, want a finite number > 0", y, v)
		}
		total += v
	}
	inClass := make([]float64, classes)
	for i, v := range w {
		inClass[lab[i]] += v
	}
	for i := range w {
		w[i] = q[lab[i]] / total * w[i] / inClass[lab[i]]
	}
	return nil
}

// spaceMeans moves the k = len(means)/d component means away from (s > 1)
// or towards (s < 1) their centroid by the factor s, in place.
func spaceMeans(means []float64, d int, s float64) {
	k := len(means) / d
	for j := 0; j < d; j++ {
		var c float64
		for i := 0; i < k; i++ {
			c += means[i*d+j] / float64(k)
		}
		for i := 0; i < k; i++ {
			means[i*d+j] = c + s*(means[i*d+j]-c)
		}
	}
}
