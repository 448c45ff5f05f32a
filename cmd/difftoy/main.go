// Command difftoy is the project's main job: it runs the experiment of
// every lesson of the course (package course) and the built-in experiments
// of the chart gallery (package viz/gallery), writes them as offline HTML
// pages, and prints the page to open:
//
//	DIR/index.html          links to both
//	DIR/book/               one page per lesson: its numbers and charts
//	DIR/gallery/            every chart kind, on the exact mixtures
//
//	go run ./cmd/difftoy                 # DIR = ./difftoy-out, minutes (training included)
//	go run ./cmd/difftoy -quick          # smaller samples and training: a preview
//	go run ./cmd/difftoy -book=false     # the gallery alone, seconds
//
// echarts is copied beside the pages from node_modules (run `npm ci` once at
// the module root, or set DIFFTOY_ECHARTS to an echarts.min.js); without a
// local copy the pages load it from a CDN, which the command says once.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"difftoy/course"
	"difftoy/viz"
	"difftoy/viz/gallery"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it parses args, writes the gallery and
// returns the exit status (0 done, 1 failed, 2 bad usage).
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("difftoy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "difftoy-out", "folder to write the gallery into (created if missing)")
	seed := fs.Uint64("seed", 1, "seed of every experiment")
	quiet := fs.Bool("quiet", false, "no progress on the terminal")
	book := fs.Bool("book", true, "also write the book (every lesson's experiment) into DIR/book")
	quick := fs.Bool("quick", false, "smaller samples and shorter training in the book (a preview)")
	echarts := fs.String("echarts", "", "echarts.min.js to copy beside the pages (default: node_modules/echarts from `npm ci`, found from the working folder up to the module root; $"+viz.EChartsEnv+")")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: difftoy [-out DIR] [-seed N] [-book=false] [-quick] [-echarts FILE] [-quiet]\n\n"+
			"Runs the built-in experiments on the exact mixtures and writes a gallery of\n"+
			"every chart kind as offline HTML pages into DIR, and the book of the\n"+
			"course's lesson experiments into DIR/book.\n\n")
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
	if *echarts != "" {
		if err := os.Setenv(viz.EChartsEnv, *echarts); err != nil {
			fmt.Fprintf(stderr, "difftoy: %v\n", err)
			return 1
		}
	}
	start := time.Now()
	tty := isTerminal(stderr)
	up := &viz.Link{Text: "difftoy", Href: "../index.html"}
	o := gallery.Options{Seed: *seed, Up: up}
	if !*quiet {
		o.Progress = progress(stderr, tty, start)
	}
	links := []viz.Link{{Text: "Chart gallery", Href: "gallery/index.html", Note: "every chart kind, from experiments on the exact mixtures"}}
	if _, err := gallery.Write(filepath.Join(*out, "gallery"), o); err != nil {
		fmt.Fprintf(stderr, "difftoy: %v\n", err)
		return 1
	}
	if *book {
		cfg := course.DefaultConfig()
		cfg.Quick = *quick
		var step func(lesson, note string, done, total int)
		if !*quiet && tty {
			step = func(lesson, note string, done, total int) {
				fmt.Fprintf(stderr, "\r  %s: %s %d/%d\x1b[K", lesson, note, done, total)
			}
		}
		bo := gallery.Options{Seed: *seed, Progress: o.Progress, Up: up}
		if _, err := gallery.WriteSite(filepath.Join(*out, "book"), "difftoy: the book", bookIntro,
			bookEntries(context.Background(), cfg, step), bo); err != nil {
			fmt.Fprintf(stderr, "difftoy: book: %v\n", err)
			return 1
		}
		links = append([]viz.Link{{Text: "The book", Href: "book/index.html", Note: "every lesson's experiment: its numbers and charts"}}, links...)
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
	return 0
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
