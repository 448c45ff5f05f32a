//go:build !wasm

package analytic

import "math"

// fma returns x*y + z rounded once (math.FMA). The kernels write every
// multiply-add through it so that the pure-Go and assembly kernels agree
// bit for bit; processors with a fused multiply-add do it in one
// instruction.
func fma(x, y, z float64) float64 { return math.FMA(x, y, z) }
