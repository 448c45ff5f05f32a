package mdmath

import (
	"bytes"
	"fmt"
	"html"
	"html/template"
	"strconv"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Options are the options of Render.
type Options struct {
	// Link, when not nil, rewrites the destination of every Markdown link
	// (not of bare URLs, which stay as written). An empty destination
	// removes the link and keeps its text.
	Link func(dest string) string
}

// Doc is a rendered Markdown document.
type Doc struct {
	// HTML is the document's body.
	HTML template.HTML
	// Inline and Display count its maths spans.
	Inline, Display int
}

// Placeholders stand for a maths span while the Markdown parser runs:
// private-use characters, which mean nothing to Markdown and are not
// letters of any text.
const (
	phOpen  = '\uE000'
	phClose = '\uE001'
)

type span struct {
	tex     string
	display bool
}

// Render converts Markdown (CommonMark with GitHub's tables) holding $...$
// and $$...$$ maths to HTML, as the package documentation describes.
func Render(src []byte, o Options) (Doc, error) {
	if bytes.ContainsAny(src, string([]rune{phOpen, phClose})) {
		return Doc{}, fmt.Errorf("mdmath: the text holds U+E000 or U+E001, which Render uses as placeholders")
	}
	cut, spans := extract(string(src))
	opts := []parser.Option{}
	if o.Link != nil {
		opts = append(opts, parser.WithASTTransformers(util.Prioritized(linkRewriter(o.Link), 100)))
	}
	md := goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough), goldmark.WithParserOptions(opts...))
	var buf bytes.Buffer
	if err := md.Convert([]byte(cut), &buf); err != nil {
		return Doc{}, fmt.Errorf("mdmath: %w", err)
	}
	out, d, err := restore(buf.String(), spans)
	if err != nil {
		return Doc{}, err
	}
	d.HTML = template.HTML(out)
	return d, nil
}

// restore puts each span back in place of its placeholder.
func restore(s string, spans []span) (string, Doc, error) {
	var b strings.Builder
	var d Doc
	used := make([]bool, len(spans))
	for {
		i := strings.IndexRune(s, phOpen)
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		s = s[i+len(string(phOpen)):]
		j := strings.IndexRune(s, phClose)
		n, err := strconv.Atoi(s[:max(j, 0)])
		if j < 0 || err != nil || n >= len(spans) || used[n] {
			return "", Doc{}, fmt.Errorf("mdmath: a maths placeholder was broken by the Markdown parser")
		}
		used[n] = true
		s = s[j+len(string(phClose)):]
		class := "math inline"
		if spans[n].display {
			class = "math display"
			d.Display++
		} else {
			d.Inline++
		}
		// Punctuation right after inline maths stays on its line: a
		// formula's box would otherwise allow a break before the comma.
		p := 0
		for !spans[n].display && p < len(s) && strings.IndexByte(".,;:!?)", s[p]) >= 0 {
			p++
		}
		if p > 0 {
			fmt.Fprintf(&b, `<span class="math-nobr"><span class="%s">%s</span>%s</span>`, class, html.EscapeString(spans[n].tex), s[:p])
			s = s[p:]
		} else {
			fmt.Fprintf(&b, `<span class="%s">%s</span>`, class, html.EscapeString(spans[n].tex))
		}
	}
	for n, ok := range used {
		if !ok {
			return "", Doc{}, fmt.Errorf("mdmath: maths span %q was dropped by the Markdown parser (inside raw HTML or an attribute?)", spans[n].tex)
		}
	}
	return b.String(), d, nil
}

// extract replaces the maths spans of a Markdown source by placeholders.
func extract(src string) (string, []span) {
	var b strings.Builder
	var spans []span
	put := func(tex string, display bool) {
		fmt.Fprintf(&b, "%c%d%c", phOpen, len(spans), phClose)
		spans = append(spans, span{tex, display})
	}
	fenced := fences(src)
	i := 0
	for i < len(src) {
		if end, ok := fenced[i]; ok { // a fenced code block: copied as is
			b.WriteString(src[i:end])
			i = end
			continue
		}
		c := src[i]
		switch {
		case c == '\\' && i+1 < len(src):
			b.WriteString(src[i : i+2])
			i += 2
		case c == '`':
			n := run(src, i, '`')
			if end := closeTicks(src, i+n, n); end >= 0 {
				b.WriteString(src[i:end])
				i = end
			} else {
				b.WriteString(src[i : i+n])
				i += n
			}
		case c == '$' && strings.HasPrefix(src[i:], "$$"):
			if j := strings.Index(src[i+2:], "$$"); j >= 0 {
				put(src[i+2:i+2+j], true)
				i += 2 + j + 2
			} else {
				b.WriteString("$$")
				i += 2
			}
		case c == '$':
			if end := closeDollar(src, i+1); end >= 0 {
				put(src[i+1:end], false)
				i = end + 1
			} else {
				b.WriteByte('$')
				i++
			}
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), spans
}

// run returns the length of the run of c starting at i.
func run(s string, i int, c byte) int {
	n := 0
	for i+n < len(s) && s[i+n] == c {
		n++
	}
	return n
}

// closeTicks returns the end of the backtick run of exactly n that closes a
// code span opened before i, or -1.
func closeTicks(s string, i, n int) int {
	for i < len(s) {
		j := strings.IndexByte(s[i:], '`')
		if j < 0 {
			return -1
		}
		i += j
		m := run(s, i, '`')
		if m == n {
			return i + m
		}
		i += m
	}
	return -1
}

func space(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// closeDollar returns the index of the $ closing an inline span whose TeX
// starts at i, or -1: the TeX is not empty, does not start or end with a
// space, holds no blank line, and no digit follows the closing $.
func closeDollar(s string, i int) int {
	if i >= len(s) || space(s[i]) || s[i] == '$' {
		return -1
	}
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++ // \$ and \\ inside TeX
		case '\n':
			if k := j + 1 + run(s, j+1, ' '); k >= len(s) || s[k] == '\n' {
				return -1 // a blank line ends the paragraph
			}
		case '$':
			if space(s[j-1]) {
				continue
			}
			if j+1 < len(s) && s[j+1] >= '0' && s[j+1] <= '9' {
				continue
			}
			return j
		}
	}
	return -1
}

// fences maps the start of every fenced code block (``` or ~~~, closed by a
// fence of the same character at least as long, or by the end of the text)
// to its end.
func fences(s string) map[int]int {
	out := map[int]int{}
	start, char, n := -1, byte(0), 0
	for i := 0; i < len(s); {
		end := strings.IndexByte(s[i:], '\n')
		if end < 0 {
			end = len(s)
		} else {
			end += i + 1
		}
		line := strings.TrimLeft(s[i:end], " \t")
		if len(line) > 0 && (line[0] == '`' || line[0] == '~') {
			if m := run(line, 0, line[0]); m >= 3 {
				switch {
				case start < 0:
					start, char, n = i, line[0], m
				case line[0] == char && m >= n && strings.TrimSpace(line[m:]) == "":
					out[start] = end
					start = -1
				}
			}
		}
		i = end
	}
	if start >= 0 {
		out[start] = len(s)
	}
	return out
}

// linkRewriter applies f to every link's destination; a link whose new
// destination is empty is replaced by its text.
type linkRewriter func(string) string

func (f linkRewriter) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	var unlink []*ast.Link
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if l, ok := n.(*ast.Link); ok && entering {
			dest := f(string(l.Destination))
			if dest == "" {
				unlink = append(unlink, l)
			}
			l.Destination = []byte(dest)
		}
		return ast.WalkContinue, nil
	})
	for _, l := range unlink {
		parent := l.Parent()
		for c := l.FirstChild(); c != nil; c = l.FirstChild() {
			l.RemoveChild(l, c)
			parent.InsertBefore(parent, l, c)
		}
		parent.RemoveChild(parent, l)
	}
}
