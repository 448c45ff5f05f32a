package metrics

import (
	"math"
	"math/rand/v2"
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
// and N(mu,1): 2 E|N(mu, 2)| - 2 E|N(0, 2)|, plus a bias of about
// E|X-X'| (1/n + 1/m) that the test adds. The tolerance is 4 standard
// errors of the mean of R independent replicates.
func TestEnergyPopulation(t *testing.T) {
	const n, R, mu = 1000, 8, 1.0
	rng := rand.New(rand.NewPCG(1, 2))
	exx := absNormalMean(0, math.Sqrt2)
	want := 2*absNormalMean(mu, math.Sqrt2) - 2*exx + exx*2/n
	vals := make([]float64, R)
	for r := range vals {
		x, y := make([]float64, n), make([]float64, n)
		for i := range x {
			x[i] = rng.NormFloat64()
			y[i] = mu + rng.NormFloat64()
		}
		vals[r] = Energy(x, y, 1)
	}
	mean, se := meanSE(vals)
	if math.Abs(mean-want) > 4*se {
		t.Errorf("mean Energy over %d replicates = %v ± %v, want %v", R, mean, se, want)
	}
}
