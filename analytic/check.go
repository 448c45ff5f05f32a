package analytic

import (
	"fmt"
	"math"
)

// Empty is the label that asks for the unconditional quantity. It equals
// toy.Empty; package toy imports analytic, so the value is repeated here.
const Empty = -1

// checkBatch panics with a message naming who when x is not a whole number
// of d-dimensional points, when alpha is not in (0, 1] (NaN included), when
// y has the wrong length or holds a label outside {Empty, 0, ..., classes-1},
// or when dst does not hold width values per point. It returns the number of
// points and dst, allocated when nil. classes = 0 means unlabelled: then
// every label must be Empty.
func checkBatch(who string, dst, x []float64, d int, alpha float64, y []int, classes, width int) (int, []float64) {
	if len(x)%d != 0 {
		panic(fmt.Sprintf("%s: len(x) = %d is not a multiple of the dimension %d", who, len(x), d))
	}
	checkAlpha(who, alpha)
	n := len(x) / d
	if y != nil {
		if len(y) != n {
			panic(fmt.Sprintf("%s: %d labels for %d points", who, len(y), n))
		}
		for i, c := range y {
			if c == Empty {
				continue
			}
			if classes == 0 {
				panic(fmt.Sprintf("%s: label y[%d] = %d given to an unlabelled mixture (only %d, the empty label, is allowed)", who, i, c, Empty))
			}
			if c < 0 || c >= classes {
				panic(fmt.Sprintf("%s: label y[%d] = %d is outside 0..%d (or %d for none)", who, i, c, classes-1, Empty))
			}
		}
	}
	if dst == nil {
		dst = make([]float64, n*width)
	} else if len(dst) != n*width {
		panic(fmt.Sprintf("%s: len(dst) = %d, want %d (%d points x %d)", who, len(dst), n*width, n, width))
	}
	return n, dst
}

// checkAlpha panics unless alpha is in (0, 1].
func checkAlpha(who string, alpha float64) {
	if !(alpha > 0 && alpha <= 1) {
		panic(fmt.Sprintf("%s: alpha = %v is not in (0, 1]", who, alpha))
	}
}

// label returns the label of point p (Empty when y is nil).
func label(y []int, p int) int {
	if y == nil {
		return Empty
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
