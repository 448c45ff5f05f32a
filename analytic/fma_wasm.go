//go:build wasm

package analytic

// fma returns x*y + z with two roundings under WebAssembly, which has no
// fused multiply-add: math.FMA is emulated in software there and made the
// kernels dozens of times slower. Results then differ from the other
// builds in the last bits (a relative error of a few units of 2^-53 per
// multiply-add; expCore says why its argument reduction stays exact).
func fma(x, y, z float64) float64 { return x*y + z }
