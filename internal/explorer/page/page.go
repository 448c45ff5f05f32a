// Package page writes the Explorer page: one HTML file that opens from
// file:// with no server and no network. It carries the engine (package
// explorer compiled by the go command with GOOS=js GOARCH=wasm, gzipped and
// base64-encoded, run in Web Workers made from the page's own text), the Go
// distribution's wasm_exec.js of the same toolchain, and the page's script;
// echarts comes from the shared assets folder.
//
// The engine is built when the page is written, by the go command that runs
// the main job, from the module's source: the page always computes with the
// code beside it, and nothing built is kept in the repository.
package page

import (
	"bytes"
	"compress/gzip"
	"context"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"difftoy/internal/assets"
	"difftoy/internal/atomicfile"
)

//go:embed page.html
var pageHTML string

//go:embed page.js
var pageJS string

//go:embed worker.js
var workerJS string

// EnginePackage is the engine's main package, relative to the module root.
const EnginePackage = "./internal/explorer/wasm"

// Engine is the compiled engine and the wasm_exec.js of the toolchain that
// compiled it (the two must come from the same Go release).
type Engine struct {
	Wasm, WasmExec []byte
	GoVersion      string
}

// goCommand returns the go command to build with: the one on PATH, else the
// one of the toolchain this program was built with.
func goCommand() (string, error) {
	if p, err := exec.LookPath("go"); err == nil {
		return p, nil
	}
	p := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	return "", errors.New("explorer: no go command on PATH to build the page's WebAssembly engine with (install Go, or run without the Explorer)")
}

// Build compiles the engine from the module at moduleDir.
func Build(ctx context.Context, moduleDir string) (*Engine, error) {
	gocmd, err := goCommand()
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "difftoy-explorer-")
	if err != nil {
		return nil, fmt.Errorf("explorer: %w", err)
	}
	defer os.RemoveAll(tmp)
	env := append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
	run := func(args ...string) ([]byte, error) {
		cmd := exec.CommandContext(ctx, gocmd, args...)
		cmd.Dir, cmd.Env = moduleDir, env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("explorer: go %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		return out, nil
	}
	out := filepath.Join(tmp, "engine.wasm")
	// -s -w: no symbol table or DWARF (a third of the size; a panic's
	// message still names the function).
	if _, err := run("build", "-trimpath", "-ldflags=-s -w", "-o", out, EnginePackage); err != nil {
		return nil, err
	}
	wasm, err := os.ReadFile(out)
	if err != nil {
		return nil, fmt.Errorf("explorer: %w", err)
	}
	env1, err := run("env", "GOROOT", "GOVERSION")
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimSpace(string(env1)), "\n")
	if len(lines) != 2 {
		return nil, fmt.Errorf("explorer: go env GOROOT GOVERSION printed %q", env1)
	}
	var wexec []byte
	for _, rel := range []string{"lib/wasm/wasm_exec.js", "misc/wasm/wasm_exec.js"} {
		if wexec, err = os.ReadFile(filepath.Join(lines[0], filepath.FromSlash(rel))); err == nil {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("explorer: wasm_exec.js of %s not found under %s: %w", lines[1], lines[0], err)
	}
	return &Engine{Wasm: wasm, WasmExec: wexec, GoVersion: lines[1]}, nil
}

// Options say where the page goes and what it links to.
type Options struct {
	// Assets is the folder of shared assets (echarts is written into it);
	// "" means DIR/assets beside the page's folder's parent, as the main
	// job lays it out.
	Assets string
	// Up is the link to the page above (the site's index), or "" for none.
	Up, UpText string
}

// Write writes dir/index.html with the engine e and returns its path.
func Write(dir string, e *Engine, o Options) (string, error) {
	if e == nil || len(e.Wasm) == 0 || len(e.WasmExec) == 0 {
		return "", errors.New("explorer: no engine to put in the page")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("explorer: %w", err)
	}
	shared := o.Assets
	if shared == "" {
		shared = filepath.Join(filepath.Dir(dir), "assets")
	}
	lib, err := assets.Write(shared, assets.ECharts)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(dir, filepath.Join(lib, "echarts.min.js"))
	if err != nil {
		return "", fmt.Errorf("explorer: %w", err)
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(e.Wasm)
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("explorer: %w", err)
	}
	up := ""
	if o.Up != "" {
		text := o.UpText
		if text == "" {
			text = "difftoy"
		}
		up = `<a href="` + htmlEscape(o.Up) + `">← ` + htmlEscape(text) + `</a>`
	}
	parts := map[string]string{
		"{{WASM_EXEC}}": string(e.WasmExec),
		"{{WORKER}}":    workerJS,
		"{{PAGE}}":      pageJS,
	}
	for name, text := range parts {
		if strings.Contains(strings.ToLower(text), "</script") {
			return "", fmt.Errorf("explorer: %s holds </script and cannot be inlined", name)
		}
	}
	page := strings.NewReplacer(
		"{{ECHARTS}}", htmlEscape(filepath.ToSlash(rel)),
		"{{UP}}", up,
		"{{WASM_EXEC}}", parts["{{WASM_EXEC}}"],
		"{{WORKER}}", parts["{{WORKER}}"],
		"{{ENGINE}}", base64.StdEncoding.EncodeToString(gz.Bytes()),
		"{{PAGE}}", parts["{{PAGE}}"],
	).Replace(pageHTML)
	path := filepath.Join(dir, "index.html")
	if err := atomicfile.Write(path, func(w io.Writer) error { _, err := io.WriteString(w, page); return err }); err != nil {
		return "", fmt.Errorf("explorer: %w", err)
	}
	return path, nil
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}
