// Class accuracy of labelled samples under an exact classifier.

package metrics

import "fmt"

// Classifier is an exact classifier q(y | x), such as a labelled mixture of
// package analytic: ClassPosterior writes the Classes() probabilities of
// each point of x at the signal level alpha into dst (n*Classes(),
// allocated when nil) and returns it.
type Classifier interface {
	Dim() int
	Classes() int
	ClassPosterior(dst, x []float64, alpha float64) []float64
}

// ClassAccuracy returns the share of points of x whose most probable class
// under q_0(y | x) (alpha = 1; ties go to the lowest class) is the intended
// label y[i].
func ClassAccuracy(c Classifier, x []float64, y []int) float64 {
	post, C := classPost("metrics.ClassAccuracy", c, x, y)
	k := 0
	for i, yi := range y {
		row := post[i*C : i*C+C]
		best := 0
		for j, p := range row {
			if p > row[best] {
				best = j
			}
		}
		if best == yi {
			k++
		}
	}
	return float64(k) / float64(len(y))
}

// MeanClassPosterior returns the mean of q_0(y_i | x_i) (alpha = 1) over
// the points of x with their intended labels y: a smooth version of
// ClassAccuracy that keeps rising as guidance pushes samples away from
// the class boundaries.
func MeanClassPosterior(c Classifier, x []float64, y []int) float64 {
	post, C := classPost("metrics.MeanClassPosterior", c, x, y)
	s := 0.0
	for i, yi := range y {
		s += post[i*C+yi]
	}
	return s / float64(len(y))
}

func classPost(who string, c Classifier, x []float64, y []int) ([]float64, int) {
	n := checkSet(who, "x", x, c.Dim())
	if n == 0 {
		panic(who + ": no points")
	}
	if len(y) != n {
		panic(fmt.Sprintf("%s: %d labels for %d points", who, len(y), n))
	}
	C := c.Classes()
	for i, yi := range y {
		if yi < 0 || yi >= C {
			panic(fmt.Sprintf("%s: label y[%d] = %d is not a class in 0..%d", who, i, yi, C-1))
		}
	}
	return c.ClassPosterior(nil, x, 1), C
}
