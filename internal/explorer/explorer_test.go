package explorer

import (
	"math"
	"strings"
	"testing"
)

func TestDrawnRefuses(t *testing.T) {
	for _, c := range []struct {
		name    string
		points  []float64
		weights []float64
		labels  []int
		says    string
	}{
		{"no points", nil, nil, nil, "no data points"},
		{"odd", []float64{1, 2, 3}, nil, nil, "pairs"},
		{"NaN", []float64{1, math.NaN()}, nil, nil, "point 1 has coordinate NaN"},
		{"too far", []float64{0, 0, 2e6, 0}, nil, nil, "point 2"},
		{"too many", make([]float64, 2*MaxPoints+2), nil, nil, "too many"},
		{"weight", []float64{0, 0, 1, 1}, []float64{1, 0}, nil, "point 2 has weight 0"},
		{"labels length", []float64{0, 0, 1, 1}, nil, []int{0}, "1 labels for 2 points"},
		{"class gap", []float64{0, 0, 1, 1}, nil, []int{0, 2}, "class 1 has no point"},
		{"negative class", []float64{0, 0}, nil, []int{-1}, "classes are 0 to 9"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Drawn(c.points, c.weights, c.labels)
			if err == nil || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("Drawn: error %v, want one saying %q", err, c.says)
			}
		})
	}
}

func TestDrawnOneClassIsUnlabelled(t *testing.T) {
	d, err := Drawn([]float64{0, 0, 1, 1}, nil, []int{0, 0})
	if err != nil {
		t.Fatal(err)
	}
	if d.Classes != 0 || d.Labels != nil {
		t.Fatalf("one class: Classes %d, Labels %v; want an unlabelled set", d.Classes, d.Labels)
	}
	if !d.Delta() {
		t.Fatal("drawn data are not the delta mixture of their points")
	}
}

func TestGrid(t *testing.T) {
	g := Grid(3)
	want := []float64{-View, -View, 0, -View, View, -View, -View, 0, 0, 0, View, 0, -View, View, 0, View, View, View}
	for i := range want {
		if g[i] != want[i] {
			t.Fatalf("Grid(3) = %v, want %v", g, want)
		}
	}
}

// The exact classifier guidance and classifier-free guidance follow the
// same field: s(x) + (1 + gamma) grad log q_t(y | x) = (1 + gamma) s(x | y)
// - gamma s(x) by Bayes. They are computed through different sums, so they
// agree to rounding: relative 1e-9 of the field's size allows for the
// cancellation in s(x | y) - s(x) where the class posterior is near 0 or 1
// (terms up to 1/(1 - alpha) ~ 1e3 cancelling to the field's size).
func TestGuidedFieldsAgree(t *testing.T) {
	d, err := Load("two-classes", 200, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []int{20, 300, 900} {
		cg, err := Fields(d, tt, 20, 15, PullArrows, Guidance{Guide: ClassifierGuide, Class: 1, Gamma: 2})
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := Fields(d, tt, 20, 15, PullArrows, Guidance{Guide: FreeGuide, Class: 1, Gamma: 2})
		if err != nil {
			t.Fatal(err)
		}
		scale := 0.0
		for _, v := range cg.Arrows {
			scale = math.Max(scale, math.Abs(v))
		}
		for i := range cg.Arrows {
			if math.Abs(cg.Arrows[i]-cfg.Arrows[i]) > 1e-9*scale {
				t.Fatalf("t=%d: classifier-guided arrow[%d] = %v, CFG %v", tt, i, cg.Arrows[i], cfg.Arrows[i])
			}
		}
	}
}

func TestPosteriorSumsToOne(t *testing.T) {
	d, err := Load("eight-gaussians", 50, 1)
	if err != nil {
		t.Fatal(err)
	}
	p, err := PosteriorAt(d, 400, 0.3, -1)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, w := range p.Weights {
		sum += w
	}
	if len(p.Weights) != 8 || math.Abs(sum-1) > 1e-14 {
		t.Fatalf("posterior: %d weights summing to %v, want 8 summing to 1", len(p.Weights), sum)
	}
}

func TestRunRefuses(t *testing.T) {
	d, err := Load("eight-gaussians", 50, 1)
	if err != nil {
		t.Fatal(err)
	}
	ok := Sampling{Method: DDIM, Steps: 10, Particles: 10, Seed: 1}
	for _, c := range []struct {
		name string
		edit func(*Sampling)
		says string
	}{
		{"no particles", func(s *Sampling) { s.Particles = 0 }, "particles must be between 1 and 5000"},
		{"steps", func(s *Sampling) { s.Steps = 1001 }, "steps must be between 1 and 1000"},
		{"eta", func(s *Sampling) { s.Eta = 1.5 }, "eta must be between 0 and 1"},
		{"size", func(s *Sampling) { s.Method, s.T, s.Size = Langevin, 1, 0 }, "step size"},
		{"guidance without classes", func(s *Sampling) { s.Guidance = Guidance{Guide: FreeGuide, Gamma: 1} }, "at least two classes"},
		{"diverging", func(s *Sampling) { s.Method, s.T, s.Size, s.Steps = Langevin, 1, 10, 200 }, "flew off to infinity"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := ok
			c.edit(&s)
			_, err := Run(d, s, nil)
			if err == nil || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("Run: error %v, want one saying %q", err, c.says)
			}
		})
	}
}

// DDPM with every step on the exact denoiser samples the data law: its
// energy distance to fresh draws is of the order of the noise level (a
// ratio above 3 is rare for two samples of one law: course.EnergyCheck).
// The same seed gives the same run, and progress counts every move.
func TestRunSamplesTheLaw(t *testing.T) {
	if testing.Short() {
		t.Skip("1000 steps")
	}
	d, err := Load("eight-gaussians", 100, 1)
	if err != nil {
		t.Fatal(err)
	}
	s := Sampling{Method: DDPM, Steps: 1000, Particles: 400, Seed: 3, Keep: 5, Frames: 10}
	moves := 0
	r, err := Run(d, s, func(done, total int) { moves = done })
	if err != nil {
		t.Fatal(err)
	}
	if moves != 1000 {
		t.Errorf("progress reached %d of 1000 moves", moves)
	}
	if r.Energy > 3*r.Noise {
		t.Errorf("energy distance %v, more than 3 times its noise level %v", r.Energy, r.Noise)
	}
	if len(r.Paths) < 10 || len(r.Paths) > 12 || len(r.Paths[0]) != 10 {
		t.Errorf("%d frames of %d values, want about 10 frames of 5 particles", len(r.Paths), len(r.Paths[0]))
	}
	again, err := Run(d, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range r.X {
		if r.X[i] != again.X[i] {
			t.Fatal("the same seed gave different samples")
		}
	}
}

func TestTrainModel(t *testing.T) {
	one, err := Drawn([]float64{1, 1, 1, 1}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := TrainModel(one, Training{Steps: 10, Width: 8, Seed: 1}, nil); err == nil || !strings.Contains(err.Error(), "two different points") {
		t.Errorf("training on one repeated point: error %v, want one saying it needs two different points", err)
	}
	d, err := Load("moons", 200, 1)
	if err != nil {
		t.Fatal(err)
	}
	var losses []float64
	m, err := TrainModel(d, Training{Steps: 300, Width: 16, Seed: 1}, func(step, total int, loss float64) { losses = append(losses, loss) })
	if err != nil {
		t.Fatal(err)
	}
	if len(losses) != 100 {
		t.Errorf("%d loss reports, want 100 (one per 1%% of the steps)", len(losses))
	}
	// The batch loss has an irreducible part (the posterior variance of x_0)
	// and is noisy, so learning shows better in the samples: the network
	// after 300 steps samples the moons far better than after 1 step (an
	// untrained network's samples sit near the origin). A factor 2 in the
	// energy distance is a wide margin for that.
	r, err := RunWith(d, m, Sampling{Method: DDIM, Steps: 20, Particles: 200, Seed: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	m1, err := TrainModel(d, Training{Steps: 1, Width: 16, Seed: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r1, err := RunWith(d, m1, Sampling{Method: DDIM, Steps: 20, Particles: 200, Seed: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("energy distance after 300 steps %.4g, after 1 step %.4g (noise level %.3g)", r.Energy, r1.Energy, r.Noise)
	if !(r.Energy < 0.5*r1.Energy) {
		t.Errorf("energy distance after 300 steps %v, not under half of the untrained network's %v", r.Energy, r1.Energy)
	}
	for _, v := range r.X {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatal("the trained network's samples are not finite")
		}
	}
	if _, err := RunWith(d, m, Sampling{Method: DDIM, Steps: 20, Particles: 100, Seed: 1, Guidance: Guidance{Guide: FreeGuide, Gamma: 1}}, nil); err == nil {
		t.Error("guided sampling of the unconditional network: no error")
	}
}

// The score arrows are Tweedie's formula applied to the pull arrows:
// grad log q_t(x) = (sqrt(alpha) (x + (D*(x) - x)) - x) / (1 - alpha), to
// rounding amplified by 1 / (1 - alpha) (at most 1e4 at t = 1; 1e-9 of the
// field's size allows for it).
func TestScoreArrowsAreTweedie(t *testing.T) {
	d, err := Load("three-points", 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []int{5, 200, 800} {
		pull, err := Fields(d, tt, 3, 12, PullArrows, Guidance{})
		if err != nil {
			t.Fatal(err)
		}
		score, err := Fields(d, tt, 3, 12, ScoreArrows, Guidance{})
		if err != nil {
			t.Fatal(err)
		}
		g, a := Grid(12), pull.Alpha
		scale := 0.0
		for _, v := range score.Arrows {
			scale = math.Max(scale, math.Abs(v))
		}
		for i := range g {
			want := (math.Sqrt(a)*(g[i]+pull.Arrows[i]) - g[i]) / (1 - a)
			if math.Abs(score.Arrows[i]-want) > 1e-9*scale {
				t.Fatalf("t=%d: score arrow[%d] = %v, Tweedie on the pull arrow gives %v", tt, i, score.Arrows[i], want)
			}
		}
	}
}
