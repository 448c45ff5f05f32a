package page

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestWrite writes the page with a stand-in engine and reads the engine
// back out of it as the page's script does (base64, then gzip).
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	e := &Engine{Wasm: []byte("\x00asm\x01\x00\x00\x00 stand-in engine"), WasmExec: []byte("/* wasm_exec */ class Go {}")}
	path, err := Write(filepath.Join(dir, "explorer"), e, Options{Up: "../index.html"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	if strings.Contains(page, "{{") {
		t.Errorf("a placeholder is left in the page: %q", regexp.MustCompile(`\{\{[A-Z_]*\}\}`).FindString(page))
	}
	if !strings.Contains(page, `<script src="../assets/echarts/echarts.min.js">`) {
		t.Error("the page does not load echarts from ../assets/echarts/")
	}
	if _, err := os.Stat(filepath.Join(dir, "assets", "echarts", "echarts.min.js")); err != nil {
		t.Errorf("echarts not written beside the page: %v", err)
	}
	m := regexp.MustCompile(`(?s)<script id="engine" type="application/octet-stream">(.*?)</script>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no engine in the page")
	}
	gz, err := base64.StdEncoding.DecodeString(strings.TrimSpace(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	wasm, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(wasm, e.Wasm) {
		t.Fatalf("the engine read back from the page is %q (%v), want %q", wasm, err, e.Wasm)
	}
	if !strings.Contains(page, string(e.WasmExec)) {
		t.Error("wasm_exec.js is not in the page")
	}
}

func TestWriteRefuses(t *testing.T) {
	if _, err := Write(t.TempDir(), nil, Options{}); err == nil {
		t.Error("Write with no engine: no error")
	}
	e := &Engine{Wasm: []byte("x"), WasmExec: []byte("a </script> inside")}
	if _, err := Write(t.TempDir(), e, Options{}); err == nil || !strings.Contains(err.Error(), "</script") {
		t.Errorf("Write with </script in wasm_exec.js: error %v, want one naming it", err)
	}
}
