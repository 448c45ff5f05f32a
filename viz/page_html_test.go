package viz

import (
	"html/template"
	"strings"
	"testing"
)

// TestPageHTML checks the blocks of caller-written HTML: written as given
// inside their div, in order with the other blocks, while plain text is
// still escaped; Head goes inside the head, after the page's own scripts.
func TestPageHTML(t *testing.T) {
	p := NewPage("maths").Text("a < b").HTML(`<p>x <span class="math inline">a_1</span></p>`).Text("after")
	p.Head = `<link rel="stylesheet" href="k.css">`
	var b strings.Builder
	if err := p.Render(&b, Assets{}); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	i := strings.Index(s, "<p>a &lt; b</p>")
	j := strings.Index(s, `<div class="difftoy-html"><p>x <span class="math inline">a_1</span></p></div>`)
	k := strings.Index(s, "<p>after</p>")
	if i < 0 || j < i || k < j {
		t.Errorf("blocks missing or out of order (%d, %d, %d):\n%s", i, j, k, s)
	}
	h := strings.Index(s, `<link rel="stylesheet" href="k.css">`)
	if end := strings.Index(s, "</head>"); h < 0 || h > end || h < strings.Index(s, "function difftoyDraw") {
		t.Errorf("Head not at the end of the head:\n%s", s)
	}
	var empty strings.Builder
	if err := NewPage("e").HTML(template.HTML("")).Render(&empty, Assets{}); err != nil || !strings.Contains(empty.String(), `<div class="difftoy-html"></div>`) {
		t.Errorf("an empty HTML block is not an empty div (err %v):\n%s", err, empty.String())
	}
}

// TestPageCaption: a chart's caption is written, escaped, right after the
// chart's div and before its script; a chart without one gets none.
func TestPageCaption(t *testing.T) {
	c := Lines("c", LinePanel{XName: "x", YName: "y", Series: []Series{{Name: "s", X: []float64{0, 1}, Y: []float64{0, 1}}}})
	p := NewPage("p").Add(c.WithCaption("  a <b> caption  "), Lines("d", LinePanel{XName: "x", YName: "y"}))
	var b strings.Builder
	if err := p.Render(&b, Assets{Src: "echarts.min.js"}); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	div := strings.Index(s, `id="difftoy-chart-1"`)
	cap := strings.Index(s, `<p class="difftoy-caption" id="difftoy-chart-1-caption" style="max-width:`)
	text := strings.Index(s, `>a &lt;b&gt; caption</p>`)
	script := strings.Index(s, `<script>difftoyDraw("difftoy-chart-1"`)
	if div < 0 || cap < div || text < cap || script < text {
		t.Errorf("caption missing or out of place (%d, %d, %d, %d):\n%s", div, cap, text, script, s)
	}
	if strings.Contains(s, "difftoy-chart-2-caption") {
		t.Errorf("a chart without a caption got one")
	}
}
