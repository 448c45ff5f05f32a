package nn

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"difftoy/toy"
)

// BenchmarkTrainStep is the canonical workload of bench/mlp_train.py: 2-D x
// plus 16 sinusoidal time features, 3 hidden SiLU layers of width W, 2
// outputs, x0 loss, Adam at lr 1e-3, batch B; one op is one training step
// (sampling of x_0, t, eps, forward, backward, Adam). EMA and evaluation are
// off, as in the PyTorch script.
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
				if _, err := Train(context.Background(), m, data, cfg, rand.NewPCG(3, 3)); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
			})
		}
	}
}
