// Where pages get KaTeX from: a copy beside the pages from the npm package,
// or (when none exists) the public CDN.

package mdmath

import (
	"errors"
	"fmt"
	"html"
	"html/template"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"difftoy/internal/findup"
)

// KaTeXVersion is the KaTeX release the pages are written for; the
// repository's package.json pins the same one.
const KaTeXVersion = "0.16.22"

// KaTeXEnv names the environment variable that may hold the path of
// KaTeX's dist folder (holding katex.min.js, katex.min.css and fonts/); it
// wins over the search of FindKaTeX.
const KaTeXEnv = "DIFFTOY_KATEX"

// CDN is the folder pages load KaTeX from when no local copy exists.
const CDN = "https://cdn.jsdelivr.net/npm/katex@" + KaTeXVersion + "/dist/"

// ErrNoKaTeX reports that no local KaTeX was found.
var ErrNoKaTeX = errors.New("mdmath: KaTeX not found (run `npm ci` at the module root, or set " + KaTeXEnv + ")")

var katexRel = filepath.Join("node_modules", "katex", "dist")

// FindKaTeX returns the path of a local KaTeX dist folder: the one named by
// $DIFFTOY_KATEX, else node_modules/katex/dist in the working directory or
// the nearest parent that has one, stopping at the module root (the
// directory holding go.mod).
func FindKaTeX() (string, error) {
	if p := os.Getenv(KaTeXEnv); p != "" {
		if err := isKaTeX(p); err != nil {
			return "", fmt.Errorf("mdmath: %s=%s: %w", KaTeXEnv, p, err)
		}
		return p, nil
	}
	p, ok, err := findup.Find(katexRel)
	if err != nil {
		return "", fmt.Errorf("mdmath: looking for KaTeX: %w", err)
	}
	if !ok {
		return "", ErrNoKaTeX
	}
	if err := isKaTeX(p); err != nil {
		return "", fmt.Errorf("mdmath: %s: %w", p, err)
	}
	return p, nil
}

// isKaTeX checks that dir holds what the pages load.
func isKaTeX(dir string) error {
	for _, f := range []string{"katex.min.js", "katex.min.css", "fonts"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return fmt.Errorf("not a KaTeX dist folder: %w", err)
		}
	}
	return nil
}

// Assets says where a page loads KaTeX from: Base is the folder (relative
// to the page, or a URL ending in /) holding katex.min.js, katex.min.css and
// fonts/.
type Assets struct {
	Base string
}

// Beside copies the local KaTeX (script, style sheet and fonts) into
// dir/katex and returns Assets that load it from there.
func Beside(dir string) (Assets, error) {
	src, err := FindKaTeX()
	if err != nil {
		return Assets{}, err
	}
	dst := filepath.Join(dir, "katex")
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		switch {
		case d.IsDir() && (rel == "." || rel == "fonts"):
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		case d.IsDir():
			return filepath.SkipDir
		case rel == "katex.min.js" || rel == "katex.min.css" || filepath.Dir(rel) == "fonts":
			return copyFile(filepath.Join(dst, rel), p)
		}
		return nil
	})
	if err != nil {
		return Assets{}, fmt.Errorf("mdmath: copying KaTeX: %w", err)
	}
	return Assets{Base: "katex/"}, nil
}

func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

var cdnOnce sync.Once

// Warn is where the one-time CDN warning goes; tests may replace it.
var Warn io.Writer = os.Stderr

// BesideOrCDN is Beside; when no local KaTeX is found (ErrNoKaTeX) it
// returns the CDN instead, saying so once on Warn: such pages need a
// network to show their maths. Other errors are returned.
func BesideOrCDN(dir string) (Assets, error) {
	a, err := Beside(dir)
	if errors.Is(err, ErrNoKaTeX) {
		cdnOnce.Do(func() {
			fmt.Fprintf(Warn, "%v; pages load KaTeX from %s and need a network to show their maths\n", err, CDN)
		})
		return Assets{Base: CDN}, nil
	}
	return a, err
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
