package sample_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/sample"
)

// benchMixture returns an exact law with K components: eight-gaussians for
// K = 8, otherwise K isotropic Gaussians (std 0.1) with means uniform in
// [-2, 2]^2, or (delta) the delta mixture of those means.
func benchMixture(b *testing.B, K int, delta bool) analytic.Mixture {
	if K == 8 {
		return load(b, "eight-gaussians")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	means := make([]float64, 2*K)
	covs := make([][]float64, K)
	for i := range means {
		means[i] = 4*rng.Float64() - 2
	}
	for i := range covs {
		covs[i] = []float64{0.01, 0, 0, 0.01}
	}
	if delta {
		m, err := analytic.NewDelta(2, means, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		return m
	}
	m, err := analytic.NewGaussian(2, nil, means, covs, nil)
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchmarkSamplers runs each sampler family for 20 moves (Langevin: 20
// iterations) on 1000 particles with the exact denoiser and reports
// particle-moves per second. Heun and predictor-corrector call the
// denoiser twice per move. "Denoise" is the baseline: the 20 denoiser calls
// alone, so the sampler's own cost is the difference. Plain Langevin runs
// at alpha = 1, where a delta mixture has no density: it is skipped there.
func BenchmarkSamplers(b *testing.B) {
	const n, moves = 1000, 20
	s := toy.DDPM()
	p, err := sample.Strided(s, moves)
	if err != nil {
		b.Fatal(err)
	}
	pc := sample.DDIM(p, 0)
	pc.Corrector = sample.Corrector{Iters: 1, Ratio: 0.1}
	xT := gaussians(n, 2, 1)
	dst := make([]float64, len(xT))
	for _, mix := range []struct {
		name  string
		K     int
		delta bool
	}{{"gauss", 8, false}, {"gauss", 1000, false}, {"delta", 1000, true}} {
		m := benchMixture(b, mix.K, mix.delta)
		src := rand.NewPCG(3, 3)
		for _, tc := range []struct {
			name string
			run  func()
		}{
			{"Denoise", func() {
				for k := 0; k < moves; k++ {
					m.Denoise(dst, xT, p.Alpha(k), nil)
				}
			}},
			{"DDPM", func() { sample.DDPM(p, toy.PosteriorVariance).Sample(dst, xT, m, nil, src) }},
			{"DDIM", func() { sample.DDIM(p, 0).Sample(dst, xT, m, nil, nil) }},
			{"Drift", func() { sample.DriftSampler(p).Sample(dst, xT, m, nil, nil) }},
			{"Heun", func() { (&sample.ODE{Plan: p, Heun: true}).Sample(dst, xT, m, nil) }},
			{"PC", func() { pc.Sample(dst, xT, m, nil, src) }},
			{"Inversion", func() { (&sample.Inversion{Plan: p}).Invert(dst, xT, m, nil) }},
			{"Langevin", func() { (&sample.Langevin{Size: 0.05, Iters: moves}).Sample(dst, xT, m, nil, src) }},
			{"Annealed", func() {
				(&sample.Annealed{Plan: p, Iters: 1, Ratio: 0.1}).Sample(dst, xT, m, nil, src)
			}},
		} {
			if tc.name == "Langevin" && mix.delta {
				continue // a delta mixture has no density at alpha = 1
			}
			b.Run(fmt.Sprintf("%s/%s/K=%d", tc.name, mix.name, mix.K), func(b *testing.B) {
				for b.Loop() {
					tc.run()
				}
				b.ReportMetric(float64(n*moves*b.N)/b.Elapsed().Seconds(), "particle-moves/s")
			})
		}
	}
}

// normalData is the exact denoiser of N(0, I) data, D(x) = sqrt(alpha) x:
// it costs one multiplication per coordinate, so a sampler run with it
// measures the sampler's own arithmetic and noise.
type normalData struct{}

func (normalData) Dim() int { return 2 }

func (normalData) Denoise(dst, x []float64, alpha float64, y []int) []float64 {
	if dst == nil {
		dst = make([]float64, len(x))
	}
	r := math.Sqrt(alpha)
	for i := range x {
		dst[i] = r * x[i]
	}
	return dst
}

// BenchmarkMove runs 20 moves of each form on 100000 particles with the
// near-free denoiser normalData and reports particle-moves per second: the
// cost of the step itself (noise drawing included for DDPM).
func BenchmarkMove(b *testing.B) {
	const n, moves = 100000, 20
	p, err := sample.Strided(toy.DDPM(), moves)
	if err != nil {
		b.Fatal(err)
	}
	xT := gaussians(n, 2, 1)
	dst := make([]float64, len(xT))
	for _, tc := range []struct {
		name string
		s    *sample.Sampler
		src  rand.Source
	}{
		{"DDPM", sample.DDPM(p, toy.PosteriorVariance), rand.NewPCG(3, 3)},
		{"DDIM", sample.DDIM(p, 0), nil},
		{"Drift", sample.DriftSampler(p), nil},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := tc.s.Sample(dst, xT, normalData{}, nil, tc.src); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n*moves*b.N)/b.Elapsed().Seconds(), "particle-moves/s")
		})
	}
}
