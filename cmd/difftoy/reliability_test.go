package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"difftoy/viz/gallery"
)

// TestRunChecksLessonsFirst: a bad -lessons folder fails before anything
// is written (it used to fail after the whole gallery was written).
func TestRunChecksLessonsFirst(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	missing := filepath.Join(t.TempDir(), "nolessons")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-out", out, "-quiet", "-lessons", missing}, &stdout, &stderr); code != 1 {
		t.Errorf("run = %d, want 1", code)
	}
	if !strings.Contains(stderr.String(), missing) {
		t.Errorf("stderr %q does not name %s", stderr.String(), missing)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("%s exists after the failed check (stat: %v), want nothing written", out, err)
	}
}

// TestRunFailedWriteKeepsOldPages: a rerun into the folder of an earlier
// run whose second gallery page cannot be written (its name is taken by a
// folder) exits with 1 and leaves the earlier run's indexes untouched, the
// page written before the failure whole, and no temporary file behind.
func TestRunFailedWriteKeepsOldPages(t *testing.T) {
	out := t.TempDir()
	gal := filepath.Join(out, "gallery")
	entries := gallery.Entries()
	if err := os.MkdirAll(filepath.Join(gal, entries[1].File), 0o755); err != nil {
		t.Fatal(err)
	}
	old := map[string]string{
		filepath.Join(out, "index.html"): "the earlier run's index",
		filepath.Join(gal, "index.html"): "the earlier run's gallery index",
	}
	for p, s := range old {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-out", out, "-quiet", "-book=false", "-quick"}, &stdout, &stderr); code != 1 {
		t.Fatalf("run = %d, want 1; stderr %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), entries[1].File) {
		t.Errorf("stderr %q does not name %s", stderr.String(), entries[1].File)
	}
	for p, s := range old {
		if b, _ := os.ReadFile(p); string(b) != s {
			t.Errorf("%s = %q after the failed run, want the earlier %q", p, b, s)
		}
	}
	b, err := os.ReadFile(filepath.Join(gal, entries[0].File))
	if err != nil || !strings.HasSuffix(strings.TrimSpace(string(b)), "</html>") {
		t.Errorf("%s: %d bytes, err %v, want a whole page", entries[0].File, len(b), err)
	}
	ents, _ := os.ReadDir(gal)
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}
