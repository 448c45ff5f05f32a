// Writing the gallery: its pages from the lessons' results and its index.

package gallery

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"difftoy/course"
	"difftoy/viz"
)

// Options are the options of Write.
type Options struct {
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
	// Book, when not "", is the book's folder relative to the gallery's
	// (the main job's "../book"): each page links the page of its lesson.
	Book string
}

// Title is the title of the gallery's index.
const Title = "difftoy: chart gallery"

const intro = "Every chart kind of package viz, once. A page shows a chart of a lesson's experiment, " +
	"as the lesson's book page and notebook draw it, and names the lesson; the kinds that no lesson draws " +
	"are shown on small fixed data. Every page works offline."

// Lessons returns the lessons whose results the gallery's pages show, in
// the course's order.
func Lessons() []course.Lesson {
	need := map[string]bool{}
	for _, e := range Entries() {
		if e.Lesson != "" {
			need[e.Lesson] = true
		}
	}
	var out []course.Lesson
	for _, l := range course.Lessons() {
		if need[l.ID] {
			out = append(out, l)
		}
	}
	return out
}

// Write writes the gallery's pages and its index into dir (created if
// missing), taking each lesson's chart from results (by lesson ID; it
// needs those of Lessons), and returns the path of the index.
func Write(dir string, results map[string]*course.Result, o Options) (string, error) {
	return write(dir, Entries(), results, o)
}

func write(dir string, entries []Entry, results map[string]*course.Result, o Options) (string, error) {
	seen := map[string]bool{"index.html": true}
	for i, e := range entries {
		if seen[e.File] || filepath.Base(e.File) != e.File || filepath.Ext(e.File) != ".html" {
			return "", fmt.Errorf("gallery: entry %d: file name %q is not a new plain .html name", i, e.File)
		}
		seen[e.File] = true
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("gallery: %w", err)
	}
	assets := o.Assets
	if assets == "" {
		assets = filepath.Join(dir, "assets")
	}
	a, err := viz.Shared(dir, assets)
	if err != nil {
		return "", fmt.Errorf("gallery: %w", err)
	}
	var links []viz.Link
	for i, e := range entries {
		if o.Progress != nil {
			o.Progress(i, len(entries), e.Title)
		}
		p, err := page(e, results, o.Book)
		if err != nil {
			return "", fmt.Errorf("gallery: %s: %w", e.File, err)
		}
		p.Back = &viz.Link{Text: Title, Href: "index.html"}
		if err := p.WriteFile(filepath.Join(dir, e.File), a); err != nil {
			return "", fmt.Errorf("gallery: %s: %w", e.File, err)
		}
		links = append(links, viz.Link{Text: e.Title, Href: e.File, Note: note(e)})
	}
	index := filepath.Join(dir, "index.html")
	p := viz.NewPage(Title).Text(intro).Links(links...)
	p.Back = o.Up
	if err := p.WriteFile(index, a); err != nil {
		return "", fmt.Errorf("gallery: index: %w", err)
	}
	if o.Progress != nil {
		o.Progress(len(entries), len(entries), "index")
	}
	return index, nil
}

// note is an entry's line on the index: its kind and where its chart
// comes from.
func note(e Entry) string {
	if e.Lesson == "" {
		return "viz." + e.Kind + ", on fixed data"
	}
	return "viz." + e.Kind + ", from lesson " + e.Lesson
}

// page builds an entry's page: what its kind draws, where the chart comes
// from, the chart (with its caption) and a link to its lesson in the book.
func page(e Entry, results map[string]*course.Result, book string) (*viz.Page, error) {
	p := viz.NewPage(e.Title).Text("viz." + e.Kind + ": " + e.About)
	if e.Lesson == "" {
		return p.Text("No lesson draws this kind: the example below is made-up data, not an experiment.").Add(e.Example()), nil
	}
	l, err := course.LessonByID(e.Lesson)
	if err != nil {
		return nil, err
	}
	c, err := chart(results[e.Lesson], e.Lesson, e.Chart)
	if err != nil {
		return nil, err
	}
	p.Text(fmt.Sprintf("From lesson %s, “%s”: the chart of its experiment titled “%s”, as the lesson's book page and notebook draw it.",
		l.ID, l.Title, e.Chart)).Add(c)
	if len(e.Below) > 0 {
		p.Text("Below it, the lesson's chart its caption refers to.")
	}
	for _, title := range e.Below {
		c, err := chart(results[e.Lesson], e.Lesson, title)
		if err != nil {
			return nil, err
		}
		p.Add(c)
	}
	if book != "" {
		p.Links(viz.Link{Text: "Lesson " + l.ID + " in the book", Href: path.Join(book, l.ID+".html"), Note: l.Title})
	}
	return p, nil
}

// chart returns the chart titled title of r, lesson id's result.
func chart(r *course.Result, id, title string) (*viz.Chart, error) {
	if r == nil {
		return nil, fmt.Errorf("no result of lesson %s (the gallery needs those of gallery.Lessons)", id)
	}
	var titles []string
	for _, c := range r.Charts {
		if c.Title == title {
			return c, nil
		}
		titles = append(titles, fmt.Sprintf("%q", c.Title))
	}
	return nil, fmt.Errorf("lesson %s has no chart titled %q (its charts: %s)", id, title, strings.Join(titles, ", "))
}
