package mdmath

import (
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var mathSpan = regexp.MustCompile(`<span class="math (inline|display)">([^<]*)</span>`)

// spans returns the TeX of every maths span of rendered HTML, unescaped,
// prefixed by "$" (inline) or "$$" (display).
func spans(h string) []string {
	var out []string
	for _, m := range mathSpan.FindAllStringSubmatch(h, -1) {
		d := "$"
		if m[1] == "display" {
			d = "$$"
		}
		out = append(out, d+html.UnescapeString(m[2]))
	}
	return out
}

func TestRender(t *testing.T) {
	cases := []struct {
		name string
		src  string
		math []string // the spans expected, in order
		has  []string // substrings the HTML must hold
		not  []string // substrings it must not hold
	}{
		{
			name: "underscores, braces, norms and line breaks stay verbatim",
			src:  `Let $x_{t-1} = \{a_i\}$ and $\|x\|_2 \\ y_t$ be *given*.`,
			math: []string{`$x_{t-1} = \{a_i\}`, `$\|x\|_2 \\ y_t`},
			has:  []string{"<em>given</em>"},
			not:  []string{"<em>{t-1}", "<em>i"},
		},
		{
			name: "emphasis characters inside maths are not emphasis",
			src:  `*a* and $a*b*c$ and $u_1 + v_1$`,
			math: []string{`$a*b*c`, `$u_1 + v_1`},
			has:  []string{"<em>a</em>"},
			not:  []string{"<em>b</em>"},
		},
		{
			name: "display maths over several lines, with \\boxed and a blank-free body",
			src:  "Hence\n\n$$\n\\boxed{D^\\star_t(x) = \\mathbb E[x_0 \\mid x_t = x]}\n$$\n\nafter.",
			math: []string{"$$\n\\boxed{D^\\star_t(x) = \\mathbb E[x_0 \\mid x_t = x]}\n"},
			has:  []string{"<p>after.</p>"},
		},
		{
			name: "display maths inside a list item",
			src:  "1. One step:\n   $$q(x_{t-1} \\mid x_t) \\approx \\exp\\!\\big(a_t\\big).$$\n2. Two.",
			math: []string{"$$q(x_{t-1} \\mid x_t) \\approx \\exp\\!\\big(a_t\\big)."},
			has:  []string{"<ol>", "<li>Two.</li>"},
		},
		{
			name: "fenced code is untouched",
			src:  "```go\nx := \"$a_b$\" // *not* emphasis\n```\n\nand $y$.",
			math: []string{"$y"},
			has:  []string{"x := &quot;$a_b$&quot; // *not* emphasis"},
		},
		{
			name: "code spans are untouched",
			src:  "Run `echo $HOME_DIR $x$` then $z$.",
			math: []string{"$z"},
			has:  []string{"<code>echo $HOME_DIR $x$</code>"},
		},
		{
			name: "escaped and currency dollars are text",
			src:  `It costs \$5, or $5 and $6 for two.`,
			math: nil,
			has:  []string{"It costs $5, or $5 and $6 for two."},
		},
		{
			name: "a blank line ends an unclosed inline span",
			src:  "Price $a\n\nb$ here.",
			math: nil,
			has:  []string{"<p>Price $a</p>", "<p>b$ here.</p>"},
		},
		{
			name: "a bar inside maths does not split a table cell",
			src:  "| a | b |\n| --- | --- |\n| $\\|x\\|$ | $p(x \\mid y)$ |\n",
			math: []string{`$\|x\|`, `$p(x \mid y)`},
			has:  []string{"<table>", "<td><span class=\"math inline\">"},
			not:  []string{"<td></td>"},
		},
		{
			name: "punctuation after inline maths is kept with it",
			src:  "the law of $x_t$, then $y$. And $$z$$, done",
			math: []string{"$x_t", "$y", "$$z"},
			has:  []string{`<span class="math-nobr"><span class="math inline">x_t</span>,</span> then`, `<span class="math-nobr"><span class="math inline">y</span>.</span> And`, `<span class="math display">z</span>, done`},
		},
		{
			name: "HTML special characters in maths are escaped",
			src:  `$a < b & c > d$`,
			math: []string{`$a < b & c > d`},
			has:  []string{`a &lt; b &amp; c &gt; d`},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := Render([]byte(c.src), Options{})
			if err != nil {
				t.Fatal(err)
			}
			h := string(d.HTML)
			got := spans(h)
			if strings.Join(got, "\x00") != strings.Join(c.math, "\x00") {
				t.Errorf("maths spans\n got %q\nwant %q\nHTML: %s", got, c.math, h)
			}
			for _, s := range c.has {
				if !strings.Contains(h, s) {
					t.Errorf("HTML lacks %q:\n%s", s, h)
				}
			}
			for _, s := range c.not {
				if strings.Contains(h, s) {
					t.Errorf("HTML holds %q:\n%s", s, h)
				}
			}
			inline, display := 0, 0
			for _, s := range c.math {
				if strings.HasPrefix(s, "$$") {
					display++
				} else {
					inline++
				}
			}
			if d.Inline != inline || d.Display != display {
				t.Errorf("counted %d inline and %d display spans, want %d and %d", d.Inline, d.Display, inline, display)
			}
		})
	}
}

func TestRenderLinks(t *testing.T) {
	src := "See [lesson 2](02-ideal.md#tweedie), [the notebook](../notebooks/02.ipynb) and https://example.org/a.md.\n"
	rewrite := func(dest string) string {
		switch {
		case strings.HasPrefix(dest, "02-ideal.md"):
			return "02-ideal.html" + strings.TrimPrefix(dest, "02-ideal.md")
		case strings.HasSuffix(dest, ".ipynb"):
			return "../../notebooks/" + filepath.Base(dest)
		}
		return dest
	}
	d, err := Render([]byte(src), Options{Link: rewrite})
	if err != nil {
		t.Fatal(err)
	}
	h := string(d.HTML)
	for _, want := range []string{`<a href="02-ideal.html#tweedie">lesson 2</a>`, `<a href="../../notebooks/02.ipynb">the notebook</a>`, "https://example.org/a.md"} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q:\n%s", want, h)
		}
	}
	if strings.Contains(h, `href="https://example.org`) {
		t.Errorf("a bare URL became a link (only Markdown links are rewritten): %s", h)
	}
}

// TestRenderUnlinks: an empty destination removes the link and keeps its
// text, emphasis and maths included.
func TestRenderUnlinks(t *testing.T) {
	src := "Open [Notebook: *02* with $x_t$](../notebooks/02.ipynb) · [Contents](README.md).\n"
	d, err := Render([]byte(src), Options{Link: func(dest string) string {
		if strings.HasSuffix(dest, ".ipynb") {
			return ""
		}
		return "index.html"
	}})
	if err != nil {
		t.Fatal(err)
	}
	h := string(d.HTML)
	if strings.Contains(h, "ipynb") || strings.Contains(h, `href=""`) || strings.Count(h, "<a ") != 1 {
		t.Errorf("the notebook link was kept: %s", h)
	}
	for _, want := range []string{"Open Notebook: <em>02</em> with ", `<a href="index.html">Contents</a>`} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q:\n%s", want, h)
		}
	}
	if d.Inline != 1 {
		t.Errorf("%d inline maths spans, want the link text's 1", d.Inline)
	}
}

func TestRenderRefusesPlaceholders(t *testing.T) {
	if _, err := Render([]byte("a \uE000 b"), Options{}); err == nil {
		t.Error("text holding the placeholder character rendered without an error")
	}
}

func TestRenderDroppedMaths(t *testing.T) {
	// Raw HTML is omitted by the parser, and the maths in it with it: an
	// error, not a silent loss.
	if _, err := Render([]byte("<div>\n$x$\n</div>\n"), Options{}); err == nil {
		t.Error("maths inside omitted raw HTML vanished without an error")
	}
}

// TestLessons renders every lesson of the course. The lessons write no
// literal dollar, so each $$ of the source opens or closes a display span
// and every other $ an inline one: counting them is an independent check
// of the extraction. No dollar may be left in the HTML outside maths.
func TestLessons(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "lessons", "*.md"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no lessons found: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			d, err := Render(src, Options{})
			if err != nil {
				t.Fatal(err)
			}
			s := string(src)
			double := strings.Count(s, "$$")
			single := strings.Count(s, "$") - 2*double
			if d.Display*2 != double || d.Inline*2 != single {
				t.Errorf("%d display and %d inline spans; the source has %d $$ and %d single $", d.Display, d.Inline, double, single)
			}
			rest := mathSpan.ReplaceAllString(string(d.HTML), "")
			if i := strings.IndexByte(rest, '$'); i >= 0 {
				t.Errorf("a dollar left outside maths: %q", rest[max(0, i-60):min(len(rest), i+60)])
			}
		})
	}
}

func TestSplit(t *testing.T) {
	title, body := SplitTitle([]byte("\n# Lesson 1 — Noise\n\ntext\n## What to look for\nmore\n"))
	if title != "Lesson 1 — Noise" || string(body) != "\ntext\n## What to look for\nmore\n" {
		t.Errorf("SplitTitle = %q, %q", title, body)
	}
	if title, body := SplitTitle([]byte("text\n# Late\n")); title != "" || string(body) != "text\n# Late\n" {
		t.Errorf("SplitTitle took a heading that is not first: %q, %q", title, body)
	}
	before, from, ok := SplitBefore(body, "## What to look for")
	if !ok || string(before) != "\ntext\n" || string(from) != "## What to look for\nmore\n" {
		t.Errorf("SplitBefore = %q, %q, %v", before, from, ok)
	}
	if before, from, ok := SplitBefore(body, "## Exercises"); ok || string(before) != string(body) || from != nil {
		t.Errorf("SplitBefore without the heading = %q, %q, %v", before, from, ok)
	}
}
