package viz

import "testing"

func TestLegendRows(t *testing.T) {
	for _, tc := range []struct {
		names []string
		width int
		want  int
	}{
		{nil, 500, 1},
		{[]string{"a", "b"}, 500, 1},
		// Each item is 30 px of symbol and gap plus 7 px a character; 10 px
		// between items; 10 px of padding.
		{[]string{"abcdefghij", "abcdefghij"}, 10 + 100 + 10 + 100, 1},
		{[]string{"abcdefghij", "abcdefghij"}, 10 + 100 + 10 + 99, 2},
		{[]string{"abcdefghij", "abcdefghij", "abcdefghij"}, 10 + 100, 3},
		{[]string{"σ²", "x"}, 10 + 44 + 10 + 37, 1}, // characters, not bytes
	} {
		if got := legendRows(tc.names, tc.width); got != tc.want {
			t.Errorf("legendRows(%q, %d) = %d, want %d", tc.names, tc.width, got, tc.want)
		}
	}
}

// TestLinesRoomForLegend: a legend that wraps pushes the panels (and their
// titles) down by one row height a row, so the title of a panel never sits
// under the legend's second row.
func TestLinesRoomForLegend(t *testing.T) {
	panel := func(names ...string) LinePanel {
		p := LinePanel{Title: "panel", XName: "x", YName: "y"}
		for _, n := range names {
			p.Series = append(p.Series, Series{Name: n, X: []float64{0, 1}, Y: []float64{0, 1}})
		}
		return p
	}
	short := Lines("t", panel("a", "b"), panel("c"))
	long := Lines("t", panel("preconditioned: 1/σ² + 1/s_d²", "eps loss: 1/σ² (SNR)", "v loss: 1/σ² + 1"),
		panel("x0 loss: 1", "the recipe: t uniform on 1..1000", "Karras et al.: ln σ ~ N(−1.2, 1.2²)"))
	gridTop := func(c *Chart) float64 {
		return pxOf(t, option(t, c)["grid"].([]any)[0].(map[string]any)["top"])
	}
	rows := legendRows(seriesNames([]LinePanel{panel("preconditioned: 1/σ² + 1/s_d²", "eps loss: 1/σ² (SNR)", "v loss: 1/σ² + 1"),
		panel("x0 loss: 1", "the recipe: t uniform on 1..1000", "Karras et al.: ln σ ~ N(−1.2, 1.2²)")}), long.Width)
	if rows < 2 {
		t.Fatalf("the long legend fits %d row in %d px: the test needs one that wraps", rows, long.Width)
	}
	if d := gridTop(long) - gridTop(short); d != float64(legendRowHeight*(rows-1)) {
		t.Errorf("panels moved down %v px for a %d-row legend, want %d", d, rows, legendRowHeight*(rows-1))
	}
	if d := long.Height - short.Height; d != legendRowHeight*(rows-1) {
		t.Errorf("chart grew %d px for a %d-row legend, want %d", d, rows, legendRowHeight*(rows-1))
	}
}
