// Package gallery runs small built-in experiments on the exact mixtures of
// package analytic and draws every chart kind of package viz, one page per
// kind, into a folder of offline HTML pages with an index.
//
// WriteSite is the reusable part: any list of Entries (the course's lesson
// experiments, say) becomes a folder of pages sharing one copy of echarts
// (written by viz.Shared), with an index page linking them.
package gallery

import (
	"fmt"
	"os"
	"path/filepath"

	"difftoy/viz"
)

// Entry is one page of a site: Build makes the page, File is its name in
// the folder, Note a line for the index.
type Entry struct {
	File  string
	Title string
	Note  string
	Build func(seed uint64) (*viz.Page, error)
}

// Options are the options of Write and WriteSite.
type Options struct {
	// Seed seeds every experiment (each entry derives its own streams).
	Seed uint64
	// Progress, when not nil, is called before each page is built (done
	// pages so far, total, title) and once at the end with done == total.
	Progress func(done, total int, title string)
	// Up, when set, is a link shown above the index's title (to a page
	// that links several sites).
	Up *viz.Link
	// Assets is the folder echarts is written into, which the pages link
	// by a relative path; "" means dir/assets. Sites written side by side
	// can share one (the main job's DIR/assets).
	Assets string
}

// Write builds every entry of the gallery into dir (created if missing)
// and returns the path of its index page.
func Write(dir string, o Options) (string, error) {
	return WriteSite(dir, "difftoy: chart gallery", galleryIntro, Entries(), o)
}

const galleryIntro = "Every chart kind of package viz, drawn from experiments on the exact mixtures " +
	"(no trained model): each page works offline and shows the data it was made from."

// WriteSite builds the entries into pages under dir, writes echarts into
// the folder of assets (o.Assets), writes index.html with one link per
// entry, and returns the index's path.
func WriteSite(dir, title, intro string, entries []Entry, o Options) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("gallery: %w", err)
	}
	shared := o.Assets
	if shared == "" {
		shared = filepath.Join(dir, "assets")
	}
	a, err := viz.Shared(dir, shared)
	if err != nil {
		return "", fmt.Errorf("gallery: %w", err)
	}
	seen := map[string]bool{"index.html": true}
	var links []viz.Link
	for i, e := range entries {
		if seen[e.File] || filepath.Base(e.File) != e.File || filepath.Ext(e.File) != ".html" {
			return "", fmt.Errorf("gallery: entry %d: file name %q is not a new plain .html name", i, e.File)
		}
		seen[e.File] = true
		if o.Progress != nil {
			o.Progress(i, len(entries), e.Title)
		}
		p, err := e.Build(o.Seed + uint64(i)*1_000_003)
		if err != nil {
			return "", fmt.Errorf("gallery: %s: %w", e.Title, err)
		}
		if p.Back == nil {
			p.Back = &viz.Link{Text: title, Href: "index.html"}
		}
		if err := p.WriteFile(filepath.Join(dir, e.File), a); err != nil {
			return "", fmt.Errorf("gallery: %s: %w", e.Title, err)
		}
		links = append(links, viz.Link{Text: e.Title, Href: e.File, Note: e.Note})
	}
	index := filepath.Join(dir, "index.html")
	p := viz.NewPage(title).Text(intro).Links(links...)
	p.Back = o.Up
	if err := p.WriteFile(index, a); err != nil {
		return "", fmt.Errorf("gallery: index: %w", err)
	}
	if o.Progress != nil {
		o.Progress(len(entries), len(entries), "index")
	}
	return index, nil
}
