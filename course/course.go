// The lesson list and the types every experiment shares.

package course

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"difftoy/viz"
)

// Config holds the settings every experiment shares.
type Config struct {
	// Seed seeds every random source of an experiment: the same seed gives
	// the same numbers on any number of cores.
	Seed uint64
	// Quick shrinks sample sizes and training runs (tests, previews). The
	// lessons' claims still hold at the quick sizes; the charts are noisier.
	Quick bool
	// CacheDir is the folder of the trained-model cache: a denoiser or
	// noisy classifier trained once (same data, network, settings and
	// seed) is loaded from there by every later run. "" means nn.DefaultCacheDir() ($DIFFTOY_CACHE, else
	// difftoy/models in the user's cache folder); "off" disables it.
	CacheDir string
	// Retrain trains every model again and overwrites its cache entry.
	Retrain bool

	// streams, when not nil, records every stream the run draws from and
	// where (the tests check that independent draws never share a stream).
	streams *streamLog
}

// DefaultConfig is what the notebooks and the main job use.
func DefaultConfig() Config { return Config{Seed: 1} }

// rng returns the random source of stream k of the experiment, so that each
// part of an experiment draws from its own fixed stream.
func (c Config) rng(k uint64) rand.Source {
	if c.streams != nil {
		c.streams.record(k)
	}
	s := pcgSeeds(c.Seed, k)
	return rand.NewPCG(s[0], s[1])
}

// pcg returns the PCG seeds of stream k (rng's source), for a training
// job that names its streams by their seeds; it is recorded as rng is.
func (c Config) pcg(k uint64) [2]uint64 {
	if c.streams != nil {
		c.streams.record(k)
	}
	return pcgSeeds(c.Seed, k)
}

func pcgSeeds(seed, k uint64) [2]uint64 { return [2]uint64{seed, 0x9e3779b97f4a7c15 ^ k} }

// size picks the full or the quick value.
func (c Config) size(full, quick int) int {
	if c.Quick {
		return quick
	}
	return full
}

// Progress receives the progress of a long step (training): done out of
// total units, with a note naming the stage. A nil Progress is allowed. In a
// notebook, viz/nb's Progress.Func gives one that updates in place.
type Progress func(done, total int, note string)

func (p Progress) report(stage string, done, total int) {
	if p != nil {
		p(done, total, stage)
	}
}

// Number is one measured quantity of an experiment, with what it means.
type Number struct {
	Name  string  // short key, e.g. "alpha_T"
	Value float64 // the measured value
	Note  string  // one line: what it is and what to compare it with
}

// Result is what an experiment hands to a notebook, a page of the book or a
// test: its numbers, the lesson's claims checked on them, and its charts.
type Result struct {
	Numbers []Number
	Claims  []Claim
	Charts  []*viz.Chart
}

func (r *Result) add(name string, v float64, note string) {
	r.Numbers = append(r.Numbers, Number{name, v, note})
}

// Number returns the value of the named number and whether it exists.
func (r *Result) Number(name string) (float64, bool) {
	for _, n := range r.Numbers {
		if n.Name == name {
			return n.Value, true
		}
	}
	return 0, false
}

// Table formats the numbers as a Markdown table.
func (r *Result) Table() string {
	var b strings.Builder
	b.WriteString("| quantity | value | meaning |\n| --- | --- | --- |\n")
	for _, n := range r.Numbers {
		fmt.Fprintf(&b, "| %s | %.4g | %s |\n", n.Name, n.Value, n.Note)
	}
	return b.String()
}

// String formats the claims (verdict, sentence, measured value against the
// bound), then the numbers as aligned plain text, one per line.
func (r *Result) String() string {
	var b strings.Builder
	if len(r.Claims) > 0 {
		held, total := r.Held()
		fmt.Fprintf(&b, "Claims: %d of %d hold\n", held, total)
		if n := len(r.Claims) - total; n > 0 {
			fmt.Fprintf(&b, "(and %d indicative: claims on training quality at the quick sizes, whose bounds are for the default training)\n", n)
		}
		for _, c := range r.Claims {
			fmt.Fprintf(&b, "[%s] %s\n        %s = %s, bound %s\n", c.Verdict(), c.Text, c.Name, c.Measured(), c.BoundText())
		}
		b.WriteString("\nNumbers:\n")
	}
	w := 0
	for _, n := range r.Numbers {
		w = max(w, len(n.Name))
	}
	for _, n := range r.Numbers {
		fmt.Fprintf(&b, "%-*s  %11.4g  %s\n", w, n.Name, n.Value, n.Note)
	}
	return b.String()
}

// Lesson is one part of the course: its text, its notebook and the
// experiment that produces the numbers and charts the text discusses.
type Lesson struct {
	ID       string // "01-forward-process": the name of the lesson and its notebook
	Title    string
	Markdown string // lesson text, relative to the module root
	Notebook string // notebook, relative to the module root
	// Run runs the lesson's experiments with their default settings.
	Run func(ctx context.Context, cfg Config, p Progress) (*Result, error)
}

// Lessons lists the course in the order of lessons/README.md.
func Lessons() []Lesson {
	ls := []Lesson{
		{ID: "01-forward-process", Title: "The forward process and noise schedules", Run: atDefaults(Forward, DefaultForward)},
		{ID: "02-ideal-denoiser", Title: "The ideal denoiser and the score", Run: atDefaults(Ideal, DefaultIdeal)},
		{ID: "03-training", Title: "Training a denoiser with the x0 loss", Run: runTraining},
		{ID: "04-ancestral-sampling", Title: "Ancestral sampling", Run: afterTraining(DefaultAncestral, defaultDenoiser, Ancestral)},
		{ID: "05-changing-schedule", Title: "Changing the schedule without retraining", Run: runReschedule},
		{ID: "06-parametrisations", Title: "eps, x0, score and v: one optimum", Run: runParametrisations},
		{ID: "07-conditional", Title: "Conditional generation", Run: afterTraining(DefaultGuidance, TrainConditional, Conditional)},
		{ID: "08-classifier-guidance", Title: "Classifier guidance", Run: afterTraining(DefaultGuidance, TrainClassifier, ClassifierGuidance)},
		{ID: "09-classifier-free-guidance", Title: "Classifier-free guidance", Run: afterTraining(DefaultGuidance, TrainConditional, CFG)},
		{ID: "10-deterministic-sampling", Title: "Deterministic sampling: DDIM, the PF-ODE, inversion, likelihood", Run: atDefaults(Deterministic, DefaultDeterministic)},
		{ID: "11-langevin", Title: "Langevin dynamics and predictor-corrector", Run: atDefaults(Langevin, DefaultLangevin)},
		{ID: "12-memorisation", Title: "Memorisation and generalisation", Run: runMemorisation},
		{ID: "13-sde", Title: "The SDE view and score matching", Run: runSDE},
		{ID: "14-flow-matching", Title: "Flow matching, rectified flow and preconditioning", Run: atDefaults(Flow, DefaultFlow)},
	}
	for i := range ls {
		ls[i].Markdown = "lessons/" + ls[i].ID + ".md"
		ls[i].Notebook = "notebooks/" + ls[i].ID + ".ipynb"
	}
	return ls
}

// atDefaults is the Run of a lesson whose runner trains nothing: the runner
// at the setup's defaults.
func atDefaults[S any](run func(Config, S) (*Result, error), def func(Config) S) func(context.Context, Config, Progress) (*Result, error) {
	return func(_ context.Context, cfg Config, _ Progress) (*Result, error) { return run(cfg, def(cfg)) }
}

// afterTraining is the Run of a lesson whose runner takes a network trained
// first: the setup's defaults, the network trained (or loaded) for them,
// then the runner.
func afterTraining[S, N any](def func(Config) S, train func(context.Context, Config, S, Progress) (N, error), run func(Config, S, N) (*Result, error)) func(context.Context, Config, Progress) (*Result, error) {
	return func(ctx context.Context, cfg Config, p Progress) (*Result, error) {
		s := def(cfg)
		n, err := train(ctx, cfg, s, p)
		if err != nil {
			return nil, err
		}
		return run(cfg, s, n)
	}
}

// LessonByID returns the lesson with the given ID.
func LessonByID(id string) (Lesson, error) {
	var ids []string
	for _, l := range Lessons() {
		if l.ID == id {
			return l, nil
		}
		ids = append(ids, l.ID)
	}
	return Lesson{}, fmt.Errorf("course: unknown lesson %q (valid: %s)", id, strings.Join(ids, ", "))
}
