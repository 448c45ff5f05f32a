// Package assets holds the browser libraries difftoy's pages load, embedded
// in the module so that the pages work offline with Go alone: echarts
// (charts) and KaTeX (the book's maths), at the versions package.json pins,
// each with its licences.
//
//	echarts/  echarts.min.js, LICENSE, NOTICE and the licences of the code it
//	          bundles (LICENSE-d3, LICENSE-zrender, LICENSE-tslib)
//	katex/    katex.min.js, katex.min.css, fonts/*.woff2, LICENSE
//
// The files are byte-identical to the npm packages that package-lock.json
// pins (a test compares them with node_modules after `npm ci`; `go test
// ./internal/assets -update` copies them again after a version change).
//
// KaTeX's fonts are shipped as WOFF2 only (260 kB instead of 1.08 MB for
// WOFF2, WOFF and TrueType). katex.min.css is kept as published: every
// @font-face lists the WOFF2 file first, and a browser takes the first
// format it supports, so the WOFF and TrueType files it also lists are
// never requested by a browser that reads WOFF2 (every current one).
package assets

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// The releases embedded here; package.json pins the same ones.
const (
	EChartsVersion = "5.6.0"
	KaTeXVersion   = "0.16.22"
)

//go:embed echarts katex
var files embed.FS

// The libraries, each a folder of files.
const (
	ECharts = "echarts"
	KaTeX   = "katex"
)

// EChartsScript returns echarts.min.js.
func EChartsScript() []byte {
	b, err := files.ReadFile(ECharts + "/echarts.min.js")
	if err != nil {
		panic("assets: " + err.Error()) // embedded at build time: cannot happen
	}
	return b
}

// Files returns the paths of lib's files ("echarts/echarts.min.js", ...).
func Files(lib string) ([]string, error) {
	var out []string
	err := fs.WalkDir(files, lib, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("assets: %w", err)
	}
	return out, nil
}

// Read returns the embedded file at p (a path from Files).
func Read(p string) ([]byte, error) { return files.ReadFile(p) }

// Write writes lib's files into dir/lib (created if missing) and returns
// that folder. A file already there with the same bytes is left alone, so
// several sites sharing one folder of assets write each file once; a
// different one is replaced through a temporary file and a rename, so a
// page never sees half a script.
func Write(dir, lib string) (string, error) {
	names, err := Files(lib)
	if err != nil {
		return "", err
	}
	if len(names) == 0 {
		return "", fmt.Errorf("assets: no library %q", lib)
	}
	for _, p := range names {
		b, err := files.ReadFile(p)
		if err != nil {
			return "", fmt.Errorf("assets: %w", err)
		}
		dst := filepath.Join(dir, filepath.FromSlash(p))
		if old, err := os.ReadFile(dst); err == nil && bytes.Equal(old, b) {
			continue
		}
		if err := writeFile(dst, b); err != nil {
			return "", fmt.Errorf("assets: %w", err)
		}
	}
	return filepath.Join(dir, lib), nil
}

func writeFile(dst string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(dst), "."+path.Base(filepath.ToSlash(dst))+".*")
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), dst)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
