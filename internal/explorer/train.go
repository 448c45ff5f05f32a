package explorer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"difftoy/toy/nn"
)

// Training is a train-in-page run's settings: the course's recipe (an MLP
// of three hidden layers with the preconditioning of Karras et al. 2022
// and Fourier features of x, Adam at 2e-3 with cosine decay and EMA) at a
// size and length the page can afford.
type Training struct {
	Steps int // Adam steps
	Width int // units per hidden layer
	Seed  uint64
}

// Limits of the training settings.
const (
	MaxTrainSteps = 20000
	MaxWidth      = 256
)

// TrainModel fits an unconditional denoiser to d's points. progress, when
// not nil, receives the step, the total and the mean batch loss since the
// last report.
func TrainModel(d *Data, s Training, progress func(step, total int, loss float64)) (*nn.Model, error) {
	if s.Steps < 1 || s.Steps > MaxTrainSteps {
		return nil, fmt.Errorf("training steps must be between 1 and %d, not %d", MaxTrainSteps, s.Steps)
	}
	if s.Width < 4 || s.Width > MaxWidth {
		return nil, fmt.Errorf("the width must be between 4 and %d, not %d", MaxWidth, s.Width)
	}
	std := spread(d.Points)
	if !(std > 0) {
		return nil, errors.New("training needs at least two different points")
	}
	spec := nn.DefaultSpec(2)
	spec.Hidden = []int{s.Width, s.Width, s.Width}
	spec.Pred = nn.PredEDM
	spec.XFeatures = 6
	spec.SigmaData = std
	m, err := nn.NewModel(spec, Schedule, rand.NewPCG(s.Seed, 11))
	if err != nil {
		return nil, err
	}
	cfg := nn.DefaultConfig()
	cfg.Steps = s.Steps
	cfg.LR = 2e-3
	cfg.EvalEvery = 0
	cfg.ProgressEvery = max(1, s.Steps/100)
	if progress != nil {
		cfg.Progress = func(p nn.Progress) { progress(p.Step, p.Steps, p.Loss) }
	}
	// No exact mixture: the error against D* would cost more than the
	// training in the page.
	_, err = nn.Train(context.Background(), m, nn.Data{Points: d.Points}, cfg, rand.NewPCG(s.Seed, 12))
	if err != nil {
		if errors.Is(err, nn.ErrDiverged) {
			return nil, fmt.Errorf("training diverged (%v): try fewer steps or a narrower network", err)
		}
		return nil, err
	}
	return m, nil
}

// spread is the standard deviation of the points per coordinate (the root
// mean square over the two coordinates): PredEDM's sigma_data.
func spread(x []float64) float64 {
	n := len(x) / 2
	if n == 0 {
		return 0
	}
	var s float64
	for j := range 2 {
		var mu, q float64
		for i := range n {
			mu += x[2*i+j]
		}
		mu /= float64(n)
		for i := range n {
			q += (x[2*i+j] - mu) * (x[2*i+j] - mu)
		}
		s += q / float64(n)
	}
	return math.Sqrt(s / 2)
}
