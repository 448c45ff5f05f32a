package tests

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"difftoy/course"
	"difftoy/internal/book"
	"difftoy/viz"
)

// stubRun stands for a lesson's experiment in the book test: two numbers
// and one small chart, so the page is the lesson's real text around a
// stand-in experiment and the test takes seconds, not minutes.
func stubRun(_ context.Context, l course.Lesson, _ course.Config, _ course.Progress) (*course.Result, error) {
	t := []float64{0, 0.25, 0.5, 0.75, 1}
	y := make([]float64, len(t))
	for i, v := range t {
		y[i] = math.Cos(math.Pi * v / 2)
	}
	c := viz.Lines("Stand-in chart of "+l.ID, viz.LinePanel{Title: "cos(pi t / 2)", XName: "t", YName: "value",
		Series: []viz.Series{{Name: "stand-in", X: t, Y: y}}})
	return &course.Result{
		Numbers: []course.Number{{Name: "stand_in", Value: 1, Note: "a stand-in number (the test does not run the experiment)"}},
		Charts:  []*viz.Chart{c},
	}, nil
}

// mathCount counts the maths spans of a lesson from its source alone: the
// lessons write no literal dollar, so every $$ opens or closes a display
// span and every other $ an inline one.
func mathCount(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	double := strings.Count(s, "$$")
	single := strings.Count(s, "$") - 2*double
	return double/2 + single/2
}

// TestBookMaths writes the book from the real lesson texts (with stand-in
// experiments), opens the index and every lesson page in headless Chromium
// with the network cut off, and fails on a console error or warning (KaTeX
// warns about TeX it reads loosely), a request leaving the machine, a chart
// not drawn, maths that KaTeX did not render (a .katex-error, or fewer
// rendered formulas than the lesson's source holds), or a page wider than
// the window.
func TestBookMaths(t *testing.T) {
	if testing.Short() {
		t.Skip("opens a browser; skipped with -short")
	}
	bctx, out := startBrowser(t)
	lessons, err := filepath.Abs(filepath.Join("..", "lessons"))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "book")
	index, err := book.Write(context.Background(), dir, book.Options{Lessons: lessons, Config: course.DefaultConfig(), Jobs: 2, Run: stubRun})
	if err != nil {
		t.Fatal(err)
	}
	type page struct {
		name, path string
		maths      int
	}
	pages := []page{{"book-index", index, mathCount(t, filepath.Join(lessons, "README.md"))},
		{"book-notation", filepath.Join(dir, book.NotationPage), mathCount(t, filepath.Join(lessons, "notation.md"))},
		{"book-recap", filepath.Join(dir, book.RecapPage), mathCount(t, filepath.Join(lessons, "recap.md"))}}
	for _, l := range course.Lessons() {
		pages = append(pages, page{"book-" + l.ID, filepath.Join(dir, l.ID+".html"), mathCount(t, filepath.Join(lessons, l.ID+".md"))})
	}
	for _, pg := range pages {
		t.Run(pg.name, func(t *testing.T) {
			ctx, cancel := chromedp.NewContext(bctx)
			defer cancel()
			ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
			defer cancelT()
			problemsOf := watch(ctx)
			if err := chromedp.Do(ctx, chromedp.Navigate("file://"+pg.path)); err != nil {
				t.Fatalf("opening %s: %v", pg.path, err)
			}
			type state struct {
				Total, Rendered, Failed int
				Katex, Errors           int
				Charts, Drawn           int
				Width, Window           int
			}
			st, err := chromedp.Run(ctx, chromedp.Poll[state](`(function () {
  var m = window.difftoyMath, d = window.difftoy;
  if (!m || !m.done || (d && d.drawn < d.charts)) { return null; }
  return { Total: m.total, Rendered: m.rendered, Failed: m.failed,
    Katex: document.querySelectorAll('.katex').length,
    Errors: document.querySelectorAll('.katex-error').length,
    Charts: d ? d.charts : 0, Drawn: d ? d.drawn : 0,
    Width: document.documentElement.scrollWidth, Window: window.innerWidth };
})()`, chromedp.WithPollingTimeout(30*time.Second), chromedp.WithPollingInterval(50*time.Millisecond)))
			if err != nil {
				cancel()
				t.Fatalf("maths or charts not done after 30 s: %v; problems: %v", err, problemsOf())
			}
			saveScreenshot(t, ctx, filepath.Join(out, pg.name+".png"))
			cancel()
			for _, p := range problemsOf() {
				t.Error(p)
			}
			if st.Total != pg.maths || st.Rendered != pg.maths || st.Failed != 0 || st.Errors != 0 {
				t.Errorf("maths: %d spans on the page, %d rendered, %d failed, %d .katex-error; the source has %d formulas",
					st.Total, st.Rendered, st.Failed, st.Errors, pg.maths)
			}
			// Each formula is one .katex element (a display formula's sits
			// inside its .katex-display).
			if st.Katex != pg.maths {
				t.Errorf("%d .katex elements, want one per formula of the source (%d)", st.Katex, pg.maths)
			}
			if st.Drawn != st.Charts {
				t.Errorf("%d of %d charts drawn", st.Drawn, st.Charts)
			}
			if st.Width > st.Window {
				t.Errorf("page is %d px wide in a %d px window: something overflows", st.Width, st.Window)
			}
		})
	}
}
