package gallery

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"html/template"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"difftoy/course"
	"difftoy/internal/tempenv"
	"difftoy/toy/nn"
	"difftoy/viz"
)

// TestMain points the trained-model cache at a temporary folder: the
// lessons TestWrite runs train networks.
func TestMain(m *testing.M) { tempenv.Main(m, nn.CacheEnv) }

// chartKinds returns the chart kinds of package viz, read from its source:
// its exported functions that return a *Chart.
func chartKinds(t *testing.T) []string {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join("..", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !fn.Name.IsExported() || fn.Type.Results == nil || len(fn.Type.Results.List) != 1 {
				continue
			}
			if star, ok := fn.Type.Results.List[0].Type.(*ast.StarExpr); ok {
				if id, ok := star.X.(*ast.Ident); ok && id.Name == "Chart" {
					kinds = append(kinds, fn.Name.Name)
				}
			}
		}
	}
	slices.Sort(kinds)
	return kinds
}

// TestEntriesCoverEveryKind: the gallery shows each chart kind of package
// viz exactly once, and each entry names either a lesson's chart or an
// example, not both.
func TestEntriesCoverEveryKind(t *testing.T) {
	kinds := chartKinds(t)
	if len(kinds) < 10 {
		t.Fatalf("found only %d chart kinds in package viz (%v): the source was not read", len(kinds), kinds)
	}
	var shown []string
	for _, e := range Entries() {
		shown = append(shown, e.Kind)
		switch {
		case e.Lesson == "" && e.Example == nil:
			t.Errorf("%s: neither a lesson's chart nor an example", e.File)
		case e.Lesson != "" && (e.Example != nil || e.Chart == ""):
			t.Errorf("%s: a lesson (%s) needs a chart title and no example", e.File, e.Lesson)
		case e.Lesson != "":
			if _, err := course.LessonByID(e.Lesson); err != nil {
				t.Errorf("%s: %v", e.File, err)
			}
		}
		if e.Title == "" || e.About == "" {
			t.Errorf("%s: no title or no description of its kind", e.File)
		}
	}
	slices.Sort(shown)
	if !slices.Equal(shown, kinds) {
		t.Errorf("the gallery shows the kinds %v, want each of package viz's once: %v", shown, kinds)
	}
}

// TestWriteRejectsBadNames: a file name that repeats, is the index's,
// is in a folder or is not .html fails before anything is written.
func TestWriteRejectsBadNames(t *testing.T) {
	example := func() *viz.Chart { return spiralField() }
	for _, files := range [][]string{
		{"a.html", "a.html"},
		{"index.html"},
		{"sub/a.html"},
		{"a.htm"},
	} {
		var es []Entry
		for _, f := range files {
			es = append(es, Entry{File: f, Title: f, Kind: "Quiver", Example: example})
		}
		dir := filepath.Join(t.TempDir(), "out")
		if _, err := write(dir, es, nil, Options{}); err == nil || !strings.Contains(err.Error(), "file name") {
			t.Errorf("write(%q) error = %v, want a file name error", files, err)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("write(%q) created %s (stat: %v)", files, dir, err)
		}
	}
}

// TestWriteNamesWhatIsMissing: a lesson's result that is missing, or that
// has no chart of the title an entry names, fails with an error naming the
// lesson and the title.
func TestWriteNamesWhatIsMissing(t *testing.T) {
	e := Entry{File: "a.html", Title: "A", Kind: "Lines", About: "lines", Lesson: "02-ideal-denoiser", Chart: "The wanted chart"}
	other := viz.Lines("Another chart", viz.LinePanel{Title: "p", XName: "x", YName: "y",
		Series: []viz.Series{{Name: "s", X: []float64{0, 1}, Y: []float64{0, 1}}}})
	for _, tc := range []struct {
		results map[string]*course.Result
		want    []string
	}{
		{nil, []string{"a.html", "no result of lesson 02-ideal-denoiser"}},
		{map[string]*course.Result{"02-ideal-denoiser": {Charts: []*viz.Chart{other}}},
			[]string{"a.html", `lesson 02-ideal-denoiser has no chart titled "The wanted chart"`, `"Another chart"`}},
	} {
		_, err := write(t.TempDir(), []Entry{e}, tc.results, Options{})
		for _, w := range tc.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("write error = %v, want it to contain %q", err, w)
			}
		}
	}
}

// lessonResults runs the gallery's lessons at the quick sizes.
func lessonResults(t *testing.T) map[string]*course.Result {
	t.Helper()
	cfg := course.DefaultConfig()
	cfg.Quick = true
	results := map[string]*course.Result{}
	for _, l := range Lessons() {
		r, err := l.Run(context.Background(), cfg, nil)
		if err != nil {
			t.Fatalf("%s: %v", l.ID, err)
		}
		results[l.ID] = r
	}
	return results
}

// escaped is s as html/template writes it in the text of an element.
func escaped(t *testing.T, s string) string {
	t.Helper()
	var b strings.Builder
	if err := template.Must(template.New("").Parse("{{.}}")).Execute(&b, s); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestWrite runs the gallery's lessons (quick sizes) and writes the
// gallery: every page is written and linked from the index, shows the very
// chart of its lesson's result (with the lesson's caption) and names and
// links the lesson, or shows its example with a title and a caption.
func TestWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the lessons the gallery shows (seconds, a network trained)")
	}
	results := lessonResults(t)
	dir := t.TempDir()
	var calls []string
	index, err := Write(dir, results, Options{Book: "../book", Progress: func(done, total int, title string) {
		calls = append(calls, title)
	}})
	if err != nil {
		t.Fatal(err)
	}
	es := Entries()
	if len(calls) != len(es)+1 {
		t.Errorf("progress called %d times, want %d", len(calls), len(es)+1)
	}
	idx, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if !strings.Contains(string(idx), `href="`+e.File+`"`) {
			t.Errorf("index does not link %s", e.File)
		}
		b, err := os.ReadFile(filepath.Join(dir, e.File))
		if err != nil {
			t.Error(err)
			continue
		}
		p, err := page(e, results, "../book")
		if err != nil {
			t.Fatalf("%s: %v", e.File, err)
		}
		cs := p.Charts()
		if len(cs) != 1+len(e.Below) {
			t.Fatalf("%s: %d charts, want %d", e.File, len(cs), 1+len(e.Below))
		}
		for _, c := range cs {
			if strings.TrimSpace(c.Title) == "" || strings.TrimSpace(c.Caption) == "" {
				t.Errorf("%s: chart %q without a title or a caption", e.File, c.Title)
			}
			if !strings.Contains(string(b), escaped(t, c.Caption)) {
				t.Errorf("%s: the page does not show the caption of %q", e.File, c.Title)
			}
			if e.Lesson != "" && !slices.Contains(results[e.Lesson].Charts, c) {
				t.Errorf("%s: the chart %q is not one of lesson %s's results", e.File, c.Title, e.Lesson)
			}
		}
		if e.Lesson == "" {
			continue
		}
		if cs[0].Title != e.Chart {
			t.Errorf("%s: the first chart is %q, want %q", e.File, cs[0].Title, e.Chart)
		}
		for _, s := range []string{"From lesson " + e.Lesson, `href="../book/` + e.Lesson + `.html"`} {
			if !strings.Contains(string(b), s) {
				t.Errorf("%s: the page does not contain %q", e.File, s)
			}
		}
	}
}
