package course

import (
	"math"
	"strings"
	"testing"

	"difftoy/viz"
)

func titles(cs []*viz.Chart) string {
	var b strings.Builder
	for _, c := range cs {
		j, _ := c.JSON()
		b.WriteString(c.Title)
		b.Write(j)
	}
	return b.String()
}

// TestSliderDrawings checks the one-setting drawings of the notebooks'
// sliders: each names its setting in its titles and bad settings are
// refused by name.
func TestSliderDrawings(t *testing.T) {
	cfg := Config{Seed: 1, Quick: true}
	fs := DefaultForward(cfg)
	c, err := ForwardAt(cfg, fs, 250)
	if err != nil {
		t.Fatal(err)
	}
	if s := titles(c); !strings.Contains(s, "linear, t = 250") || !strings.Contains(s, "cosine, t = 250") {
		t.Error("ForwardAt(250) does not name t = 250 in both panels")
	}
	c, err = ForwardAt(cfg, fs, 0)
	if err != nil || !strings.Contains(titles(c), "t = 0, α = 1") {
		t.Errorf("ForwardAt(0): %v, or no α = 1 at t = 0", err)
	}

	ds := DefaultDeterministic(cfg)
	c, err = DeterministicAt(cfg, ds, 20, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if s := titles(c); !strings.Contains(s, "DDIM η = 0.5, 20 steps") || !strings.Contains(s, "x₀ → x_T → x₀, 20 steps") {
		t.Error("DeterministicAt(20, 0.5) does not name its setting")
	}

	ls := DefaultLangevin(cfg)
	c, err = LangevinAt(cfg, ls, 0.05, 500, false)
	if err != nil || !strings.Contains(titles(c), "plain, step 0.05, 500 moves") {
		t.Errorf("LangevinAt plain: %v, or the setting is not named", err)
	}
	c, err = LangevinAt(cfg, ls, 0.1, 1000, true)
	if err != nil || !strings.Contains(titles(c), "annealed, h = 0.1 (1 − α_t), 50 levels × 20 moves") {
		t.Errorf("LangevinAt annealed: %v, or the setting is not named", err)
	}

	gs := DefaultGuidance(cfg)
	c, err = GuidanceAt(cfg, gs, 3, 1)
	if err != nil || !strings.Contains(titles(c), "class 1, γ = 3: mean q₀(1 | x)") {
		t.Errorf("GuidanceAt(3, 1): %v, or the setting is not named", err)
	}

	for _, bad := range []struct {
		err  error
		want string
	}{
		{second(ForwardAt(cfg, fs, -1)), "t = -1 outside 0..1000"},
		{second(ForwardAt(cfg, fs, 1001)), "t = 1001 outside 0..1000"},
		{second(DeterministicAt(cfg, ds, 20, 1.5)), "eta = 1.5 outside [0, 1]"},
		{second(DeterministicAt(cfg, ds, 0, 0)), "DeterministicAt"},
		{second(LangevinAt(cfg, ls, 0, 10, false)), "step size 0 is not a positive number"},
		{second(LangevinAt(cfg, ls, 0.1, 0, true)), "0 moves"},
		{second(GuidanceAt(cfg, gs, 1, 2)), "class 2 outside 0..1"},
		{second(GuidanceAt(cfg, gs, math.Inf(1), 0)), "not a finite number"},
	} {
		if bad.err == nil || !strings.Contains(bad.err.Error(), bad.want) {
			t.Errorf("error %v, want one saying %q", bad.err, bad.want)
		}
	}
}

func second(_ []*viz.Chart, err error) error { return err }
