// Package nb shows difftoy's charts inline in Jupyter notebooks run by the
// GoNB kernel, and shows progress of long cells in a display that updates
// in place. It is the only package of the module that imports gonbui, so
// nothing else pulls the kernel's client in.
//
// A chart is shown as the same self-contained page that viz writes to a
// file (echarts inlined), placed in an <iframe srcdoc="...">. The page runs
// in its own document, so it works in the classic notebook (where
// RequireJS would otherwise capture echarts as an AMD module and leave
// window.echarts unset), in JupyterLab, and in nbconvert's HTML export,
// which keeps the output HTML as it is. Each display carries echarts
// (about 1 MB) in the saved notebook.
package nb

import (
	"errors"
	"fmt"
	"html"
	"io"
	"os"
	"strings"
	"time"

	"github.com/janpfeifer/gonb/gonbui"

	"difftoy/viz"
)

// ErrNotNotebook is returned by Show and ShowPage outside a GoNB kernel.
var ErrNotNotebook = errors.New("nb: not running in a GoNB notebook (nothing shown)")

// Show displays the charts inline, one under the other, as one page.
func Show(charts ...*viz.Chart) error {
	title := ""
	if len(charts) > 0 {
		title = charts[0].Title
	}
	return ShowPage(viz.NewPage(title).Add(charts...))
}

// ShowPage displays a page inline in a frame sized to hold it.
func ShowPage(p *viz.Page) error {
	if !gonbui.IsNotebook {
		return ErrNotNotebook
	}
	s, err := IFrame(p, viz.Inline())
	if err != nil {
		return err
	}
	gonbui.DisplayHTML(s)
	// Wait until GoNB has taken the display: a large message still in the
	// pipe when the cell's program exits is dropped without an error.
	gonbui.Sync()
	return gonbui.Error()
}

// IFrame returns the <iframe srcdoc> element that shows page p, loading
// echarts as a says (inline it: a frame's srcdoc resolves no relative path).
func IFrame(p *viz.Page, a viz.Assets) (string, error) {
	var b strings.Builder
	if err := p.Render(&b, a); err != nil {
		return "", err
	}
	w, h := p.Size()
	return fmt.Sprintf(`<iframe srcdoc="%s" title="%s" style="border:none;width:%dpx;max-width:100%%;height:%dpx" sandbox="allow-scripts"></iframe>`,
		html.EscapeString(b.String()), html.EscapeString(p.Title), w, h), nil
}

// Progress is a progress display for a long cell: a bar that updates in
// place in a notebook, and a line rewritten on Out (standard error by
// default) anywhere else, so the same code reports progress in both.
type Progress struct {
	Title string
	Total int
	Out   io.Writer // used outside a notebook; nil: os.Stderr

	id   string
	last time.Time
}

// NewProgress returns a progress display of total steps.
func NewProgress(title string, total int) *Progress {
	return &Progress{Title: title, Total: total, id: "difftoy-progress-" + gonbui.UniqueId()}
}

// minGap limits the updates sent to the notebook (each is a message to
// the front end) to about ten a second; the last one is always sent.
const minGap = 100 * time.Millisecond

// Set shows that done of Total steps are finished, with a short note.
func (p *Progress) Set(done int, note string) {
	now := time.Now()
	if done < p.Total && now.Sub(p.last) < minGap {
		return
	}
	p.last = now
	if gonbui.IsNotebook {
		gonbui.UpdateHTML(p.id, p.html(done, note))
		return
	}
	out := p.Out
	if out == nil {
		out = os.Stderr
	}
	end := ""
	if done >= p.Total {
		end = "\n"
	}
	fmt.Fprintf(out, "\r%s: %d/%d %s\x1b[K%s", p.Title, done, p.Total, note, end)
}

// Func returns Set as a callback of the form the course functions take.
func (p *Progress) Func() func(done, total int, note string) {
	return func(done, total int, note string) {
		p.Total = total
		p.Set(done, note)
	}
}

func (p *Progress) html(done int, note string) string {
	return fmt.Sprintf(`<div style="font-family:sans-serif;font-size:13px">%s <progress value="%d" max="%d" style="width:240px;vertical-align:middle"></progress> %d/%d %s</div>`,
		html.EscapeString(p.Title), done, max(p.Total, 1), done, p.Total, html.EscapeString(note))
}
