package course

import (
	"math"
	"testing"

	"difftoy/toy/sample"
)

// Lesson 11, claim 1: Langevin on N(0, v I) from exact samples.
func TestLesson11GaussianLangevin(t *testing.T) {
	const n = 50000
	for _, c := range [][2]float64{{1, 0.5}, {1, 1.2}, {0.5, 0.8}} {
		v, s := c[0], c[1]
		q := isoGaussian(t, v)
		x0 := exactSample(q, n, 1, pcg(1))
		one, err := (&sample.Langevin{Size: s, Iters: 1}).Sample(nil, x0, q, nil, pcg(2))
		if err != nil {
			t.Fatal(err)
		}
		// Six comparisons (three settings, one step and chain): 4 SE.
		if got, se := variance(one); math.Abs(got-(v+s*s*s*s/(4*v))) > 4*se {
			t.Errorf("v=%v s=%v: variance after one step %v, want v + s^4/(4v) = %v (SE %v)", v, s, got, v+s*s*s*s/(4*v), se)
		}
		// Independent chains, each moved until the start is forgotten:
		// the distance to the stationary variance shrinks by (1 - s^2/(2v))^2
		// per move; 300 moves make it below 1e-6 of v here.
		long, err := (&sample.Langevin{Size: s, Iters: 300}).Sample(nil, x0, q, nil, pcg(3))
		if err != nil {
			t.Fatal(err)
		}
		want := v / (1 - s*s/(4*v))
		if got, se := variance(long); math.Abs(got-want) > 4*se {
			t.Errorf("v=%v s=%v: chain variance %v, want v/(1 - s^2/(4v)) = %v (SE %v)", v, s, got, want, se)
		}
	}
}
