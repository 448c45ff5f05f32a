package viz

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	update = flag.Bool("update", false, "rewrite the golden option files under testdata/")
	pages  = flag.String("pages", "", "also write each fixture chart as an offline HTML page into this directory")
)

// three is the 3-point example of the course: atoms at the corners of a
// triangle with equal weights.
var three = []float64{-2, -1, 2, -1, 0, 2}

// posterior3 returns the exact posterior weights pi_i(x) of the 3-point delta
// mixture at signal level alpha (lessons/02-ideal-denoiser.md section 4),
// computed here independently of package analytic.
func posterior3(x []float64, alpha float64) []float64 {
	n := len(x) / 2
	w := make([]float64, 3*n)
	sa, v := math.Sqrt(alpha), 1-alpha
	for k := range n {
		var l [3]float64
		mx := math.Inf(-1)
		for i := range 3 {
			dx, dy := x[2*k]-sa*three[2*i], x[2*k+1]-sa*three[2*i+1]
			l[i] = -(dx*dx + dy*dy) / (2 * v)
			mx = math.Max(mx, l[i])
		}
		s := 0.0
		for i := range 3 {
			l[i] = math.Exp(l[i] - mx)
			s += l[i]
		}
		for i := range 3 {
			w[3*k+i] = l[i] / s
		}
	}
	return w
}

// fixtures builds one small chart per chart kind from data made here.
func fixtures() map[string]*Chart {
	g := Grid{X0: -3, X1: 3, Y0: -2, Y1: 3, NX: 7, NY: 6}
	p := g.Points()
	w := posterior3(p, 0.5)
	dens := make([]float64, g.Len())
	field := make([]float64, 2*g.Len())
	for k := range g.Len() {
		x, y := p[2*k], p[2*k+1]
		dens[k] = math.Exp(-(x*x + y*y) / 2)
		field[2*k], field[2*k+1] = -x, -y // score of N(0, I)
	}
	pts := []float64{-2, -1, 2, -1, 0, 2, 0.1, 0.2}
	labels := []int{0, 1, 2, 1}
	steps := [][]float64{
		{1, 1, -1, 0.5},
		{0.5, 0.7, -1.2, 0},
		{0.2, 0.3, -1.5, -0.5},
		{0, 0, -2, -1},
	}
	runs := []Run{{Name: "DDPM", Steps: steps, Labels: []int{0, 1}}, {Name: "DDIM", Steps: steps[1:], Labels: []int{0, 1}}}
	ts := []float64{0, 0.5, 1}
	return map[string]*Chart{
		"samples":   Samples("Samples of the three-point mixture", Scene{Grid: g, Density: dens, Train: three, Points: pts, Labels: labels}, []string{"a", "b", "c"}),
		"density":   Density("Density q_t at ᾱ = 0.5", g, dens, "q_t(x)"),
		"quiver":    Quiver("Score of N(0, I)", g, field, QuiverOpts{Label: "|∇ log q|", Train: three}),
		"posterior": Posterior("Posterior weights", g, w, three, nil),
		"paths":     Paths("Sampler paths", runs, TrajOpts{}),
		"animate":   Animate("Sampler steps", runs, TrajOpts{Train: three}),
		"schedules": Schedules("Schedules", ScheduleCurves{Name: "linear", T: ts, Alpha: []float64{1, 0.5, 0.01}, Beta: []float64{0.01, 0.02, 0.03}, LogSNR: []float64{5, 0, -4.6}}),
		"loss":      Lines("Loss", LinePanel{XName: "step", YName: "loss", LogY: true, Series: []Series{{Name: "train", X: ts, Y: []float64{1, 0.1, 0}}}}),
		"sweep":     GuidanceSweep("Guidance sweep", []float64{0, 1, 3}, []Scene{{Points: pts, Labels: labels}, {Points: pts, Labels: labels}, {Points: pts, Labels: labels}}, nil),
	}
}

// TestGolden compares each chart kind's option JSON with testdata/NAME.json.
// The golden files were checked by eye in a browser when written; a change
// in any of them is a change in what the reader sees.
func TestGolden(t *testing.T) {
	for name, c := range fixtures() {
		t.Run(name, func(t *testing.T) {
			got, err := c.JSON()
			if err != nil {
				t.Fatal(err)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, got, "", " "); err != nil {
				t.Fatal(err)
			}
			pretty.WriteByte('\n')
			path := filepath.Join("testdata", name+".json")
			if *update {
				if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./viz -update to create it)", err)
			}
			if g, w := pixelsOfPNGs(t, pretty.String()), pixelsOfPNGs(t, string(want)); g != w {
				t.Errorf("option of %s differs from %s at %s (run with -update after checking the page)", name, path, firstDiff(g, w))
			}
			if *pages != "" {
				a := Inline()
				p := NewPage(c.Title).Add(c)
				if err := p.WriteFile(filepath.Join(*pages, name+".html"), a); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// TestOptionInvariants checks properties every chart must have: a title,
// named axes, and value axes with equal spans on plane charts (equal scale
// needs equal spans on square grids).
func TestOptionInvariants(t *testing.T) {
	plane := map[string]bool{"samples": true, "density": true, "quiver": true, "posterior": true, "paths": true, "animate": true, "sweep": true}
	for name, c := range fixtures() {
		t.Run(name, func(t *testing.T) {
			js, err := c.JSON()
			if err != nil {
				t.Fatal(err)
			}
			var o struct {
				Legend struct {
					Show *bool
					Data *[]string
				}
				Title []struct{ Text string }
				Grid  []struct{ Width, Height string }
				XAxis []struct {
					Name, Type string
					Min, Max   float64
				}
				YAxis []struct {
					Name, Type string
					Min, Max   float64
				}
			}
			if err := json.Unmarshal(js, &o); err != nil {
				t.Fatal(err)
			}
			if len(o.Title) == 0 || strings.TrimSpace(o.Title[0].Text) == "" {
				t.Errorf("no title")
			}
			// A legend lists its entries, or echarts shows every series
			// name (arrow bands, placeholders) over the title.
			if (o.Legend.Show == nil || *o.Legend.Show) && o.Legend.Data == nil {
				t.Errorf("legend without an explicit list of entries")
			}
			if len(o.XAxis) == 0 || len(o.XAxis) != len(o.YAxis) || len(o.XAxis) != len(o.Grid) {
				t.Fatalf("%d x axes, %d y axes, %d grids", len(o.XAxis), len(o.YAxis), len(o.Grid))
			}
			for i := range o.XAxis {
				x, y := o.XAxis[i], o.YAxis[i]
				if x.Name == "" || y.Name == "" {
					t.Errorf("axis %d unnamed: x %q, y %q", i, x.Name, y.Name)
				}
				if !plane[name] {
					continue
				}
				if x.Type != "value" || y.Type != "value" {
					t.Errorf("axis %d types %q, %q, want value", i, x.Type, y.Type)
				}
				if o.Grid[i].Width != o.Grid[i].Height {
					t.Errorf("grid %d is %s by %s, not square", i, o.Grid[i].Width, o.Grid[i].Height)
				}
				if sx, sy := x.Max-x.Min, y.Max-y.Min; math.Abs(sx-sy) > 1e-9 || !(sx > 0) {
					t.Errorf("axis %d spans %v and %v, want equal and positive", i, sx, sy)
				}
			}
		})
	}
}

// firstDiff describes the first line where got and want differ.
var pngData = regexp.MustCompile(`data:image/png;base64,([A-Za-z0-9+/=]+)`)

// pixelsOfPNGs replaces every PNG data URL in an option by its size and the
// SHA-256 of its decoded pixels: the golden files fix what the reader sees,
// not the compressed bytes, which image/png's encoder may change from one Go
// release to the next (it did between Go 1.26 and 1.27).
func pixelsOfPNGs(t *testing.T, s string) string {
	t.Helper()
	return pngData.ReplaceAllStringFunc(s, func(m string) string {
		raw, err := base64.StdEncoding.DecodeString(pngData.FindStringSubmatch(m)[1])
		if err != nil {
			t.Fatalf("bad base64 in a PNG data URL: %v", err)
		}
		img, err := png.Decode(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("bad PNG in a data URL: %v", err)
		}
		b := img.Bounds()
		rgba := image.NewNRGBA(b)
		draw.Draw(rgba, b, img, b.Min, draw.Src)
		return fmt.Sprintf("png %dx%d pixels %x", b.Dx(), b.Dy(), sha256.Sum256(rgba.Pix))
	})
}

func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d: got %q, want %q", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("length: got %d lines, want %d", len(g), len(w))
}
