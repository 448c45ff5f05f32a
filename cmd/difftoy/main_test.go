package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"difftoy/course"
	"difftoy/viz"
	"difftoy/viz/gallery"
)

func TestRunWritesGallery(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every gallery experiment (a few seconds)")
	}
	dir := filepath.Join(t.TempDir(), "out")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-out", dir, "-book=false"}, &stdout, &stderr); code != 0 {
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
	top, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(top), `href="gallery/index.html"`) || strings.Contains(string(top), `href="book/index.html"`) {
		t.Errorf("top index should link the gallery and, with -book=false, no book")
	}
	if strings.Contains(string(top), "<script src=") {
		t.Errorf("top index loads a script though it has no chart")
	}
	b, err := os.ReadFile(filepath.Join(dir, "gallery", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.Contains(string(b), `href="`+e.File+`"`) {
			t.Errorf("gallery index does not link %s", e.File)
		}
		if _, err := os.Stat(filepath.Join(dir, "gallery", e.File)); err != nil {
			t.Error(err)
		}
	}
}

func TestBookPage(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a lesson's experiment")
	}
	var notes []string
	es := bookEntries(context.Background(), course.Config{Quick: true}, func(lesson, note string, done, total int) {
		notes = append(notes, note)
	})
	if len(es) != len(course.Lessons()) {
		t.Fatalf("%d book entries for %d lessons", len(es), len(course.Lessons()))
	}
	p, err := es[0].Build(1)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := p.Render(&b, viz.Assets{Src: "echarts.min.js"}); err != nil {
		t.Fatal(err)
	}
	res, err := course.Lessons()[0].Run(context.Background(), course.Config{Seed: 1, Quick: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Count(b.String(), "difftoyDraw(\"difftoy-chart-"), len(res.Charts); got != want || want == 0 {
		t.Errorf("page draws %d charts, the lesson made %d", got, want)
	}
	if got, want := strings.Count(b.String(), "<tr>"), len(res.Numbers)+1; got != want {
		t.Errorf("table has %d rows, want a header and one per number (%d)", got, want)
	}
}

// TestRunMissingECharts: a wrong -echarts file is an error naming it, not
// a quiet switch to the CDN.
func TestRunMissingECharts(t *testing.T) {
	t.Setenv("DIFFTOY_ECHARTS", "") // restored after the test; run sets it from the flag
	var stdout, stderr bytes.Buffer
	missing := filepath.Join(t.TempDir(), "nope.js")
	if code := run([]string{"-out", t.TempDir(), "-book=false", "-quiet", "-echarts", missing}, &stdout, &stderr); code != 1 {
		t.Errorf("run = %d, want 1", code)
	}
	if !strings.Contains(stderr.String(), missing) {
		t.Errorf("stderr %q does not name %s", stderr.String(), missing)
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
