package assets

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "copy the files again from node_modules (after `npm ci` with new pins)")

// root is the module root (this package sits two folders below it).
const root = "../.."

// fixed maps every embedded file but the fonts to its place in node_modules.
var fixed = map[string]string{
	"echarts/echarts.min.js":  "echarts/dist/echarts.min.js",
	"echarts/LICENSE":         "echarts/LICENSE",
	"echarts/NOTICE":          "echarts/NOTICE",
	"echarts/LICENSE-d3":      "echarts/licenses/LICENSE-d3",
	"echarts/LICENSE-zrender": "zrender/LICENSE",
	"echarts/LICENSE-tslib":   "tslib/LICENSE.txt",
	"katex/katex.min.js":      "katex/dist/katex.min.js",
	"katex/katex.min.css":     "katex/dist/katex.min.css",
	"katex/LICENSE":           "katex/LICENSE",
}

// wanted returns what should be embedded, each with its source under
// node_modules: the fixed files and every WOFF2 font of KaTeX's dist.
func wanted(t *testing.T, nm string) map[string]string {
	t.Helper()
	w := map[string]string{}
	for k, v := range fixed {
		w[k] = v
	}
	fonts, err := filepath.Glob(filepath.Join(nm, "katex", "dist", "fonts", "*.woff2"))
	if err != nil || len(fonts) == 0 {
		t.Fatalf("no KaTeX WOFF2 fonts in %s (err %v)", nm, err)
	}
	for _, f := range fonts {
		w["katex/fonts/"+filepath.Base(f)] = "katex/dist/fonts/" + filepath.Base(f)
	}
	return w
}

// nodeModules returns the module's node_modules, or skips the test saying
// why (under CI=true, where .ci/run has run `npm ci`, it fails instead).
func nodeModules(t *testing.T) string {
	t.Helper()
	nm := filepath.Join(root, "node_modules")
	if _, err := os.Stat(filepath.Join(nm, "echarts", "package.json")); err != nil {
		msg := "node_modules/echarts not found at the module root: run `npm ci` there to compare the embedded files with the versions package-lock.json pins"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return nm
}

func readJSON(t *testing.T, p string, v any) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
}

type lockFile struct {
	Packages map[string]struct {
		Version string `json:"version"`
	} `json:"packages"`
}

// TestVersionsPinned checks that package.json and package-lock.json pin
// the versions this package says it embeds, and that the embedded scripts
// announce those versions themselves (echarts.version, katex.version).
func TestVersionsPinned(t *testing.T) {
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	readJSON(t, filepath.Join(root, "package.json"), &pkg)
	var lock lockFile
	readJSON(t, filepath.Join(root, "package-lock.json"), &lock)
	for _, c := range []struct{ name, version, file, marker string }{
		{"echarts", EChartsVersion, "echarts/echarts.min.js", `.version="` + EChartsVersion + `"`},
		{"katex", KaTeXVersion, "katex/katex.min.js", `{version:"` + KaTeXVersion + `"`},
	} {
		if got := pkg.Dependencies[c.name]; got != c.version {
			t.Errorf("package.json pins %s %q, want exactly %q", c.name, got, c.version)
		}
		if got := lock.Packages["node_modules/"+c.name].Version; got != c.version {
			t.Errorf("package-lock.json locks %s %q, want %q", c.name, got, c.version)
		}
		b, err := Read(c.file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, []byte(c.marker)) {
			t.Errorf("embedded %s does not contain %s", c.file, c.marker)
		}
	}
}

// TestEmbeddedMatchNodeModules checks that the embedded files are exactly
// the files of the npm packages that `npm ci` installs from
// package-lock.json: the same set, byte for byte. With -update it copies
// them instead.
func TestEmbeddedMatchNodeModules(t *testing.T) {
	nm := nodeModules(t)
	var lock lockFile
	readJSON(t, filepath.Join(root, "package-lock.json"), &lock)
	// node_modules must come from this lock file, not an older install.
	for _, name := range []string{"echarts", "katex", "zrender", "tslib"} {
		var pkg struct {
			Version string `json:"version"`
		}
		readJSON(t, filepath.Join(nm, name, "package.json"), &pkg)
		if want := lock.Packages["node_modules/"+name].Version; pkg.Version != want {
			t.Fatalf("node_modules/%s is %s but package-lock.json locks %s: run `npm ci`", name, pkg.Version, want)
		}
	}
	want := wanted(t, nm)
	if *update {
		for _, lib := range []string{ECharts, KaTeX} {
			if err := os.RemoveAll(lib); err != nil {
				t.Fatal(err)
			}
		}
		for dst, src := range want {
			b, err := os.ReadFile(filepath.Join(nm, filepath.FromSlash(src)))
			if err != nil {
				t.Fatal(err)
			}
			if err := writeFile(filepath.FromSlash(dst), b); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("copied %d files from %s; rebuild to embed them", len(want), nm)
		return
	}
	var got []string
	for _, lib := range []string{ECharts, KaTeX} {
		fs, err := Files(lib)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fs...)
	}
	for _, p := range got {
		src, ok := want[p]
		if !ok {
			t.Errorf("embedded %s comes from no file of the npm packages", p)
			continue
		}
		e, err := Read(p)
		if err != nil {
			t.Fatal(err)
		}
		n, err := os.ReadFile(filepath.Join(nm, filepath.FromSlash(src)))
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if !bytes.Equal(e, n) {
			t.Errorf("embedded %s (%d bytes) differs from node_modules/%s (%d bytes): run `go test ./internal/assets -update`", p, len(e), src, len(n))
		}
	}
	for p, src := range want {
		if !slices.Contains(got, p) {
			t.Errorf("node_modules/%s is not embedded as %s: run `go test ./internal/assets -update`", src, p)
		}
	}
	if !t.Failed() {
		t.Logf("%d embedded files byte-identical to node_modules", len(got))
	}
}

var (
	fontFace = regexp.MustCompile(`@font-face\{[^}]*\}`)
	fontURL  = regexp.MustCompile(`url\(([^)]+)\)\s*format\("([a-z0-9]+)"\)`)
)

// TestFontsWOFF2First checks the reason WOFF2 alone is enough: every
// @font-face of the embedded katex.min.css lists a WOFF2 file first, that
// file is embedded, and every embedded font is one of them (no dead weight).
func TestFontsWOFF2First(t *testing.T) {
	css, err := Read("katex/katex.min.css")
	if err != nil {
		t.Fatal(err)
	}
	faces := fontFace.FindAllString(string(css), -1)
	if len(faces) == 0 {
		t.Fatal("katex.min.css declares no @font-face")
	}
	used := map[string]bool{}
	for _, f := range faces {
		u := fontURL.FindAllStringSubmatch(f, -1)
		if len(u) == 0 || u[0][2] != "woff2" || !strings.HasPrefix(u[0][1], "fonts/") {
			t.Errorf("@font-face does not list a WOFF2 file first: %s", f)
			continue
		}
		p := "katex/" + u[0][1]
		if _, err := Read(p); err != nil {
			t.Errorf("%s, which katex.min.css loads, is not embedded", p)
		}
		used[p] = true
	}
	fonts, err := Files(KaTeX)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range fonts {
		if path.Dir(p) == "katex/fonts" {
			n++
			if !used[p] {
				t.Errorf("embedded %s is loaded by no @font-face", p)
			}
		}
	}
	if n != len(used) {
		t.Errorf("%d fonts embedded, %d loaded by the style sheet", n, len(used))
	}
}

// TestWrite checks that Write puts the library with its licences into
// dir/lib, byte for byte, and repairs a changed file on the next call.
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	for _, lib := range []string{ECharts, KaTeX} {
		got, err := Write(dir, lib)
		if err != nil {
			t.Fatal(err)
		}
		if got != filepath.Join(dir, lib) {
			t.Errorf("Write(%s) = %s, want %s", lib, got, filepath.Join(dir, lib))
		}
		if _, err := os.Stat(filepath.Join(got, "LICENSE")); err != nil {
			t.Errorf("%s written without its licence: %v", lib, err)
		}
	}
	js := filepath.Join(dir, "echarts", "echarts.min.js")
	if err := os.WriteFile(js, []byte("stale"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(dir, ECharts); err != nil {
		t.Fatal(err)
	}
	for _, lib := range []string{ECharts, KaTeX} {
		names, _ := Files(lib)
		for _, p := range names {
			want, _ := Read(p)
			b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
			if err != nil || !bytes.Equal(b, want) {
				t.Errorf("%s: written %d bytes (err %v), want the embedded %d", p, len(b), err, len(want))
			}
		}
	}
	left, _ := filepath.Glob(filepath.Join(dir, "echarts", ".*"))
	if len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
	if _, err := Write(dir, "nope"); err == nil {
		t.Error("Write of an unknown library returned no error")
	}
}
