// Where pages get echarts from: inlined from the npm package, a copy
// beside the page, or (when neither exists) the public CDN.

package viz

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sync"

	"github.com/go-echarts/go-echarts/v2/opts"

	"difftoy/internal/findup"
)

// EChartsVersion is the echarts release the pages are written for; the
// repository's package.json pins the same one.
const EChartsVersion = "5.6.0"

// EChartsEnv names the environment variable that may hold the path of
// echarts.min.js; it wins over the search of FindECharts.
const EChartsEnv = "DIFFTOY_ECHARTS"

// CDN is where pages load echarts from when no local copy exists (they
// then draw nothing without a network): go-echarts' own default assets
// host, read from its option's default tag so the two never disagree.
var CDN = cdnURL()

func cdnURL() string {
	f, _ := reflect.TypeFor[opts.Initialization]().FieldByName("AssetsHost")
	return f.Tag.Get("default") + opts.EchartsJS
}

// echartsRel is the script's place inside the module after `npm ci`.
var echartsRel = filepath.Join("node_modules", "echarts", "dist", "echarts.min.js")

// ErrNoECharts reports that no local echarts.min.js was found.
var ErrNoECharts = errors.New("viz: echarts.min.js not found (run `npm ci` at the module root, or set " + EChartsEnv + ")")

// FindECharts returns the path of a local echarts.min.js: the file named
// by $DIFFTOY_ECHARTS, else node_modules/echarts/dist/echarts.min.js in
// the working directory or the nearest parent that has one, stopping at
// the module root (the directory holding go.mod).
func FindECharts() (string, error) {
	if p := os.Getenv(EChartsEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("viz: %s=%s: %w", EChartsEnv, p, err)
		}
		return p, nil
	}
	p, ok, err := findup.Find(echartsRel)
	if err != nil {
		return "", fmt.Errorf("viz: looking for echarts: %w", err)
	}
	if !ok {
		return "", ErrNoECharts
	}
	return p, nil
}

// Assets says how a page loads echarts: Script inlined, or Src as the
// src of a <script> element (a path relative to the page, or a URL).
type Assets struct {
	Script []byte
	Src    string
}

// Inline returns Assets with the local echarts inlined: the page works
// on its own, offline, and inside an iframe srcdoc (about 1 MB).
func Inline() (Assets, error) {
	p, err := FindECharts()
	if err != nil {
		return Assets{}, err
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return Assets{}, fmt.Errorf("viz: reading echarts: %w", err)
	}
	return Assets{Script: b}, nil
}

// Beside copies the local echarts.min.js into dir and returns Assets that
// load it from there: pages written into dir share one copy.
func Beside(dir string) (Assets, error) {
	p, err := FindECharts()
	if err != nil {
		return Assets{}, err
	}
	in, err := os.Open(p)
	if err != nil {
		return Assets{}, fmt.Errorf("viz: reading echarts: %w", err)
	}
	defer in.Close()
	out, err := os.Create(filepath.Join(dir, "echarts.min.js"))
	if err != nil {
		return Assets{}, fmt.Errorf("viz: copying echarts: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return Assets{}, fmt.Errorf("viz: copying echarts: %w", err)
	}
	if err := out.Close(); err != nil {
		return Assets{}, fmt.Errorf("viz: copying echarts: %w", err)
	}
	return Assets{Src: "echarts.min.js"}, nil
}

var cdnOnce sync.Once

// Warn is where the one-time CDN warning goes; tests may replace it.
var Warn io.Writer = os.Stderr

// InlineOrCDN returns Inline assets when a local echarts exists; when
// none is found (ErrNoECharts) it returns the CDN, saying so once on
// Warn: such pages need a network to draw. Other errors (an unreadable
// file, a wrong $DIFFTOY_ECHARTS) are returned.
func InlineOrCDN() (Assets, error) {
	a, err := Inline()
	if errors.Is(err, ErrNoECharts) {
		return cdn(err), nil
	}
	return a, err
}

// BesideOrCDN is Beside, falling back to the CDN like InlineOrCDN.
func BesideOrCDN(dir string) (Assets, error) {
	a, err := Beside(dir)
	if errors.Is(err, ErrNoECharts) {
		return cdn(err), nil
	}
	return a, err
}

func cdn(err error) Assets {
	cdnOnce.Do(func() {
		fmt.Fprintf(Warn, "%v; pages load echarts from %s and need a network to draw\n", err, CDN)
	})
	return Assets{Src: CDN}
}
