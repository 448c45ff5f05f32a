// Package book writes the course as an offline HTML book: one page per
// lesson holding the lesson's text (Markdown with maths, rendered by
// package mdmath) and its experiment's numbers and charts (package course),
// and an index made of the course's contents (lessons/README.md), the
// notation page (lessons/notation.md) and the recap page
// (lessons/recap.md). echarts and KaTeX are copied beside
// the pages, so the book reads offline.
//
// Each page is the lesson's derivation first, then "The experiment" (the
// numbers table and the charts), then the lesson's "What to look for"
// section, exercises and claims, so that what to look for follows the
// charts it describes.
//
// The experiments run Jobs at a time. Every lesson runs with Config.Seed,
// as the notebooks do with theirs, so a page shows the numbers its
// notebook prints and the lessons share their trained networks through
// the model cache (lessons 3 and 4, 7 and 9, and the notebooks); every
// lesson draws from its own streams of that seed and its parallel parts
// do not depend on the number of cores (internal/par), so the book's
// numbers do not depend on Jobs.
package book

import (
	"context"
	"errors"
	"fmt"
	"html"
	"html/template"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"difftoy/course"
	"difftoy/internal/findup"
	"difftoy/internal/mdmath"
	"difftoy/viz"
)

// ChartsBefore is the heading of each lesson before which the experiment
// is placed; a lesson without it gets the experiment at its end.
const ChartsBefore = "## What to look for"

// Options are the options of Write.
type Options struct {
	// Lessons is the folder of the lesson texts and their README; "" finds
	// lessons/ with FindLessons.
	Lessons string
	// Config configures the experiments (every lesson runs with it).
	Config course.Config
	// Jobs is how many experiments run at once (at least 1).
	Jobs int
	// Only, when not nil, lists the lessons to write (default: all of
	// course.Lessons()).
	Only []course.Lesson
	// Run, when not nil, replaces each lesson's own Run (tests).
	Run func(ctx context.Context, l course.Lesson, cfg course.Config, p course.Progress) (*course.Result, error)
	// Progress, when not nil, is called as each lesson's page is done, with
	// the time its experiment took.
	Progress func(done, total int, title string, took time.Duration)
	// Step, when not nil, receives each experiment's own progress (training).
	Step func(lesson, note string, done, total int)
	// Claims, when not nil, receives each lesson's checked claims as its
	// experiment ends (one call at a time).
	Claims func(l course.Lesson, claims []course.Claim)
	// Up, when set, is a link shown above the index's title.
	Up *viz.Link
	// Explorer, when not "", is the Explorer page's address relative to
	// dir; the pages of the lessons it illustrates link to it.
	Explorer string
	// Assets is the folder echarts and KaTeX are written into, which the
	// pages link by relative paths; "" means dir/assets. Sites written
	// side by side can share one (the main job's DIR/assets).
	Assets string
}

// FindLessons returns the lessons/ folder of the module: in the working
// directory or the nearest parent holding one, stopping at the module root.
func FindLessons() (string, error) {
	p, ok, err := findup.Find(filepath.Join("lessons", "README.md"))
	if err != nil {
		return "", fmt.Errorf("book: looking for lessons/: %w", err)
	}
	if ok {
		return filepath.Dir(p), nil
	}
	return "", errors.New("book: lessons/README.md not found from the working folder up to the module root (run from the module, or name the folder)")
}

// Text is a lesson's text, rendered: its title and the parts before and
// from the ChartsBefore heading.
type Text struct {
	Title         string
	Before, After mdmath.Doc
	Split         bool // the lesson has the ChartsBefore heading
}

// NotationPage is the page of the notation text (lessons/notation.md).
const NotationPage = "notation.html"

// RecapPage is the page of the recap text (lessons/recap.md).
const RecapPage = "recap.html"

// textPages are the texts of lessons/ that are pages of the book without
// being lessons: file, page and the title used when the text has none.
var textPages = []struct{ md, page, title string }{
	{"notation.md", NotationPage, "Notation"},
	{"recap.md", RecapPage, "Recap"},
}

// Links is the link rewriting of the book written into bookDir from the
// texts in lessonsDir: a lesson's .md becomes its page (README.md the
// index, notation.md NotationPage), any other relative link the path from
// bookDir to the file it names (a notebook, say) when bookDir lies in the
// checkout (the folder above lessonsDir), else "" (the link's text stays,
// unlinked); URLs and anchors stay.
func Links(lessonsDir, bookDir string, lessons []course.Lesson) func(string) string {
	pages := map[string]string{"README.md": "index.html"}
	for _, tp := range textPages {
		pages[tp.md] = tp.page
	}
	for _, l := range lessons {
		pages[path.Base(l.Markdown)] = l.ID + ".html"
	}
	checkout, err := filepath.Abs(filepath.Dir(filepath.Clean(lessonsDir)))
	if err != nil {
		checkout = ""
	}
	return func(dest string) string {
		if dest == "" || strings.HasPrefix(dest, "#") || strings.Contains(dest, ":") || path.IsAbs(dest) {
			return dest
		}
		file, frag, _ := strings.Cut(dest, "#")
		if frag != "" {
			frag = "#" + frag
		}
		if p, ok := pages[path.Clean(file)]; ok {
			return p + frag
		}
		abs, err1 := filepath.Abs(filepath.Join(lessonsDir, filepath.FromSlash(file)))
		from, err2 := filepath.Abs(bookDir)
		if err1 != nil || err2 != nil {
			return dest
		}
		// A file of the checkout (a notebook, the README) is linked only
		// from a book inside the checkout: from anywhere else the path
		// would leave the output folder and break when it moves, so the
		// link's text stays, unlinked.
		if !inside(from, checkout) {
			return ""
		}
		rel, err := filepath.Rel(from, abs)
		if err != nil {
			return dest
		}
		return filepath.ToSlash(rel) + frag
	}
}

// ReadText reads and renders a lesson's text with the given link rewriting.
func ReadText(lessonsDir string, l course.Lesson, link func(string) string) (Text, error) {
	src, err := os.ReadFile(filepath.Join(lessonsDir, path.Base(l.Markdown)))
	if err != nil {
		return Text{}, fmt.Errorf("book: %w", err)
	}
	title, body := mdmath.SplitTitle(src)
	if title == "" {
		title = l.Title
	}
	before, after, split := mdmath.SplitBefore(body, ChartsBefore)
	t := Text{Title: title, Split: split}
	if t.Before, err = mdmath.Render(before, mdmath.Options{Link: link}); err != nil {
		return Text{}, fmt.Errorf("book: %s: %w", l.Markdown, err)
	}
	if split {
		if t.After, err = mdmath.Render(after, mdmath.Options{Link: link}); err != nil {
			return Text{}, fmt.Errorf("book: %s: %w", l.Markdown, err)
		}
	}
	return t, nil
}

// Page lays out a lesson's page: the text before ChartsBefore, the
// experiment (numbers, then charts), the rest of the text. cfg is the
// main job's configuration (its seed, not the lesson's own).
func Page(l course.Lesson, t Text, res *course.Result, katex mdmath.Assets, cfg course.Config, explorer string) *viz.Page {
	p := viz.NewPage(t.Title)
	p.Head = katex.Head()
	p.HTML(t.Before.HTML)
	size := "full"
	if cfg.Quick {
		size = "quick (smaller samples, shorter training)"
	}
	p.HTML(template.HTML(fmt.Sprintf(`<h2 id="experiment">The experiment</h2>
<p>Run by the main job (<code>-seed %d</code>, %s sizes): the lesson's claims checked on this run's numbers (every number of the run is folded under the table), then its charts. The notebook <code>%s</code> runs the same experiment with cells to change.</p>`,
		cfg.Seed, size, html.EscapeString(l.Notebook))))
	if note, ok := explorerNotes[l.ID]; ok && explorer != "" {
		p.HTML(template.HTML(fmt.Sprintf(`<p><a href="%s">Try it live in the Explorer</a>: %s</p>`, html.EscapeString(explorer), html.EscapeString(note))))
	}
	if len(res.Claims) > 0 || len(res.Numbers) > 0 {
		p.HTML(ClaimsHTML(res))
	}
	p.Add(res.Charts...)
	if t.Split {
		p.HTML(t.After.HTML)
	}
	return p
}

// explorerNotes says, for each lesson the Explorer illustrates, what to do there.
var explorerNotes = map[string]string{
	"01-forward-process":          "move t and watch q_t blur the data into a Gaussian.",
	"02-ideal-denoiser":           "move t and the probe: the posterior weights and the pull D*(x) - x of the ideal denoiser.",
	"03-training":                 "train a small network with this recipe on any points, drawn ones included, and watch its loss.",
	"04-ancestral-sampling":       "sample with DDPM, change the steps and the particles, and read the energy distance beside its noise level.",
	"08-classifier-guidance":      "pick two classes, classifier guidance and gamma: the tilted density and the guided samples.",
	"09-classifier-free-guidance": "the same with classifier-free guidance, which on exact fields follows the same tilted density.",
	"10-deterministic-sampling":   "DDIM with eta from 0 to 1 and the PF-ODE with Heun's method, on the same seed.",
	"11-langevin":                 "Langevin at a fixed t against annealed Langevin: which one finds every mode?",
	"12-memorisation":             "draw your own points: the exact denoiser of a finite set gives back only those points; train a network on them and sample both with the same seed.",
}

// Write writes the book into dir (created if missing) and returns the path
// of its index page. The lesson texts are read and rendered before any
// experiment runs, so a broken text fails at once. Every page is written
// atomically (viz.Page.WriteFile) and the index last, only when every
// lesson's page is written: a failed run leaves no index linking to a
// missing page, and the index of an earlier run links to whole pages.
func Write(ctx context.Context, dir string, o Options) (string, error) {
	lessons := o.Only
	if lessons == nil {
		lessons = course.Lessons()
	}
	if o.Lessons == "" {
		var err error
		if o.Lessons, err = FindLessons(); err != nil {
			return "", err
		}
	}
	w, err := prepare(dir, o, lessons)
	if err != nil {
		return "", err
	}
	// The index is built now (a broken README fails at once) but written
	// last, only when every page is: it never links to a missing page.
	indexPage, err := buildIndex(dir, o, lessons, w.texts, w.katex)
	if err != nil {
		return "", err
	}
	if err := writeTextPages(dir, o, w.katex); err != nil {
		return "", err
	}
	if err := w.runAll(ctx); err != nil {
		return "", err
	}
	index := filepath.Join(dir, "index.html")
	if err := indexPage.WriteFile(index, viz.Assets{}); err != nil {
		return "", fmt.Errorf("book: index: %w", err)
	}
	return index, nil
}

// lessonWriter runs the lessons' experiments and writes their pages.
type lessonWriter struct {
	dir     string
	o       Options
	lessons []course.Lesson
	texts   []Text // the lessons' texts, in the order of lessons
	charts  viz.Assets
	katex   mdmath.Assets
	run     func(context.Context, course.Lesson, course.Config, course.Progress) (*course.Result, error)

	mu   sync.Mutex // guards done and the callbacks
	done int
}

// prepare makes the book's folder, writes the shared assets and reads the
// lessons' texts.
func prepare(dir string, o Options, lessons []course.Lesson) (*lessonWriter, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("book: %w", err)
	}
	shared := o.Assets
	if shared == "" {
		shared = filepath.Join(dir, "assets")
	}
	w := &lessonWriter{dir: dir, o: o, lessons: lessons, run: o.Run}
	var err error
	if w.charts, err = viz.Shared(dir, shared); err != nil {
		return nil, fmt.Errorf("book: %w", err)
	}
	if w.katex, err = mdmath.Shared(dir, shared); err != nil {
		return nil, fmt.Errorf("book: %w", err)
	}
	link := Links(o.Lessons, dir, course.Lessons())
	w.texts = make([]Text, len(lessons))
	for i, l := range lessons {
		if w.texts[i], err = ReadText(o.Lessons, l, link); err != nil {
			return nil, err
		}
	}
	if w.run == nil {
		w.run = func(ctx context.Context, l course.Lesson, cfg course.Config, p course.Progress) (*course.Result, error) {
			return l.Run(ctx, cfg, p)
		}
	}
	return w, nil
}

// runAll runs the lessons o.Jobs at a time and writes each page as its
// experiment ends; the first failure cancels the rest and is returned.
func (w *lessonWriter) runAll(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		first error
		once  sync.Once
		wg    sync.WaitGroup
		next  = make(chan int)
	)
	for range max(w.o.Jobs, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := w.lesson(ctx, i); err != nil {
					once.Do(func() { first = err; cancel() })
				}
			}
		}()
	}
	for i := range w.lessons {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}

// lesson runs lesson i's experiment, writes its page and reports it.
func (w *lessonWriter) lesson(ctx context.Context, i int) error {
	l := w.lessons[i]
	var p course.Progress
	if w.o.Step != nil {
		p = func(d, t int, note string) { w.o.Step(w.texts[i].Title, note, d, t) }
	}
	start := time.Now()
	res, err := w.run(ctx, l, w.o.Config, p)
	took := time.Since(start)
	if err != nil {
		return fmt.Errorf("book: %s: %w", l.ID, err)
	}
	page := Page(l, w.texts[i], res, w.katex, w.o.Config, w.o.Explorer)
	page.Back = &viz.Link{Text: "The book: contents", Href: "index.html"}
	if err := page.WriteFile(filepath.Join(w.dir, l.ID+".html"), w.charts); err != nil {
		return fmt.Errorf("book: %s: %w", l.ID, err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.done++
	if w.o.Claims != nil {
		w.o.Claims(l, res.Claims)
	}
	if w.o.Progress != nil {
		w.o.Progress(w.done, len(w.lessons), w.texts[i].Title, took)
	}
	return nil
}

// CheckLessons returns the folder of the lesson texts (dir, or FindLessons
// when dir is "") after reading every text the book needs from it (its
// README.md, notation.md and each lesson's text), so that a bad folder
// fails before anything is written.
func CheckLessons(dir string) (string, error) {
	if dir == "" {
		var err error
		if dir, err = FindLessons(); err != nil {
			return "", err
		}
	}
	names := []string{"README.md"}
	for _, tp := range textPages {
		names = append(names, tp.md)
	}
	for _, name := range names {
		if _, err := os.ReadFile(filepath.Join(dir, name)); err != nil {
			return "", fmt.Errorf("book: lessons folder %s: %w", dir, err)
		}
	}
	for _, l := range course.Lessons() {
		if _, err := ReadText(dir, l, func(s string) string { return s }); err != nil {
			return "", fmt.Errorf("book: lessons folder %s: %w", dir, err)
		}
	}
	return dir, nil
}

// buildIndex builds index.html: the course's README (its contents table
// links the pages), and a list of the pages in case the README does not
// link them all.
func buildIndex(dir string, o Options, lessons []course.Lesson, texts []Text, katex mdmath.Assets) (*viz.Page, error) {
	src, err := os.ReadFile(filepath.Join(o.Lessons, "README.md"))
	if err != nil {
		return nil, fmt.Errorf("book: %w", err)
	}
	title, body := mdmath.SplitTitle(src)
	if title == "" {
		title = "The course"
	}
	readme, err := mdmath.Render(body, mdmath.Options{Link: Links(o.Lessons, dir, course.Lessons())})
	if err != nil {
		return nil, fmt.Errorf("book: README.md: %w", err)
	}
	var links []viz.Link
	for i, l := range lessons {
		links = append(links, viz.Link{Text: texts[i].Title, Href: l.ID + ".html"})
	}
	p := viz.NewPage(title).
		Text("The book of the course: each lesson's text with its experiment's numbers and charts, run by the main job. It reads offline.").
		Links(links...).
		HTML(readme.HTML)
	p.Head = katex.Head()
	p.Back = o.Up
	return p, nil
}

// writeTextPages writes the pages of textPages: NotationPage
// (lessons/notation.md, the symbols of the course with their formulas and
// the lesson sections that derive them) and RecapPage (lessons/recap.md,
// the four equivalent views of the course on one page).
func writeTextPages(dir string, o Options, katex mdmath.Assets) error {
	for _, tp := range textPages {
		src, err := os.ReadFile(filepath.Join(o.Lessons, tp.md))
		if err != nil {
			return fmt.Errorf("book: %w", err)
		}
		title, body := mdmath.SplitTitle(src)
		if title == "" {
			title = tp.title
		}
		text, err := mdmath.Render(body, mdmath.Options{Link: Links(o.Lessons, dir, course.Lessons())})
		if err != nil {
			return fmt.Errorf("book: %s: %w", tp.md, err)
		}
		p := viz.NewPage(title).HTML(text.HTML)
		p.Head = katex.Head()
		p.Back = &viz.Link{Text: "The book: contents", Href: "index.html"}
		if err := p.WriteFile(filepath.Join(dir, tp.page), viz.Assets{}); err != nil {
			return fmt.Errorf("book: %s: %w", tp.page, err)
		}
	}
	return nil
}

// inside reports whether path dir lies in folder root (or is root); an
// empty root contains nothing.
func inside(dir, root string) bool {
	if root == "" {
		return false
	}
	rel, err := filepath.Rel(root, dir)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
