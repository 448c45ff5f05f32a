package course

import (
	"testing"
)

// The exercises run: each test in exercises_lessonNN_test.go makes the
// change an exercise of lesson NN suggests, through the setup fields the
// notebooks' ✎ cells expose, at quick size, and checks the outcome its hint
// predicts. The ones that train networks for long are skipped with -short.
// This file holds their shared helpers.

func quickCfg() Config { return Config{Seed: 1, Quick: true} }

func numOf(t *testing.T, r *Result, name string) float64 {
	t.Helper()
	v, ok := r.Number(name)
	if !ok {
		t.Fatalf("the run has no number %q", name)
	}
	return v
}

func needsTraining(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("trains networks; skipped with -short")
	}
}
