// Package nb shows difftoy's charts inline in Jupyter notebooks run by the
// GoNB kernel, and shows progress of long cells in a display that updates
// in place. It is the only package of the module that imports gonbui, so
// nothing else pulls the kernel's client in.
//
// A chart is shown as a page of package viz placed in an
// <iframe srcdoc="...">. The page runs in its own document, so it works in
// the classic notebook (where RequireJS would otherwise capture echarts as
// an AMD module and leave window.echarts unset), in JupyterLab, and in
// nbconvert's HTML export, which keeps the output HTML as it is.
//
// echarts (about 1 MB) is carried once per notebook, not once per chart:
// the first chart shown since the kernel started carries its source in a
// <script type="text/plain"> element (Carrier) beside its frame, and every
// frame (Frame) runs that source in its own document, found in the
// notebook page through window.parent (a srcdoc frame without a sandbox
// has its parent's origin). A marker file in GoNB's per-kernel folder
// ($GONB_TMP_DIR) records that the carrier was sent. A saved notebook thus
// holds one copy of echarts, and so does its nbconvert HTML. The cost: the
// output that carried echarts must stay in the notebook. Rerunning that
// cell replaces it by a frame without the library; the charts still draw
// in the open page (the first frame to load kept the source in the page's
// window), but the saved notebook then draws none, and each frame says to
// restart the kernel and run all cells, which puts the carrier back.
package nb

import (
	"errors"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
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

// ShowPage displays a page inline in a frame sized to hold it; the first
// display since the kernel started also carries echarts (see the package
// comment).
func ShowPage(p *viz.Page) error {
	if !gonbui.IsNotebook {
		return ErrNotNotebook
	}
	marker := markerPath()
	carry := true
	if marker != "" {
		if _, err := os.Stat(marker); err == nil {
			carry = false
		}
	}
	s, err := Frame(p)
	if err != nil {
		return err
	}
	if carry {
		c, err := Carrier()
		if err != nil {
			return err
		}
		s = c + s
	}
	return send(s, carry, marker, gonbui.DisplayHTML)
}

// send shows the HTML s through show (a new display, or an update of one)
// and records that echarts was carried when carry is set.
func send(s string, carry bool, marker string, show func(string)) error {
	show(s)
	// Wait until GoNB has taken the display: a large message still in the
	// pipe when the cell's program exits is dropped without an error.
	gonbui.Sync()
	if err := gonbui.Error(); err != nil {
		return err
	}
	if carry && marker != "" {
		if err := os.WriteFile(marker, nil, 0o644); err != nil {
			return fmt.Errorf("nb: %w", err)
		}
	}
	return nil
}

// markerPath is the file that says echarts was carried since the kernel
// started, or "" outside GoNB's per-kernel folder (then every display
// carries it).
func markerPath() string {
	dir := os.Getenv("GONB_TMP_DIR")
	if dir == "" {
		return ""
	}
	return filepath.Join(dir, "difftoy-echarts-"+viz.EChartsVersion+".sent")
}

// carrierID is the id of the element that holds echarts' source in the
// notebook page, and the name under which a frame keeps that source in the
// page's window.
const carrierID = "difftoy-echarts-" + viz.EChartsVersion

// Carrier returns the element that carries echarts' source in a notebook
// page: <script type="text/plain" id="difftoy-echarts-VERSION">, which the
// browser keeps as text and does not run.
func Carrier() (string, error) {
	src := string(viz.Inline().Script)
	// In a script element only "</script" ends the text, and "<!--" can
	// change how the parser looks for it; echarts has neither.
	low := strings.ToLower(src)
	if strings.Contains(low, "</script") || strings.Contains(low, "<!--") {
		return "", errors.New("nb: echarts' source contains </script or <!-- and cannot be carried in a script element")
	}
	return `<script type="text/plain" id="` + carrierID + `">` + src + `</script>`, nil
}

// loader is the script a frame runs instead of echarts itself: it finds
// the carried source in the nearest enclosing page (the element, or the
// copy an earlier frame kept on that page's window) and runs it in the
// frame's own document.
const loader = `(function () {
  var id = '` + carrierID + `', src = '', w = window, inPage = false;
  try {
    while (!src && w !== w.parent) {
      w = w.parent;
      var el = w.document.getElementById(id);
      if (el) {
        src = el.textContent;
        inPage = true;
        w[id] = src;
      } else if (typeof w[id] === 'string') {
        src = w[id];
      }
    }
  } catch (e) {
    console.error('difftoy: cannot read the notebook page: ' + e);
  }
  if (!src) {
    var note = 'This chart gets echarts from the first chart shown since the kernel started, and that output is not in this page: restart the kernel and run all cells.';
    console.error('difftoy: ' + note);
    document.addEventListener('DOMContentLoaded', function () {
      var p = document.createElement('p');
      p.textContent = note;
      p.style.color = '#b00';
      document.body.insertBefore(p, document.body.firstChild);
    });
    return;
  }
  if (!inPage) {
    console.warn('difftoy: the output that carried echarts is gone from this page; the charts draw now, but the saved notebook will draw none until the kernel is restarted and all cells are run');
  }
  var s = document.createElement('script');
  s.text = src;
  document.head.appendChild(s);
})();
`

// Frame returns the <iframe srcdoc> element that shows page p with echarts
// taken from the notebook page (from a Carrier shown earlier).
func Frame(p *viz.Page) (string, error) {
	return frame(p, viz.Assets{Script: []byte(loader)}, "")
}

// IFrame returns the <iframe srcdoc> element that shows page p on its own,
// loading echarts as a says (inline it: a frame's srcdoc resolves no
// relative path), sandboxed: it needs nothing from the page around it.
func IFrame(p *viz.Page, a viz.Assets) (string, error) {
	return frame(p, a, ` sandbox="allow-scripts"`)
}

func frame(p *viz.Page, a viz.Assets, attrs string) (string, error) {
	var b strings.Builder
	if err := p.Render(&b, a); err != nil {
		return "", err
	}
	w, h := p.Size()
	return fmt.Sprintf(`<iframe srcdoc="%s" title="%s" style="border:none;width:%dpx;max-width:100%%;height:%dpx"%s></iframe>`,
		html.EscapeString(b.String()), html.EscapeString(p.Title), w, h, attrs), nil
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
