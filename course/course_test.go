package course

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The tests run each lesson's experiment once at the quick sizes and check
// that every counted claim the run computes holds (the indicative ones, on
// training quality, are logged) (the claims and the reasons for
// their bounds sit after each lesson's runner), and that every claim of the
// lesson's "Claims checked by the tests" list that names the test is among
// them. The lessons that train networks take minutes and are skipped with
// -short.

func runLesson(t *testing.T, id string, heavy bool) *Result {
	t.Helper()
	if heavy && testing.Short() {
		t.Skip("trains networks; skipped with -short")
	}
	l, err := LessonByID(id)
	if err != nil {
		t.Fatal(err)
	}
	streams := &streamLog{}
	r, err := l.Run(context.Background(), Config{Seed: 1, Quick: true, streams: streams}, nil)
	if err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	checkStreams(t, id, streams)
	if len(r.Charts) == 0 {
		t.Errorf("%s: no charts", id)
	}
	for _, c := range r.Charts {
		if _, err := c.JSON(); err != nil {
			t.Errorf("%s: chart %q does not encode: %v", id, c.Title, err)
		}
	}
	checkLookFor(t, id, r)
	return r
}

// allHold fails the test for each claim of the run that does not hold, and
// for each claim of the lesson's "Claims checked by the tests" list that
// names test (the experiment's test) but that the run does not check.
func allHold(t *testing.T, id, test string, r *Result) {
	t.Helper()
	for _, c := range r.Claims {
		switch {
		case c.Holds():
		case c.Indicative:
			// Its bound is for the default training (TestTrainedNetworksLearn).
			t.Logf("indicative claim fails at the quick sizes: %s (%s = %s, bound %s)", c.Text, c.Name, c.Measured(), c.BoundText())
		default:
			t.Errorf("claim fails: %s (%s = %s, bound %s)", c.Text, c.Name, c.Measured(), c.BoundText())
		}
	}
	refs, err := claimsNaming(filepath.Join("..", "lessons", id+".md"), test)
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) == 0 {
		t.Fatalf("lessons/%s.md names %s under no claim", id, test)
	}
	for _, k := range refs {
		found := false
		for _, c := range r.Claims {
			found = found || c.Ref == k
		}
		if !found {
			t.Errorf("lesson claim %d names %s but the run checks no claim %d", k, test, k)
		}
	}
	if t.Failed() {
		t.Logf("the run:\n%s", r)
	}
}

// claimsNaming returns the numbers of the items of the lesson's "Claims
// checked by the tests" list whose text names test.
func claimsNaming(path, test string) ([]int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	_, list, ok := strings.Cut(string(b), "## Claims checked by the tests")
	if !ok {
		return nil, fmt.Errorf("%s has no claims section", path)
	}
	list, _, _ = strings.Cut(list, "\n**")
	var refs []int
	k := 0
	for _, line := range strings.Split(list, "\n") {
		if n, _, ok := strings.Cut(line, ". "); ok {
			if v, err := strconv.Atoi(n); err == nil {
				k = v
			}
		}
		if k > 0 && strings.Contains(line, test) && (len(refs) == 0 || refs[len(refs)-1] != k) {
			refs = append(refs, k)
		}
	}
	return refs, nil
}

func TestLessonsList(t *testing.T) {
	ls := Lessons()
	if len(ls) != 14 {
		t.Fatalf("%d lessons, want 14", len(ls))
	}
	for _, l := range ls {
		for _, p := range []string{l.Markdown, l.Notebook} {
			if _, err := os.Stat(filepath.Join("..", p)); err != nil {
				t.Errorf("lesson %s: %v", l.ID, err)
			}
		}
		if l.Run == nil || l.Title == "" {
			t.Errorf("lesson %s has no title or no experiment", l.ID)
		}
	}
	if _, err := LessonByID("99-nothing"); err == nil || !strings.Contains(err.Error(), "01-forward-process") {
		t.Errorf("LessonByID(unknown) = %v, want an error listing the lessons", err)
	}
}

func TestLesson01Forward(t *testing.T) {
	r := runLesson(t, "01-forward-process", false)
	allHold(t, "01-forward-process", "TestLesson01Forward", r)
}

func TestLesson02Ideal(t *testing.T) {
	r := runLesson(t, "02-ideal-denoiser", false)
	allHold(t, "02-ideal-denoiser", "TestLesson02Ideal", r)
}

func TestLesson03Training(t *testing.T) {
	r := runLesson(t, "03-training", true)
	allHold(t, "03-training", "TestLesson03Training", r)
}

func TestLesson04Ancestral(t *testing.T) {
	r := runLesson(t, "04-ancestral-sampling", true)
	allHold(t, "04-ancestral-sampling", "TestLesson04Ancestral", r)
}

func TestLesson05Reschedule(t *testing.T) {
	r := runLesson(t, "05-changing-schedule", true)
	allHold(t, "05-changing-schedule", "TestLesson05Reschedule", r)
}

func TestLesson06Parametrisations(t *testing.T) {
	r := runLesson(t, "06-parametrisations", true)
	allHold(t, "06-parametrisations", "TestLesson06Parametrisations", r)
}

func TestLesson07Conditional(t *testing.T) {
	r := runLesson(t, "07-conditional", true)
	allHold(t, "07-conditional", "TestLesson07Conditional", r)
}

func TestLesson08ClassifierGuidance(t *testing.T) {
	r := runLesson(t, "08-classifier-guidance", true)
	allHold(t, "08-classifier-guidance", "TestLesson08ClassifierGuidance", r)
}

func TestLesson09CFG(t *testing.T) {
	r := runLesson(t, "09-classifier-free-guidance", true)
	allHold(t, "09-classifier-free-guidance", "TestLesson09CFG", r)
}

func TestLesson10Deterministic(t *testing.T) {
	r := runLesson(t, "10-deterministic-sampling", false)
	allHold(t, "10-deterministic-sampling", "TestLesson10Deterministic", r)
}

func TestLesson11Langevin(t *testing.T) {
	r := runLesson(t, "11-langevin", false)
	allHold(t, "11-langevin", "TestLesson11Langevin", r)
}

func TestLesson12Memorisation(t *testing.T) {
	r := runLesson(t, "12-memorisation", true)
	allHold(t, "12-memorisation", "TestLesson12Memorisation", r)
}
