// Documentation references that must point somewhere in the repository:
// the lesson sections cited by code comments, the Markdown files they name,
// and the relative links of the Markdown texts.

package difftoy_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var (
	// lessonRef is a citation of lesson sections: lessons/<NN-name>.md,
	// optionally followed by "section K" or "sections K, L and M" or
	// "sections K to M".
	lessonRef = regexp.MustCompile(`lessons/([0-9][0-9]-[a-z0-9-]+\.md)(?:,? sections? ([0-9]+(?:(?:,| and| to) [0-9]+)*))?`)
	// mdName is a Markdown file named in a comment.
	mdName = regexp.MustCompile(`[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.md\b`)
	// mdLink is the destination of a Markdown link.
	mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	// sectionHeading is a numbered section of a lesson.
	sectionHeading = regexp.MustCompile(`(?m)^## ([0-9]+)\. `)
)

// sourceFiles returns the repository's files with one of the extensions,
// relative to the module root.
func sourceFiles(t *testing.T, exts ...string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != "." && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if slices.Contains(exts, filepath.Ext(name)) {
			files = append(files, filepath.ToSlash(p))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// sectionsOf returns the numbers of a lesson's "## K. ..." headings.
func sectionsOf(t *testing.T, lesson string) (map[int]bool, bool) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("lessons", lesson))
	if err != nil {
		return nil, false
	}
	s := map[int]bool{}
	for _, m := range sectionHeading.FindAllStringSubmatch(string(src), -1) {
		k, _ := strconv.Atoi(m[1])
		s[k] = true
	}
	return s, true
}

// checkLessonRefs reports every citation in text of a lesson that does not
// exist or of a section the lesson does not have.
func checkLessonRefs(t *testing.T, where, text string) {
	t.Helper()
	for _, m := range lessonRef.FindAllStringSubmatch(text, -1) {
		secs, ok := sectionsOf(t, m[1])
		if !ok {
			t.Errorf("%s cites %q: no such lesson in lessons/", where, m[0])
			continue
		}
		for _, k := range sectionNumbers(m[2]) {
			if !secs[k] {
				t.Errorf("%s cites %q: lessons/%s has no section %d (no heading \"## %d. ...\")", where, m[0], m[1], k, k)
			}
		}
	}
}

// sectionNumbers returns the sections of "1", "1, 2 and 4" or "1 to 4".
func sectionNumbers(s string) []int {
	var out []int
	f := strings.Fields(strings.ReplaceAll(s, ",", " "))
	for i := 0; i < len(f); i++ {
		k, err := strconv.Atoi(f[i])
		if err != nil {
			continue // "and"
		}
		if i+2 < len(f) && f[i+1] == "to" {
			if m, err := strconv.Atoi(f[i+2]); err == nil {
				for j := k; j <= m; j++ {
					out = append(out, j)
				}
				i += 2
				continue
			}
		}
		out = append(out, k)
	}
	return out
}

// exists reports whether name is a file of the repository relative to the
// module root, to dir, or to lessons/.
func exists(name, dir string) bool {
	for _, base := range []string{".", dir, "lessons"} {
		if _, err := os.Stat(filepath.Join(base, filepath.FromSlash(name))); err == nil {
			return true
		}
	}
	return false
}

// TestCommentReferences: every lesson section a Go comment or a bench
// script cites exists, and every Markdown file a Go comment names is in the
// repository.
func TestCommentReferences(t *testing.T) {
	fset := token.NewFileSet()
	for _, file := range sourceFiles(t, ".go") {
		f, err := parser.ParseFile(fset, file, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, cg := range f.Comments {
			// Text joins the lines of a comment group, so a citation
			// wrapped across lines reads as one.
			text := strings.Join(strings.Fields(cg.Text()), " ")
			where := fset.Position(cg.Pos()).String()
			checkLessonRefs(t, where, text)
			for _, name := range mdName.FindAllString(text, -1) {
				if !exists(name, path.Dir(file)) {
					t.Errorf("%s names %s, which is not in the repository", where, name)
				}
			}
		}
	}
	for _, file := range sourceFiles(t, ".py", ".sh") {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		checkLessonRefs(t, file, strings.Join(strings.Fields(string(src)), " "))
	}
}

// TestMarkdownLinks: every relative link of the repository's Markdown texts
// leads to a file of the repository.
func TestMarkdownLinks(t *testing.T) {
	for _, file := range sourceFiles(t, ".md") {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mdLink.FindAllStringSubmatch(string(src), -1) {
			dest, _, _ := strings.Cut(m[1], "#")
			if dest == "" || strings.Contains(dest, ":") {
				continue // an anchor or a URL
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(file), filepath.FromSlash(dest))); err != nil {
				t.Errorf("%s links %s, which leads nowhere", file, m[1])
			}
		}
	}
}

// TestNotationNames: every `pkg.Name` of lessons/notation.md names an
// exported identifier of a package of the module called pkg, so the page
// follows the code when names change.
func TestNotationNames(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("lessons", "notation.md"))
	if err != nil {
		t.Fatal(err)
	}
	// Exported top-level names of each package name's non-test files.
	names := map[string]map[string]bool{}
	fset := token.NewFileSet()
	for _, file := range sourceFiles(t, ".go") {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		pkg := f.Name.Name
		if names[pkg] == nil {
			names[pkg] = map[string]bool{}
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					names[pkg][d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						names[pkg][s.Name.Name] = true
					case *ast.ValueSpec:
						for _, n := range s.Names {
							names[pkg][n.Name] = true
						}
					}
				}
			}
		}
	}
	qualified := regexp.MustCompile("`([a-z]+)\\.([A-Z][A-Za-z0-9]*)`")
	found := 0
	for _, m := range qualified.FindAllStringSubmatch(string(src), -1) {
		found++
		if !names[m[1]][m[2]] {
			t.Errorf("lessons/notation.md names %s.%s, which no package %s of the module declares", m[1], m[2], m[1])
		}
	}
	if found == 0 {
		t.Error("lessons/notation.md names no pkg.Name: the pattern no longer matches the page")
	}
}
