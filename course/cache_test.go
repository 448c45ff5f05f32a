package course

import (
	"context"
	"slices"
	"testing"

	"difftoy/internal/tempenv"
	"difftoy/toy"
	"difftoy/toy/nn"
)

// TestMain points the trained-model cache at a temporary folder (also
// inherited by the processes the tests start), so that the tests never
// read or write the user's cache.
func TestMain(m *testing.M) { tempenv.Main(m, nn.CacheEnv) }

// TestTrainedModelCache: the course's networks go through the cache of
// Config.CacheDir: a second run loads the first's network and says so, and
// Retrain trains again.
func TestTrainedModelCache(t *testing.T) {
	ctx := context.Background()
	cfg := Config{Seed: 3, CacheDir: t.TempDir()}
	ds := load("eight-gaussians", 200, cfg.rng(1))
	var notes []string
	p := Progress(func(done, total int, note string) { notes = append(notes, note) })
	loaded := func() bool { return slices.Contains(notes, "tiny: loaded from cache") }
	train := func(cfg Config) *nn.Model {
		t.Helper()
		notes = nil
		m, _, err := trainedModel(ctx, ds, recipeSpec(), toy.DDPM(), 20, cfg, "tiny", p)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	m1 := train(cfg)
	if loaded() {
		t.Fatal("first run: loaded from an empty cache")
	}
	m2 := train(cfg)
	if !loaded() || !slices.Equal(m1.Net.Params, m2.Net.Params) {
		t.Fatalf("second run: loaded %v (notes %q), same parameters %v; want the cached network", loaded(), notes, slices.Equal(m1.Net.Params, m2.Net.Params))
	}
	cfg.Retrain = true
	if train(cfg); loaded() {
		t.Fatal("Retrain: loaded from the cache")
	}
	off := Config{Seed: 3, CacheDir: "off"}
	if train(off); loaded() {
		t.Fatal(`CacheDir "off": loaded from a cache`)
	}
}

// TestClassifierCache: lesson 8's noisy classifier goes through the cache
// too: a second run loads the first's classifier and says so, its
// probabilities are bit for bit those of one trained without a cache, and
// Retrain trains again.
func TestClassifierCache(t *testing.T) {
	ctx := context.Background()
	cfg := Config{Seed: 3, Quick: true, CacheDir: t.TempDir()}
	gs := DefaultGuidance(cfg)
	gs.ClassifierSteps = 20
	var notes []string
	p := Progress(func(done, total int, note string) { notes = append(notes, note) })
	loaded := func() bool { return slices.Contains(notes, "the noisy classifier: loaded from cache") }
	train := func(cfg Config) *nn.Classifier {
		t.Helper()
		notes = nil
		c, err := TrainClassifier(ctx, cfg, gs, p)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c1 := train(cfg)
	if loaded() {
		t.Fatal("first run: loaded from an empty cache")
	}
	c2 := train(cfg)
	if !loaded() {
		t.Fatalf("second run: notes %q; want the cached classifier", notes)
	}
	off := Config{Seed: 3, Quick: true, CacheDir: "off"}
	fresh := train(off)
	if loaded() {
		t.Fatal(`CacheDir "off": loaded from a cache`)
	}
	x := []float64{0.3, -0.2, 1, 1, -2, 0.5}
	for _, c := range []*nn.Classifier{c1, c2} {
		if !slices.Equal(c.Net.Params, fresh.Net.Params) || !slices.Equal(c.Probs(nil, x, 0.5), fresh.Probs(nil, x, 0.5)) {
			t.Fatal("a trained or loaded classifier differs from one trained without a cache")
		}
	}
	cfg.Retrain = true
	if train(cfg); loaded() {
		t.Fatal("Retrain: loaded from the cache")
	}
	other := cfg
	other.Seed = 4
	other.Retrain = false
	if train(other); loaded() {
		t.Fatal("another seed: loaded the classifier of seed 3")
	}
}
