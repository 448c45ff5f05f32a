package course

import (
	"math"
	"testing"

	"difftoy/toy"
	"difftoy/toy/sample"
)

// Lesson 12, claim 2: the empirical ideal denoiser's samples land on the
// training points with frequencies 1/N each (chi-square test at level
// 0.001; the 0.999 quantile of chi-square with 31 degrees of freedom is
// 61.10).
func TestLesson12HitFrequencies(t *testing.T) {
	ds := load("moons", 32, pcg(1))
	const n = 3200
	x, _, err := DDPMSample(ds.Exact, sample.Full(toy.DDPM()), toy.PosteriorVariance, n, Config{Seed: 1, Quick: true}, 9)
	if err != nil {
		t.Fatal(err)
	}
	counts := make([]float64, 32)
	for i := 0; i < n; i++ {
		best, bd := 0, math.Inf(1)
		for k := 0; k < 32; k++ {
			if d := math.Hypot(x[2*i]-ds.Points[2*k], x[2*i+1]-ds.Points[2*k+1]); d < bd {
				best, bd = k, d
			}
		}
		counts[best]++
	}
	var chi2 float64
	for _, c := range counts {
		chi2 += (c - n/32.0) * (c - n/32.0) / (n / 32.0)
	}
	t.Logf("chi-square %.1f (31 degrees of freedom)", chi2)
	if chi2 > 61.10 {
		t.Errorf("chi-square %v with 31 degrees of freedom, above 61.10 (counts %v)", chi2, counts)
	}
}
