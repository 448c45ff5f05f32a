// The package layering of ARCHITECTURE.md ("Layers"), checked against the
// module's real import graph.

package difftoy_test

import (
	"bufio"
	"errors"
	"go/build"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// layer is one row of the layering table: a package of the module (by its
// path inside the module; "." is the module root), its layer, and the
// module packages its non-test files may import. Layer -1 stands for the
// packages that hold tests only (besides, at most, a package comment).
type layer struct {
	pkg     string
	level   int
	imports []string
}

// layering is the table of ARCHITECTURE.md, row for row.
var layering = []layer{
	{"internal/par", 0, nil},
	{"internal/findup", 0, nil},
	{"internal/assets", 0, nil},
	{"internal/atomicfile", 0, nil},
	{"internal/tempenv", 0, nil},
	{"toy/nn/internal/asmgen", 0, nil},
	{"analytic/internal/asmgen", 0, nil},
	{"toy", 1, []string{"internal/par"}},
	{"analytic", 1, []string{"toy", "internal/par"}},
	{"toy/datasets", 1, []string{"analytic"}},
	{"toy/sample", 2, []string{"toy", "analytic", "internal/par"}},
	{"toy/metrics", 2, []string{"toy", "analytic", "internal/par"}},
	{"toy/nn", 2, []string{"toy", "analytic", "toy/datasets", "internal/par", "internal/atomicfile"}},
	{"viz", 3, []string{"internal/assets", "internal/atomicfile"}},
	{"internal/mdmath", 3, []string{"internal/assets"}},
	{"internal/explorer/page", 3, []string{"internal/assets", "internal/atomicfile"}},
	{"course", 4, []string{"toy", "analytic", "toy/datasets", "toy/sample", "toy/metrics", "toy/nn", "viz", "internal/par", "internal/findup"}},
	{"viz/nb", 4, []string{"viz"}},
	{"internal/explorer", 4, []string{"toy", "analytic", "toy/datasets", "toy/sample", "toy/metrics", "toy/nn"}},
	{"internal/book", 5, []string{"course", "viz", "internal/mdmath", "internal/par", "internal/findup"}},
	{"viz/gallery", 5, []string{"course", "viz"}},
	{"internal/explorer/wasm", 5, []string{"internal/explorer"}},
	{"cmd/difftoy", 6, []string{"internal/book", "internal/explorer/page", "viz/gallery", "course", "toy", "analytic", "toy/datasets", "toy/sample", "toy/metrics", "toy/nn", "viz", "internal/mdmath", "internal/par", "internal/findup"}},
	{"tests", -1, nil},
	{".", -1, nil},
}

// confined lists third-party import paths (prefixes) and the packages
// allowed to import each.
var confined = []struct {
	prefix string
	pkgs   []string
}{
	{"github.com/go-echarts/", []string{"viz"}},
	{"github.com/janpfeifer/gonb/", []string{"viz/nb"}},
	{"github.com/yuin/goldmark", []string{"internal/mdmath"}},
	{"github.com/mmcloughlin/avo/", []string{"toy/nn/internal/asmgen", "analytic/internal/asmgen"}},
}

// layerOne is the order inside layer 1 (ARCHITECTURE.md, "Layers"): the
// contract (toy) is the leaf, the exact mixtures (analytic) meet it, and
// the named datasets carry those mixtures. A package of layer 1 may import
// only those before it here.
var layerOne = []string{"toy", "analytic", "toy/datasets"}

// modulePackages returns the module path and, for each folder of the
// module holding Go files, its import list (non-test files, this
// platform's build constraints) and whether it has non-test files.
func modulePackages(t *testing.T) (string, map[string][]string) {
	t.Helper()
	mod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	var module string
	sc := bufio.NewScanner(strings.NewReader(string(mod)))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == "module" {
			module = f[1]
			break
		}
	}
	if module == "" {
		t.Fatal("go.mod: no module line")
	}
	pkgs := map[string][]string{}
	err = filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if p != "." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "node_modules") {
			return filepath.SkipDir
		}
		bp, err := build.Default.ImportDir(p, 0)
		var noGo *build.NoGoError
		if errors.As(err, &noGo) {
			return nil
		}
		if err != nil {
			return err
		}
		pkgs[filepath.ToSlash(p)] = bp.Imports
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return module, pkgs
}

// TestLayering checks every package's imports against its row of the
// layering table, and the third-party packages against their one importer.
func TestLayering(t *testing.T) {
	module, pkgs := modulePackages(t)
	rows := map[string]layer{}
	for _, l := range layering {
		rows[l.pkg] = l
	}
	for _, p := range slices.Sorted(maps.Keys(pkgs)) {
		t.Run(p, func(t *testing.T) {
			row, ok := rows[p]
			if !ok {
				t.Fatalf("package %s has no row in the layering table: add one to ARCHITECTURE.md (\"Layers\") and to layering in layering_test.go", p)
			}
			for _, imp := range pkgs[p] {
				switch {
				case imp == module || strings.HasPrefix(imp, module+"/"):
					in := strings.TrimPrefix(strings.TrimPrefix(imp, module), "/")
					if in == "" {
						in = "."
					}
					if !slices.Contains(row.imports, in) {
						t.Errorf("%s imports %s, which its row of the layering table (ARCHITECTURE.md, \"Layers\") does not allow; allowed: %v", p, in, row.imports)
					}
				default:
					for _, c := range confined {
						if strings.HasPrefix(imp, c.prefix) && !slices.Contains(c.pkgs, p) {
							t.Errorf("%s imports %s, which only %v may import (ARCHITECTURE.md, \"Layers\")", p, imp, c.pkgs)
						}
					}
				}
			}
		})
	}
	// A row for a package that does not exist is a stale document.
	for _, l := range layering {
		if _, ok := pkgs[l.pkg]; !ok {
			t.Errorf("the layering table has a row for %s, which is not a package of the module", l.pkg)
		}
	}
}

// TestLayeringTableIsLayered checks the table itself: each row allows
// imports from lower layers only (inside layer 1, from the packages before
// it in layerOne), and the packages of tests import nothing and are
// imported by none.
func TestLayeringTableIsLayered(t *testing.T) {
	rows := map[string]layer{}
	var one []string
	for _, l := range layering {
		if _, dup := rows[l.pkg]; dup {
			t.Errorf("%s has two rows", l.pkg)
		}
		rows[l.pkg] = l
		if l.level == 1 {
			one = append(one, l.pkg)
		}
	}
	if !slices.Equal(one, layerOne) {
		t.Errorf("the layer-1 rows are %v, want the order of layerOne %v", one, layerOne)
	}
	for _, l := range layering {
		if l.level < 0 && len(l.imports) > 0 {
			t.Errorf("%s holds tests only but its row allows imports %v", l.pkg, l.imports)
		}
		for _, imp := range l.imports {
			r, ok := rows[imp]
			switch {
			case !ok:
				t.Errorf("%s may import %s, which has no row", l.pkg, imp)
			case r.level < 0:
				t.Errorf("%s may import %s, which holds tests only", l.pkg, imp)
			case r.level > l.level:
				t.Errorf("%s (layer %d) may import %s of the higher layer %d", l.pkg, l.level, imp, r.level)
			case r.level == l.level && !(l.level == 1 && slices.Index(layerOne, imp) < slices.Index(layerOne, l.pkg)):
				t.Errorf("%s may import %s of its own layer %d", l.pkg, imp, l.level)
			}
		}
	}
}

// TestLayeringMatchesDocument reads the table of ARCHITECTURE.md ("Layers")
// and compares it with layering, row for row.
func TestLayeringMatchesDocument(t *testing.T) {
	doc, err := os.ReadFile("ARCHITECTURE.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "\n## Layers\n")
	if !ok {
		t.Fatal(`ARCHITECTURE.md has no "## Layers" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var got []layer
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		if len(cells) != 3 {
			continue
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if cells[0] == "layer" || strings.HasPrefix(cells[0], "-") {
			continue // header and separator
		}
		l := layer{level: -1}
		if cells[0] != "—" {
			if l.level, err = strconv.Atoi(cells[0]); err != nil {
				t.Fatalf("ARCHITECTURE.md, row %q: layer %q is not a number or —", line, cells[0])
			}
		}
		switch pkgs := backticked(cells[1]); {
		case cells[1] == "the module root":
			l.pkg = "."
		case len(pkgs) == 1:
			l.pkg = pkgs[0]
		default:
			t.Fatalf("ARCHITECTURE.md, row %q: want one `package` in the second column", line)
		}
		l.imports = backticked(cells[2])
		got = append(got, l)
	}
	if len(got) != len(layering) {
		t.Errorf("ARCHITECTURE.md's table has %d rows, layering %d", len(got), len(layering))
	}
	for i := range min(len(got), len(layering)) {
		g, w := got[i], layering[i]
		if g.pkg != w.pkg || g.level != w.level || !slices.Equal(g.imports, w.imports) {
			t.Errorf("row %d: ARCHITECTURE.md has %s (layer %d) may import %v; layering_test.go has %s (layer %d) may import %v",
				i+1, g.pkg, g.level, g.imports, w.pkg, w.level, w.imports)
		}
	}
}

// backticked returns the `quoted` names of a table cell, in order.
func backticked(cell string) []string {
	var out []string
	for {
		_, rest, ok := strings.Cut(cell, "`")
		if !ok {
			return out
		}
		name, after, ok := strings.Cut(rest, "`")
		if !ok {
			return out
		}
		out = append(out, path.Clean(name))
		cell = after
	}
}
