// Chart: one echarts option built with go-echarts, plus the raw option keys
// go-echarts v2.6.7 lacks (timeline, graphic, lines series, per-grid axes),
// injected through a charts.ConfigurationVisitor.

package viz

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Chart is one echarts chart: its option and its size in pixels. Build one
// with the chart functions of this package (Samples, Density, Quiver, ...)
// and show it with a Page or with package viz/nb.
type Chart struct {
	Title string
	// Caption is one or two sentences shown under the chart: what is drawn
	// and what to look for. Set it with Caption.
	Caption       string
	Width, Height int // pixels

	base *charts.Scatter // title, legend, tooltip, axes, grids
	raw  *rawVisitor     // keys go-echarts cannot express
}

// rawVisitor adds raw echarts option keys after go-echarts has built its
// map: extra series go after go-echarts' own, set replaces whole keys.
type rawVisitor struct {
	charts.BaseConfigurationVisitor
	series []any
	set    map[string]any
}

func (v *rawVisitor) Visit(m map[string]any) {
	if len(v.series) > 0 {
		var all []any
		if s, ok := m["series"].(charts.MultiSeries); ok {
			for _, x := range s {
				all = append(all, x)
			}
		}
		m["series"] = append(all, v.series...)
	}
	for k, x := range v.set {
		m[k] = x
	}
}

func newChart(title string, w, h int) *Chart {
	if strings.TrimSpace(title) == "" {
		panic("viz: every chart needs a title")
	}
	// Room for the title: about 10 px a character at echarts' 18 px bold.
	w = max(w, 10*utf8.RuneCountInString(title)+40)
	b := charts.NewScatter()
	b.SetGlobalOptions(
		charts.WithTitleOpts(opts.Title{Title: title, Left: "center"}),
		charts.WithInitializationOpts(opts.Initialization{Width: px(w), Height: px(h), BackgroundColor: "#ffffff"}),
		charts.WithToolboxOpts(opts.Toolbox{Show: opts.Bool(false)}),
	)
	c := &Chart{Title: title, Width: w, Height: h, base: b, raw: &rawVisitor{set: map[string]any{}}}
	// No entry animation: a chart appears as soon as it is drawn (the
	// timeline of Animate turns update animations back on).
	c.raw.set["animation"] = false
	b.Accept(c.raw)
	return c
}

// WithCaption sets the caption shown under the chart (what is drawn, what
// to look for) and returns the chart.
func (c *Chart) WithCaption(s string) *Chart {
	c.Caption = strings.TrimSpace(s)
	return c
}

func px(n int) string { return strconv.Itoa(n) + "px" }

// series appends raw series (maps) after go-echarts' own.
func (c *Chart) series(s ...any) { c.raw.series = append(c.raw.series, s...) }

// set replaces a top-level option key.
func (c *Chart) set(key string, v any) { c.raw.set[key] = v }

// Option returns the echarts option of the chart as a tree of maps, slices
// and numbers: what the page passes to echarts' setOption.
func (c *Chart) Option() map[string]any {
	c.base.Validate()
	return c.base.JSON()
}

// JSON returns the option encoded as JSON. Numbers are rounded to 4
// significant digits when the chart is built, which is far below a pixel.
// <, > and & are escaped, so the text can go inside a <script> element.
func (c *Chart) JSON() ([]byte, error) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(c.Option()); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// num is a float64 that encodes with 4 significant digits, and NaN or an
// infinity as null (echarts skips null values). Charts hold no more digits
// than a screen can show.
type num float64

func (f num) MarshalJSON() ([]byte, error) {
	x := float64(f)
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, x, 'g', 4, 64), nil
}

// pt is a point [x, y] of the plane written with d decimals, chosen by the
// layout so that one unit of the last decimal is under a pixel.
type pt struct {
	x, y float64
	d    int
}

func (p pt) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 16)
	b = append(b, '[')
	b = appendFixed(b, p.x, p.d)
	b = append(b, ',')
	b = appendFixed(b, p.y, p.d)
	return append(b, ']'), nil
}

// appendFixed writes x with d decimals, trailing zeros trimmed; NaN and
// infinities as null.
func appendFixed(b []byte, x float64, d int) []byte {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return append(b, "null"...)
	}
	n := len(b)
	b = strconv.AppendFloat(b, x, 'f', d, 64)
	if d > 0 {
		for b[len(b)-1] == '0' {
			b = b[:len(b)-1]
		}
		if b[len(b)-1] == '.' {
			b = b[:len(b)-1]
		}
	}
	if string(b[n:]) == "-0" {
		b = append(b[:n], '0')
	}
	return b
}

// xy returns point i of the row-major batch p with d decimals.
func xy(p []float64, i, d int) pt { return pt{p[2*i], p[2*i+1], d} }
