package nn

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"difftoy/toy"
)

// cacheJob is a small job that trains in milliseconds.
func cacheJob(t *testing.T) *Job {
	t.Helper()
	sched, err := toy.Linear(50, 1e-3, 0.2)
	if err != nil {
		t.Fatal(err)
	}
	pts := []float64{1, 0, -1, 0, 0, 1, 0, -1, 0.5, 0.5}
	cfg := DefaultConfig()
	cfg.Steps, cfg.Batch, cfg.EvalEvery = 20, 16, 0
	return &Job{Spec: Spec{Dim: 2, Hidden: []int{8}, Act: SiLU, TimeFeatures: 4, Pred: PredEDM, SigmaData: 0.7, XFeatures: 2},
		Sched: sched, Data: Data{Points: pts}, Config: cfg, Init: [2]uint64{1, 2}, Seed: [2]uint64{3, 4}}
}

// logger collects the cache's messages.
type logger struct {
	mu   sync.Mutex
	msgs []string
}

func (l *logger) log(s string) { l.mu.Lock(); l.msgs = append(l.msgs, s); l.mu.Unlock() }

func TestCacheKey(t *testing.T) {
	base := cacheJob(t).Key()
	if again := cacheJob(t).Key(); again != base {
		t.Fatalf("the same job gave keys %s and %s", base, again)
	}
	// Every ingredient of the result changes the key; progress settings do not.
	changes := map[string]func(j *Job){
		"point":     func(j *Job) { j.Data.Points[3] = 0.25 },
		"labels":    func(j *Job) { j.Data.Labels = []int{0, 0, 0, 0, 0} },
		"width":     func(j *Job) { j.Spec.Hidden = []int{9} },
		"xfeatures": func(j *Job) { j.Spec.XFeatures = 3 },
		"sigmadata": func(j *Job) { j.Spec.SigmaData = 0.8 },
		"steps":     func(j *Job) { j.Config.Steps = 21 },
		"lr":        func(j *Job) { j.Config.LR *= 2 },
		"warmup":    func(j *Job) { j.Config.Warmup = 5 },
		"ema":       func(j *Job) { j.Config.EMA = 0.99 },
		"init":      func(j *Job) { j.Init[1] = 5 },
		"seed":      func(j *Job) { j.Seed[0] = 5 },
		"schedule":  func(j *Job) { j.Sched, _ = toy.Linear(50, 1e-3, 0.21) },
	}
	for name, change := range changes {
		j := cacheJob(t)
		change(j)
		if j.Key() == base {
			t.Errorf("changing the %s leaves the key unchanged", name)
		}
	}
	j := cacheJob(t)
	j.Config.ProgressEvery = 3
	j.Config.Progress = func(Progress) {}
	if j.Key() != base {
		t.Error("progress settings change the key")
	}
}

// cacheLife runs an entry's life through train (with the cache c, or
// rc: c with Retrain) for a job of key, whose training runs count in
// *trained: a miss trains and writes the network and its history; a hit
// loads them (same parameters, params, and history) without training;
// Retrain trains again; a corrupted network file is rejected with a
// message naming the checksum (into lg), retrained and rewritten, and the
// rewritten entry is used. It returns the trained and the loaded network.
func cacheLife[T any](t *testing.T, c, rc *Cache, lg *logger, key string, trained *int,
	train func(c *Cache) (T, *History, bool, error), params func(T) []float64) (T, T) {
	t.Helper()
	n1, h1, cached, err := train(c)
	if err != nil || cached || *trained != 1 {
		t.Fatalf("miss: cached %v, runs %d, err %v; want a training run", cached, *trained, err)
	}
	files, _ := filepath.Glob(filepath.Join(c.Dir, "*"))
	if len(files) != 2 {
		t.Fatalf("after a miss the folder holds %v, want the network and its history", files)
	}
	n2, h2, cached, err := train(c)
	if err != nil || !cached || *trained != 1 {
		t.Fatalf("hit: cached %v, runs %d, err %v; want a load without training", cached, *trained, err)
	}
	if !slices.Equal(params(n1), params(n2)) || !slices.Equal(h1.Loss, h2.Loss) {
		t.Fatal("hit: the loaded network or history differs from the trained one")
	}
	if _, _, cached, err := train(rc); err != nil || cached || *trained != 2 {
		t.Fatalf("forced retrain: cached %v, runs %d, err %v; want a training run", cached, *trained, err)
	}
	// Corrupt the network file: rejected, retrained, rewritten.
	file := filepath.Join(c.Dir, key+".dtnn")
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, cached, err := train(c); err != nil || cached || *trained != 3 {
		t.Fatalf("corrupt entry: cached %v, runs %d, err %v; want a training run", cached, *trained, err)
	}
	if len(lg.msgs) != 1 || !strings.Contains(lg.msgs[0], "rejected") || !strings.Contains(lg.msgs[0], "checksum") {
		t.Fatalf("corrupt entry: messages %q, want one rejection naming the checksum", lg.msgs)
	}
	if _, _, cached, _ := train(c); !cached {
		t.Fatal("the rewritten entry is not used")
	}
	return n1, n2
}

// TestCache: an entry's life (cacheLife); the loaded model denoises as
// the trained one; a truncated history or a model of another spec stored
// under the key is rejected with a message and replaced.
func TestCache(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	lg := &logger{}
	c := &Cache{Dir: dir, Log: lg.log}
	j := cacheJob(t)
	trained := 0
	j.Config.Progress = func(Progress) { trained++ }
	j.Config.ProgressEvery = 1000

	m1, m2 := cacheLife(t, c, &Cache{Dir: dir, Retrain: true, Log: lg.log}, lg, j.Key(), &trained,
		func(c *Cache) (*Model, *History, bool, error) { return c.Train(ctx, j) },
		func(m *Model) []float64 { return m.Net.Params })
	x := []float64{0.3, -0.2, 1, 1}
	if d1, d2 := m1.Denoise(nil, x, 0.5, nil), m2.Denoise(nil, x, 0.5, nil); !slices.Equal(d1, d2) {
		t.Fatalf("hit: loaded model denoises to %v, trained one to %v", d2, d1)
	}
	model := filepath.Join(dir, j.Key()+".dtnn")

	// A truncated history and a model of another spec stored under the key
	// are rejected too.
	hist := filepath.Join(dir, j.Key()+".hist.json")
	if err := os.WriteFile(hist, []byte(`{"Loss":[1,2]`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, cached, _ := c.Train(ctx, j); cached || len(lg.msgs) != 2 {
		t.Fatalf("truncated history: cached %v, messages %q; want a rejection", cached, lg.msgs)
	}
	other := cacheJob(t)
	other.Spec.Hidden = []int{5}
	om, _, err := other.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := om.Save(model); err != nil {
		t.Fatal(err)
	}
	if _, _, cached, _ := c.Train(ctx, j); cached || len(lg.msgs) != 3 || !strings.Contains(lg.msgs[2], "not the job's") {
		t.Fatalf("mismatched model: cached %v, messages %q; want a rejection", cached, lg.msgs)
	}
}

// TestCacheConcurrentWriters: runs of the same job at once (as from two
// notebooks) leave one valid entry and no temporary files; stores racing
// on the same files (as from two processes) do too.
func TestCacheConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	j := cacheJob(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, _, errs[i] = (&Cache{Dir: dir}).Train(ctx, j)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	m, h, err := j.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := &Cache{Dir: dir}
	base := filepath.Join(dir, j.Key())
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i%4] = c.store(base, m.Save, h)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	all, _ := filepath.Glob(filepath.Join(dir, ".*"))
	if len(files) != 2 || len(all) != 0 {
		t.Fatalf("folder holds %v and hidden %v, want one model and one history", files, all)
	}
	if _, _, cached, err := c.Train(ctx, j); err != nil || !cached {
		t.Fatalf("after concurrent writers: cached %v, err %v; want a valid entry", cached, err)
	}
}

func TestDefaultCacheDir(t *testing.T) {
	t.Setenv(CacheEnv, "/some/where")
	if d := DefaultCacheDir(); d != "/some/where" {
		t.Errorf("with %s set: %q", CacheEnv, d)
	}
	t.Setenv(CacheEnv, "off")
	if d := DefaultCacheDir(); d != "" {
		t.Errorf("with %s=off: %q, want no cache", CacheEnv, d)
	}
}
