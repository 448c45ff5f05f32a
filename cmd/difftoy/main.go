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
// Trained networks are cached (by a hash of their data, network, settings
// and seed) in difftoy/models under the user's cache folder, or in
// $DIFFTOY_CACHE or -cache DIR: a second run loads them instead of
// training ("loaded from cache" in the progress). -retrain trains them
// again; a corrupt entry is reported and replaced.
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

// run is main without the process: it parses args, writes the pages and
// returns the exit status (0 done, 1 failed or a lesson's claim does not
// hold, 2 bad usage).
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("difftoy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "difftoy-out", "folder to write the pages into (created if missing)")
	seed := fs.Uint64("seed", 1, "seed of every experiment")
	quiet := fs.Bool("quiet", false, "no progress on the terminal")
	withBook := fs.Bool("book", true, "write the book (every lesson's experiment) into DIR/book; false: only the gallery, running only the lessons it shows")
	quick := fs.Bool("quick", false, "smaller samples and shorter training in the lessons' experiments (a preview)")
	retrain := fs.Bool("retrain", false, "train every network again instead of loading it from the trained-model cache (the new models replace the cached ones)")
	cacheDir := fs.String("cache", "", "folder of the trained-model cache (default: $"+nn.CacheEnv+", else difftoy/models in the user's cache folder; \"off\": no cache)")
	jobs := fs.Int("jobs", 2, "lessons' experiments run at once in the book (the numbers do not depend on it)")
	withExplorer := fs.Bool("explorer", true, "also write the Explorer page into DIR/explorer (its WebAssembly engine is built from this module with the go command)")
	lessons := fs.String("lessons", "", "folder of the lesson texts (default: lessons/ of the module, found from the working folder up)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: difftoy [-out DIR] [-seed N] [-book=false] [-quick] [-retrain] [-cache DIR] [-jobs N] [-lessons DIR] [-explorer=false] [-quiet]\n\n"+
			"Runs the course's lesson experiments and writes them as offline HTML pages:\n"+
			"the book into DIR/book and a gallery of every chart kind, taken from the\n"+
			"lessons' results, into DIR/gallery.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "difftoy: unexpected argument %q (all options are flags; see -h)\n", fs.Arg(0))
		return 2
	}
	if *out == "" {
		fmt.Fprintln(stderr, "difftoy: -out must name a folder")
		return 2
	}
	if *jobs < 1 {
		fmt.Fprintf(stderr, "difftoy: -jobs must be at least 1, not %d\n", *jobs)
		return 2
	}
	if *withBook {
		// A bad lessons folder fails before anything is written.
		dir, err := book.CheckLessons(*lessons)
		if err != nil {
			fmt.Fprintf(stderr, "difftoy: %v\n", err)
			return 1
		}
		*lessons = dir
	}
	start := time.Now()
	// The Explorer's engine builds (a go build for js/wasm) while the
	// experiments run.
	engine := make(chan engineBuild, 1)
	buildCtx, stopBuild := context.WithCancel(context.Background())
	defer stopBuild() // a run that fails early stops the build
	if *withExplorer {
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
				b.e, b.err = page.Build(buildCtx, filepath.Dir(mod))
			}
			b.took = time.Since(begin)
			engine <- b
		}()
	}
	tty := isTerminal(stderr)
	up := &viz.Link{Text: "difftoy", Href: "../index.html"}
	shared := filepath.Join(*out, "assets")
	failed := false // a lesson's claim does not hold
	var links []viz.Link
	cfg := course.DefaultConfig()
	cfg.Seed, cfg.Quick, cfg.Retrain, cfg.CacheDir = *seed, *quick, *retrain, *cacheDir
	var results lessonResults
	if *withBook {
		bo := book.Options{Lessons: *lessons, Config: cfg, Jobs: *jobs, Up: up, Run: results.keep(lessonRun), Assets: shared}
		if *withExplorer {
			bo.Explorer = "../explorer/index.html"
		}
		var claims claimTally
		bo.Claims = claims.add
		if !*quiet {
			var mu sync.Mutex
			bo.Progress = func(done, total int, title string, took time.Duration) {
				mu.Lock()
				defer mu.Unlock()
				cr, end := "", "\n"
				if tty {
					cr, end = "\r", "\x1b[K\n"
				}
				fmt.Fprintf(stderr, "%s[book %d/%d] %s: %.1fs%s", cr, done, total, title, took.Seconds(), end)
			}
			if tty {
				bo.Step = func(lesson, note string, done, total int) {
					mu.Lock()
					defer mu.Unlock()
					fmt.Fprintf(stderr, "\r  %s: %s %d/%d\x1b[K", lesson, note, done, total)
				}
			}
		}
		if _, err := book.Write(context.Background(), filepath.Join(*out, "book"), bo); err != nil {
			fmt.Fprintf(stderr, "difftoy: %v\n", err)
			return 1
		}
		links = append(links, viz.Link{Text: "The book", Href: "book/index.html", Note: "every lesson: its text with its experiment's numbers and charts"})
		failed = claims.report(stdout, stderr)
	} else {
		// The gallery alone: only the lessons whose charts it shows.
		run := results.keep(lessonRun)
		ls := gallery.Lessons()
		for i, l := range ls {
			begin := time.Now()
			if _, err := run(context.Background(), l, cfg, nil); err != nil {
				fmt.Fprintf(stderr, "difftoy: %s: %v\n", l.ID, err)
				return 1
			}
			if !*quiet {
				fmt.Fprintf(stderr, "[lesson %d/%d] %s: %.1fs\n", i+1, len(ls), l.Title, time.Since(begin).Seconds())
			}
		}
	}
	o := gallery.Options{Up: up, Assets: shared}
	if *withBook {
		o.Book = "../book"
	}
	if !*quiet {
		o.Progress = progress(stderr, tty, start)
	}
	if _, err := gallery.Write(filepath.Join(*out, "gallery"), results.byID, o); err != nil {
		fmt.Fprintf(stderr, "difftoy: %v\n", err)
		return 1
	}
	links = append(links, viz.Link{Text: "Chart gallery", Href: "gallery/index.html", Note: "every chart kind once, each taken from a lesson's result"})
	if *withExplorer {
		b := <-engine
		var path string
		if b.err == nil {
			path, b.err = page.Write(filepath.Join(*out, "explorer"), b.e, page.Options{Assets: shared, Up: "../index.html"})
		}
		if b.err != nil {
			fmt.Fprintf(stderr, "difftoy: explorer: %v\n", b.err)
			return 1
		}
		if !*quiet {
			size := 0.0
			if st, err := os.Stat(path); err == nil {
				size = float64(st.Size()) / (1 << 20)
			}
			fmt.Fprintf(stderr, "[explorer] engine built in %.1fs (%s); page %.2f MB\n", b.took.Seconds(), b.e.GoVersion, size)
		}
		links = append(links, viz.Link{Text: "The Explorer", Href: "explorer/index.html", Note: "the exact fields, samplers and guidance of any data set, live in the browser (offline, computed by this module compiled to WebAssembly)"})
	}
	index := filepath.Join(*out, "index.html")
	top := viz.NewPage("difftoy").Text("Diffusion models on 2-D toy data, checked against the exact answer. Every page works offline.").Links(links...)
	if err := top.WriteFile(index, viz.Assets{}); err != nil {
		fmt.Fprintf(stderr, "difftoy: %v\n", err)
		return 1
	}
	if abs, err := filepath.Abs(index); err == nil {
		index = abs
	}
	fmt.Fprintf(stdout, "written in %.1fs; open file://%s\n", time.Since(start).Seconds(), filepath.ToSlash(index))
	if failed {
		return 1
	}
	return 0
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
