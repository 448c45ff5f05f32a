// Pages: several charts in one HTML document, written by this package's own
// template (one div per chart with its own id), so no chart ID is declared
// twice and no JavaScript is built from strings.

package viz

import (
	"bufio"
	"fmt"
	"html/template"
	"io"

	"difftoy/internal/atomicfile"
)

// Page is an HTML document holding text, links and charts, in order.
type Page struct {
	Title string
	// Back, when set, is a link shown above the title (to an index).
	Back *Link
	// Head, when set, is written at the end of the document's head: style
	// sheets and scripts that blocks of HTML need (KaTeX for maths, say).
	Head   template.HTML
	blocks []block
}

type block struct {
	text  string
	links []Link
	chart *Chart
	table *table
	html  *template.HTML
}

type table struct {
	Header []string
	Rows   [][]string
}

// Link is an entry of a list of links (a gallery's index).
type Link struct {
	Text, Href, Note string
}

// NewPage returns an empty page with a title.
func NewPage(title string) *Page { return &Page{Title: title} }

// Add appends charts to the page.
func (p *Page) Add(charts ...*Chart) *Page {
	for _, c := range charts {
		p.blocks = append(p.blocks, block{chart: c})
	}
	return p
}

// Text appends a paragraph of plain text.
func (p *Page) Text(s string) *Page {
	p.blocks = append(p.blocks, block{text: s})
	return p
}

// HTML appends a block of HTML written by the caller (rendered Markdown,
// say), placed in a <div class="difftoy-html">; the caller answers for its
// being safe and well formed.
func (p *Page) HTML(h template.HTML) *Page {
	p.blocks = append(p.blocks, block{html: &h})
	return p
}

// Links appends a list of links.
func (p *Page) Links(l ...Link) *Page {
	p.blocks = append(p.blocks, block{links: l})
	return p
}

// Table appends a table of plain text cells under a header row.
func (p *Page) Table(header []string, rows [][]string) *Page {
	p.blocks = append(p.blocks, block{table: &table{header, rows}})
	return p
}

// Charts returns the page's charts in order.
func (p *Page) Charts() []*Chart {
	var out []*Chart
	for _, b := range p.blocks {
		if b.chart != nil {
			out = append(out, b.chart)
		}
	}
	return out
}

// Size returns the page's size in pixels, near enough to size a frame
// that shows it without scroll bars.
func (p *Page) Size() (w, h int) {
	w, h = 640, 40
	if p.Title != "" {
		h += 50
	}
	for _, b := range p.blocks {
		switch {
		case b.chart != nil:
			w = max(w, b.chart.Width+40)
			h += b.chart.Height + 24
			if b.chart.Caption != "" {
				h += 24 * (1 + len(b.chart.Caption)*8/max(200, b.chart.Width))
			}
		case b.links != nil:
			h += 26 * len(b.links)
		case b.table != nil:
			h += 28 * (1 + len(b.table.Rows))
		case b.html != nil:
			h += 24 * (1 + len(*b.html)/100)
		default:
			h += 24 * (1 + len(b.text)/100)
		}
	}
	return w, h
}

var pageTmpl = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 16px 20px; color: #222; background: #fff; }
h1 { font-size: 22px; font-weight: 600; }
p { max-width: 60em; line-height: 1.45; }
.difftoy-chart { margin: 10px 0 22px; }
.difftoy-chart.has-caption { margin-bottom: 4px; }
.difftoy-caption { margin: 0 0 24px; font-size: 14px; color: #444; line-height: 1.4; }
li { margin: 4px 0; }
nav { font-size: 14px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 14px; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: left; vertical-align: top; }
</style>
{{if .N}}{{if .Inline}}<script>{{.Inline}}</script>{{else}}<script src="{{.Src}}"></script>{{end}}{{end}}
<script>
window.difftoy = { charts: {{.N}}, drawn: 0, times: [], draw: [], setOption: [] };
function difftoyDraw(id, option) {
  var el = document.getElementById(id);
  if (typeof echarts === 'undefined') {
    el.textContent = 'This chart needs echarts, which did not load.';
    console.error('difftoy: echarts did not load');
    return;
  }
  var t0 = performance.now();
  var c = echarts.init(el, null, { renderer: 'canvas' });
  var done = false;
  c.on('finished', function () {
    if (done) { return; }
    done = true;
    var now = performance.now();
    window.difftoy.times.push(now);
    window.difftoy.draw.push(now - t0);
    window.difftoy.drawn++;
  });
  c.setOption(option);
  window.difftoy.setOption.push(performance.now() - t0);
}
// difftoyFit scales a chart wider than the page down to the page's width
// (a CSS transform, which echarts' pointer handling follows), so a narrow
// window reads the prose without scrolling sideways.
function difftoyFit() {
  var avail = document.body.clientWidth;
  document.querySelectorAll('.difftoy-chart').forEach(function (el) {
    var w = parseFloat(el.style.width), h = parseFloat(el.style.height), s = Math.min(1, avail / w);
    el.style.transformOrigin = '0 0';
    el.style.transform = s < 1 ? 'scale(' + s + ')' : '';
    el.style.marginRight = s < 1 ? (w * (s - 1)) + 'px' : '';
    if (el.dataset.margin === undefined) { el.dataset.margin = getComputedStyle(el).marginBottom; } // the style sheet's
    el.style.marginBottom = s < 1 ? 'calc(' + (h * (s - 1)) + 'px + ' + el.dataset.margin + ')' : '';
  });
}
</script>
{{.Head}}</head>
<body>
{{with .Back}}<nav><a href="{{.Href}}">← {{.Text}}</a></nav>{{end}}
{{if .Heading}}<h1>{{.Title}}</h1>{{end}}
{{range .Blocks}}{{if .Chart}}<div class="difftoy-chart{{if .Caption}} has-caption{{end}}" id="{{.ID}}" style="width:{{.W}}px;height:{{.H}}px"></div>
{{if .Caption}}<p class="difftoy-caption" id="{{.ID}}-caption" style="max-width:{{.W}}px">{{.Caption}}</p>
{{end}}<script>difftoyDraw({{.ID}}, {{.Option}});</script>
{{else if .Table}}<table><tr>{{range .Table.Header}}<th>{{.}}</th>{{end}}</tr>{{range .Table.Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>{{end}}</table>
{{else if .IsHTML}}<div class="difftoy-html">{{.HTML}}</div>
{{else if .Links}}<ul>{{range .Links}}<li><a href="{{.Href}}">{{.Text}}</a>{{if .Note}}: {{.Note}}{{end}}</li>{{end}}</ul>
{{else}}<p>{{.Text}}</p>
{{end}}{{end}}{{if .N}}<script>difftoyFit(); window.addEventListener('resize', difftoyFit);</script>
{{end}}</body>
</html>
`))

type tmplBlock struct {
	Chart  bool
	ID     string
	W, H   int
	Option template.JS
	// Caption is the chart's caption (plain text).
	Caption string
	Text    string
	Links   []Link
	Table   *table
	IsHTML  bool
	HTML    template.HTML
}

// Render writes the page as a self-contained HTML document that loads
// echarts as a says (a page without charts loads none).
func (p *Page) Render(w io.Writer, a Assets) error {
	data := struct {
		Title   string
		Back    *Link
		Heading bool // false when the first block is a chart of the same title
		Inline  template.JS
		Src     string
		Head    template.HTML
		N       int
		Blocks  []tmplBlock
	}{Title: p.Title, Back: p.Back, Inline: template.JS(a.Script), Src: a.Src, Head: p.Head}
	data.Heading = p.Title != "" && !(len(p.blocks) > 0 && p.blocks[0].chart != nil && p.blocks[0].chart.Title == p.Title)
	for _, b := range p.blocks {
		switch {
		case b.chart != nil:
			data.N++
			js, err := b.chart.JSON()
			if err != nil {
				return fmt.Errorf("viz: chart %q: %w", b.chart.Title, err)
			}
			data.Blocks = append(data.Blocks, tmplBlock{Chart: true, ID: fmt.Sprintf("difftoy-chart-%d", data.N),
				W: b.chart.Width, H: b.chart.Height, Option: template.JS(js), Caption: b.chart.Caption})
		case b.links != nil:
			data.Blocks = append(data.Blocks, tmplBlock{Links: b.links})
		case b.table != nil:
			data.Blocks = append(data.Blocks, tmplBlock{Table: b.table})
		case b.html != nil:
			data.Blocks = append(data.Blocks, tmplBlock{IsHTML: true, HTML: *b.html})
		default:
			data.Blocks = append(data.Blocks, tmplBlock{Text: b.text})
		}
	}
	if data.N > 0 && a.Script == nil && a.Src == "" {
		return fmt.Errorf("viz: page %q: no echarts assets (use Inline or Shared)", p.Title)
	}
	bw := bufio.NewWriter(w)
	if err := pageTmpl.Execute(bw, data); err != nil {
		return fmt.Errorf("viz: page %q: %w", p.Title, err)
	}
	return bw.Flush()
}

// WriteFile renders the page into the file at path, atomically: a failed
// write leaves the old file (or none), never a truncated page.
func (p *Page) WriteFile(path string, a Assets) error {
	return atomicfile.Write(path, func(w io.Writer) error { return p.Render(w, a) })
}
