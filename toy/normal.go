// The start of every reverse chain: x_T ~ N(0, I), the law the forward
// process reaches (lessons/01-forward-process.md section 4).

package toy

import (
	"fmt"
	"math/rand/v2"
)

// StandardNormal writes n points of N(0, I_d), the start x_T of a reverse
// chain, into dst (allocated when nil) and returns it. The numbers are
// rand.New(src).NormFloat64() in order, row by row, so a run started from a
// seed draws the same start wherever it is written. dst must hold n*d
// values.
func StandardNormal(dst []float64, n, d int, src rand.Source) []float64 {
	if n < 0 || d <= 0 {
		panic(fmt.Sprintf("toy.StandardNormal: %d points of dimension %d", n, d))
	}
	dst = CheckDst("toy.StandardNormal", dst, n, d)
	rng := rand.New(src)
	for i := range dst {
		dst[i] = rng.NormFloat64()
	}
	return dst
}
