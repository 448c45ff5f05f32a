package book

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"difftoy/course"
)

// TestIndexOnlyOnSuccess checks that a run in which one lesson fails
// writes no index (it used to be written first, linking to the page that
// never came), and that a rerun failing into the folder of a complete run
// leaves that run's index and pages whole, with no temporary file behind;
// the boundary, a run where every lesson succeeds, writes the index.
func TestIndexOnlyOnSuccess(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "book")
	failing := &fakeRun{seeds: map[string]uint64{}, fail: "05-changing-schedule"}
	if _, err := Write(context.Background(), dir, Options{Lessons: lessonsDir(t), Jobs: 1, Run: failing.run}); err == nil {
		t.Fatal("a failing lesson gave no error")
	}
	if _, err := os.Stat(filepath.Join(dir, "index.html")); !os.IsNotExist(err) {
		t.Errorf("failed run: index.html exists (stat: %v), want none", err)
	}

	ok := &fakeRun{seeds: map[string]uint64{}}
	index, err := Write(context.Background(), dir, Options{Lessons: lessonsDir(t), Jobs: 1, Run: ok.run})
	if err != nil {
		t.Fatal(err)
	}
	before := map[string]string{}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if b, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil {
			before[e.Name()] = string(b)
		}
	}
	if before["index.html"] == "" || index != filepath.Join(dir, "index.html") {
		t.Fatalf("complete run: index %q not written", index)
	}

	// The rerun fails at lesson 5 after writing lessons 1 to 4 again (the
	// same stand-in pages): the index and lesson 5's page stay as they were.
	if _, err := Write(context.Background(), dir, Options{Lessons: lessonsDir(t), Jobs: 1, Run: failing.run}); err == nil {
		t.Fatal("a failing lesson gave no error")
	}
	ents, _ = os.ReadDir(dir)
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err == nil && before[e.Name()] != string(b) && e.Name() != "05-changing-schedule.html" {
			t.Errorf("%s changed by the failed rerun", e.Name())
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "05-changing-schedule.html")); string(b) != before["05-changing-schedule.html"] {
		t.Error("the failing lesson's page of the complete run changed")
	}
}

// TestCheckLessons checks that a missing or incomplete lessons folder is
// an error naming the folder, and that the module's own folder passes.
func TestCheckLessons(t *testing.T) {
	if _, err := CheckLessons(lessonsDir(t)); err != nil {
		t.Errorf("the module's lessons: %v", err)
	}
	missing := filepath.Join(t.TempDir(), "nolessons")
	if _, err := CheckLessons(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing folder: err = %v, want one naming it", err)
	}
	partial := t.TempDir()
	for _, name := range []string{"README.md", "notation.md", "recap.md"} {
		b, err := os.ReadFile(filepath.Join(lessonsDir(t), name))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(partial, name), b, 0o644)
	}
	if _, err := CheckLessons(partial); err == nil || !strings.Contains(err.Error(), filepath.Base(course.Lessons()[0].Markdown)) {
		t.Errorf("folder without the lesson texts: err = %v, want one naming the first", err)
	}
}
