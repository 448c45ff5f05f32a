package mdmath

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

func TestFindKaTeXEnv(t *testing.T) {
	bad := t.TempDir() // exists, but holds no KaTeX
	t.Setenv(KaTeXEnv, bad)
	_, err := FindKaTeX()
	if err == nil || !strings.Contains(err.Error(), KaTeXEnv) || !strings.Contains(err.Error(), bad) {
		t.Errorf("FindKaTeX with %s=%s: error %v should name both", KaTeXEnv, bad, err)
	}
	if _, err := BesideOrCDN(t.TempDir()); err == nil || errors.Is(err, ErrNoKaTeX) {
		t.Errorf("a wrong %s must be an error, not a quiet switch to the CDN: %v", KaTeXEnv, err)
	}
}

// TestBeside copies the npm package's KaTeX and checks that every font the
// style sheet names was copied with it (a missing font shows as a request
// for it and wrong glyphs offline).
func TestBeside(t *testing.T) {
	if _, err := FindKaTeX(); errors.Is(err, ErrNoKaTeX) {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	dir := t.TempDir()
	a, err := Beside(dir)
	if err != nil {
		t.Fatal(err)
	}
	if a.Base != "katex/" {
		t.Errorf("Base = %q", a.Base)
	}
	css, err := os.ReadFile(filepath.Join(dir, "katex", "katex.min.css"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "katex", "katex.min.js")); err != nil {
		t.Error(err)
	}
	urls := regexp.MustCompile(`url\((fonts/[^)]+)\)`).FindAllStringSubmatch(string(css), -1)
	if len(urls) < 20 {
		t.Fatalf("the style sheet names %d fonts; KaTeX's names about 60", len(urls))
	}
	for _, u := range urls {
		if _, err := os.Stat(filepath.Join(dir, "katex", filepath.FromSlash(u[1]))); err != nil {
			t.Errorf("font %s named by the style sheet was not copied: %v", u[1], err)
		}
	}
	h := string(a.Head())
	for _, want := range []string{`href="katex/katex.min.css"`, `src="katex/katex.min.js"`, "katex.render("} {
		if !strings.Contains(h, want) {
			t.Errorf("Head lacks %q", want)
		}
	}
}

// TestCDN: with no local KaTeX the pages point at the CDN, and the command
// says so once however many folders it writes.
func TestCDN(t *testing.T) {
	t.Setenv(KaTeXEnv, "")
	t.Chdir(t.TempDir()) // no node_modules from here up (outside the module)
	if _, err := FindKaTeX(); !errors.Is(err, ErrNoKaTeX) {
		t.Skipf("a KaTeX is reachable from the temp dir (%v); cannot test the fallback here", err)
	}
	var warn strings.Builder
	old := Warn
	Warn = &warn
	cdnOnce = sync.Once{} // as in a fresh process
	t.Cleanup(func() { Warn = old })
	for range 2 {
		a, err := BesideOrCDN(t.TempDir())
		if err != nil || a.Base != CDN {
			t.Errorf("BesideOrCDN = %+v, %v; want the CDN", a, err)
		}
	}
	if n := strings.Count(warn.String(), "\n"); n != 1 || !strings.Contains(warn.String(), CDN) {
		t.Errorf("warning said %d times, want once naming the CDN: %q", n, warn.String())
	}
}
