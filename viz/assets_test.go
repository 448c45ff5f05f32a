package viz

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindEChartsFromEnv(t *testing.T) {
	p := filepath.Join(t.TempDir(), "e.js")
	if err := os.WriteFile(p, []byte("/* stub */"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EChartsEnv, p)
	a, err := Inline()
	if err != nil || string(a.Script) != "/* stub */" {
		t.Errorf("Inline() = %q, %v, want the file named by %s", a.Script, err, EChartsEnv)
	}
	t.Setenv(EChartsEnv, p+".missing")
	if _, err := FindECharts(); err == nil || !strings.Contains(err.Error(), EChartsEnv) {
		t.Errorf("FindECharts with a missing %s file: error %v, want one naming the variable", EChartsEnv, err)
	}
	// A wrong setting is an error, not a quiet switch to the CDN.
	if _, err := InlineOrCDN(); err == nil {
		t.Errorf("InlineOrCDN with a missing %s file returned no error", EChartsEnv)
	}
}

// TestCDNFallback runs from a folder with no echarts above it: the search
// stops at the root, and BesideOrCDN points pages at the CDN, saying so
// once.
func TestCDNFallback(t *testing.T) {
	t.Setenv(EChartsEnv, "")
	t.Chdir(t.TempDir())
	if _, err := FindECharts(); !errors.Is(err, ErrNoECharts) {
		t.Fatalf("FindECharts() error = %v, want ErrNoECharts", err)
	}
	var warn bytes.Buffer
	old := Warn
	Warn = &warn
	defer func() { Warn = old }()
	for range 2 {
		a, err := BesideOrCDN(t.TempDir())
		if err != nil || a.Src != CDN || a.Script != nil {
			t.Errorf("BesideOrCDN() = %+v, %v, want the CDN", a, err)
		}
	}
	if n := strings.Count(warn.String(), "need a network"); n != 1 {
		t.Errorf("warned %d times, want once: %q", n, warn.String())
	}
	if !strings.HasSuffix(CDN, "/echarts.min.js") || !strings.HasPrefix(CDN, "https://") {
		t.Errorf("CDN = %q, want an https URL of echarts.min.js", CDN)
	}
}

func TestBesideCopies(t *testing.T) {
	if _, err := FindECharts(); err != nil {
		t.Skipf("no local echarts: %v", err)
	}
	dir := t.TempDir()
	a, err := Beside(dir)
	if err != nil {
		t.Fatal(err)
	}
	if a.Src != "echarts.min.js" {
		t.Errorf("Src = %q", a.Src)
	}
	st, err := os.Stat(filepath.Join(dir, "echarts.min.js"))
	if err != nil || st.Size() < 500_000 {
		t.Errorf("copy: %v, %v", st, err)
	}
	var b bytes.Buffer
	if err := NewPage("p").Add(Lines("l", LinePanel{XName: "x", YName: "y"})).Render(&b, a); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `<script src="echarts.min.js"></script>`) {
		t.Errorf("page does not load the copy beside it")
	}
}
