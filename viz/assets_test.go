package viz

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInlineIsTheEmbeddedECharts(t *testing.T) {
	a := Inline()
	if a.Src != "" || !bytes.Contains(a.Script, []byte(`.version="`+EChartsVersion+`"`)) {
		t.Errorf("Inline() = %d bytes, Src %q; want echarts %s inlined", len(a.Script), a.Src, EChartsVersion)
	}
}

// TestShared writes two sites' pages against one folder of assets: each
// page links the one copy by a path relative to itself.
func TestShared(t *testing.T) {
	out := t.TempDir()
	shared := filepath.Join(out, "assets")
	for _, site := range []string{"book", "gallery"} {
		dir := filepath.Join(out, site)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		a, err := Shared(dir, shared)
		if err != nil {
			t.Fatal(err)
		}
		if want := "../assets/echarts/echarts.min.js"; a.Src != want || a.Script != nil {
			t.Errorf("%s: Shared = %+v, want Src %q", site, a, want)
		}
		var b bytes.Buffer
		if err := NewPage("p").Add(Lines("l", LinePanel{XName: "x", YName: "y"})).Render(&b, a); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), `<script src="../assets/echarts/echarts.min.js"></script>`) {
			t.Errorf("%s: the page does not load the shared copy", site)
		}
		if got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(a.Src))); err != nil || !bytes.Equal(got, Inline().Script) {
			t.Errorf("%s: %s from the page is not the embedded echarts (%d bytes, %v)", site, a.Src, len(got), err)
		}
	}
	for _, f := range []string{"LICENSE", "NOTICE"} {
		if _, err := os.Stat(filepath.Join(shared, "echarts", f)); err != nil {
			t.Errorf("echarts written without its %s: %v", f, err)
		}
	}
}
