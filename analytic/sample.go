package analytic

import (
	"difftoy/toy"
	"fmt"
	"math/rand/v2"
	"sort"
)

// checkSample validates the arguments of Sample and returns the number of draws.
func checkSample(who string, dst []float64, comp []int, d int, alpha float64) int {
	toy.CheckAlpha(who, alpha)
	if len(dst)%d != 0 {
		panic(fmt.Sprintf("%s: len(dst) = %d is not a multiple of the dimension %d", who, len(dst), d))
	}
	n := len(dst) / d
	if comp != nil && len(comp) != n {
		panic(fmt.Sprintf("%s: len(comp) = %d, want %d", who, len(comp), n))
	}
	return n
}

// cumulative returns the running sums of w, the last set to exactly 1.
func cumulative(w []float64) []float64 {
	c := make([]float64, len(w))
	s := 0.0
	for i, v := range w {
		s += v
		c[i] = s
	}
	c[len(c)-1] = 1
	return c
}

// pick draws an index i with probability cum[i] - cum[i-1].
func pick(cum []float64, rng *rand.Rand) int {
	u := rng.Float64()
	return sort.Search(len(cum)-1, func(i int) bool { return cum[i] > u })
}
