// A disk cache of trained models: a training run is a pure function of its
// Job (data, architecture, schedule, settings, seeds), so its result is
// stored under a hash of the Job and reused by every later run.

package nn

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"difftoy/toy"
)

// CacheEnv names the environment variable that overrides the cache
// folder (tests point it at a temporary folder; "off" disables the cache).
const CacheEnv = "DIFFTOY_CACHE"

// DefaultCacheDir returns $DIFFTOY_CACHE when set, else difftoy/models
// under the user's cache folder (os.UserCacheDir). It returns "" (no
// cache) when DIFFTOY_CACHE is "off" or no user cache folder exists.
func DefaultCacheDir() string {
	if d, ok := os.LookupEnv(CacheEnv); ok && d != "" {
		if d == "off" {
			return ""
		}
		return d
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "difftoy", "models")
}

// Job is everything that determines a trained denoiser: a model of Spec on
// schedule Sched, initialised from PCG(Init[0], Init[1]) and trained on
// Data with Config from PCG(Seed[0], Seed[1]).
type Job struct {
	Spec   Spec
	Sched  *toy.Schedule
	Data   Data // Data.Exact is used for the evaluations only; it is not part of the key
	Config Config
	Init   [2]uint64
	Seed   [2]uint64
}

// Cache stores trained models in Dir, one entry per Job (or ClassifierJob)
// key: KEY.dtnn (the model or classifier file of save.go) and
// KEY.hist.json (its training history). Both
// are written by atomic rename, so writers running at once leave one
// valid entry. A zero Cache (Dir "") trains every time.
type Cache struct {
	Dir     string
	Retrain bool         // train even when an entry exists, and overwrite it
	Log     func(string) // receives a message when an entry is rejected (nil: none)
}

// keyHeader is the canonical encoding of a Job's settings: every field
// that changes the trained model or its history, by name.
type keyHeader struct {
	FileVersion  int       `json:"file_version"`
	Spec         Spec      `json:"spec"`
	Schedule     string    `json:"schedule"`
	Betas        []float64 `json:"betas"`
	Steps        int       `json:"steps"`
	Batch        int       `json:"batch"`
	LR           float64   `json:"lr"`
	Decay        string    `json:"decay"`
	Warmup       int       `json:"warmup"`
	WeightDecay  float64   `json:"weight_decay"`
	EMA          float64   `json:"ema"`
	Weight       string    `json:"weight"`
	LabelDropout float64   `json:"label_dropout"`
	Float64      bool      `json:"float64"`
	EvalEvery    int       `json:"eval_every"`
	EvalPoints   int       `json:"eval_points"`
	EvalSteps    int       `json:"eval_steps"`
	HasExact     bool      `json:"has_exact"`
	Init         [2]uint64 `json:"init"`
	Seed         [2]uint64 `json:"seed"`
	Classes      int       `json:"classes"`
}

// Key returns the SHA-256 (hex) of the job's canonical encoding: the
// settings above as JSON, then the points' float64 bits and the labels,
// little-endian. Progress settings do not enter it.
func (j *Job) Key() string {
	return hashKey(newKeyHeader(j.Spec, j.Sched, j.Config, j.Data, j.Init, j.Seed), j.Data)
}

// newKeyHeader returns the key header of a training run of a network of
// spec on sched with config, data and seeds.
func newKeyHeader(spec Spec, sched *toy.Schedule, c Config, data Data, init, seed [2]uint64) keyHeader {
	h := keyHeader{FileVersion: fileVersion, Spec: spec, Steps: c.Steps, Batch: c.Batch, LR: c.LR,
		Decay: c.Decay.String(), Warmup: c.Warmup, WeightDecay: c.WeightDecay, EMA: c.EMA,
		Weight: c.Weight.String(), LabelDropout: c.LabelDropout, Float64: c.Float64,
		EvalEvery: c.EvalEvery, EvalPoints: c.EvalPoints, EvalSteps: c.EvalSteps,
		HasExact: data.Exact != nil, Init: init, Seed: seed, Classes: data.Classes}
	h.Schedule, h.Betas = scheduleKey(sched)
	return h
}

// hashKey returns the SHA-256 (hex) of header as JSON (length-prefixed),
// then the points' float64 bits and the labels (each length-prefixed),
// little-endian.
func hashKey(header any, data Data) string {
	hj, err := json.Marshal(header)
	if err != nil {
		panic(fmt.Sprintf("nn: cache key: %v", err)) // plain numbers and strings: cannot fail
	}
	s := sha256.New()
	binary.Write(s, binary.LittleEndian, uint64(len(hj)))
	s.Write(hj)
	b := make([]byte, 8)
	binary.Write(s, binary.LittleEndian, uint64(len(data.Points)))
	for _, v := range data.Points {
		binary.LittleEndian.PutUint64(b, math.Float64bits(v))
		s.Write(b)
	}
	binary.Write(s, binary.LittleEndian, uint64(len(data.Labels)))
	for _, l := range data.Labels {
		binary.LittleEndian.PutUint64(b, uint64(int64(l)))
		s.Write(b)
	}
	return hex.EncodeToString(s.Sum(nil))
}

// scheduleKey returns the name and betas of sched ("" and none for nil).
func scheduleKey(sched *toy.Schedule) (name string, betas []float64) {
	if sched == nil {
		return "", nil
	}
	for t := 1; t <= sched.T(); t++ {
		betas = append(betas, sched.Beta(t))
	}
	return sched.Name, betas
}

// Run trains the job's model, or loads it from the job's cache entry.
func (j *Job) Run(ctx context.Context) (*Model, *History, error) {
	m, err := NewModel(j.Spec, j.Sched, rand.NewPCG(j.Init[0], j.Init[1]))
	if err != nil {
		return nil, nil, err
	}
	h, err := Train(ctx, m, j.Data, j.Config, rand.NewPCG(j.Seed[0], j.Seed[1]))
	if err != nil {
		return nil, nil, err
	}
	return m, h, nil
}

// inFlight serialises the runs of one key inside a process, so that two
// lessons asking for the same model at once train it once.
var inFlight sync.Map // key -> *sync.Mutex

// Train returns the job's trained model and history: from the cache when
// it holds a valid entry for the job's key (cached true), else by running
// the job and storing the result. An entry that cannot be read, is
// corrupt or does not match the job is reported through c.Log, never
// used, and replaced by a fresh run.
func (c *Cache) Train(ctx context.Context, j *Job) (m *Model, h *History, cached bool, err error) {
	return cachedRun(ctx, c, j.Key, j.Run,
		func(base string) (*Model, *History, error) { return c.load(base, j) },
		func(m *Model) func(string) error { return m.Save })
}

// cachedRun is Train for any kind of trained network T: load reads the
// entry at a base path, run trains, save returns the writer of a
// network's file.
func cachedRun[T any](ctx context.Context, c *Cache, key func() string, run func(context.Context) (T, *History, error),
	load func(base string) (T, *History, error), save func(T) func(string) error) (net T, h *History, cached bool, err error) {
	if c == nil || c.Dir == "" {
		net, h, err = run(ctx)
		return net, h, false, err
	}
	k := key()
	mu, _ := inFlight.LoadOrStore(k, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	base := filepath.Join(c.Dir, k)
	if !c.Retrain {
		net, h, err := load(base)
		switch {
		case err == nil:
			return net, h, true, nil
		case !errors.Is(err, fs.ErrNotExist):
			c.log(fmt.Sprintf("nn: cache entry %s rejected, training again: %v", k[:12], err))
		}
	}
	net, h, err = run(ctx)
	if err != nil {
		var zero T
		return zero, nil, false, err
	}
	if err := c.store(base, save(net), h); err != nil {
		c.log(fmt.Sprintf("nn: cache entry %s not written: %v", k[:12], err))
	}
	return net, h, false, nil
}

func (c *Cache) log(msg string) {
	if c.Log != nil {
		c.Log(msg)
	}
}

// load reads the entry at base and checks that it is the job's.
func (c *Cache) load(base string, j *Job) (*Model, *History, error) {
	return loadEntry(base, j.Config.Steps, j.Spec, j.Sched, "model", func(path string) (*Model, Spec, *toy.Schedule, error) {
		m, err := LoadModel(path)
		if err != nil {
			return nil, Spec{}, nil, err
		}
		return m, m.Spec, m.Sched, nil
	})
}

// loadEntry reads the entry at base, its network by read (which also
// returns the stored spec and schedule), and checks that it is the job's:
// a history of steps losses, the job's spec and schedule. what names the
// network in the error.
func loadEntry[T any](base string, steps int, spec Spec, sched *toy.Schedule, what string, read func(path string) (T, Spec, *toy.Schedule, error)) (T, *History, error) {
	var zero T
	h, err := loadHistory(base, steps)
	if err != nil {
		return zero, nil, err
	}
	net, s, sc, err := read(base + ".dtnn")
	if err != nil {
		return zero, nil, err
	}
	if !sameSpec(s, spec) || !sameSchedule(sc, sched) {
		return zero, nil, fmt.Errorf("%s.dtnn: %w: the stored %s is not the job's (spec %+v)", base, ErrFormat, what, s)
	}
	return net, h, nil
}

// loadHistory reads the history at base + ".hist.json" and checks that it
// has a loss for each of steps steps.
func loadHistory(base string, steps int) (*History, error) {
	hb, err := os.ReadFile(base + ".hist.json")
	if err != nil {
		return nil, err
	}
	var h History
	dec := json.NewDecoder(bytes.NewReader(hb))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		return nil, fmt.Errorf("%s.hist.json: %w: %v", base, ErrFormat, err)
	}
	if len(h.Loss) != steps {
		return nil, fmt.Errorf("%s.hist.json: %w: %d losses for %d steps", base, ErrFormat, len(h.Loss), steps)
	}
	return &h, nil
}

// store writes the history, then the network with save (an atomic writer
// such as Model.Save): an entry is complete once its network file exists,
// and load reads both.
func (c *Cache) store(base string, save func(path string) error, h *History) error {
	if err := os.MkdirAll(filepath.Dir(base), 0o755); err != nil {
		return err
	}
	hb, err := json.Marshal(h)
	if err != nil {
		return err
	}
	if err := saveAtomic(base+".hist.json", func(w io.Writer) (int64, error) {
		n, err := w.Write(hb)
		return int64(n), err
	}); err != nil {
		return err
	}
	return save(base + ".dtnn")
}

func sameSpec(a, b Spec) bool {
	return a.Dim == b.Dim && slices.Equal(a.Hidden, b.Hidden) && a.Act == b.Act &&
		a.TimeFeatures == b.TimeFeatures && a.Time == b.Time && a.Classes == b.Classes &&
		a.Pred == b.Pred && a.XFeatures == b.XFeatures && a.SigmaData == b.SigmaData
}

func sameSchedule(a, b *toy.Schedule) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Name != b.Name || a.T() != b.T() {
		return false
	}
	for t := 1; t <= a.T(); t++ {
		if a.Beta(t) != b.Beta(t) {
			return false
		}
	}
	return true
}
