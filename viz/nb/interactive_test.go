package nb

import (
	"errors"
	"fmt"
	"html"
	"strings"
	"testing"
	"time"

	"difftoy/viz"
)

func TestControls(t *testing.T) {
	s := IntSlider("t", 1, 1000, 300)
	if s.Index() != 299 || s.Int() != 300 || s.Float() != 300 || s.String() != "300" {
		t.Errorf("IntSlider(1, 1000, 300): index %d, int %d, float %g, string %q", s.Index(), s.Int(), s.Float(), s.String())
	}
	g := Slider("gamma", []float64{0, 0.5, 3}, 1)
	if g.Float() != 0.5 || g.String() != "0.5" {
		t.Errorf("Slider at 1: float %g, string %q", g.Float(), g.String())
	}
	c := Select("class", []string{"a", "b"}, 1)
	if c.Index() != 1 || c.String() != "b" {
		t.Errorf("Select at 1: index %d, string %q", c.Index(), c.String())
	}
	if got := state([]*Control{s, g, c}); got != "t=300 gamma=0.5 class=b" {
		t.Errorf("state = %q", got)
	}
}

// TestInteractiveChecksControls checks that bad controls are named in the
// error before anything is drawn.
func TestInteractiveChecksControls(t *testing.T) {
	draw := func() ([]*viz.Chart, error) { t.Error("drew despite bad controls"); return nil, nil }
	for _, tc := range []struct {
		c    *Control
		want string
	}{
		{IntSlider("t", 5, 5, 5), `"t" has 1 positions`},
		{IntSlider("t", 1, 10, 11), `"t" starts at position 10, outside 0..9`},
		{Slider("eta", []float64{0, 1}, -1), `"eta" starts at position -1`},
		{Select("class", nil, 0), `"class" has 0 positions`},
	} {
		err := Interactive(draw, tc.c)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Interactive(%s) = %v, want an error saying %s", tc.c.Label, err, tc.want)
		}
	}
	if err := Interactive(draw); !errors.Is(err, ErrNoControls) {
		t.Errorf("Interactive without controls = %v, want ErrNoControls", err)
	}
}

func TestInteractiveOutsideNotebook(t *testing.T) {
	drawn := 0
	err := Interactive(func() ([]*viz.Chart, error) { drawn++; return []*viz.Chart{chart()}, nil }, IntSlider("t", 1, 3, 2))
	if !errors.Is(err, ErrNotNotebook) || drawn != 1 {
		t.Errorf("outside a notebook: err %v after %d drawings, want ErrNotNotebook after 1", err, drawn)
	}
	boom := errors.New("boom")
	if err := Interactive(func() ([]*viz.Chart, error) { return nil, boom }, IntSlider("t", 1, 3, 2)); !errors.Is(err, boom) {
		t.Errorf("a failing first drawing gives %v, want it returned", err)
	}
}

// controlsOf reads the data-controls attribute of an interactive output.
func controlsOf(t *testing.T, h string) string {
	t.Helper()
	const key = `data-controls="`
	i := strings.Index(h, key)
	if i < 0 {
		t.Fatalf("no data-controls in %.200s", h)
	}
	j := strings.IndexByte(h[i+len(key):], '"')
	return html.UnescapeString(h[i+len(key) : i+len(key)+j])
}

// TestRun drives the session loop with a stand-in page: each move redraws
// with the control's new position, moves queued during a drawing are
// merged into one drawing of the latest positions, a move to the current
// or an impossible position draws nothing, a failed drawing shows its
// error and the session goes on, and Done ends it.
func TestRun(t *testing.T) {
	tc := IntSlider("t", 1, 1000, 300)
	cc := Select("class", []string{"0", "1"}, 0)
	controls := []*Control{tc, cc}
	moves := make(chan move, 16)
	done := make(chan struct{})
	shown := make(chan string, 16)
	var labels []string
	closed := false
	var drawn []string
	redraw := func() ([]*viz.Chart, error) {
		drawn = append(drawn, state(controls))
		if tc.Int() == 13 {
			return nil, errors.New("t = 13 is unlucky")
		}
		return []*viz.Chart{viz.Lines(fmt.Sprintf("at t = %d", tc.Int()), viz.LinePanel{XName: "x", YName: "y",
			Series: []viz.Series{{Name: "s", X: []float64{0, 1}, Y: []float64{1, float64(tc.Int())}}}})}, nil
	}
	s := session{moves: moves, done: done,
		label:  func(i int, text string) { labels = append(labels, fmt.Sprintf("%d:%s", i, text)) },
		closed: func() { closed = true }}
	// Queued before the loop starts: merged into one drawing.
	moves <- move{0, 9}  // t = 10
	moves <- move{0, 49} // t = 50
	moves <- move{1, 1}  // class 1
	finished := make(chan struct{})
	go func() {
		run(s, controls, redraw, func(h string) { shown <- h }, time.Minute)
		close(finished)
	}()
	wait := func() string {
		select {
		case h := <-shown:
			return h
		case <-time.After(10 * time.Second):
			t.Fatal("no redraw within 10 s")
			return ""
		}
	}
	h := wait()
	if got := controlsOf(t, h); got != "t=50 class=1" {
		t.Errorf("merged moves drew %q, want t=50 class=1", got)
	}
	if !strings.Contains(html.UnescapeString(h), "at t = 50") {
		t.Error("the redrawn frame does not hold the chart drawn at t = 50")
	}
	moves <- move{0, 49}   // unchanged: no drawing
	moves <- move{0, 5000} // outside the slider: ignored
	moves <- move{7, 0}    // no such control: ignored
	moves <- move{0, 12}   // t = 13: the drawing fails
	h = wait()
	if !strings.Contains(h, `data-error="true"`) || !strings.Contains(h, "t = 13 is unlucky") || controlsOf(t, h) != "t=13 class=1" {
		t.Errorf("a failed drawing shows %.300s", h)
	}
	moves <- move{0, 0}
	if got := controlsOf(t, wait()); got != "t=1 class=1" {
		t.Errorf("after the failure the session drew %q, want t=1 class=1", got)
	}
	close(done)
	select {
	case <-finished:
	case <-time.After(10 * time.Second):
		t.Fatal("Done did not end the session")
	}
	if !closed {
		t.Error("the session did not stop listening")
	}
	if got := strings.Join(drawn, ","); got != "t=50 class=1,t=13 class=1,t=1 class=1" {
		t.Errorf("drawings %s", got)
	}
	if got := strings.Join(labels, ","); got != "0:10,0:50,1:1,0:13,0:1" {
		t.Errorf("labels %s", got)
	}
}

// TestRunIdle checks that a session with no move ends after the idle time.
func TestRunIdle(t *testing.T) {
	closed := false
	s := session{moves: make(chan move), done: make(chan struct{}), closed: func() { closed = true }}
	start := time.Now()
	run(s, []*Control{IntSlider("t", 1, 2, 1)}, func() ([]*viz.Chart, error) {
		t.Error("drew without a move")
		return nil, nil
	}, func(string) { t.Error("showed without a move") }, 50*time.Millisecond)
	if el := time.Since(start); el < 50*time.Millisecond || !closed {
		t.Errorf("idle session ended after %v, closed %v", el, closed)
	}
}
