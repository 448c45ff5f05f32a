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
