package book

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"difftoy/course"
	"difftoy/internal/mdmath"
	"difftoy/viz"
)

func lessonsDir(t *testing.T) string {
	t.Helper()
	d, err := filepath.Abs(filepath.Join("..", "..", "lessons"))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestLinks(t *testing.T) {
	root := t.TempDir()
	lessons := filepath.Join(root, "lessons")
	bookDir := filepath.Join(root, "out", "book")
	link := Links(lessons, bookDir, course.Lessons())
	for _, tc := range []struct{ in, want string }{
		{"02-ideal-denoiser.md", "02-ideal-denoiser.html"},
		{"./03-training.md#the-elbo", "03-training.html#the-elbo"},
		{"README.md", "index.html"},
		{"../notebooks/02-ideal-denoiser.ipynb", "../../notebooks/02-ideal-denoiser.ipynb"},
		{"../README.md", "../../README.md"},
		{"99-unknown.md", "../../lessons/99-unknown.md"},
		{"https://example.org/x.md", "https://example.org/x.md"},
		{"#section", "#section"},
	} {
		if got := link(tc.in); got != tc.want {
			t.Errorf("link(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// A book outside the checkout links its own pages but not the
	// checkout's files: the path would leave the output folder.
	outside := Links(lessons, filepath.Join(t.TempDir(), "book"), course.Lessons())
	for _, tc := range []struct{ in, want string }{
		{"02-ideal-denoiser.md", "02-ideal-denoiser.html"},
		{"README.md", "index.html"},
		{"../notebooks/02-ideal-denoiser.ipynb", ""},
		{"../README.md", ""},
		{"https://example.org/x.md", "https://example.org/x.md"},
	} {
		if got := outside(tc.in); got != tc.want {
			t.Errorf("outside the checkout: link(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// fakeRun stands for the experiments: one number and one small chart per
// lesson, recording the seed each lesson got.
type fakeRun struct {
	mu    sync.Mutex
	seeds map[string]uint64
	fail  string // the lesson ID that fails
}

func (f *fakeRun) run(_ context.Context, l course.Lesson, cfg course.Config, _ course.Progress) (*course.Result, error) {
	f.mu.Lock()
	f.seeds[l.ID] = cfg.Seed
	f.mu.Unlock()
	if l.ID == f.fail {
		return nil, errors.New("no convergence")
	}
	xs := []float64{0, 1, 2, 3}
	c := viz.Lines("fake "+l.ID, viz.LinePanel{Title: "a line", XName: "t", YName: "value",
		Series: []viz.Series{{Name: "y", X: xs, Y: []float64{0, 1, 4, 9}}}})
	return &course.Result{Numbers: []course.Number{{Name: "n_" + l.ID[:2], Value: math.Pi, Note: "a number"}},
		Claims: []course.Claim{{Ref: 2, Text: "Pi is below four in " + l.ID[:2] + ".", Name: "pi", Value: math.Pi, Op: course.Below, Bound: 4}},
		Charts: []*viz.Chart{c}}, nil
}

var href = regexp.MustCompile(`(?:href|src)="([^"]*)"`)

// TestWrite writes the whole book with stand-in experiments and checks
// every page: the lesson's own title, its text around the experiment in
// the promised order, and every relative link and script pointing at a file
// that exists (no .md link left).
func TestWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "book")
	f := &fakeRun{seeds: map[string]uint64{}}
	var progress []string
	index, err := Write(context.Background(), dir, Options{Lessons: lessonsDir(t), Config: course.Config{Seed: 7}, Jobs: 3, Run: f.run,
		Progress: func(done, total int, title string, _ time.Duration) { progress = append(progress, title) }})
	if err != nil {
		t.Fatal(err)
	}
	checkLinks := func(page string) string {
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		for _, m := range href.FindAllStringSubmatch(s, -1) {
			u := m[1]
			if strings.Contains(u, "://") || strings.HasPrefix(u, "#") {
				continue
			}
			file, _, _ := strings.Cut(u, "#")
			target := filepath.Join(filepath.Dir(page), filepath.FromSlash(file))
			if filepath.Dir(target) == lessonsDir(t) {
				t.Errorf("%s links the lesson text %q, not its page", filepath.Base(page), u)
			}
			if _, err := os.Stat(target); err != nil {
				t.Errorf("%s: link %q leads nowhere: %v", filepath.Base(page), u, err)
			}
		}
		return s
	}
	if len(progress) != len(course.Lessons()) {
		t.Errorf("progress reported %d pages, want %d", len(progress), len(course.Lessons()))
	}
	idx := checkLinks(index)
	// The notation page: linked from the index, its links to the lessons
	// rewritten to their pages.
	if !strings.Contains(idx, `href="`+NotationPage+`"`) {
		t.Errorf("index does not link %s", NotationPage)
	}
	if s := checkLinks(filepath.Join(dir, NotationPage)); !strings.Contains(s, `href="03-training.html"`) {
		t.Errorf("%s does not link the page of lesson 3", NotationPage)
	}
	// The recap page likewise.
	if !strings.Contains(idx, `href="`+RecapPage+`"`) {
		t.Errorf("index does not link %s", RecapPage)
	}
	if s := checkLinks(filepath.Join(dir, RecapPage)); !strings.Contains(s, `href="04-ancestral-sampling.html"`) {
		t.Errorf("%s does not link the page of lesson 4", RecapPage)
	}
	for _, l := range course.Lessons() {
		if want := uint64(7); f.seeds[l.ID] != want {
			t.Errorf("%s ran with seed %d, want %d", l.ID, f.seeds[l.ID], want)
		}
		if !strings.Contains(idx, `href="`+l.ID+`.html"`) {
			t.Errorf("index does not link %s", l.ID)
		}
		s := checkLinks(filepath.Join(dir, l.ID+".html"))
		src, err := os.ReadFile(filepath.Join(lessonsDir(t), l.ID+".md"))
		if err != nil {
			t.Fatal(err)
		}
		h1 := strings.TrimPrefix(strings.SplitN(string(src), "\n", 2)[0], "# ")
		if !strings.Contains(s, "<h1>"+h1+"</h1>") {
			t.Errorf("%s: no heading %q", l.ID, h1)
		}
		// Order: section 1 of the text, the experiment, its number, its
		// chart, then "What to look for".
		marks := []string{"<h2>1. ", `<h2 id="experiment">The experiment</h2>`, "Claims checked on this run: 1 of 1 hold", "Pi is below four in " + l.ID[:2], "<details>", "n_" + l.ID[:2], `id="difftoy-chart-1"`, "<h2>What to look for", "<h2>Exercises</h2>"}
		at := -1
		for _, m := range marks {
			j := strings.Index(s, m)
			if j <= at {
				t.Errorf("%s: %q missing or out of order", l.ID, m)
				break
			}
			at = j
		}
	}
}

// TestClaimsHTML: each claim is a row with its sentence, the measured value
// with its standard error, the bound and the verdict; the count in the
// heading counts the claims that hold; the numbers are folded away.
func TestClaimsHTML(t *testing.T) {
	res := &course.Result{
		Numbers: []course.Number{{Name: "raw/energy_ratio", Value: 1.25, Note: "a <raw> number"}},
		Claims: []course.Claim{
			{Ref: 4, Text: "Samples match the data.", Name: "energy ratio", Value: 1.25, Op: course.Below, Bound: 3},
			{Ref: 6, Text: "Matching beats no matching.", Name: "matched", Value: 4.64, SE: 0.1, Op: course.Below, Bound: 3.25, Against: "no matching"},
			{Text: "The share is a third.", Name: "share", Value: 0.34, Op: course.Near, Bound: 1.0 / 3, Hi: 0.02},
		},
	}
	s := string(ClaimsHTML(res))
	rows := strings.Split(s, "<tr")
	want := [][]string{
		{"<td>4</td>", "Samples match the data.", "energy ratio: <b>1.25</b>", "&lt; 3", "✓ holds"},
		{`class="fails"`, "<td>6</td>", "Matching beats no matching.", "matched: <b>4.64 ± 0.1</b>", "&lt; 3.25 (no matching)", "✗ FAILS"},
		{"<td></td>", "The share is a third.", "share: <b>0.34</b>", "0.3333 ± 0.02", "✓ holds"},
	}
	if len(rows) != 1+1+len(want)+2 {
		t.Fatalf("%d table rows, want a header and %d claims, then the numbers' header and one number:\n%s", len(rows)-1, len(want), s)
	}
	for i, w := range want {
		for _, part := range w {
			if !strings.Contains(rows[2+i], part) {
				t.Errorf("claim row %d lacks %q: %s", i, part, rows[2+i])
			}
		}
	}
	if !strings.Contains(s, "Claims checked on this run: 2 of 3 hold") {
		t.Errorf("heading does not count 2 of 3 claims holding:\n%s", s)
	}
	d := strings.Index(s, "<details>")
	if d < 0 || d > strings.Index(s, "raw/energy_ratio") || !strings.Contains(s, "a &lt;raw&gt; number") {
		t.Errorf("numbers not folded in <details> after the claims, or not escaped:\n%s", s)
	}
}

func TestWriteFailure(t *testing.T) {
	f := &fakeRun{seeds: map[string]uint64{}, fail: "05-changing-schedule"}
	_, err := Write(context.Background(), t.TempDir(), Options{Lessons: lessonsDir(t), Jobs: 2, Run: f.run})
	if err == nil || !strings.Contains(err.Error(), "05-changing-schedule") || !strings.Contains(err.Error(), "no convergence") {
		t.Errorf("error %v does not name the failing lesson and its cause", err)
	}
}

// TestJobsDeterministic runs the two fastest lessons' real experiments one
// at a time and two at once: the pages must be byte for byte the same.
func TestJobsDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two lessons' experiments")
	}
	only := course.Lessons()[:2]
	var pages [2][]string
	for k, jobs := range []int{1, 2} {
		dir := t.TempDir()
		if _, err := Write(context.Background(), dir, Options{Lessons: lessonsDir(t), Config: course.Config{Seed: 3, Quick: true}, Jobs: jobs, Only: only}); err != nil {
			t.Fatal(err)
		}
		for _, l := range only {
			b, err := os.ReadFile(filepath.Join(dir, l.ID+".html"))
			if err != nil {
				t.Fatal(err)
			}
			pages[k] = append(pages[k], string(b))
		}
	}
	for i := range only {
		if pages[0][i] != pages[1][i] {
			t.Errorf("%s differs between -jobs 1 and 2", only[i].ID)
		}
		if !strings.Contains(pages[0][i], "difftoy-chart-1") {
			t.Errorf("%s has no chart", only[i].ID)
		}
	}
}

// TestExplorerLink: the pages of the lessons the Explorer illustrates link
// to it when the book is given its address, and only then.
func TestExplorerLink(t *testing.T) {
	const href = "../explorer/index.html"
	for _, c := range []struct {
		id, explorer string
		want         bool
	}{
		{"02-ideal-denoiser", href, true},
		{"02-ideal-denoiser", "", false},
		{"05-changing-schedule", href, false},
	} {
		p := Page(course.Lesson{ID: c.id, Notebook: c.id + ".ipynb"}, Text{Title: c.id}, &course.Result{}, mdmath.Assets{}, course.Config{}, c.explorer)
		var b strings.Builder
		if err := p.Render(&b, viz.Assets{}); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(b.String(), `<a href="`+href+`">Try it live in the Explorer</a>`); got != c.want {
			t.Errorf("lesson %s with Explorer %q: link shown %v, want %v", c.id, c.explorer, got, c.want)
		}
	}
}
