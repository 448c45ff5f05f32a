// Posterior weights of several components in one picture: each pixel mixes
// the components' colours by their weights.

package viz

import "fmt"

// WeightPanel is one panel of Mixed: K weights per node of the chart's
// grid (row-major n*K, the layout of analytic's Posterior).
type WeightPanel struct {
	Title string
	W     []float64
}

// Mixed draws posterior weights as one colour per component, mixed at each
// point of the plane by the weights: a point certain of component i has
// i's colour, a point split evenly between all of them a blend. One panel
// per entry of panels (the same weights at several t, say); centres (K
// points, or nil) are drawn in their colours and named by names in the
// legend.
func Mixed(title string, g Grid, panels []WeightPanel, centres []float64, names []string) *Chart {
	g.check("viz.Mixed")
	if len(panels) == 0 {
		panic("viz.Mixed: no panels")
	}
	K := len(panels[0].W) / g.Len()
	for i, p := range panels {
		if K == 0 || len(p.W) != K*g.Len() {
			panic(fmt.Sprintf("viz.Mixed: panel %d has %d weights for %d nodes and %d components", i, len(p.W), g.Len(), K))
		}
	}
	if centres != nil && len(centres) != 2*K {
		panic(fmt.Sprintf("viz.Mixed: %d centre coordinates for %d components", len(centres), K))
	}
	var e extent
	e.addGrid(g)
	e.add(centres)
	l := newLayout(len(panels), 4, 250, e, 0)
	c := newChart(title, l.width(), l.height())
	cols := make([]rgba, K)
	for k := range cols {
		cols[k] = parseHex(palette[k%len(palette)])
	}
	var titles, legend []string
	var graphic []any
	for i, p := range panels {
		titles = append(titles, p.Title)
		img := pngDataURL(g.NX, g.NY, func(a, b int) rgba {
			var r, gg, bb float64
			for k := range K {
				w := p.W[(b*g.NX+a)*K+k]
				r += w * float64(cols[k].R)
				gg += w * float64(cols[k].G)
				bb += w * float64(cols[k].B)
			}
			// Pale the mix a little so that the centres stand out.
			return rgba{uint8(0.6*r + 0.4*255), uint8(0.6*gg + 0.4*255), uint8(0.6*bb + 0.4*255), 255}
		})
		x0, y0 := l.toPx(i, g.X0, g.Y1)
		x1, y1 := l.toPx(i, g.X1, g.Y0)
		graphic = append(graphic, map[string]any{"type": "image", "left": num(x0), "top": num(y0), "z": 1, "silent": true,
			"style": map[string]any{"image": img, "width": num(x1 - x0), "height": num(y1 - y0)}})
		l.fill(i)
		for k := 0; centres != nil && k < K; k++ {
			name := fmt.Sprintf("x⁽%d⁾", k+1)
			if k < len(names) {
				name = names[k]
			}
			c.series(map[string]any{"type": "scatter", "name": name, "xAxisIndex": i, "yAxisIndex": i,
				"data": []pt{xy(centres, k, l.dec())}, "symbol": "circle", "symbolSize": 11, "z": 5,
				"itemStyle": map[string]any{"color": palette[k%len(palette)], "borderColor": "#111111", "borderWidth": 1.5}})
			if i == 0 {
				legend = append(legend, name)
			}
		}
	}
	l.apply(c, titles, xName, yName)
	c.set("graphic", graphic)
	if len(legend) > 0 {
		c.set("legend", map[string]any{"data": legend, "top": 30})
	} else {
		c.set("legend", map[string]any{"show": false})
	}
	return c
}

// parseHex reads a colour "#rrggbb".
func parseHex(s string) rgba {
	var r, g, b uint8
	if _, err := fmt.Sscanf(s, "#%02x%02x%02x", &r, &g, &b); err != nil {
		panic("viz: bad colour " + s)
	}
	return rgba{r, g, b, 255}
}
