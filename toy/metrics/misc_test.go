package metrics

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestNearestAndWithinRadius(t *testing.T) {
	train := []float64{0, 0, 10, 0}
	x := []float64{0, 1, 9, 0, 5, 0.5, 10, 0}
	nn := Nearest(nil, x, train, 2)
	want := []float64{1, 1, math.Hypot(5, 0.5), 0}
	for i := range want {
		if math.Abs(nn[i]-want[i]) > 1e-12 {
			t.Errorf("Nearest[%d] = %v, want %v", i, nn[i], want[i])
		}
	}
	for _, tc := range []struct{ r, want float64 }{{0, 0.25}, {1, 0.75}, {0.5, 0.25}, {6, 1}} {
		if got := WithinRadius(x, train, 2, tc.r); got != tc.want {
			t.Errorf("WithinRadius(r = %v) = %v, want %v", tc.r, got, tc.want)
		}
	}
}

// stepClassifier puts class 1 on x > 0 with probability p, class 0 elsewhere.
type stepClassifier struct{ p float64 }

func (stepClassifier) Dim() int     { return 2 }
func (stepClassifier) Classes() int { return 2 }
func (c stepClassifier) ClassPosterior(dst, x []float64, alpha float64) []float64 {
	if dst == nil {
		dst = make([]float64, len(x))
	}
	for i := 0; i < len(x)/2; i++ {
		p1 := 1 - c.p
		if x[2*i] > 0 {
			p1 = c.p
		}
		dst[2*i], dst[2*i+1] = 1-p1, p1
	}
	return dst
}

func TestClassAccuracy(t *testing.T) {
	c := stepClassifier{0.9}
	x := []float64{1, 0, -1, 0, 2, 0, -3, 0}
	y := []int{1, 0, 0, 1}
	if got := ClassAccuracy(c, x, y); got != 0.5 {
		t.Errorf("ClassAccuracy = %v, want 0.5", got)
	}
	if got, want := MeanClassPosterior(c, x, y), (0.9+0.9+0.1+0.1)/4; math.Abs(got-want) > 1e-15 {
		t.Errorf("MeanClassPosterior = %v, want %v", got, want)
	}
	// A tie (posterior 1/2 each) goes to the lowest class.
	if got := ClassAccuracy(stepClassifier{0.5}, []float64{1, 0, -1, 0}, []int{0, 0}); got != 1 {
		t.Errorf("ClassAccuracy with ties = %v, want 1 (ties go to class 0)", got)
	}
}

// fixedLogProb returns the given log-densities whatever the points.
type fixedLogProb []float64

func (fixedLogProb) Dim() int { return 1 }
func (f fixedLogProb) LogProb(dst, x []float64, alpha float64) []float64 {
	return append(dst[:0], f...)
}

// MeanLogLik's standard error is the sample sd over sqrt(n): for the values
// 1, 2, 3, 4 the (n-1) variance is 5/3, so se = sqrt(5/3) / 2.
func TestMeanLogLikByHand(t *testing.T) {
	mean, se := MeanLogLik(fixedLogProb{1, 2, 3, 4}, make([]float64, 4))
	if mean != 2.5 || math.Abs(se-math.Sqrt(5.0/3)/2) > 1e-15 {
		t.Errorf("MeanLogLik = %v ± %v, want 2.5 ± %v", mean, se, math.Sqrt(5.0/3)/2)
	}
}

type stdNormal struct{}

func (stdNormal) Dim() int { return 2 }
func (stdNormal) LogProb(dst, x []float64, alpha float64) []float64 {
	return StdNormalLogPDF(dst, x, 2)
}

// Under N(0, I_2) the mean of log N(x) is minus the entropy, -log(2 pi) - 1.
func TestMeanLogLik(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	x := make([]float64, 2*4000)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	mean, se := MeanLogLik(stdNormal{}, x)
	if want := -math.Log(2*math.Pi) - 1; math.Abs(mean-want) > 4*se {
		t.Errorf("MeanLogLik = %v ± %v, want %v", mean, se, want)
	}
}
