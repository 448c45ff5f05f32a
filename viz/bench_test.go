package viz

import (
	"io"
	"math"
	"math/rand/v2"
	"testing"
)

// The size cases of the browser test, built and written as a page (the Go
// side of a draw): a 30x30 quiver, a 100x100 density, 1 000 particles of
// 100 steps as paths and as an animation.

func benchRun() Run {
	rng := rand.New(rand.NewPCG(5, 5))
	const n, steps = 1000, 100
	run := Run{Name: "r", Labels: make([]int, n)}
	x := make([]float64, 2*n)
	for i := range x {
		x[i] = 2 * rng.NormFloat64()
	}
	for range steps {
		run.Steps = append(run.Steps, append([]float64(nil), x...))
		for i := range x {
			x[i] = 0.97*x[i] + 0.1*rng.NormFloat64()
		}
	}
	return run
}

func benchPage(b *testing.B, build func() *Chart) {
	a := Assets{Src: "echarts.min.js"}
	for b.Loop() {
		if err := NewPage("p").Add(build()).Render(io.Discard, a); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkQuiver30(b *testing.B) {
	g := Grid{X0: -3, X1: 3, Y0: -3, Y1: 3, NX: 30, NY: 30}
	p := g.Points()
	v := make([]float64, len(p))
	for i := 0; i < len(p); i += 2 {
		v[i], v[i+1] = -p[i]-p[i+1], p[i]-p[i+1]
	}
	benchPage(b, func() *Chart { return Quiver("q", g, v, QuiverOpts{}) })
}

func BenchmarkDensity100(b *testing.B) {
	g := Grid{X0: -3, X1: 3, Y0: -3, Y1: 3, NX: 100, NY: 100}
	p := g.Points()
	v := make([]float64, g.Len())
	for i := range v {
		v[i] = math.Exp(-p[2*i]*p[2*i] - p[2*i+1]*p[2*i+1])
	}
	benchPage(b, func() *Chart { return Density("d", g, v, "q") })
}

func BenchmarkPaths1000x100(b *testing.B) {
	run := benchRun()
	benchPage(b, func() *Chart { return Paths("p", []Run{run}, TrajOpts{MaxPaths: 1000, MaxSteps: 100}) })
}

func BenchmarkAnimate1000x100(b *testing.B) {
	run := benchRun()
	benchPage(b, func() *Chart { return Animate("a", []Run{run}, TrajOpts{MaxFrames: 100, MaxMoving: 1000}) })
}
