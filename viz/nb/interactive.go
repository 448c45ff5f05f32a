// Interactive charts: controls (sliders, drop-down lists) above a chart
// that is redrawn in place when one moves.

package nb

import (
	"errors"
	"fmt"
	"html"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/comms"
	"github.com/janpfeifer/gonb/gonbui/dom"
	"github.com/janpfeifer/gonb/gonbui/widgets"

	"difftoy/viz"
)

// Control is one input of an interactive chart: a slider over a list of
// positions, or a drop-down list. Its current position is read, inside
// the redraw function given to Interactive, with Index, Int, Float or
// String.
type Control struct {
	Label  string
	names  []string  // what each position shows
	values []float64 // Float of each position (nil for a drop-down list)
	min    int       // Int of position 0 (IntSlider)
	pos    int
	choice bool // a drop-down list
}

// IntSlider is a slider over the integers min..max, starting at value.
func IntSlider(label string, min, max, value int) *Control {
	c := &Control{Label: label, min: min, pos: value - min}
	for v := min; v <= max; v++ {
		c.names = append(c.names, strconv.Itoa(v))
		c.values = append(c.values, float64(v))
	}
	return c
}

// Slider is a slider over the given values, starting at position start.
func Slider(label string, values []float64, start int) *Control {
	c := &Control{Label: label, pos: start, values: append([]float64(nil), values...)}
	for _, v := range values {
		c.names = append(c.names, strconv.FormatFloat(v, 'g', 4, 64))
	}
	return c
}

// Select is a drop-down list of the given options, starting at position start.
func Select(label string, options []string, start int) *Control {
	return &Control{Label: label, pos: start, names: append([]string(nil), options...), choice: true}
}

// Index is the control's current position (0 for the first value or option).
func (c *Control) Index() int { return c.pos }

// Int is the current value of an IntSlider (min + position).
func (c *Control) Int() int { return c.min + c.pos }

// Float is the current value of a Slider or IntSlider; a drop-down list
// has none (it panics: use Index or String).
func (c *Control) Float() float64 {
	if c.values == nil {
		panic("nb.Control.Float: " + c.Label + " is a drop-down list: use Index or String")
	}
	return c.values[c.pos]
}

// String is the current value or option as the control shows it.
func (c *Control) String() string { return c.names[c.pos] }

// check says what is wrong with the control, in words.
func (c *Control) check() error {
	switch {
	case len(c.names) < 2:
		return fmt.Errorf("nb: control %q has %d positions, want at least 2", c.Label, len(c.names))
	case c.pos < 0 || c.pos >= len(c.names):
		return fmt.Errorf("nb: control %q starts at position %d, outside 0..%d", c.Label, c.pos, len(c.names)-1)
	}
	return nil
}

// state is the controls' settings as one line, "t=300 class=1": the
// frame's data-controls attribute, so a reader (or a test) sees which
// settings the chart shows.
func state(controls []*Control) string {
	parts := make([]string, len(controls))
	for i, c := range controls {
		parts[i] = c.Label + "=" + c.String()
	}
	return strings.Join(parts, " ")
}

// LiveWait is how long Interactive waits for the notebook page to answer
// its first control before taking the notebook for one run without a page
// (jupyter nbconvert --execute), where the chart stays as first drawn.
// GoNB gives the page 3 s to connect; Interactive tries again within
// LiveWait when a connection fails.
var LiveWait = 15 * time.Second

// StaticEnv names the environment variable that, set to anything but
// "", makes Interactive draw once and show no controls at once, without
// waiting LiveWait for a page: for headless runs (the notebook tests and
// scripts/notebooks.sh run set it). Such a run that does not set it still
// falls back to the static chart, after LiveWait, but the kernel leaves
// in the notebook its script that tries to connect to a page (GoNB
// erases it only once a page connects).
const StaticEnv = "DIFFTOY_STATIC"

// Idle ends an interactive cell after this long without a control moving,
// so a forgotten cell does not hold the kernel for ever.
var Idle = 20 * time.Minute

// ErrNoControls is returned by Interactive when it is given no control.
var ErrNoControls = errors.New("nb: Interactive needs at least one control")

// Interactive draws the charts that redraw returns for the controls'
// starting positions and, in a notebook open in a browser, shows the
// controls above them with a Done button: each move of a control redraws
// the charts in place (the latest position only, when moves come faster
// than drawing). The cell keeps running, so that it can redraw, until
// Done is clicked, the kernel is interrupted, or nothing moves for Idle;
// the last chart stays in the notebook. Without a page to answer (a run by
// jupyter nbconvert) it returns at once when StaticEnv is set, else after
// LiveWait, leaving the first chart, which the saved notebook shows as a
// static chart.
//
// A redraw that fails in the middle of a session shows its error in place
// of the chart and the session goes on; a failure of the first drawing is
// returned.
func Interactive(redraw func() ([]*viz.Chart, error), controls ...*Control) error {
	if len(controls) == 0 {
		return ErrNoControls
	}
	for _, c := range controls {
		if err := c.check(); err != nil {
			return err
		}
	}
	charts, err := redraw()
	if err != nil {
		return err
	}
	if !gonbui.IsNotebook {
		return ErrNotNotebook
	}
	// The carrier of echarts, when this is the first chart since the
	// kernel started, gets its own output: updates replace the chart's
	// output and would drop it.
	marker := markerPath()
	if carryNeeded(marker) {
		c, err := Carrier()
		if err != nil {
			return err
		}
		if err := send(c, true, marker, gonbui.DisplayHTML); err != nil {
			return err
		}
	}
	static := os.Getenv(StaticEnv) != ""
	row := ""
	if !static {
		row = dom.CreateTransientDiv()
	}
	id := "difftoy-interactive-" + gonbui.UniqueId()
	show := func(s string) { gonbui.UpdateHTML(id, s) }
	first, err := interactiveHTML(charts, controls)
	if err != nil {
		return err
	}
	if err := send(first, false, "", show); err != nil {
		return err
	}
	if static {
		return nil
	}
	if !connect(LiveWait) {
		return nil // no page answered: the first chart stays
	}
	ui, ok := buildControls(row, controls, LiveWait)
	if !ok {
		return nil
	}
	run(ui, controls, redraw, show, Idle)
	dom.SetInnerHtml(row, `<p style="font-family:sans-serif;font-size:13px;color:#555">Controls closed: run the cell again to move them.</p>`)
	gonbui.Sync()
	return gonbui.Error()
}

func carryNeeded(marker string) bool {
	if marker == "" {
		return true
	}
	_, err := os.Stat(marker)
	return err != nil
}

// interactiveHTML is the chart's output: the frame of the charts in a
// <div data-controls="..."> naming the settings drawn.
func interactiveHTML(charts []*viz.Chart, controls []*Control) (string, error) {
	title := ""
	if len(charts) > 0 {
		title = charts[0].Title
	}
	f, err := Frame(viz.NewPage(title).Add(charts...))
	if err != nil {
		return "", err
	}
	return `<div class="difftoy-interactive" data-controls="` + html.EscapeString(state(controls)) + `">` + f + `</div>`, nil
}

// errorHTML shows a failed redraw in place of the chart.
func errorHTML(err error, controls []*Control) string {
	return `<div class="difftoy-interactive" data-controls="` + html.EscapeString(state(controls)) +
		`" data-error="true"><p style="font-family:sans-serif;color:#b00">Cannot draw ` +
		html.EscapeString(state(controls)) + `: ` + html.EscapeString(err.Error()) + `</p></div>`
}

// move is a control that moved to a new position.
type move struct {
	control, pos int
}

// session is what run needs from the page: the controls' moves, the Done
// button, and a way to show each control's current value beside it.
type session struct {
	moves  <-chan move
	done   <-chan struct{}
	label  func(control int, text string)
	closed func() // stops listening
}

// run redraws on every move until done, or idle passes without a move.
// Moves that arrive while a redraw runs are merged: only each control's
// latest position is drawn.
func run(s session, controls []*Control, redraw func() ([]*viz.Chart, error), show func(string), idle time.Duration) {
	defer s.closed()
	timer := time.NewTimer(idle)
	defer timer.Stop()
	for {
		var m move
		select {
		case <-s.done:
			return
		case <-timer.C:
			return
		case m = <-s.moves:
		}
		changed := apply(controls, m, s.label)
	drain: // merge the moves that queued up
		for {
			select {
			case m = <-s.moves:
				changed = apply(controls, m, s.label) || changed
			default:
				break drain
			}
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(idle)
		if !changed {
			continue
		}
		charts, err := redraw()
		var h string
		if err == nil {
			h, err = interactiveHTML(charts, controls)
		}
		if err != nil {
			h = errorHTML(err, controls)
		}
		show(h)
	}
}

// apply sets a control's position; positions outside its range (a page
// out of step) are ignored. It reports whether anything changed.
func apply(controls []*Control, m move, label func(int, string)) bool {
	if m.control < 0 || m.control >= len(controls) {
		return false
	}
	c := controls[m.control]
	if m.pos < 0 || m.pos >= len(c.names) || m.pos == c.pos {
		return false
	}
	c.pos = m.pos
	if label != nil {
		label(m.control, c.String())
	}
	return true
}

// connect makes sure the notebook page talks to this program (GoNB's
// comms), trying again until budget has passed: a page answers a ping
// sent from a script, and GoNB installs its connection in the page on
// the first request for an address. GoNB gives up on a connection whose
// kernel answers the page later than 500 ms, which a loaded machine
// does; the next request installs it again.
func connect(budget time.Duration) bool {
	const try = 5 * time.Second // GoNB waits up to 3 s for the page
	deadline := time.Now().Add(budget)
	for time.Now().Before(deadline) {
		addr := "/difftoy/ping/" + gonbui.UniqueId()
		ch := comms.Listen[int](addr)
		dom.TransientJavascript(fmt.Sprintf(`(function () { var c = globalThis.gonb_comm; if (c) { c.send(%q, 1); } })();`, addr))
		select {
		case <-ch.C:
			ch.Close()
			return true
		case <-time.After(min(try, time.Until(deadline))):
			ch.Close()
		}
	}
	return false
}

// buildControls shows the controls in the element row through GoNB's
// widgets and returns their session, or false when no page answers
// within wait (a widget's Done waits for the page's first value).
func buildControls(row string, controls []*Control, wait time.Duration) (session, bool) {
	ready := make(chan builtControls, 1)
	go func() { ready <- appendControls(row, controls) }()
	var b builtControls
	select {
	case b = <-ready:
	case <-time.After(wait):
		return session{}, false
	}
	moves := make(chan move, 64)
	stop := make(chan struct{})
	for i, ch := range b.chans {
		go forwardMoves(i, ch, moves, stop)
	}
	clicks := b.button.Listen()
	done := make(chan struct{})
	go func() {
		select {
		case <-clicks.C:
			close(done)
		case <-stop:
		}
	}()
	return session{
		moves: moves,
		done:  done,
		label: func(i int, text string) { dom.SetInnerText(b.labels[i], text) },
		closed: func() {
			close(stop)
			for _, ch := range b.chans {
				ch.Close()
			}
			clicks.Close()
		},
	}, true
}

// builtControls are the widgets appendControls put in the row: each
// control's channel of positions and the id of its value label, and the
// Done button.
type builtControls struct {
	chans  []*comms.AddressChan[int]
	button *widgets.ButtonBuilder
	labels []string
}

// appendControls appends to the row, for each control, its label, its
// slider or list and its value, then the Done button.
func appendControls(row string, controls []*Control) builtControls {
	var b builtControls
	// Jupyter's style sheet stretches range inputs over the whole
	// line; the controls sit on one line instead.
	dom.Append(row, fmt.Sprintf(`<style>[id=%q] input[type=range] { display: inline-block; width: 320px; vertical-align: middle; }</style>`, row))
	for _, c := range controls {
		lid := "difftoy-control-" + gonbui.UniqueId()
		b.labels = append(b.labels, lid)
		dom.Append(row, fmt.Sprintf(`<label style="font-family:sans-serif;font-size:13px;margin-right:6px">%s</label>`, html.EscapeString(c.Label)))
		var ch *comms.AddressChan[int]
		if c.choice {
			w := widgets.Select(c.names).SetDefault(c.pos).AppendTo(row).Done()
			ch = w.Listen().LatestOnly()
		} else {
			w := widgets.Slider(0, len(c.names)-1, c.pos).AppendTo(row).Done()
			ch = w.Listen().LatestOnly()
		}
		b.chans = append(b.chans, ch)
		dom.Append(row, fmt.Sprintf(`<span id="%s" class="difftoy-control-value" style="font-family:monospace;font-size:13px;margin:0 16px 0 6px">%s</span>`,
			lid, html.EscapeString(c.String())))
	}
	b.button = widgets.Button("Done").AppendTo(row).Done()
	return b
}

// forwardMoves sends control i's positions from ch as moves until ch
// closes or stop does.
func forwardMoves(i int, ch *comms.AddressChan[int], moves chan<- move, stop <-chan struct{}) {
	for {
		select {
		case v, ok := <-ch.C:
			if !ok {
				return
			}
			select {
			case moves <- move{control: i, pos: v}:
			case <-stop:
				return
			}
		case <-stop:
			return
		}
	}
}
