package nn

import (
	"math/rand/v2"
	"strings"
	"testing"

	"difftoy/toy"
)

// TestModelPanics: programmer errors panic with a message naming the call.
func TestModelPanics(t *testing.T) {
	cond := smallModel(t, TimeLogSigma) // 3 classes
	unc, err := NewModel(Spec{Dim: 2, Hidden: []int{4}, TimeFeatures: 2}, nil, rand.NewPCG(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{1, 2, 3, 4}
	cases := []struct {
		name, want string
		f          func()
	}{
		{"odd length", "nn.Model.Denoise", func() { cond.Denoise(nil, x[:3], 0.5, nil) }},
		{"alpha 0", "nn.Model.Denoise", func() { cond.Denoise(nil, x, 0, nil) }},
		{"label too big", "label 3", func() { cond.Denoise(nil, x, 0.5, []int{0, 3}) }},
		{"labels to unconditional", "unconditional", func() { unc.Denoise(nil, x, 0.5, []int{0, 1}) }},
		{"step on log-sigma model", "nn.Model.DenoiseStep", func() { cond.DenoiseStep(nil, x, 3, nil) }},
		{"classifier alpha 1", "nn.Classifier.Grad", func() {
			c, _ := NewClassifier(Spec{Dim: 2, Hidden: []int{4}, TimeFeatures: 2, Classes: 2}, toy.DDPM(), rand.NewPCG(1, 1))
			c.Grad(nil, x, 1, []int{0, 1})
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.Contains(s, c.want) {
					t.Errorf("panic %v, want one mentioning %q", r, c.want)
				}
			}()
			c.f()
		})
	}
	// alpha = 1 is no noise: D(x) = x exactly.
	if got := cond.Denoise(nil, x, 1, nil); got[0] != 1 || got[3] != 4 {
		t.Errorf("Denoise at alpha 1 = %v, want x", got)
	}
}

func TestSpecErrors(t *testing.T) {
	bad := []Spec{
		{Dim: 0, TimeFeatures: 2},
		{Dim: 2, TimeFeatures: 3},
		{Dim: 2, TimeFeatures: 2, Classes: -1},
		{Dim: 2, TimeFeatures: 2, Hidden: []int{0}},
		{Dim: 2, TimeFeatures: 2, Pred: 7},
		{Dim: 2, TimeFeatures: 2, Time: TimeStep}, // no schedule
	}
	for _, s := range bad {
		if _, err := NewModel(s, nil, rand.NewPCG(1, 1)); err == nil {
			t.Errorf("NewModel(%+v) gave no error", s)
		}
	}
	if _, err := NewClassifier(Spec{Dim: 2, TimeFeatures: 2, Classes: 1}, toy.DDPM(), rand.NewPCG(1, 1)); err == nil {
		t.Error("NewClassifier with 1 class gave no error")
	}
}
