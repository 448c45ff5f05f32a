package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"difftoy/course"
	"difftoy/viz"
	"difftoy/viz/gallery"
)

// standInCharts returns, for the stand-in of lesson id, a chart of each
// title the gallery takes from that lesson.
func standInCharts(id string) []*viz.Chart {
	var cs []*viz.Chart
	for _, e := range gallery.Entries() {
		if e.Lesson != id {
			continue
		}
		for _, title := range append([]string{e.Chart}, e.Below...) {
			cs = append(cs, viz.Lines(title, viz.LinePanel{Title: "stand-in", XName: "x", YName: "y",
				Series: []viz.Series{{Name: "stand-in", X: []float64{0, 1}, Y: []float64{0, 1}}}}).WithCaption("A stand-in chart."))
		}
	}
	return cs
}

// TestRunClaims: with stand-in experiments, one claim per lesson, the
// command counts the claims that hold, names the one that fails and exits
// with status 1; when all hold it exits with 0. The gallery shows the
// stand-ins' charts and links the book.
func TestRunClaims(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the Explorer's engine (seconds)")
	}
	n := len(course.Lessons()) // one stand-in claim per lesson
	for _, tc := range []struct {
		failing string // the lesson whose claim fails, "" none
		code    int
		count   string
	}{
		{"", 0, fmt.Sprintf("%d of %d claims hold\n", n, n)},
		{"05-changing-schedule", 1, fmt.Sprintf("%d of %d claims hold\n", n-1, n)},
	} {
		lessonRun = func(_ context.Context, l course.Lesson, _ course.Config, _ course.Progress) (*course.Result, error) {
			v := 1.0
			if l.ID == tc.failing {
				v = 5
			}
			return &course.Result{Claims: []course.Claim{{Text: "The stand-in of " + l.ID + " is below 2.", Name: "stand-in", Value: v, Op: course.Below, Bound: 2}},
				Charts: standInCharts(l.ID)}, nil
		}
		var stdout, stderr bytes.Buffer
		out := t.TempDir()
		code := run([]string{"-out", out, "-quiet", "-quick"}, &stdout, &stderr)
		lessonRun = nil
		// The Explorer is written beside the book and linked from the index.
		if top, err := os.ReadFile(filepath.Join(out, "index.html")); err != nil || !strings.Contains(string(top), `href="explorer/index.html"`) {
			t.Errorf("the index does not link the Explorer (%v)", err)
		}
		if _, err := os.Stat(filepath.Join(out, "explorer", "index.html")); err != nil {
			t.Errorf("no Explorer page: %v", err)
		}
		for _, e := range gallery.Entries() {
			b, err := os.ReadFile(filepath.Join(out, "gallery", e.File))
			if err != nil {
				t.Error(err)
				continue
			}
			if e.Lesson != "" && !strings.Contains(string(b), `href="../book/`+e.Lesson+`.html"`) {
				t.Errorf("gallery page %s does not link its lesson's page of the book", e.File)
			}
		}
		if code != tc.code {
			t.Errorf("failing %q: run = %d, want %d; stderr:\n%s", tc.failing, code, tc.code, stderr.String())
		}
		if !strings.Contains(stdout.String(), tc.count) {
			t.Errorf("failing %q: stdout %q does not say %q", tc.failing, stdout.String(), tc.count)
		}
		fails := strings.Count(stderr.String(), "claim fails")
		if tc.failing == "" && fails != 0 || tc.failing != "" && (fails != 1 || !strings.Contains(stderr.String(), "The stand-in of "+tc.failing+" is below 2. (stand-in = 5, bound < 2)")) {
			t.Errorf("failing %q: stderr does not name exactly the failing claim:\n%s", tc.failing, stderr.String())
		}
	}
}

// TestRunNamesStalePages: a page an earlier run wrote and this one did not
// (a gallery page since renamed, say) is named on stderr; the pages this
// run wrote are not.
func TestRunNamesStalePages(t *testing.T) {
	lessonRun = func(_ context.Context, l course.Lesson, _ course.Config, _ course.Progress) (*course.Result, error) {
		return &course.Result{Charts: standInCharts(l.ID)}, nil
	}
	defer func() { lessonRun = nil }()
	out := t.TempDir()
	old := filepath.Join(out, "gallery", "old-page.html")
	if err := os.MkdirAll(filepath.Dir(old), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(old, []byte("<p>old</p>"), 0o644); err != nil {
		t.Fatal(err)
	}
	hour := time.Now().Add(-time.Hour)
	if err := os.Chtimes(old, hour, hour); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-out", out, "-quiet", "-quick", "-explorer=false"}, &stdout, &stderr); code != 0 {
		t.Fatalf("run = %d, stderr:\n%s", code, stderr.String())
	}
	if got := strings.Count(stderr.String(), "is left from an earlier run"); got != 1 || !strings.Contains(stderr.String(), "gallery/old-page.html is left from an earlier run") {
		t.Errorf("stderr names %d stale pages, want exactly gallery/old-page.html:\n%s", got, stderr.String())
	}
}

// TestRunWritesGallery runs from a folder outside the module (no
// node_modules, no lessons above it): with -book=false it runs only the
// lessons the gallery shows and writes the gallery, whose pages load the
// embedded echarts, written once into DIR/assets, by a relative path, and
// link no book. (The Explorer's engine is built from the module's source,
// so it is left out here.)
func TestRunWritesGallery(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the lessons the gallery shows (seconds, a network trained)")
	}
	dir := filepath.Join(t.TempDir(), "out")
	t.Chdir(t.TempDir())
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-out", dir, "-book=false", "-explorer=false", "-quick"}, &stdout, &stderr); code != 0 {
		t.Fatalf("run = %d, stderr:\n%s", code, stderr.String())
	}
	index := filepath.Join(dir, "index.html")
	if !strings.Contains(stdout.String(), "file://"+filepath.ToSlash(index)) {
		t.Errorf("stdout %q does not name the index %s", stdout.String(), index)
	}
	entries := gallery.Entries()
	lessons := gallery.Lessons()
	if got := strings.Count(stderr.String(), "\n"); got != len(lessons)+len(entries)+1 {
		t.Errorf("progress wrote %d lines, want one per lesson run, one per page and a last one (%d):\n%s", got, len(lessons)+len(entries)+1, stderr.String())
	}
	for _, l := range course.Lessons() {
		ran := strings.Contains(stderr.String(), "] "+l.Title+": ")
		if ran != slices.ContainsFunc(lessons, func(g course.Lesson) bool { return g.ID == l.ID }) {
			t.Errorf("lesson %s ran = %v, want it run exactly when the gallery shows it", l.ID, ran)
		}
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
		page, err := os.ReadFile(filepath.Join(dir, "gallery", e.File))
		if err != nil {
			t.Error(err)
			continue
		}
		if !strings.Contains(string(page), `<script src="../assets/echarts/echarts.min.js">`) {
			t.Errorf("%s does not load echarts from ../assets/echarts/", e.File)
		}
		if strings.Contains(string(page), "../book/") {
			t.Errorf("%s links the book, which -book=false does not write", e.File)
		}
	}
	js, err := os.ReadFile(filepath.Join(dir, "assets", "echarts", "echarts.min.js"))
	if err != nil || !bytes.Equal(js, viz.Inline().Script) {
		t.Errorf("DIR/assets/echarts/echarts.min.js is not the embedded echarts (%d bytes, %v)", len(js), err)
	}
	if copies, _ := filepath.Glob(filepath.Join(dir, "*", "echarts.min.js")); len(copies) > 0 {
		t.Errorf("extra copies of echarts: %v", copies)
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
		{[]string{"-jobs", "0"}, "-jobs must be at least 1, not 0"},
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

// TestRunMissingLessons: a wrong -lessons folder stops the book with an
// error naming the missing file, before any experiment runs.
func TestRunMissingLessons(t *testing.T) {
	var stdout, stderr bytes.Buffer
	missing := filepath.Join(t.TempDir(), "nolessons")
	start := time.Now()
	if code := run([]string{"-out", t.TempDir(), "-quiet", "-lessons", missing}, &stdout, &stderr); code != 1 {
		t.Errorf("run = %d, want 1", code)
	}
	if !strings.Contains(stderr.String(), missing) {
		t.Errorf("stderr %q does not name %s", stderr.String(), missing)
	}
	// The lessons' experiments take minutes.
	if d := time.Since(start); d > 60*time.Second {
		t.Errorf("run took %v: the experiments ran before the texts were read", d)
	}
}
