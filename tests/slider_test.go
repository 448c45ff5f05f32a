//go:build unix

package tests

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"difftoy/viz/nb"
)

// sliderCase is one notebook whose interactive cell (its last) the live
// test drives: the controls' settings and a text of the chart drawn at
// the start, then moves (control index in the page's order, the new
// value of its input element) and what must be drawn after them.
type sliderCase struct {
	notebook           string
	start, startNeedle string
	moves              []sliderMove
	want, wantNeedle   string
	labels             []string // the values shown beside the controls after the moves
}

type sliderMove struct {
	control int
	value   string
}

var sliderCases = []sliderCase{
	{notebook: "02-ideal-denoiser", start: "t=150", startNeedle: "t = 150",
		moves: []sliderMove{{0, "699"}}, // position 0 is t = 1
		want:  "t=700", wantNeedle: "t = 700", labels: []string{"700"}},
	{notebook: "11-langevin", start: "dynamics=plain step=0.05 moves=2000", startNeedle: "plain, step 0.05, 2000 moves",
		moves: []sliderMove{{0, "1"}, {1, "3"}}, // annealed, then step 0.1, in a row
		want:  "dynamics=annealed step=0.1 moves=2000", wantNeedle: "annealed, h = 0.1", labels: []string{"annealed", "0.1", "2000"}},
	{notebook: "01-forward-process", start: "t=100", startNeedle: "linear, t = 100",
		moves: []sliderMove{{0, "500"}}, // position 0 is t = 0
		want:  "t=500", wantNeedle: "linear, t = 500", labels: []string{"500"}},
	{notebook: "10-deterministic-sampling", start: "steps=5 η=0", startNeedle: "DDIM η = 0, 5 steps",
		moves: []sliderMove{{0, "7"}, {1, "4"}}, // the last of each list
		want:  "steps=1000 η=1", wantNeedle: "DDIM η = 1, 1000 steps", labels: []string{"1000", "1"}},
	{notebook: "09-classifier-free-guidance", start: "γ=0 class=0", startNeedle: "class 0, γ = 0:",
		moves: []sliderMove{{0, "5"}, {1, "1"}}, // γ = 3, class 1
		want:  "γ=3 class=1", wantNeedle: "class 1, γ = 3:", labels: []string{"3", "1"}},
}

// TestNotebookSlider runs the notebooks with controls (02, 11, 01, 10,
// 09) in a real Jupyter notebook server with the GoNB kernel, driven by
// headless Chromium, moves the controls of their interactive cell with
// DOM input events and checks
// that the chart was redrawn in place for the new settings: the output
// names them, its frame holds the charts drawn for them (their titles
// carry the settings) and draws all of them, and the values beside the
// controls follow. Then it clicks Done and checks that the cell finishes
// and keeps the last chart, and that no cell failed.
//
// The server listens on 127.0.0.1 only (a free port, a token made here),
// with its own Jupyter folders; it serves a folder that links the module's
// files and holds copies of the notebooks, so nothing of the checkout is
// written. The kernels and the server are stopped at the end (the
// server's process group killed if it does not exit). The test skips
// outside CI without jupyter or Chromium and fails under CI=true.
func TestNotebookSlider(t *testing.T) {
	if testing.Short() {
		t.Skip("runs notebooks in a Jupyter server; skipped with -short")
	}
	root := moduleRoot(t)
	jupyter := requireTool(t, "jupyter", "/usr/bin/jupyter", "jupyter")
	if out, err := exec.Command(jupyter, "notebook", "--version").CombinedOutput(); err != nil {
		msg := fmt.Sprintf("jupyter notebook does not run: %v\n%s", err, out)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	bctx, shotDir := startLoopbackBrowser(t)
	env := installKernel(t, root)
	var names []string
	for _, c := range sliderCases {
		names = append(names, c.notebook)
	}
	serve := sliderTree(t, root, names)
	base, token := startJupyter(t, jupyter, env, serve)
	// Each notebook, from opening to the last check, is bounded, and so
	// are all of them together (they take about a minute).
	all, cancelAll := context.WithTimeout(bctx, 10*time.Minute)
	defer cancelAll()
	for _, c := range sliderCases {
		t.Run(c.notebook, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(all, 4*time.Minute)
			defer cancel()
			driveSlider(t, ctx, c, base, token, shotDir)
		})
	}
}

func driveSlider(t *testing.T, ctx context.Context, c sliderCase, base, token, shotDir string) {
	tab, closeTab := chromedp.NewContext(ctx)
	defer closeTab()
	var logMu sync.Mutex
	var console []string
	msgs := chromedp.Console(tab)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			logMu.Lock()
			console = append(console, fmt.Sprintf("%s: %s", m.Type, m.Text))
			logMu.Unlock()
		}
	}()
	fail := func(format string, args ...any) {
		t.Helper()
		saveScreenshot(t, tab, filepath.Join(shotDir, "notebook-slider-"+c.notebook+"-failed.png"))
		logMu.Lock()
		t.Logf("browser console:\n%s", tail(strings.Join(console, "\n"), 4000))
		logMu.Unlock()
		t.Fatalf(format, args...)
	}
	poll := func(what, js string, timeout time.Duration) {
		t.Helper()
		if _, err := chromedp.Run(tab, chromedp.Poll[bool](js,
			chromedp.WithPollingTimeout(timeout), chromedp.WithPollingInterval(200*time.Millisecond))); err != nil {
			fail("%s: %v", what, err)
		}
	}

	url := fmt.Sprintf("%s/notebooks/notebooks/%s.ipynb?token=%s", base, c.notebook, token)
	if err := chromedp.Do(tab, chromedp.Navigate(url)); err != nil {
		fail("opening the notebook: %v", err)
	}
	poll("the kernel did not start", `!!(window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected())`, 90*time.Second)
	if _, err := chromedp.Run(tab, chromedp.Evaluate[any](`Jupyter.notebook.set_autosave_interval(0); Jupyter.notebook.execute_all_cells(); true`)); err != nil {
		fail("running all cells: %v", err)
	}
	start := time.Now()

	// The interactive cell's output: its chart at the start, then the
	// controls (the page connected to the kernel: GoNB's widgets).
	out := `(function () { var o = document.querySelectorAll('.difftoy-interactive'); return o.length ? o[o.length - 1] : null; })()`
	drawn := func(state, needle string) string {
		return fmt.Sprintf(`(function () {
  var o = %s;
  if (!o || o.getAttribute('data-controls') !== %q) { return false; }
  var f = o.querySelector('iframe');
  if (!f || f.srcdoc.indexOf(%q) < 0) { return false; }
  var d = f.contentWindow && f.contentWindow.difftoy;
  return !!d && d.charts > 0 && d.drawn === d.charts;
})()`, out, state, needle)
	}
	poll("the interactive chart was not drawn at the start ("+c.start+")", drawn(c.start, c.startNeedle), 3*time.Minute)
	controls := `document.querySelectorAll('input[type=range][id^="gonb_slider_"], select[id^="gonb_select_"]')`
	poll("the live controls did not appear", fmt.Sprintf(`%s.length === %d && !!Array.prototype.find.call(document.querySelectorAll('button[id^="gonb_button_"]'), function (b) { return b.textContent === 'Done'; })`,
		controls, len(c.labels)), 60*time.Second)
	t.Logf("notebook ran up to its live controls in %.1fs", time.Since(start).Seconds())
	// The notebook scrolls inside its own element: bring the controls and
	// the chart under them into the screenshot.
	shot := func(name string) {
		t.Helper()
		if _, err := chromedp.Run(tab, chromedp.Evaluate[bool](controls+`[0].scrollIntoView({ block: 'start' }); true`)); err != nil {
			fail("scrolling to the controls: %v", err)
		}
		saveScreenshot(t, tab, filepath.Join(shotDir, "notebook-slider-"+c.notebook+"-"+name+".png"))
	}
	shot("start")

	// Move the controls as a user does: the value, then input and change events.
	moved := time.Now()
	for _, m := range c.moves {
		js := fmt.Sprintf(`(function () {
  var s = %s[%d];
  s.value = %q;
  s.dispatchEvent(new Event('input', { bubbles: true }));
  s.dispatchEvent(new Event('change', { bubbles: true }));
  return s.value;
})()`, controls, m.control, m.value)
		if v, err := chromedp.Run(tab, chromedp.Evaluate[string](js)); err != nil || v != m.value {
			fail("moving control %d to %s: got %q, %v", m.control, m.value, v, err)
		}
	}
	poll("the chart was not redrawn at "+c.want, drawn(c.want, c.wantNeedle), 60*time.Second)
	t.Logf("redrawn at %s %.1fs after the moves", c.want, time.Since(moved).Seconds())
	labels, _ := json.Marshal(c.labels)
	poll("the values beside the controls did not follow", fmt.Sprintf(
		`JSON.stringify(Array.prototype.map.call(document.querySelectorAll('.difftoy-control-value'), function (v) { return v.textContent; })) === %q`, labels), 30*time.Second)
	shot("moved")

	// Done ends the cell; the last chart stays.
	if _, err := chromedp.Run(tab, chromedp.Evaluate[bool](`(function () {
  var b = Array.prototype.find.call(document.querySelectorAll('button[id^="gonb_button_"]'), function (b) { return b.textContent === 'Done'; });
  b.click();
  return true;
})()`)); err != nil {
		fail("clicking Done: %v", err)
	}
	poll("the cell did not finish after Done", `!Jupyter.notebook.kernel_busy && Jupyter.notebook.get_cells().every(function (c) { return c.cell_type !== 'code' || (c.input_prompt_number !== '*' && c.input_prompt_number !== undefined && c.input_prompt_number !== null); })`, 60*time.Second)
	poll("the last chart did not stay after Done", drawn(c.want, c.wantNeedle), 10*time.Second)
	// No cell failed.
	errs, err := chromedp.Run(tab, chromedp.Evaluate[[]string](`Jupyter.notebook.get_cells().flatMap(function (c) {
  return (c.output_area ? c.output_area.outputs : []).filter(function (o) { return o.output_type === 'error' || (o.output_type === 'stream' && o.name === 'stderr'); })
    .map(function (o) { return o.output_type === 'error' ? o.ename + ': ' + o.evalue : o.text; });
})`))
	if err != nil {
		fail("reading the outputs: %v", err)
	}
	for _, e := range errs {
		t.Errorf("a cell failed or wrote to stderr: %s", tail(e, 2000))
	}
}

// sliderTree is the folder the server serves: the module's top-level
// entries linked, and notebooks/ a real folder with copies of the named
// notebooks, so that the notebook's setup cell finds the module above its
// folder and the server's saves and checkpoints land in the copy.
func sliderTree(t *testing.T, root string, notebooks []string) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() == "notebooks" || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if err := os.Symlink(filepath.Join(root, e.Name()), filepath.Join(dir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "notebooks"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range notebooks {
		b, err := os.ReadFile(filepath.Join(root, "notebooks", name+".ipynb"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "notebooks", name+".ipynb"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// startJupyter starts a classic notebook server on 127.0.0.1 serving dir,
// with a token made here and its own config, data and runtime folders,
// waits until it answers, and kills it with everything it started
// (its process group) when the test ends. It returns the base URL and the
// token.
func startJupyter(t *testing.T, jupyter string, env []string, dir string) (string, string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	tok := make([]byte, 16)
	if _, err := rand.Read(tok); err != nil {
		t.Fatal(err)
	}
	token := hex.EncodeToString(tok)
	home := t.TempDir()
	cmd := exec.Command(jupyter, "notebook", "--no-browser",
		"--ip=127.0.0.1", "--port="+strconv.Itoa(port), "--port-retries=0",
		"--NotebookApp.token="+token, "--NotebookApp.notebook_dir="+dir,
		"--NotebookApp.allow_remote_access=False",
		"--allow-root") // CI runs as root
	cmd.Dir = dir
	cmd.Env = append(env,
		"JUPYTER_CONFIG_DIR="+filepath.Join(home, "config"),
		"JUPYTER_RUNTIME_DIR="+filepath.Join(home, "runtime"),
		"IPYTHONDIR="+filepath.Join(home, "ipython"),
	)
	for _, e := range os.Environ() { // the live test must not draw statically
		if strings.HasPrefix(e, nb.StaticEnv+"=") {
			t.Fatalf("%s is set: interactive cells would show no controls", nb.StaticEnv)
		}
	}
	logPath := filepath.Join(home, "jupyter.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close() // the server has its own copy
	readLog := func() string {
		b, _ := os.ReadFile(logPath)
		return string(b)
	}
	// A file, not a pipe: Wait must not wait for every process that
	// inherited the server's output to close it.
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting jupyter notebook: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	client := &http.Client{Timeout: 5 * time.Second}
	t.Cleanup(func() {
		// Kernels run in sessions of their own: the server shuts them
		// down (DELETE /api/kernels/ID), then it stops on SIGTERM; its
		// process group is killed if it has not exited 10 s later.
		shutdownKernels(t, client, base, token)
		syscall.Kill(cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		if t.Failed() {
			t.Logf("jupyter notebook's log:\n%s", tail(readLog(), 6000))
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := client.Get(base + "/api/status?token=" + token)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base, token
			}
		}
		select {
		case <-exited:
			t.Fatalf("jupyter notebook exited before answering:\n%s", tail(readLog(), 4000))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("jupyter notebook did not answer on %s within 60 s (last error %v)", base, err)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// shutdownKernels asks the server to shut down every kernel it runs and
// waits, up to 30 s, until it lists none.
func shutdownKernels(t *testing.T, client *http.Client, base, token string) {
	t.Helper()
	list := func() []string {
		resp, err := client.Get(base + "/api/kernels?token=" + token)
		if err != nil {
			return nil
		}
		defer resp.Body.Close()
		var ks []struct {
			ID string `json:"id"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&ks); err != nil {
			return nil
		}
		var ids []string
		for _, k := range ks {
			ids = append(ids, k.ID)
		}
		return ids
	}
	for _, id := range list() {
		req, err := http.NewRequest(http.MethodDelete, base+"/api/kernels/"+id+"?token="+token, nil)
		if err != nil {
			t.Error(err)
			continue
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Errorf("shutting down kernel %s: %v", id, err)
			continue
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
		if len(list()) == 0 {
			return
		}
	}
	t.Errorf("the server still runs kernels %v 30 s after they were shut down", list())
}

// startLoopbackBrowser is startBrowser with loopback reachable: no name
// resolves but 127.0.0.1, so the page reaches the test's server and
// nothing else.
func startLoopbackBrowser(t *testing.T) (context.Context, string) {
	t.Helper()
	return startBrowserResolving(t, "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1")
}
