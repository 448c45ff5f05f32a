package analytic

import (
	"math"

	"difftoy/toy"
)

// checkBatch checks a batch like toy.CheckBatch, and more: every label
// must be in {toy.Empty, 0, ..., classes-1} (classes = 0 means unlabelled:
// then every label must be toy.Empty), and dst must hold width values per
// point. It returns the number of points and dst, allocated when nil.
func checkBatch(who string, dst, x []float64, d int, alpha float64, y []int, classes, width int) (int, []float64) {
	n := toy.CheckPoints(who, x, d)
	toy.CheckAlpha(who, alpha)
	toy.CheckLabels(who, y, n, classes)
	return n, toy.CheckDst(who, dst, n, width)
}

// label returns the label of point p (toy.Empty when y is nil).
func label(y []int, p int) int {
	if y == nil {
		return toy.Empty
	}
	return y[p]
}

// finite reports whether every value of v is finite, and the first index
// that is not.
func finite(v []float64) (int, bool) {
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return i, false
		}
	}
	return -1, true
}

// bounded reports whether every value of v is at most maxCoord in absolute
// value, and the first index that is not.
func bounded(v []float64) (int, bool) {
	for i, x := range v {
		if !(math.Abs(x) <= maxCoord) {
			return i, false
		}
	}
	return -1, true
}
