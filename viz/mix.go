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
	K := checkMixed(g, panels, centres)
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
		graphic = append(graphic, l.imageAt(i, g, mixImage(g, p.W, cols)))
		l.fill(i)
		for k := 0; centres != nil && k < K; k++ {
			name := componentName(names, k)
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
	c.setLegend(legend)
	return c
}

// checkMixed panics on panels that do not hold the same number K of
// weights for each node of g, or on centres that are not K points, and
// returns K.
func checkMixed(g Grid, panels []WeightPanel, centres []float64) int {
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
	return K
}

// mixImage returns the image of the weights w (len(cols) per node of g):
// each pixel the components' colours cols mixed by their weights.
func mixImage(g Grid, w []float64, cols []rgba) string {
	K := len(cols)
	return pngDataURL(g.NX, g.NY, func(a, b int) rgba {
		var r, gg, bb float64
		for k := range K {
			wk := w[(b*g.NX+a)*K+k]
			r += wk * float64(cols[k].R)
			gg += wk * float64(cols[k].G)
			bb += wk * float64(cols[k].B)
		}
		// Pale the mix a little so that the centres stand out.
		return rgba{uint8(0.6*r + 0.4*255), uint8(0.6*gg + 0.4*255), uint8(0.6*bb + 0.4*255), 255}
	})
}

// componentName names component k: names[k], or x⁽k+1⁾ (the points of
// the course numbered from 1).
func componentName(names []string, k int) string {
	if k < len(names) {
		return names[k]
	}
	return fmt.Sprintf("x⁽%d⁾", k+1)
}

// parseHex reads a colour "#rrggbb".
func parseHex(s string) rgba {
	var r, g, b uint8
	if _, err := fmt.Sscanf(s, "#%02x%02x%02x", &r, &g, &b); err != nil {
		panic("viz: bad colour " + s)
	}
	return rgba{r, g, b, 255}
}
