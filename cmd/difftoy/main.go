// Command difftoy is the project's main job: it runs the experiment of
// every lesson of the course (package course), writes them as offline HTML
// pages with the chart gallery (package viz/gallery, made from the same
// results), and prints the page to open:
//
//	DIR/index.html          links to all of them
//	DIR/book/               one page per lesson: its text (lessons/, maths by
//	                        KaTeX), its numbers and charts; an index
//	DIR/gallery/            every chart kind once, each taken from a lesson's
//	                        result and naming it (or on fixed data, for the
//	                        kinds no lesson draws)
//	DIR/explorer/           the Explorer: one page computing the exact fields
//	                        and samplers live, in WebAssembly built from this
//	                        module by the go command (-explorer=false skips it)
//	DIR/assets/             echarts and KaTeX with their licences, written
//	                        once for both and linked by relative paths
//
//	go run ./cmd/difftoy                 # DIR = ./difftoy-out, minutes (training included)
//	go run ./cmd/difftoy -quick          # smaller samples and training: a preview
//	go run ./cmd/difftoy -book=false     # the gallery alone: only the lessons it shows
//
// echarts and KaTeX are embedded in the module (package internal/assets),
// so the pages work offline, from file://, with nothing but Go installed.
//
// The gallery runs no experiment of its own: it shows charts of the
// lessons' results. With the book they are the book's own results; with
// -book=false the command runs only the lessons the gallery shows
// (gallery.Lessons, one after the other, with the same -seed, -quick and
// model cache), so the gallery's charts are the ones the book would show.
//
// The book runs -jobs lessons' experiments at once (default 2); every
// lesson runs with -seed, as its notebook does with its own, and the
// numbers do not depend on -jobs.
//
// Each lesson checks its claims on its own numbers. The command prints
// "N of M claims hold", names each claim that fails and then exits with
// status 1. It does so with -quick too: the course's tests check every
// counted claim at the quick sizes, so a claim failing there is a real
// failure, not noise of a preview. Only the claims on how well a network
// trained (their bounds are for the default training) are indicative at
// -quick: shown on the pages, not counted.
//
// Trained networks (the denoisers and lesson 8's noisy classifier) are
// cached (by a hash of their data, network, settings and seed) in
// difftoy/models under the user's cache folder, or in $DIFFTOY_CACHE or
// -cache DIR: a second run loads them instead of training ("loaded from
// cache" in the progress). -retrain trains them again; a corrupt entry is
// reported and replaced.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"difftoy/course"
	"difftoy/internal/book"
	"difftoy/internal/explorer/page"
	"difftoy/internal/findup"
	"difftoy/toy/nn"
	"difftoy/viz"
	"difftoy/viz/gallery"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// lessonRun, when not nil, replaces the lessons' experiments (tests).
var lessonRun func(ctx context.Context, l course.Lesson, cfg course.Config, p course.Progress) (*course.Result, error)

// options are the command's flags.
type options struct {
	out, cacheDir, lessons          string
	seed                            uint64
	quiet, withBook, quick, retrain bool
	withExplorer                    bool
	jobs                            int
}

// parseFlags reads args into options; status is the exit status when the
// command must stop here (ok false: -h, a bad flag or a bad value).
func parseFlags(args []string, stderr io.Writer) (o options, status int, ok bool) {
	fs := flag.NewFlagSet("difftoy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.out, "out", "difftoy-out", "folder to write the pages into (created if missing)")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of every experiment")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress on the terminal")
	fs.BoolVar(&o.withBook, "book", true, "write the book (every lesson's experiment) into DIR/book; false: only the gallery, running only the lessons it shows")
	fs.BoolVar(&o.quick, "quick", false, "smaller samples and shorter training in the lessons' experiments (a preview)")
	fs.BoolVar(&o.retrain, "retrain", false, "train every network again instead of loading it from the trained-model cache (the new models replace the cached ones)")
	fs.StringVar(&o.cacheDir, "cache", "", "folder of the trained-model cache (default: $"+nn.CacheEnv+", else difftoy/models in the user's cache folder; \"off\": no cache)")
	fs.IntVar(&o.jobs, "jobs", 2, "lessons' experiments run at once in the book (the numbers do not depend on it)")
	fs.BoolVar(&o.withExplorer, "explorer", true, "also write the Explorer page into DIR/explorer (its WebAssembly engine is built from this module with the go command)")
	fs.StringVar(&o.lessons, "lessons", "", "folder of the lesson texts (default: lessons/ of the module, found from the working folder up)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: difftoy [-out DIR] [-seed N] [-book=false] [-quick] [-retrain] [-cache DIR] [-jobs N] [-lessons DIR] [-explorer=false] [-quiet]\n\n"+
			"Runs the course's lesson experiments and writes them as offline HTML pages:\n"+
			"the book into DIR/book and a gallery of every chart kind, taken from the\n"+
			"lessons' results, into DIR/gallery.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, 0, false
		}
		return o, 2, false
	}
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "difftoy: unexpected argument %q (all options are flags; see -h)\n", fs.Arg(0))
		return o, 2, false
	case o.out == "":
		fmt.Fprintln(stderr, "difftoy: -out must name a folder")
		return o, 2, false
	case o.jobs < 1:
		fmt.Fprintf(stderr, "difftoy: -jobs must be at least 1, not %d\n", o.jobs)
		return o, 2, false
	}
	return o, 0, true
}

// run is main without the process: it parses args, writes the pages and
// returns the exit status (0 done, 1 failed or a lesson's claim does not
// hold, 2 bad usage).
func run(args []string, stdout, stderr io.Writer) int {
	o, status, ok := parseFlags(args, stderr)
	if !ok {
		return status
	}
	if o.withBook {
		// A bad lessons folder fails before anything is written.
		dir, err := book.CheckLessons(o.lessons)
		if err != nil {
			fmt.Fprintf(stderr, "difftoy: %v\n", err)
			return 1
		}
		o.lessons = dir
	}
	start := time.Now()
	// The Explorer's engine builds (a go build for js/wasm) while the
	// experiments run; a run that fails early stops the build.
	buildCtx, stopBuild := context.WithCancel(context.Background())
	defer stopBuild()
	var engine <-chan engineBuild
	if o.withExplorer {
		engine = buildEngine(buildCtx)
	}
	w := newWriter(o, stdout, stderr, start)
	failed := false // a lesson's claim does not hold
	var links []viz.Link
	if o.withBook {
		var err error
		if failed, err = w.book(); err != nil {
			fmt.Fprintf(stderr, "difftoy: %v\n", err)
			return 1
		}
		links = append(links, viz.Link{Text: "The book", Href: "book/index.html", Note: "every lesson: its text with its experiment's numbers and charts"})
	} else if err := w.galleryLessons(); err != nil {
		fmt.Fprintf(stderr, "difftoy: %v\n", err)
		return 1
	}
	if err := w.gallery(); err != nil {
		fmt.Fprintf(stderr, "difftoy: %v\n", err)
		return 1
	}
	links = append(links, viz.Link{Text: "Chart gallery", Href: "gallery/index.html", Note: "every chart kind once, each taken from a lesson's result"})
	if o.withExplorer {
		if err := w.explorer(<-engine); err != nil {
			fmt.Fprintf(stderr, "difftoy: explorer: %v\n", err)
			return 1
		}
		links = append(links, viz.Link{Text: "The Explorer", Href: "explorer/index.html", Note: "the exact fields, samplers and guidance of any data set, live in the browser (offline, computed by this module compiled to WebAssembly)"})
	}
	index, err := w.index(links)
	if err != nil {
		fmt.Fprintf(stderr, "difftoy: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "written in %.1fs; open file://%s\n", time.Since(start).Seconds(), filepath.ToSlash(index))
	if failed {
		return 1
	}
	return 0
}

// index writes the page linking the sites written, names on stderr the
// pages left from an earlier run, and returns the index's absolute path.
func (w *writer) index(links []viz.Link) (string, error) {
	index := filepath.Join(w.o.out, "index.html")
	top := viz.NewPage("difftoy").Text("Diffusion models on 2-D toy data, checked against the exact answer. Every page works offline.").Links(links...)
	if err := top.WriteFile(index, viz.Assets{}); err != nil {
		return "", err
	}
	if abs, err := filepath.Abs(index); err == nil {
		index = abs
	}
	for _, f := range staleResidue(w.o.out, w.start) {
		fmt.Fprintf(w.stderr, "difftoy: %s is left from an earlier run: this run did not write it and nothing links it (delete it, or write into a new -out folder)\n", f)
	}
	return index, nil
}

// buildEngine builds the Explorer's engine from the module's source in the
// background and delivers the outcome on the channel.
func buildEngine(ctx context.Context) <-chan engineBuild {
	engine := make(chan engineBuild, 1)
	go func() {
		begin := time.Now()
		var b engineBuild
		mod, ok, err := findup.Find("go.mod")
		switch {
		case err != nil:
			b.err = err
		case !ok:
			b.err = errors.New("the Explorer's engine is built from the module's source: run from inside the checkout, or pass -explorer=false")
		default:
			b.e, b.err = page.Build(ctx, filepath.Dir(mod))
		}
		b.took = time.Since(begin)
		engine <- b
	}()
	return engine
}

// writer writes the pages of one run: the book, the gallery and the
// Explorer, from the lessons' results it keeps.
type writer struct {
	o              options
	cfg            course.Config
	stdout, stderr io.Writer
	tty            bool
	start          time.Time
	up             *viz.Link
	shared         string // the assets folder every page links
	results        lessonResults
}

// newWriter returns the writer of a run with options o started at start.
func newWriter(o options, stdout, stderr io.Writer, start time.Time) *writer {
	w := &writer{o: o, stdout: stdout, stderr: stderr, tty: isTerminal(stderr), start: start,
		up: &viz.Link{Text: "difftoy", Href: "../index.html"}, shared: filepath.Join(o.out, "assets")}
	w.cfg = course.DefaultConfig()
	w.cfg.Seed, w.cfg.Quick, w.cfg.Retrain, w.cfg.CacheDir = o.seed, o.quick, o.retrain, o.cacheDir
	return w
}

// book runs every lesson and writes the book; failed reports a claim that
// does not hold (after printing the tally).
func (w *writer) book() (failed bool, err error) {
	bo := book.Options{Lessons: w.o.lessons, Config: w.cfg, Jobs: w.o.jobs, Up: w.up, Run: w.results.keep(lessonRun), Assets: w.shared}
	if w.o.withExplorer {
		bo.Explorer = "../explorer/index.html"
	}
	var claims claimTally
	bo.Claims = claims.add
	if !w.o.quiet {
		var mu sync.Mutex
		bo.Progress = func(done, total int, title string, took time.Duration) {
			mu.Lock()
			defer mu.Unlock()
			cr, end := "", "\n"
			if w.tty {
				cr, end = "\r", "\x1b[K\n"
			}
			fmt.Fprintf(w.stderr, "%s[book %d/%d] %s: %.1fs%s", cr, done, total, title, took.Seconds(), end)
		}
		if w.tty {
			bo.Step = func(lesson, note string, done, total int) {
				mu.Lock()
				defer mu.Unlock()
				fmt.Fprintf(w.stderr, "\r  %s: %s %d/%d\x1b[K", lesson, note, done, total)
			}
		}
	}
	if _, err := book.Write(context.Background(), filepath.Join(w.o.out, "book"), bo); err != nil {
		return false, err
	}
	return claims.report(w.stdout, w.stderr), nil
}

// galleryLessons runs, without the book, only the lessons whose charts the
// gallery shows.
func (w *writer) galleryLessons() error {
	run := w.results.keep(lessonRun)
	ls := gallery.Lessons()
	for i, l := range ls {
		begin := time.Now()
		if _, err := run(context.Background(), l, w.cfg, nil); err != nil {
			return fmt.Errorf("%s: %w", l.ID, err)
		}
		if !w.o.quiet {
			fmt.Fprintf(w.stderr, "[lesson %d/%d] %s: %.1fs\n", i+1, len(ls), l.Title, time.Since(begin).Seconds())
		}
	}
	return nil
}

// gallery writes the gallery from the kept results.
func (w *writer) gallery() error {
	o := gallery.Options{Up: w.up, Assets: w.shared}
	if w.o.withBook {
		o.Book = "../book"
	}
	if !w.o.quiet {
		o.Progress = progress(w.stderr, w.tty, w.start)
	}
	_, err := gallery.Write(filepath.Join(w.o.out, "gallery"), w.results.byID, o)
	return err
}

// explorer writes the Explorer page with the built engine b.
func (w *writer) explorer(b engineBuild) error {
	if b.err != nil {
		return b.err
	}
	path, err := page.Write(filepath.Join(w.o.out, "explorer"), b.e, page.Options{Assets: w.shared, Up: "../index.html"})
	if err != nil {
		return err
	}
	if !w.o.quiet {
		size := 0.0
		if st, err := os.Stat(path); err == nil {
			size = float64(st.Size()) / (1 << 20)
		}
		fmt.Fprintf(w.stderr, "[explorer] engine built in %.1fs (%s); page %.2f MB\n", b.took.Seconds(), b.e.GoVersion, size)
	}
	return nil
}

// lessonResults keeps the lessons' results (for the gallery) as their
// experiments end, from any number of goroutines.
type lessonResults struct {
	mu   sync.Mutex
	byID map[string]*course.Result
}

// keep returns run (nil: each lesson's own Run) keeping every result.
func (k *lessonResults) keep(run func(context.Context, course.Lesson, course.Config, course.Progress) (*course.Result, error)) func(context.Context, course.Lesson, course.Config, course.Progress) (*course.Result, error) {
	return func(ctx context.Context, l course.Lesson, cfg course.Config, p course.Progress) (*course.Result, error) {
		var r *course.Result
		var err error
		if run != nil {
			r, err = run(ctx, l, cfg, p)
		} else {
			r, err = l.Run(ctx, cfg, p)
		}
		if err != nil {
			return nil, err
		}
		k.mu.Lock()
		defer k.mu.Unlock()
		if k.byID == nil {
			k.byID = map[string]*course.Result{}
		}
		k.byID[l.ID] = r
		return r, nil
	}
}

// engineBuild is the outcome of building the Explorer's engine.
type engineBuild struct {
	e    *page.Engine
	took time.Duration
	err  error
}

// progress returns a callback that reports each page: on a terminal one
// line rewritten in place, elsewhere (a log, CI) one plain line per page.
func progress(w io.Writer, tty bool, start time.Time) func(done, total int, title string) {
	return func(done, total int, title string) {
		switch {
		case done == total && tty:
			fmt.Fprintf(w, "\r[%d/%d] done in %.1fs\x1b[K\n", done, total, time.Since(start).Seconds())
		case done == total:
			fmt.Fprintf(w, "[%d/%d] done in %.1fs\n", done, total, time.Since(start).Seconds())
		case tty:
			fmt.Fprintf(w, "\r[%d/%d] %s\x1b[K", done+1, total, title)
		default:
			fmt.Fprintf(w, "[%d/%d] %s\n", done+1, total, title)
		}
	}
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// claimTally collects the lessons' claims as their experiments end.
type claimTally struct {
	lessons []course.Lesson
	claims  [][]course.Claim
}

func (c *claimTally) add(l course.Lesson, cs []course.Claim) {
	c.lessons = append(c.lessons, l)
	c.claims = append(c.claims, cs)
}

// report prints "N of M claims hold" to stdout and each failing claim to
// stderr, in the lessons' order, and says whether any failed.
func (c *claimTally) report(stdout, stderr io.Writer) (failed bool) {
	held, total := 0, 0
	order := map[string]int{}
	for i, l := range course.Lessons() {
		order[l.ID] = i
	}
	idx := make([]int, len(c.lessons))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return order[c.lessons[a].ID] - order[c.lessons[b].ID] })
	for _, i := range idx {
		for _, cl := range c.claims[i] {
			if cl.Indicative {
				continue
			}
			total++
			if cl.Holds() {
				held++
				continue
			}
			fmt.Fprintf(stderr, "difftoy: %s: claim fails: %s (%s = %s, bound %s)\n", c.lessons[i].ID, cl.Text, cl.Name, cl.Measured(), cl.BoundText())
		}
	}
	fmt.Fprintf(stdout, "%d of %d claims hold\n", held, total)
	return held < total
}

// staleResidue lists the HTML pages under the book and gallery folders of
// out last written before start: pages of an earlier run that this run
// did not write (a page it no longer has), which a reader browsing the
// folder would take for current. Two seconds of slack cover file systems
// that keep modification times to the second or two.
func staleResidue(out string, start time.Time) []string {
	start = start.Add(-2 * time.Second)
	var stale []string
	for _, sub := range []string{"book", "gallery"} {
		names, _ := filepath.Glob(filepath.Join(out, sub, "*.html"))
		for _, name := range names {
			if st, err := os.Stat(name); err == nil && st.ModTime().Before(start) {
				rel, _ := filepath.Rel(out, name)
				stale = append(stale, filepath.ToSlash(rel))
			}
		}
	}
	return stale
}
