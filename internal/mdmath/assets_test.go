package mdmath

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestShared writes KaTeX for pages one folder beside the assets and checks
// that every font the style sheet loads first (WOFF2) is there: a missing
// font shows as wrong glyphs offline.
func TestShared(t *testing.T) {
	out := t.TempDir()
	pages := filepath.Join(out, "book")
	a, err := Shared(pages, filepath.Join(out, "assets"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "../assets/katex/"; a.Base != want {
		t.Errorf("Base = %q, want %q", a.Base, want)
	}
	dir := filepath.Join(pages, filepath.FromSlash(a.Base))
	css, err := os.ReadFile(filepath.Join(dir, "katex.min.css"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"katex.min.js", "LICENSE"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	urls := regexp.MustCompile(`url\((fonts/[^)]+\.woff2)\)`).FindAllStringSubmatch(string(css), -1)
	if len(urls) < 15 {
		t.Fatalf("the style sheet names %d WOFF2 fonts; KaTeX %s names 20", len(urls), KaTeXVersion)
	}
	for _, u := range urls {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(u[1]))); err != nil {
			t.Errorf("font %s named by the style sheet was not written: %v", u[1], err)
		}
	}
	h := string(a.Head())
	for _, want := range []string{`href="../assets/katex/katex.min.css"`, `src="../assets/katex/katex.min.js"`, "katex.render("} {
		if !strings.Contains(h, want) {
			t.Errorf("Head lacks %q", want)
		}
	}
}
