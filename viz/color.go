// Colours: class palette, colour maps, and small PNG images for densities.

package viz

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"math"
)

// palette colours classes and runs; colour k%len(palette) goes to class k.
var palette = []string{"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#e377c2", "#8c564b"}

// rgba is a colour with straight alpha.
type rgba struct{ R, G, B, A uint8 }

// colormap interpolates linearly between evenly spaced anchor colours.
type colormap []rgba

// viridis: perceptually uniform, for densities drawn on their own.
var viridis = colormap{
	{68, 1, 84, 255}, {72, 40, 120, 255}, {62, 74, 137, 255}, {49, 104, 142, 255}, {38, 130, 142, 255},
	{31, 158, 137, 255}, {53, 183, 121, 255}, {109, 205, 89, 255}, {180, 222, 44, 255}, {253, 231, 37, 255},
}

// greys: white to mid grey, a density behind coloured points.
var greys = colormap{{255, 255, 255, 255}, {215, 220, 230, 255}, {150, 160, 180, 255}, {90, 100, 125, 255}}

// purples: white to deep purple, posterior weights in [0, 1].
var purples = colormap{{255, 255, 255, 255}, {203, 201, 226, 255}, {158, 154, 200, 255}, {106, 81, 163, 255}, {63, 0, 125, 255}}

// at returns the colour at t in [0, 1] (clamped; NaN is transparent).
func (c colormap) at(t float64) rgba {
	if math.IsNaN(t) {
		return rgba{}
	}
	t = math.Max(0, math.Min(1, t)) * float64(len(c)-1)
	i := int(t)
	if i >= len(c)-1 {
		return c[len(c)-1]
	}
	f := t - float64(i)
	mix := func(a, b uint8) uint8 { return uint8(math.Round(float64(a)*(1-f) + float64(b)*f)) }
	a, b := c[i], c[i+1]
	return rgba{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), mix(a.A, b.A)}
}

// pngDataURL encodes a w by h image as a data: URL. f(i, j) gives the
// colour of column i and row j counted from the bottom, as on a Grid.
func pngDataURL(w, h int, f func(i, j int) rgba) string {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for r := range h {
		for i := range w {
			c := f(i, h-1-r)
			img.SetNRGBA(i, r, color.NRGBA{R: c.R, G: c.G, B: c.B, A: c.A})
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		panic("viz: png encoding of an in-memory image failed: " + err.Error())
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())
}
