// Where pages get echarts from: the copy embedded in the module, inlined
// into the page or written once into a folder the pages share.

package viz

import (
	"fmt"
	"path/filepath"

	"difftoy/internal/assets"
)

// EChartsVersion is the echarts release the pages load: the one embedded
// in the module, which the repository's package.json pins.
const EChartsVersion = assets.EChartsVersion

// Assets says how a page loads echarts: Script inlined, or Src as the
// src of a <script> element (a path relative to the page).
type Assets struct {
	Script []byte
	Src    string
}

// Inline returns Assets with echarts inlined: the page works on its own,
// offline, and inside an iframe srcdoc (about 1 MB).
func Inline() Assets { return Assets{Script: assets.EChartsScript()} }

// Shared writes echarts with its licences into assetDir/echarts (once:
// files already there with the same bytes are left alone) and returns
// Assets that load it from pages written into pageDir, by a relative path
// that works from file:// as from a web server.
func Shared(pageDir, assetDir string) (Assets, error) {
	dir, err := assets.Write(assetDir, assets.ECharts)
	if err != nil {
		return Assets{}, fmt.Errorf("viz: writing echarts: %w", err)
	}
	rel, err := relPath(pageDir, filepath.Join(dir, "echarts.min.js"))
	if err != nil {
		return Assets{}, fmt.Errorf("viz: %w", err)
	}
	return Assets{Src: rel}, nil
}

// relPath returns target relative to the folder dir, with forward
// slashes (a URL path).
func relPath(dir, target string) (string, error) {
	d, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	t, err := filepath.Abs(target)
	if err != nil {
		return "", err
	}
	r, err := filepath.Rel(d, t)
	if err != nil {
		return "", err
	}
	return filepath.ToSlash(r), nil
}
