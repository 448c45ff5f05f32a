package toy_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"difftoy/toy"
)

// Levels from nearly pure noise to nearly clean data.
var testAlphas = []float64{1e-8, 1e-3, 0.3, 0.9, 1 - 1e-6}

// testBatch returns n 2-D points spread over a few units, and labels
// cycling over 0, 1 and toy.Empty.
func testBatch(n int, seed uint64) ([]float64, []int) {
	rng := rand.New(rand.NewPCG(seed, seed))
	x := make([]float64, 2*n)
	for i := range x {
		x[i] = 3 * rng.NormFloat64()
	}
	y := make([]int, n)
	for i := range y {
		y[i] = []int{0, 1, toy.Empty}[i%3]
	}
	return x, y
}

// viewTol bounds the rounding of the views: they divide by 1 - alpha or
// sqrt(1 - alpha) after combining terms of size |x| / sqrt(alpha), so the
// absolute error is a few ulps of (|x| + 1) / (sqrt(alpha) (1 - alpha)).
func viewTol(x, alpha float64) float64 {
	return 1e-14 * (math.Abs(x) + 1) / (math.Sqrt(alpha) * (1 - alpha))
}

func TestScoreFromDenoiser(t *testing.T) {
	x, y := testBatch(30, 1)
	for _, labels := range [][]int{nil, y} {
		for _, a := range testAlphas {
			got := toy.ScoreFrom(testModel).Score(nil, x, a, labels)
			want := testModel.Score(nil, x, a, labels)
			for i := range want {
				if math.Abs(got[i]-want[i]) > viewTol(x[i], a) {
					t.Errorf("alpha=%v labels=%v: ScoreFrom[%d] = %v, want %v", a, labels != nil, i, got[i], want[i])
				}
			}
		}
	}
	if toy.ScoreFrom(testModel).Dim() != 2 || toy.DenoiserFrom(testModel).Dim() != 2 {
		t.Error("ScoreFrom or DenoiserFrom: wrong Dim")
	}
}

func TestDenoiserFromScore(t *testing.T) {
	x, y := testBatch(30, 2)
	for _, labels := range [][]int{nil, y} {
		for _, a := range testAlphas {
			want := testModel.Denoise(nil, x, a, labels)
			got := toy.DenoiserFrom(testModel).Denoise(nil, x, a, labels)
			round := toy.DenoiserFrom(toy.ScoreFrom(testModel)).Denoise(nil, x, a, labels)
			for i := range want {
				if math.Abs(got[i]-want[i]) > viewTol(x[i], a) {
					t.Errorf("alpha=%v: DenoiserFrom[%d] = %v, want %v", a, i, got[i], want[i])
				}
				// Two views: twice the rounding.
				if math.Abs(round[i]-want[i]) > 2*viewTol(x[i], a) {
					t.Errorf("alpha=%v: DenoiserFrom(ScoreFrom)[%d] = %v, want %v", a, i, round[i], want[i])
				}
			}
		}
	}
	// At alpha = 1 the implied denoiser is the identity (no noise to remove).
	got := toy.DenoiserFrom(testModel).Denoise(nil, x, 1, nil)
	for i := range x {
		if got[i] != x[i] {
			t.Fatalf("DenoiserFrom at alpha=1: [%d] = %v, want x = %v", i, got[i], x[i])
		}
	}
}

// Eps and V are checked through identities they must satisfy, not their
// defining formulas: x = sqrt(a) D + sqrt(1-a) eps (the forward equation with
// the predictions), eps = -sqrt(1-a) score (lessons/02-ideal-denoiser.md
// section 3), and for v = sqrt(a) eps - sqrt(1-a) x_0 the inverse pair
//
//	x_0 = sqrt(a) x - sqrt(1-a) v,   eps = sqrt(1-a) x + sqrt(a) v.
func TestEpsAndV(t *testing.T) {
	x, y := testBatch(30, 3)
	for _, labels := range [][]int{nil, y} {
		for _, a := range testAlphas {
			D := testModel.Denoise(nil, x, a, labels)
			score := testModel.Score(nil, x, a, labels)
			eps := toy.Eps(testModel, nil, x, a, labels)
			v := toy.V(testModel, nil, x, a, labels)
			sa, sv := math.Sqrt(a), math.Sqrt(1-a)
			for i := range x {
				tol := viewTol(x[i], a)
				if r := sa*D[i] + sv*eps[i] - x[i]; math.Abs(r) > tol {
					t.Errorf("alpha=%v [%d]: sqrt(a) D + sqrt(1-a) eps - x = %v", a, i, r)
				}
				if got, want := eps[i], -sv*score[i]; math.Abs(got-want) > tol {
					t.Errorf("alpha=%v [%d]: eps = %v, want -sqrt(1-a) score = %v", a, i, got, want)
				}
				if got := sa*x[i] - sv*v[i]; math.Abs(got-D[i]) > tol {
					t.Errorf("alpha=%v [%d]: sqrt(a) x - sqrt(1-a) v = %v, want D = %v", a, i, got, D[i])
				}
				if got := sv*x[i] + sa*v[i]; math.Abs(got-eps[i]) > tol {
					t.Errorf("alpha=%v [%d]: sqrt(1-a) x + sqrt(a) v = %v, want eps = %v", a, i, got, eps[i])
				}
			}
		}
	}
}

// Destination-first: a given dst is filled and returned, and batching
// changes nothing (each point alone gives the same numbers).
func TestViewsBatchAndDst(t *testing.T) {
	x, y := testBatch(5, 4)
	a := 0.4
	views := map[string]func(dst, x []float64, y []int) []float64{
		"ScoreFrom":    func(dst, x []float64, y []int) []float64 { return toy.ScoreFrom(testModel).Score(dst, x, a, y) },
		"DenoiserFrom": func(dst, x []float64, y []int) []float64 { return toy.DenoiserFrom(testModel).Denoise(dst, x, a, y) },
		"Eps":          func(dst, x []float64, y []int) []float64 { return toy.Eps(testModel, dst, x, a, y) },
		"V":            func(dst, x []float64, y []int) []float64 { return toy.V(testModel, dst, x, a, y) },
	}
	for name, f := range views {
		dst := make([]float64, len(x))
		all := f(dst, x, y)
		if &all[0] != &dst[0] {
			t.Errorf("%s did not return dst", name)
		}
		for i := range y {
			one := f(nil, x[2*i:2*i+2], y[i:i+1])
			if one[0] != all[2*i] || one[1] != all[2*i+1] {
				t.Errorf("%s: point %d alone %v, in batch %v", name, i, one, all[2*i:2*i+2])
			}
		}
	}
}

func TestContractPanics(t *testing.T) {
	x := []float64{1, 2, 3, 4}
	mustPanic(t, "toy.ScoreFrom", func() { toy.ScoreFrom(testModel).Score(nil, x, 1, nil) })
	mustPanic(t, "toy.Eps", func() { toy.Eps(testModel, nil, x, 1, nil) })
	mustPanic(t, "toy.V", func() { toy.V(testModel, nil, x, 1, nil) })
	mustPanic(t, "toy.ScoreFrom", func() { toy.ScoreFrom(testModel).Score(nil, x[:3], 0.5, nil) })
	mustPanic(t, "toy.DenoiserFrom", func() { toy.DenoiserFrom(testModel).Denoise(make([]float64, 2), x, 0.5, nil) })
	mustPanic(t, "toy.Eps", func() { toy.Eps(testModel, nil, x, 0.5, []int{0}) })
	mustPanic(t, "toy.V", func() { toy.V(testModel, nil, x, 0, nil) })
	for _, c := range []struct {
		name  string
		dst   []float64
		x     []float64
		d     int
		alpha float64
		y     []int
	}{
		{"dimension 0", nil, x, 0, 0.5, nil},
		{"ragged", nil, x[:3], 2, 0.5, nil},
		{"alpha 0", nil, x, 2, 0, nil},
		{"alpha > 1", nil, x, 2, 1.01, nil},
		{"alpha NaN", nil, x, 2, math.NaN(), nil},
		{"labels", nil, x, 2, 0.5, []int{1, 2, 3}},
		{"dst", make([]float64, 3), x, 2, 0.5, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			mustPanic(t, "who:", func() { toy.CheckBatch("who", c.dst, c.x, c.d, c.alpha, c.y) })
		})
	}
	n, dst := toy.CheckBatch("who", nil, x, 2, 1, []int{0, 1})
	if n != 2 || len(dst) != 4 {
		t.Errorf("CheckBatch = %d, len %d; want 2, 4", n, len(dst))
	}
}
