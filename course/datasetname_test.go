package course

import (
	"context"
	"errors"
	"strings"
	"testing"

	"difftoy/toy/datasets"
)

// A notebook edits a setup's Dataset field and calls the lesson's
// function: a name that is not a dataset must come back as an error that
// names the function, the dataset and every valid name, not as a panic.
func TestBadDatasetNameIsAnError(t *testing.T) {
	const bad = "no-such-data"
	cfg := Config{Seed: 1, Quick: true, CacheDir: "off"}
	ctx := context.Background()
	for _, tc := range []struct {
		who string
		run func() error
	}{
		{"course.Forward", func() error {
			s := DefaultForward(cfg)
			s.Dataset = bad
			_, err := Forward(cfg, s)
			return err
		}},
		{"course.ForwardAt", func() error {
			s := DefaultForward(cfg)
			s.Dataset = bad
			_, err := ForwardAt(cfg, s, 100)
			return err
		}},
		{"course.Ideal", func() error {
			s := DefaultIdeal(cfg)
			s.Dataset = bad
			_, err := Ideal(cfg, s)
			return err
		}},
		{"course.IdealAt", func() error {
			s := DefaultIdeal(cfg)
			s.Dataset = bad
			_, err := IdealAt(cfg, s, 100)
			return err
		}},
		{"course.TrainDenoiser", func() error {
			s := DefaultTraining(cfg)
			s.Dataset = bad
			_, err := TrainDenoiser(ctx, cfg, s, nil)
			return err
		}},
		{"course.Ancestral", func() error {
			s := DefaultAncestral(cfg)
			s.Dataset = bad
			_, err := Ancestral(cfg, s, nil)
			return err
		}},
		{"course.Reschedule", func() error {
			s := DefaultReschedule(cfg)
			s.Dataset = bad
			_, err := Reschedule(ctx, cfg, s, nil)
			return err
		}},
		{"course.Parametrisations", func() error {
			s := DefaultParametrisations(cfg)
			s.Dataset = bad
			_, err := Parametrisations(ctx, cfg, s, nil)
			return err
		}},
		{"course.TrainConditional", func() error {
			s := DefaultGuidance(cfg)
			s.Dataset = bad
			_, err := TrainConditional(ctx, cfg, s, nil)
			return err
		}},
		{"course.Conditional", func() error {
			s := DefaultGuidance(cfg)
			s.Dataset = bad
			_, err := Conditional(cfg, s, nil)
			return err
		}},
		{"course.TrainClassifier", func() error {
			s := DefaultGuidance(cfg)
			s.Dataset = bad
			_, err := TrainClassifier(ctx, cfg, s, nil)
			return err
		}},
		{"course.ClassifierGuidance", func() error {
			s := DefaultGuidance(cfg)
			s.Dataset = bad
			_, err := ClassifierGuidance(cfg, s, nil)
			return err
		}},
		{"course.CFG", func() error {
			s := DefaultGuidance(cfg)
			s.Dataset = bad
			_, err := CFG(cfg, s, nil)
			return err
		}},
		{"course.GuidanceAt", func() error {
			s := DefaultGuidance(cfg)
			s.Dataset = bad
			_, err := GuidanceAt(cfg, s, 1, 0)
			return err
		}},
		{"course.Deterministic", func() error {
			s := DefaultDeterministic(cfg)
			s.Dataset = bad
			_, err := Deterministic(cfg, s)
			return err
		}},
		{"course.DeterministicAt", func() error {
			s := DefaultDeterministic(cfg)
			s.Dataset = bad
			_, err := DeterministicAt(cfg, s, 10, 0)
			return err
		}},
		{"course.Memorisation", func() error {
			s := DefaultMemorisation(cfg)
			s.Dataset = bad
			_, err := Memorisation(ctx, cfg, s, nil)
			return err
		}},
		{"course.SDE", func() error {
			s := DefaultSDE(cfg)
			s.Data = bad
			_, err := SDE(cfg, s, nil)
			return err
		}},
		{"course.Flow", func() error {
			s := DefaultFlow(cfg)
			s.Dataset = bad
			_, err := Flow(cfg, s)
			return err
		}},
		{"course.Flow", func() error { // the labelled mixture of the edit
			s := DefaultFlow(cfg)
			s.EditDataset = bad
			_, err := Flow(cfg, s)
			return err
		}},
	} {
		t.Run(tc.who, func(t *testing.T) {
			var err error
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("%s with Dataset %q panicked: %v", tc.who, bad, p)
					}
				}()
				err = tc.run()
			}()
			if err == nil {
				t.Fatalf("%s with Dataset %q: err = nil, want an error", tc.who, bad)
			}
			if !errors.Is(err, datasets.ErrDataset) {
				t.Errorf("%s: err = %v, want a datasets.ErrDataset", tc.who, err)
			}
			msg := err.Error()
			for _, want := range append([]string{tc.who + ":", `"` + bad + `"`}, datasets.Names()...) {
				if !strings.Contains(msg, want) {
					t.Errorf("%s: error %q does not mention %q", tc.who, msg, want)
				}
			}
		})
	}
}
