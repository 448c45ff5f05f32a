// Where pages get KaTeX from: the copy embedded in the module, written once
// into a folder the pages share.

package mdmath

import (
	"fmt"
	"html"
	"html/template"
	"path/filepath"

	"difftoy/internal/assets"
)

// KaTeXVersion is the KaTeX release the pages load: the one embedded in
// the module, which the repository's package.json pins.
const KaTeXVersion = assets.KaTeXVersion

// Assets says where a page loads KaTeX from: Base is the folder (relative
// to the page, ending in /) holding katex.min.js, katex.min.css and fonts/.
type Assets struct {
	Base string
}

// Shared writes KaTeX (script, style sheet, WOFF2 fonts and licence) into
// assetDir/katex (once: files already there with the same bytes are left
// alone) and returns Assets that load it from pages written into pageDir,
// by a relative path that works from file:// as from a web server.
func Shared(pageDir, assetDir string) (Assets, error) {
	dir, err := assets.Write(assetDir, assets.KaTeX)
	if err != nil {
		return Assets{}, fmt.Errorf("mdmath: writing KaTeX: %w", err)
	}
	p, err := filepath.Abs(pageDir)
	if err == nil {
		dir, err = filepath.Abs(dir)
	}
	if err == nil {
		dir, err = filepath.Rel(p, dir)
	}
	if err != nil {
		return Assets{}, fmt.Errorf("mdmath: %w", err)
	}
	return Assets{Base: filepath.ToSlash(dir) + "/"}, nil
}

// Head returns the elements a page's head needs to show the maths of
// Render's HTML: KaTeX's style sheet and script, the script that renders
// every maths span once the document is parsed, and the style of the text.
// window.difftoyMath reports the outcome: {total, rendered, failed, done}.
func (a Assets) Head() template.HTML {
	b := html.EscapeString(a.Base)
	return template.HTML(`<link rel="stylesheet" href="` + b + `katex.min.css">
<script defer src="` + b + `katex.min.js"></script>
<script>` + renderScript + `</script>
<style>` + style + `</style>
`)
}

// renderScript renders every maths span with katex.render (deferred
// scripts run before DOMContentLoaded).
const renderScript = `
window.difftoyMath = { total: 0, rendered: 0, failed: 0, done: false };
document.addEventListener('DOMContentLoaded', function () {
  var m = window.difftoyMath;
  var els = document.querySelectorAll('span.math');
  m.total = els.length;
  if (els.length > 0 && typeof katex === 'undefined') {
    console.error('difftoy: KaTeX did not load; the maths shows as TeX source');
    m.done = true;
    return;
  }
  els.forEach(function (el) {
    var tex = el.textContent;
    try {
      katex.render(tex, el, { displayMode: el.classList.contains('display'), throwOnError: true });
      m.rendered++;
    } catch (e) {
      m.failed++;
      el.classList.add('katex-error');
      el.title = String(e.message || e);
      console.error('difftoy: maths did not render: ' + (e.message || e) + ' in: ' + tex);
    }
  });
  m.done = true;
});
`

// style sets the lesson text for reading: a measure of about 80
// characters, display maths that scroll sideways rather than overflow.
const style = `
.difftoy-html { max-width: 52em; line-height: 1.5; font-size: 16px; }
.difftoy-html p, .difftoy-html li { max-width: 52em; }
.difftoy-html h2 { font-size: 19px; margin-top: 1.6em; border-bottom: 1px solid #e4e4e4; padding-bottom: 3px; }
.difftoy-html h3 { font-size: 17px; margin-top: 1.3em; }
.difftoy-html code { background: #f4f4f4; padding: 0 3px; border-radius: 3px; font-size: 0.92em; }
.difftoy-html pre { background: #f6f6f6; padding: 8px 12px; overflow-x: auto; }
.difftoy-html pre code { background: none; padding: 0; }
.difftoy-html blockquote { margin: 0 0 0 4px; padding-left: 12px; border-left: 3px solid #ddd; color: #444; }
.difftoy-html table { font-size: 15px; }
.difftoy-html .katex { font-size: 1.08em; }
.difftoy-html .katex-display { overflow-x: auto; overflow-y: hidden; padding: 2px 0; }
.math-nobr { white-space: nowrap; }
.math.katex-error { color: #b00; font-family: monospace; }
`
