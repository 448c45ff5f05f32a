package gallery

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"difftoy/viz"
)

func TestWriteSiteRejectsBadNames(t *testing.T) {
	page := func(uint64) (*viz.Page, error) { return viz.NewPage("p"), nil }
	for _, files := range [][]string{
		{"a.html", "a.html"},
		{"index.html"},
		{"sub/a.html"},
		{"a.htm"},
	} {
		var es []Entry
		for _, f := range files {
			es = append(es, Entry{File: f, Title: f, Build: page})
		}
		if _, err := WriteSite(t.TempDir(), "t", "", es, Options{}); err == nil || !strings.Contains(err.Error(), "file name") {
			t.Errorf("WriteSite(%q) error = %v, want a file name error", files, err)
		}
	}
}

// TestEntriesBuild builds every gallery page and checks that each holds at
// least one chart with a title, and that the site links them all.
func TestEntriesBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every gallery experiment")
	}
	dir := t.TempDir()
	var calls []string
	index, err := Write(dir, Options{Seed: 3, Progress: func(done, total int, title string) {
		calls = append(calls, title)
	}})
	if err != nil {
		t.Fatal(err)
	}
	es := Entries()
	if len(calls) != len(es)+1 {
		t.Errorf("progress called %d times, want %d", len(calls), len(es)+1)
	}
	b, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range es {
		p, err := e.Build(uint64(i))
		if err != nil {
			t.Fatalf("%s: %v", e.Title, err)
		}
		cs := p.Charts()
		if len(cs) == 0 {
			t.Errorf("%s: no chart", e.Title)
		}
		for _, c := range cs {
			if strings.TrimSpace(c.Title) == "" {
				t.Errorf("%s: a chart without a title", e.Title)
			}
		}
		if !strings.Contains(string(b), `href="`+e.File+`"`) {
			t.Errorf("index does not link %s", e.File)
		}
		if _, err := os.Stat(filepath.Join(dir, e.File)); err != nil {
			t.Error(err)
		}
	}
}
