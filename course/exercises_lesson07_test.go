package course

import (
	"context"
	"fmt"
	"math"
	"testing"
)

// Lesson 7's exercises (lessons/07-conditional.md), each run at quick size
// (see exercises_test.go).

// Exercise 4: the conditional network on three classes (setup.Dataset =
// "three-classes"). The hint: its one-hot label input separates them:
// each label's samples are assigned to their class above chance (1/3, by
// 3 binomial standard errors) and above 0.8 of the Bayes accuracy (the
// bound of claim 7).
func TestExerciseL07E4_ThreeClasses(t *testing.T) {
	needsTraining(t)
	cfg := quickCfg()
	gs := DefaultGuidance(cfg)
	gs.Dataset = "three-classes"
	tr, err := TrainConditional(context.Background(), cfg, gs, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Conditional(cfg, gs, tr)
	if err != nil {
		t.Fatal(err)
	}
	chance := 1.0 / 3
	se := math.Sqrt(chance * (1 - chance) / float64(gs.Samples))
	for y := 0; y < 3; y++ {
		bayes, share := numOf(t, r, fmt.Sprintf("class%d/bayes", y)), numOf(t, r, fmt.Sprintf("class%d/trained_share", y))
		t.Logf("class %d: trained share %.3f, Bayes accuracy %.3f", y, share, bayes)
		if !(share > chance+3*se && share > 0.8*bayes) {
			t.Errorf("class %d: trained share %.3f, want above %.3f and 0.8 x %.3f", y, share, chance+3*se, bayes)
		}
	}
}
