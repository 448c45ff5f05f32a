package nn_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"difftoy/toy"
	"difftoy/toy/datasets"
	"difftoy/toy/nn"
)

// Train a small denoiser on eight Gaussians and compare it with the exact
// denoiser D* of the mixture the points came from.
func ExampleTrain() {
	ds, err := datasets.Load("eight-gaussians", 4000, rand.NewPCG(1, 1))
	if err != nil {
		panic(err)
	}
	spec := nn.DefaultSpec(2)
	spec.Hidden = []int{64, 64, 64}
	m, err := nn.NewModel(spec, toy.DDPM(), rand.NewPCG(2, 2))
	if err != nil {
		panic(err)
	}
	cfg := nn.DefaultConfig()
	cfg.Steps, cfg.Batch, cfg.LR, cfg.EMA = 600, 128, 2e-3, 0.99
	hist, err := nn.Train(context.Background(), m, nn.FromDataset(ds), cfg, rand.NewPCG(3, 3))
	if err != nil {
		panic(err)
	}
	e := hist.Evals[len(hist.Evals)-1]
	fmt.Println("steps:", len(hist.Loss))
	fmt.Println("error to D* below 10% of the best constant's:", e.Weighted < 0.1*e.TrivialWeighted)
	var _ toy.Denoiser = m // usable by every sampler
	// Output:
	// steps: 600
	// error to D* below 10% of the best constant's: true
}

func ExampleParsePred() {
	for _, name := range []string{"x0", "eps", "score", "v", "edm", "noise"} {
		p, err := nn.ParsePred(name)
		fmt.Println(p, err)
	}
	// Output:
	// x0 <nil>
	// eps <nil>
	// score <nil>
	// v <nil>
	// edm <nil>
	// x0 nn: unknown parametrisation "noise" (valid: x0, eps, score, v, edm)
}
