//go:build !amd64 || purego

package analytic

// Without the assembly kernels (other architectures, or the purego build
// tag) the pure-Go kernels run.
func bestKernels() kernelSet { return goKernels }

// kernelSets returns every kernel set available (for the tests).
func kernelSets() []kernelSet { return []kernelSet{goKernels} }

func (k *kernelSet) logits2(lg, xs, ys, lw []float64, px, py, c float64) float64 {
	return logits2Go(lg, xs, ys, lw, px, py, c)
}

func (k *kernelSet) expSum2(acc *[3 * lanes]float64, lg, xs, ys []float64, best float64, tab *[expN]uint64) {
	expSum2Go(acc, lg, xs, ys, best, tab)
}

func (k *kernelSet) expSum(acc *[lanes]float64, lg []float64, best float64, tab *[expN]uint64) {
	expSumGo(acc, lg, best, tab)
}

func (k *kernelSet) linear2(lg, cx, cy, r2, lw []float64, a, b, c float64) float64 {
	return linear2Go(lg, cx, cy, r2, lw, a, b, c)
}

func (k *kernelSet) gauss2Logits(lg, z0, z1, cols []float64, n int, x0, x1 float64) float64 {
	return gauss2LogitsGo(lg, z0, z1, cols, n, x0, x1)
}

func (k *kernelSet) gauss2Denoise(acc *[3 * lanes]float64, lg, z0, z1, cols []float64, n int, sa, best float64, tab *[expN]uint64) {
	gauss2DenoiseGo(acc, lg, z0, z1, cols, n, sa, best, tab)
}

func (k *kernelSet) gauss2Score(acc *[3 * lanes]float64, lg, z0, z1 []float64, best float64, tab *[expN]uint64) {
	gauss2ScoreGo(acc, lg, z0, z1, best, tab)
}
