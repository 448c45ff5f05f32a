//go:build !unix

package nn

// processCPU is not measured on this system: the benchmarks report 0.
func processCPU() float64 { return 0 }
