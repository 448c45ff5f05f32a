package course

import (
	"testing"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/sample"
)

// classSamplesMatch runs DDPM (1000 steps) with den and label y and
// returns the energy distance to class-y data in units of its noise level.
func classSamplesMatch(t *testing.T, den toy.Denoiser, m analytic.Mixture, y int, stream uint64) float64 {
	t.Helper()
	cls, err := m.Class(y)
	if err != nil {
		t.Fatal(err)
	}
	const n = 600
	x, err := sample.DDPM(sample.Full(toy.DDPM()), toy.PosteriorVariance).Sample(nil, gauss(n, pcg(stream)), den, labels(n, y), pcg(stream+1))
	if err != nil {
		t.Fatal(err)
	}
	src := pcg(stream + 2)
	ec := energyCheck(x, func(n int) []float64 { return exactSample(cls, n, 1, src) }, 10)
	return ec.Energy / ec.Noise
}
