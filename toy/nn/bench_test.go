package nn

import (
	"context"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"testing"
	"time"

	"difftoy/toy"
)

// BenchmarkTrainStep is the canonical workload of bench/mlp_train.py: 2-D x
// plus 16 sinusoidal time features, 3 hidden SiLU layers of width W, 2
// outputs, x0 loss, Adam at lr 1e-3, batch B; one op is one training step
// (sampling of x_0, t, eps, forward, backward, Adam). EMA and evaluation are
// off, as in the PyTorch script. cpu-us/step is the CPU time of the whole
// process (all threads, the runtime included) per step: it depends less
// than steps/s on how many other processes share the cores.
func BenchmarkTrainStep(b *testing.B) {
	pts := make([]float64, 2*4096)
	r := rand.New(rand.NewPCG(1, 1))
	for i := range pts {
		pts[i] = r.NormFloat64()
	}
	data := Data{Points: pts}
	for _, B := range []int{64, 256, 1024} {
		for _, W := range []int{64, 128, 256} {
			b.Run(fmt.Sprintf("B=%d/W=%d", B, W), func(b *testing.B) {
				spec := DefaultSpec(2)
				spec.Hidden = []int{W, W, W}
				m, err := NewModel(spec, toy.DDPM(), rand.NewPCG(2, 2))
				if err != nil {
					b.Fatal(err)
				}
				cfg := Config{Steps: b.N, Batch: B, LR: 1e-3, Decay: DecayNone, Weight: WeightX0}
				b.ResetTimer()
				cpu0 := processCPU()
				if _, err := Train(context.Background(), m, data, cfg, rand.NewPCG(3, 3)); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
				b.ReportMetric((processCPU()-cpu0)/float64(b.N)*1e6, "cpu-us/step")
			})
		}
	}
}

// BenchmarkProducts times the float32 products of a training chunk (64
// rows, width 128) with the pure-Go loops and each vector kernel set;
// GFLOP/s counts 2 m k n per product over the whole run, and best-GFLOP/s
// over the fastest single call (what one core does when no other process
// takes it, as BenchmarkClock measures the clock).
func BenchmarkProducts(b *testing.B) {
	const m, k, n = 64, 128, 128
	r := rand.New(rand.NewPCG(1, 2))
	x, y, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	for i := range y {
		y[i] = float32(r.NormFloat64())
	}
	saved := fast
	defer func() { fast = saved }()
	sets := append([]*kernels32{nil}, vectorKernels...)
	for _, ks := range sets {
		name := "purego"
		if ks != nil {
			name = ks.name
		}
		fast = ks
		for _, p := range []struct {
			name string
			f    func()
		}{
			{"NN", func() { gemmNN(c, x, y, m, k, n, false) }},
			{"NT", func() { gemmNT(c, x, y, m, k, n) }},
			{"TN", func() { gemmTN(y, x, c, k, m, n) }},
		} {
			b.Run(name+"/"+p.name, func(b *testing.B) {
				best := time.Hour
				for range b.N {
					t0 := time.Now()
					p.f()
					best = min(best, time.Since(t0))
				}
				b.ReportMetric(2*m*k*n*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				b.ReportMetric(2*m*k*n/best.Seconds()/1e9, "best-GFLOP/s")
			})
		}
	}
}

// BenchmarkClock estimates the core clock for bench/mlp_train.py's peak
// GFLOP/s: each iteration of addChain is a rotate and an add on the value
// the previous one produced, two dependent one-cycle instructions, so it
// takes 2 cycles however wide the core is. The fastest of the b.N calls
// (about 30 us each) counts: on a shared machine most calls lose time to
// other processes, and none can run faster than the clock.
func BenchmarkClock(b *testing.B) {
	const n = 1 << 16
	var x uint64
	best := time.Hour
	for range b.N {
		t0 := time.Now()
		x += addChain(n)
		best = min(best, time.Since(t0))
	}
	sink = x
	b.ReportMetric(2*n/best.Seconds()/1e9, "GHz")
}

var sink uint64

//go:noinline
func addChain(n int) uint64 {
	x := uint64(n)
	for i := 0; i < n; i++ {
		x = bits.RotateLeft64(x, 1) + 0x9e3779b9
	}
	return x
}
