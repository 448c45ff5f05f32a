package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"difftoy/viz/gallery"
)

func TestRunWritesGallery(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every gallery experiment (a few seconds)")
	}
	dir := filepath.Join(t.TempDir(), "out")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-out", dir}, &stdout, &stderr); code != 0 {
		t.Fatalf("run = %d, stderr:\n%s", code, stderr.String())
	}
	index := filepath.Join(dir, "index.html")
	if !strings.Contains(stdout.String(), "file://"+filepath.ToSlash(index)) {
		t.Errorf("stdout %q does not name the index %s", stdout.String(), index)
	}
	entries := gallery.Entries()
	if got := strings.Count(stderr.String(), "\n"); got != len(entries)+1 {
		t.Errorf("progress wrote %d lines, want one per page and a last one (%d):\n%s", got, len(entries)+1, stderr.String())
	}
	b, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.Contains(string(b), `href="`+e.File+`"`) {
			t.Errorf("index does not link %s", e.File)
		}
		if _, err := os.Stat(filepath.Join(dir, e.File)); err != nil {
			t.Error(err)
		}
	}
}

func TestRunBadUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"-out", ""}, "-out must name a folder"},
		{[]string{"-seed", "x"}, `invalid value "x" for flag -seed`},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(tc.args, &stdout, &stderr); code != 2 {
			t.Errorf("run(%q) = %d, want 2", tc.args, code)
		}
		if !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("run(%q) stderr = %q, want it to contain %q", tc.args, stderr.String(), tc.want)
		}
		if stdout.Len() != 0 {
			t.Errorf("run(%q) wrote %q to stdout", tc.args, stdout.String())
		}
	}
}
