package metrics

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestEnergyByHand(t *testing.T) {
	for _, tc := range []struct {
		name string
		x, y []float64
		d    int
		want float64
	}{
		// 1-D: E|X-Y| = (2+3+1+2)/4 = 2, E|X-X'| = E|Y-Y'| = (0+1+1+0)/4 = 1/2.
		{"1d", []float64{0, 1}, []float64{2, 3}, 1, 2*2 - 0.5 - 0.5},
		// Two single points at distance 5: E = 2 * 5.
		{"points", []float64{0, 0}, []float64{3, 4}, 2, 10},
		{"same", []float64{0, 0, 1, 2, -1, 3}, []float64{0, 0, 1, 2, -1, 3}, 2, 0},
		// Unequal sizes, 1-D: E|X-Y| = (3+2)/2, E|X-X'| = 1/2, E|Y-Y'| = 0.
		{"n != m", []float64{0, 1}, []float64{3}, 1, 2*2.5 - 0.5},
		// 3-D: two points at distance 3 each, n = 1, m = 2: E|X-Y| = 3,
		// E|Y-Y'| = (0 + 6 + 6 + 0)/4 = 3, so E = 6 - 0 - 3.
		{"3d", []float64{0, 0, 0}, []float64{1, 2, 2, -1, -2, -2}, 3, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Energy(tc.x, tc.y, tc.d); math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("Energy = %v, want %v", got, tc.want)
			}
		})
	}
}

// absNormalMean is E|Z| for Z ~ N(mu, s^2).
func absNormalMean(mu, s float64) float64 {
	return s*math.Sqrt(2/math.Pi)*math.Exp(-mu*mu/(2*s*s)) + mu*math.Erf(mu/(s*math.Sqrt2))
}

// The V-statistic estimates the population energy distance between N(0,1)
// and N(mu,1): 2 E|N(mu, 2)| - 2 E|N(0, 2)|. Its expectation adds exactly
// E|X-X'| / n + E|Y-Y'| / m (the zero i = j terms of the within-set sums),
// which the test adds; n != m so that the two normalisations are told
// apart. The tolerance is 4 standard errors of the mean of R independent
// replicates.
func TestEnergyPopulation(t *testing.T) {
	const n, m, R, mu = 1000, 400, 8, 1.0
	rng := rand.New(rand.NewPCG(1, 2))
	exx := absNormalMean(0, math.Sqrt2)
	want := 2*absNormalMean(mu, math.Sqrt2) - 2*exx + exx/n + exx/m
	vals := make([]float64, R)
	for r := range vals {
		x, y := make([]float64, n), make([]float64, m)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		for i := range y {
			y[i] = mu + rng.NormFloat64()
		}
		vals[r] = Energy(x, y, 1)
	}
	mean, se := meanSE(vals)
	if math.Abs(mean-want) > 4*se {
		t.Errorf("mean Energy over %d replicates = %v ± %v, want %v", R, mean, se, want)
	}
}

// TwoSampleNoise draws two fresh samples per replicate: with a draw that
// counts its calls, the statistic sees pairs (1, 2), (3, 4), ...
func TestTwoSampleNoise(t *testing.T) {
	k := 0
	draw := func() []float64 { k++; return []float64{float64(k)} }
	got := TwoSampleNoise(3, draw, func(a, b []float64) float64 { return 10*a[0] + b[0] })
	if want := []float64{12, 34, 56}; len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("TwoSampleNoise = %v, want %v", got, want)
	}
}

func TestPanics(t *testing.T) {
	one := []float64{0, 0}
	for _, tc := range []struct {
		name, want string
		f          func()
	}{
		{"energy empty", "metrics.Energy: empty", func() { Energy(nil, one, 2) }},
		{"energy dimension", "metrics.Energy: dimension 0", func() { Energy(one, one, 0) }},
		{"energy length", "metrics.Energy: len(y) = 3", func() { Energy(one, []float64{1, 2, 3}, 2) }},
		{"no replicates", "metrics.TwoSampleNoise: 0 replicates", func() {
			TwoSampleNoise(0, func() []float64 { return one }, func(a, b []float64) float64 { return 0 })
		}},
		{"sliced projections", "metrics.SlicedW1: projections", func() { SlicedW1(one, one, 2, 0, rand.NewPCG(1, 1)) }},
		{"W1 empty", "metrics.W1: empty", func() { W1(nil, []float64{1}) }},
		{"nearest empty train", "metrics.Nearest: empty training set", func() { Nearest(nil, one, nil, 2) }},
		{"radius NaN", "metrics.WithinRadius: radius NaN", func() { WithinRadius(one, one, 2, math.NaN()) }},
		{"radius none", "metrics.WithinRadius: no points", func() { WithinRadius(nil, one, 2, 1) }},
		{"loglik empty", "metrics.MeanLogLik: no points", func() { MeanLogLik(stdNormal{}, nil) }},
		{"labels", "metrics.ClassAccuracy: 1 labels for 2 points", func() { ClassAccuracy(stepClassifier{0.9}, []float64{1, 0, 2, 0}, []int{0}) }},
		{"label range", "metrics.MeanClassPosterior: label y[0] = 2", func() { MeanClassPosterior(stepClassifier{0.9}, one, []int{2}) }},
		{"flow logp", "metrics.FlowLogLik: 2 log-densities for 1 points", func() { FlowLogLik(nil, nil, one, []float64{0, 0}, scaleMap{}, nil) }},
		{"flow dst", "metrics.FlowLogLik: len(x0) = 4", func() { FlowLogLik(make([]float64, 4), nil, one, []float64{0}, scaleMap{}, nil) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if msg, _ := r.(string); !strings.Contains(msg, tc.want) {
					t.Errorf("panic %v, want one containing %q", r, tc.want)
				}
			}()
			tc.f()
		})
	}
}
