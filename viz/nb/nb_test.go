package nb

import (
	"bytes"
	"errors"
	"html"
	"regexp"
	"strings"
	"testing"

	"difftoy/viz"
)

func chart() *viz.Chart {
	return viz.Lines("a <b> & 'c'", viz.LinePanel{XName: "t", YName: "y",
		Series: []viz.Series{{Name: "s", X: []float64{0, 1}, Y: []float64{1, 2}}}})
}

// TestIFrame checks that the frame holds the whole page, escaped so that the
// attribute cannot end early, and that unescaping gives the page back.
func TestIFrame(t *testing.T) {
	p := viz.NewPage("page").Add(chart())
	a := viz.Assets{Script: []byte(`window.echarts = "stub";`)}
	s, err := IFrame(p, a)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`^<iframe srcdoc="([^"]*)" title="page" style="border:none;width:(\d+)px;max-width:100%;height:(\d+)px" sandbox="allow-scripts"></iframe>$`).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("frame has an unexpected form: %.300s", s)
	}
	var want bytes.Buffer
	if err := p.Render(&want, a); err != nil {
		t.Fatal(err)
	}
	if got := html.UnescapeString(m[1]); got != want.String() {
		t.Errorf("srcdoc does not unescape to the page")
	}
	if strings.ContainsAny(m[1], "<>'") {
		t.Errorf("srcdoc holds an unescaped < > or '")
	}
}

// TestFrame checks the frame that takes echarts from the notebook page: no
// echarts of its own, the loader instead, and no sandbox (a sandboxed
// frame could not read its parent).
func TestFrame(t *testing.T) {
	p := viz.NewPage("page").Add(chart())
	s, err := Frame(p)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(s, "sandbox") {
		t.Error("the frame is sandboxed: it could not read the carried echarts from its parent")
	}
	doc := html.UnescapeString(s)
	if !strings.Contains(doc, "getElementById(id)") || !strings.Contains(doc, "'"+carrierID+"'") {
		t.Error("the frame has no loader for the carried echarts")
	}
	if len(s) > 50_000 {
		t.Errorf("frame is %d bytes: it should not carry echarts (%d bytes)", len(s), len(viz.Inline().Script))
	}
}

// TestCarrier checks that the carrier holds exactly echarts' source as the
// text of one inert script element.
func TestCarrier(t *testing.T) {
	c, err := Carrier()
	if err != nil {
		t.Fatal(err)
	}
	open := `<script type="text/plain" id="` + carrierID + `">`
	if !strings.HasPrefix(c, open) || !strings.HasSuffix(c, "</script>") {
		t.Fatalf("carrier has an unexpected form: %.100s", c)
	}
	body := strings.TrimSuffix(strings.TrimPrefix(c, open), "</script>")
	if body != string(viz.Inline().Script) {
		t.Error("the carrier's text is not echarts' source")
	}
	if strings.Contains(strings.ToLower(body), "</script") {
		t.Error("the carrier's text would end the element early")
	}
}

func TestShowOutsideNotebook(t *testing.T) {
	if err := Show(chart()); !errors.Is(err, ErrNotNotebook) {
		t.Errorf("Show outside a notebook = %v, want ErrNotNotebook", err)
	}
}

// TestProgressTerminal checks the fallback outside a notebook: one line
// rewritten in place, updates closer than minGap dropped except the last.
func TestProgressTerminal(t *testing.T) {
	var b bytes.Buffer
	p := NewProgress("train", 3)
	p.Out = &b
	p.Set(1, "loss 0.5")
	p.Set(2, "dropped: too soon after the first")
	p.Set(3, "done")
	want := "\rtrain: 1/3 loss 0.5\x1b[K\rtrain: 3/3 done\x1b[K\n"
	if b.String() != want {
		t.Errorf("output %q, want %q", b.String(), want)
	}
}

func TestProgressHTMLEscapes(t *testing.T) {
	p := NewProgress("<b>", 2)
	got := p.html(1, "a&b")
	if !strings.Contains(got, "&lt;b&gt;") || !strings.Contains(got, "a&amp;b") || !strings.Contains(got, `value="1" max="2"`) {
		t.Errorf("html = %s", got)
	}
}
