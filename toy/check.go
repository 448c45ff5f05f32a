// The argument checks of the contract: one home for the panics every
// numeric call of toy, analytic and toy/sample raises on a wrong length,
// a level outside (0, 1] or a label out of range.

package toy

import "fmt"

// Empty is the label that means "no class": the unconditional model of
// classifier-free guidance. A nil label slice means Empty for every point.
const Empty = -1

// CheckBatch panics with a message naming who when x is not a whole number
// of points of dimension d, when dst has the wrong length, when y has the
// wrong length, or when alpha is not in (0, 1]. It returns the number of
// points and dst, allocated when nil.
func CheckBatch(who string, dst, x []float64, d int, alpha float64, y []int) (int, []float64) {
	n := CheckPoints(who, x, d)
	CheckAlpha(who, alpha)
	checkLabelCount(who, y, n)
	return n, CheckDst(who, dst, n, d)
}

// CheckPoints panics with a message naming who unless d > 0 and x is a
// whole number of points of dimension d; it returns the number of points.
func CheckPoints(who string, x []float64, d int) int {
	if d <= 0 {
		panic(fmt.Sprintf("%s: dimension %d is not positive", who, d))
	}
	if len(x)%d != 0 {
		panic(fmt.Sprintf("%s: len(x) = %d is not a multiple of the dimension %d", who, len(x), d))
	}
	return len(x) / d
}

// CheckAlpha panics with a message naming who unless alpha is in (0, 1]
// (NaN is not).
func CheckAlpha(who string, alpha float64) {
	if !(alpha > 0 && alpha <= 1) {
		panic(fmt.Sprintf("%s: alpha = %v is not in (0, 1]", who, alpha))
	}
}

// CheckLabels panics with a message naming who when y is neither nil nor
// one label per point of n, or holds a label outside {Empty, 0, ...,
// classes-1}. classes = 0 means a source without classes: then every label
// must be Empty.
func CheckLabels(who string, y []int, n, classes int) {
	checkLabelCount(who, y, n)
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

// checkLabelCount panics unless y is nil or holds one label per point.
func checkLabelCount(who string, y []int, n int) {
	if y != nil && len(y) != n {
		panic(fmt.Sprintf("%s: %d labels for %d points", who, len(y), n))
	}
}

// CheckDst returns dst, allocated with width values for each of n points
// when nil, and panics with a message naming who when it has another
// length.
func CheckDst(who string, dst []float64, n, width int) []float64 {
	if dst == nil {
		return make([]float64, n*width)
	}
	if len(dst) != n*width {
		panic(fmt.Sprintf("%s: len(dst) = %d, want %d (%d points x %d)", who, len(dst), n*width, n, width))
	}
	return dst
}
