//go:build unix

package nn

import "syscall"

// processCPU is the CPU time (user + system) the process has used, in
// seconds, for the benchmarks' CPU-time figures.
func processCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
