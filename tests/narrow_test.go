package tests

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"difftoy/viz"
)

// TestNarrowWindowFitsCharts opens a page whose chart is wider than a
// 1024 px window: the chart is scaled down to the page's width, so the page
// does not scroll sideways, and at a wide window it keeps its own size.
func TestNarrowWindowFitsCharts(t *testing.T) {
	if testing.Short() {
		t.Skip("opens a browser; skipped with -short")
	}
	bctx, out := startBrowser(t)
	p := func(name string) viz.LinePanel {
		return viz.LinePanel{Title: name, XName: "x", YName: "y",
			Series: []viz.Series{{Name: "line", X: []float64{0, 1, 2}, Y: []float64{0, 2, 1}}}}
	}
	c := viz.Lines("three panels", p("a"), p("b"), p("c"))
	c.Caption = "A wide chart."
	if c.Width <= 1024 {
		t.Fatalf("the chart is %d px wide: the test needs one wider than the window", c.Width)
	}
	path := filepath.Join(t.TempDir(), "wide.html")
	if err := viz.NewPage("wide").Text("Some prose above the chart.").Add(c).Text("Prose below.").WriteFile(path, viz.Inline()); err != nil {
		t.Fatal(err)
	}
	type layout struct {
		ScrollW, InnerW, Right, Width, CaptionTop, Bottom float64
	}
	for _, tc := range []struct {
		window int
		scaled bool
	}{{1024, true}, {1600, false}} {
		ctx, cancel := chromedp.NewContext(bctx)
		ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
		problemsOf := watch(ctx)
		var l layout
		err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(tc.window), 900))
		if err == nil {
			err = chromedp.Do(ctx, chromedp.Navigate("file://"+path))
		}
		if err == nil {
			_, err = chromedp.Run(ctx, chromedp.Poll[bool](`window.difftoy && window.difftoy.drawn === window.difftoy.charts`,
				chromedp.WithPollingTimeout(30*time.Second)))
		}
		if err == nil {
			l, err = chromedp.Run(ctx, chromedp.Evaluate[layout](`(() => {
				const r = document.getElementById('difftoy-chart-1').getBoundingClientRect();
				const cap = document.getElementById('difftoy-chart-1-caption').getBoundingClientRect();
				return {ScrollW: document.documentElement.scrollWidth, InnerW: window.innerWidth,
					Right: r.right, Width: r.width, CaptionTop: cap.top, Bottom: r.bottom};
			})()`))
		}
		if tc.window == 1024 {
			saveScreenshot(t, ctx, filepath.Join(out, "narrow-1024.png"))
		}
		cancelT()
		cancel()
		if err != nil {
			t.Fatalf("window %d: %v; problems: %v", tc.window, err, problemsOf())
		}
		if ps := problemsOf(); len(ps) > 0 {
			t.Errorf("window %d: %v", tc.window, ps)
		}
		if tc.scaled {
			if l.ScrollW > l.InnerW || l.Right > l.InnerW {
				t.Errorf("window %d: page %v px wide, chart ends at %v px: it scrolls sideways", tc.window, l.ScrollW, l.Right)
			}
		} else if l.Width != float64(c.Width) {
			t.Errorf("window %d: chart drawn %v px wide, want its own %d px", tc.window, l.Width, c.Width)
		}
		// The caption follows the (scaled) chart: no gap of the unscaled height, no overlap.
		if gap := l.CaptionTop - l.Bottom; gap < 0 || gap > 30 {
			t.Errorf("window %d: caption %v px below the chart, want 0 to 30", tc.window, gap)
		}
	}
}
