package nn

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"difftoy/toy"
)

// classifierCacheJob is a small classifier job that trains in milliseconds.
func classifierCacheJob(t *testing.T) *ClassifierJob {
	t.Helper()
	sched, err := toy.Linear(50, 1e-3, 0.2)
	if err != nil {
		t.Fatal(err)
	}
	pts := []float64{1, 0, -1, 0, 0, 1, 0, -1, 0.5, 0.5}
	cfg := DefaultConfig()
	cfg.Steps, cfg.Batch, cfg.EvalEvery = 20, 16, 0
	return &ClassifierJob{Spec: Spec{Dim: 2, Hidden: []int{8}, Act: SiLU, TimeFeatures: 4, Classes: 2},
		Sched: sched, Data: Data{Points: pts, Labels: []int{0, 1, 0, 1, 1}, Classes: 2}, Config: cfg,
		Init: [2]uint64{1, 2}, Seed: [2]uint64{3, 4}}
}

func TestClassifierCacheKey(t *testing.T) {
	base := classifierCacheJob(t).Key()
	if again := classifierCacheJob(t).Key(); again != base {
		t.Fatalf("the same job gave keys %s and %s", base, again)
	}
	// Every ingredient of the trained classifier changes the key.
	changes := map[string]func(j *ClassifierJob){
		"point":    func(j *ClassifierJob) { j.Data.Points[3] = 0.25 },
		"label":    func(j *ClassifierJob) { j.Data.Labels[0] = 1 },
		"classes":  func(j *ClassifierJob) { j.Spec.Classes, j.Data.Classes = 3, 3 },
		"width":    func(j *ClassifierJob) { j.Spec.Hidden = []int{9} },
		"act":      func(j *ClassifierJob) { j.Spec.Act = ReLU },
		"time":     func(j *ClassifierJob) { j.Spec.Time = TimeStep },
		"features": func(j *ClassifierJob) { j.Spec.TimeFeatures = 6 },
		"steps":    func(j *ClassifierJob) { j.Config.Steps = 21 },
		"batch":    func(j *ClassifierJob) { j.Config.Batch = 17 },
		"lr":       func(j *ClassifierJob) { j.Config.LR *= 2 },
		"decay":    func(j *ClassifierJob) { j.Config.Decay = DecayNone },
		"warmup":   func(j *ClassifierJob) { j.Config.Warmup = 5 },
		"wd":       func(j *ClassifierJob) { j.Config.WeightDecay = 0.01 },
		"ema":      func(j *ClassifierJob) { j.Config.EMA = 0.99 },
		"float64":  func(j *ClassifierJob) { j.Config.Float64 = true },
		"init":     func(j *ClassifierJob) { j.Init[1] = 5 },
		"seed":     func(j *ClassifierJob) { j.Seed[0] = 5 },
		"schedule": func(j *ClassifierJob) { j.Sched, _ = toy.Linear(50, 1e-3, 0.21) },
	}
	for name, change := range changes {
		j := classifierCacheJob(t)
		change(j)
		if j.Key() == base {
			t.Errorf("changing the %s leaves the key unchanged", name)
		}
	}
	// Progress and the settings TrainClassifier ignores do not.
	j := classifierCacheJob(t)
	j.Config.ProgressEvery = 3
	j.Config.Progress = func(Progress) {}
	j.Config.Weight, j.Config.LabelDropout = WeightELBO, 0.5
	if j.Key() != base {
		t.Error("progress or denoiser-only settings change the key")
	}
	// A denoiser job of the same settings has another key.
	cj := classifierCacheJob(t)
	dj := &Job{Spec: cj.Spec, Sched: cj.Sched, Data: cj.Data, Config: cj.Config, Init: cj.Init, Seed: cj.Seed}
	if dj.Key() == base {
		t.Error("a denoiser job and a classifier job of the same settings share a key")
	}
}

// TestClassifierCache: an entry's life (cacheLife, as a denoiser's); the
// loaded classifier's probabilities and gradients are bit for bit the
// trained one's; another classifier, or a denoiser, stored under the key
// is rejected with a message and replaced.
func TestClassifierCache(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	lg := &logger{}
	c := &Cache{Dir: dir, Log: lg.log}
	j := classifierCacheJob(t)
	trained := 0
	j.Config.Progress = func(Progress) { trained++ }
	j.Config.ProgressEvery = 1000

	c1, c2 := cacheLife(t, c, &Cache{Dir: dir, Retrain: true, Log: lg.log}, lg, j.Key(), &trained,
		func(c *Cache) (*Classifier, *History, bool, error) { return c.TrainClassifier(ctx, j) },
		func(clf *Classifier) []float64 { return clf.Net.Params })
	x := []float64{0.3, -0.2, 1, 1, -2, 0.5}
	y := []int{0, 1, toy.Empty}
	for _, a := range []float64{0.999, 0.5, 0.01} {
		if p1, p2 := c1.Probs(nil, x, a), c2.Probs(nil, x, a); !slices.Equal(p1, p2) {
			t.Fatalf("hit: at alpha %v the loaded classifier's probabilities are %v, the trained one's %v", a, p2, p1)
		}
		if g1, g2 := c1.Grad(nil, x, a, y), c2.Grad(nil, x, a, y); !slices.Equal(g1, g2) {
			t.Fatalf("hit: at alpha %v the loaded classifier's gradients are %v, the trained one's %v", a, g2, g1)
		}
	}
	file := filepath.Join(dir, j.Key()+".dtnn")

	// A classifier of another spec, and a denoiser, stored under the key
	// are rejected too.
	other := classifierCacheJob(t)
	other.Spec.Hidden = []int{5}
	oc, _, err := other.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := oc.Save(file); err != nil {
		t.Fatal(err)
	}
	if _, _, cached, _ := c.TrainClassifier(ctx, j); cached || len(lg.msgs) != 2 || !strings.Contains(lg.msgs[1], "not the job's") {
		t.Fatalf("another classifier: cached %v, messages %q; want a rejection", cached, lg.msgs)
	}
	m, _, err := cacheJob(t).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Save(file); err != nil {
		t.Fatal(err)
	}
	if _, _, cached, _ := c.TrainClassifier(ctx, j); cached || len(lg.msgs) != 3 || !strings.Contains(lg.msgs[2], `holds a "denoiser"`) {
		t.Fatalf("a denoiser under the key: cached %v, messages %q; want a rejection", cached, lg.msgs)
	}
	if _, _, cached, _ := c.TrainClassifier(ctx, j); !cached {
		t.Fatal("the rewritten entry is not used")
	}
}

// TestClassifierCacheOff: a zero Cache (no folder) trains every time.
func TestClassifierCacheOff(t *testing.T) {
	j := classifierCacheJob(t)
	for range 2 {
		if _, _, cached, err := (&Cache{}).TrainClassifier(context.Background(), j); err != nil || cached {
			t.Fatalf("no folder: cached %v, err %v; want a training run", cached, err)
		}
	}
}
