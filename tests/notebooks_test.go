package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"difftoy/viz"
	"difftoy/viz/nb"
)

// The course notebooks: one per lesson, in the course's order. The lessons
// link to these exact names.
var notebookNames = []string{
	"01-forward-process",
	"02-ideal-denoiser",
	"03-training",
	"04-ancestral-sampling",
	"05-changing-schedule",
	"06-parametrisations",
	"07-conditional",
	"08-classifier-guidance",
	"09-classifier-free-guidance",
	"10-deterministic-sampling",
	"11-langevin",
	"12-memorisation",
	"13-sde",
	"14-flow-matching",
}

// notebook is the part of the Jupyter notebook format (nbformat 4) the tests read.
type notebook struct {
	NBFormat int `json:"nbformat"`
	Metadata struct {
		KernelSpec struct {
			Name string `json:"name"`
		} `json:"kernelspec"`
	} `json:"metadata"`
	Cells []cell `json:"cells"`
}

type cell struct {
	Type           string            `json:"cell_type"`
	Source         lines             `json:"source"`
	ExecutionCount *int              `json:"execution_count"`
	Outputs        []json.RawMessage `json:"outputs"`
}

// lines is a notebook text field: either one string or a list of lines.
type lines string

func (l *lines) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*l = lines(s)
		return nil
	}
	var ss []string
	if err := json.Unmarshal(b, &ss); err != nil {
		return err
	}
	*l = lines(strings.Join(ss, ""))
	return nil
}

type output struct {
	Type   string           `json:"output_type"`
	Name   string           `json:"name"`
	Text   lines            `json:"text"`
	EName  string           `json:"ename"`
	EValue string           `json:"evalue"`
	Data   map[string]lines `json:"data"`
}

func readNotebook(t *testing.T, path string) *notebook {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var nb notebook
	if err := json.Unmarshal(b, &nb); err != nil {
		t.Fatalf("%s: not a notebook: %v", path, err)
	}
	return &nb
}

// moduleRoot is the folder holding go.mod (this test runs in tests/).
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found above tests/: %v", err)
	}
	return root
}

// setupCell is how every notebook makes this module importable in GoNB's
// scratch module: a requirement replaced by the folder above the notebook.
// GONB_DIR is the notebook's folder, exported by GoNB to shell commands, so
// no absolute path is committed.
const setupMarker = `-replace=difftoy=`

// drawCall marks a code cell that must display at least one chart.
var drawCall = regexp.MustCompile(`\bnb\.(Show|Display|Interactive)\w*\(`)

// TestNotebooksCommittedClean checks the committed notebooks without running
// them: the fixed set of names, the GoNB kernel, no outputs or execution
// counts (diffs stay readable), a link to the lesson text that exists, and
// the cell that imports this module.
func TestNotebooksCommittedClean(t *testing.T) {
	root := moduleRoot(t)
	found, err := filepath.Glob(filepath.Join(root, "notebooks", "*.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, n := range notebookNames {
		want[n+".ipynb"] = true
	}
	for _, f := range found {
		if !want[filepath.Base(f)] {
			t.Errorf("unexpected notebook %s (the lessons link to a fixed list)", filepath.Base(f))
		}
	}
	for _, name := range notebookNames {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(root, "notebooks", name+".ipynb")
			if _, err := os.Stat(path); err != nil {
				t.Fatalf("missing notebook: %v", err)
			}
			nb := readNotebook(t, path)
			if nb.NBFormat != 4 {
				t.Errorf("nbformat = %d, want 4", nb.NBFormat)
			}
			if k := nb.Metadata.KernelSpec.Name; k != "gonb" {
				t.Errorf("kernel = %q, want gonb", k)
			}
			if len(nb.Cells) == 0 || nb.Cells[0].Type != "markdown" {
				t.Fatal("the first cell is not the markdown introduction")
			}
			link := "../lessons/" + name + ".md"
			if !strings.Contains(string(nb.Cells[0].Source), "("+link+")") {
				t.Errorf("the first cell does not link to %s", link)
			}
			if _, err := os.Stat(filepath.Join(root, "lessons", name+".md")); err != nil {
				t.Errorf("the lesson it links to is missing: %v", err)
			}
			setup, draws := false, 0
			for i, c := range nb.Cells {
				if len(c.Outputs) > 0 {
					t.Errorf("cell %d has %d outputs: commit notebooks cleared (scripts/notebooks.sh clean)", i, len(c.Outputs))
				}
				if c.ExecutionCount != nil {
					t.Errorf("cell %d has execution count %d: commit notebooks cleared", i, *c.ExecutionCount)
				}
				if c.Type == "code" && strings.Contains(string(c.Source), setupMarker) {
					setup = true
				}
				if c.Type == "code" && drawCall.MatchString(string(c.Source)) {
					draws++
				}
			}
			if !setup {
				t.Errorf("no cell imports the module (%s...)", setupMarker)
			}
			if draws == 0 {
				t.Error("no cell draws a chart")
			}
		})
	}
}

// requireTool finds a program or, outside CI, skips the test saying why.
// Under CI=true a missing program fails the test.
func requireTool(t *testing.T, what string, candidates ...string) string {
	t.Helper()
	for _, c := range candidates {
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	msg := fmt.Sprintf("%s not found (tried %s); on Debian: apt-get install jupyter-notebook jupyter-nbconvert python3-nbclient",
		what, strings.Join(candidates, ", "))
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// installKernel builds GoNB and goimports from the versions pinned in go.mod
// (tool directives) into a temporary folder and installs the kernel into a
// temporary Jupyter data folder, with --raw_error so errors come back as
// plain text. It returns the environment for jupyter.
func installKernel(t *testing.T, root string) []string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bin")
	build := exec.Command("go", "build", "-o", bin+string(os.PathSeparator),
		"github.com/janpfeifer/gonb", "golang.org/x/tools/cmd/goimports")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building gonb and goimports from go.mod's tools: %v\n%s", err, out)
	}
	data := filepath.Join(t.TempDir(), "jupyter")
	env := append(os.Environ(),
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"JUPYTER_DATA_DIR="+data,
	)
	install := exec.Command(filepath.Join(bin, "gonb"), "--install", "--force_deps", "--raw_error")
	install.Env = env
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("gonb --install: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(data, "kernels", "gonb", "kernel.json")); err != nil {
		t.Fatalf("gonb --install wrote no kernel: %v", err)
	}
	return env
}

// TestNotebooksExecute runs every notebook headless with the GoNB kernel
// (jupyter nbconvert --execute) and fails on any error output, on anything
// written to stderr (GoNB reports a panic or a failed shell command there),
// when a cell that draws shows no chart, and unless echarts is carried
// exactly once, by the first chart. Running a notebook compiles every code
// cell, so a notebook whose Go code no longer compiles fails here with the
// compiler's message. It then exports each executed notebook to HTML
// (nbconvert --to html) and opens it from disk in headless Chromium: every
// chart must draw. It logs the sizes of the executed notebooks and of their
// HTML. One subtest per notebook:
//
//	go test ./tests -run 'TestNotebooksExecute/03' -v
func TestNotebooksExecute(t *testing.T) {
	if testing.Short() {
		t.Skip("executing the notebooks takes minutes; skipped with -short")
	}
	root := moduleRoot(t)
	// Debian's jupyter runs with /usr/bin/python3, which has nbclient; a
	// different python3 first on PATH may lack it.
	jupyter := requireTool(t, "jupyter", "/usr/bin/jupyter", "jupyter")
	if out, err := exec.Command(jupyter, "nbconvert", "--version").CombinedOutput(); err != nil {
		msg := fmt.Sprintf("jupyter nbconvert does not run: %v\n%s", err, out)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	// The HTML export of each executed notebook is opened in headless
	// Chromium when there is one (under CI=true there must be).
	var bctx context.Context
	var shotDir string
	if chromiumPath() != "" || os.Getenv("CI") == "true" {
		bctx, shotDir = startBrowser(t)
	} else {
		t.Log("no headless browser: the notebooks' HTML exports are not opened")
	}
	env := installKernel(t, root)
	outDir := t.TempDir()
	var times, sizes []string
	for _, name := range notebookNames {
		t.Run(name, func(t *testing.T) {
			src := filepath.Join(root, "notebooks", name+".ipynb")
			start := time.Now()
			cmd := exec.Command(jupyter, "nbconvert", "--to", "notebook", "--execute",
				"--allow-errors", "--ExecutePreprocessor.kernel_name=gonb",
				"--ExecutePreprocessor.timeout=600",
				"--output-dir", outDir, "--output", name, src)
			// No page can move a control here: interactive cells draw once (viz/nb).
			cmd.Env = append(env, nb.StaticEnv+"=1")
			out, err := cmd.CombinedOutput()
			elapsed := time.Since(start)
			times = append(times, fmt.Sprintf("%-30s %6.1fs", name, elapsed.Seconds()))
			if err != nil {
				t.Fatalf("nbconvert: %v\n%s", err, tail(string(out), 3000))
			}
			executed := filepath.Join(outDir, name+".ipynb")
			checkExecuted(t, readNotebook(t, executed))
			t.Logf("ran in %.1fs on %d CPUs", elapsed.Seconds(), runtime.NumCPU())
			export := exec.Command(jupyter, "nbconvert", "--to", "html", "--output-dir", outDir, "--output", name, executed)
			export.Env = env
			if out, err := export.CombinedOutput(); err != nil {
				t.Fatalf("nbconvert --to html: %v\n%s", err, tail(string(out), 3000))
			}
			exported := filepath.Join(outDir, name+".html")
			sizes = append(sizes, fmt.Sprintf("%-30s %8.0f kB %8.0f kB", name, fileKB(t, executed), fileKB(t, exported)))
			if bctx != nil {
				checkExport(t, bctx, exported, filepath.Join(shotDir, "notebook-"+name+".png"))
			}
		})
	}
	t.Logf("run times:\n%s", strings.Join(times, "\n"))
	t.Logf("sizes (echarts is %.0f kB):\n%-30s %11s %11s\n%s", float64(len(viz.Inline().Script))/1024,
		"notebook", "executed", "html", strings.Join(sizes, "\n"))
}

func fileKB(t *testing.T, path string) float64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return float64(st.Size()) / 1024
}

// checkExport opens nbconvert's HTML of an executed notebook from disk, as
// a reader would, and fails unless every chart frame draws all its charts
// (taking echarts from the one output that carries it) with no console
// error and no request leaving the machine.
func checkExport(t *testing.T, bctx context.Context, path, shot string) {
	t.Helper()
	ctx, cancel := chromedp.NewContext(bctx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 120*time.Second)
	defer cancelT()
	problemsOf := watch(ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+path)); err != nil {
		t.Fatalf("opening %s: %v", path, err)
	}
	type state struct {
		Frames, Ready, Charts, Drawn int
	}
	// The frames share the page's origin (srcdoc without a sandbox), so
	// their drawing state is readable from the page.
	const js = `(function () {
  var s = { Frames: 0, Ready: 0, Charts: 0, Drawn: 0 };
  document.querySelectorAll('iframe').forEach(function (f) {
    s.Frames++;
    var d = f.contentWindow && f.contentWindow.difftoy;
    if (d && d.drawn === d.charts) { s.Ready++; }
    if (d) { s.Charts += d.charts; s.Drawn += d.drawn; }
  });
  return s;
})()`
	st, err := chromedp.Run(ctx, chromedp.Poll[state](
		`(function () { var s = `+js+`; return s.Frames > 0 && s.Ready === s.Frames ? s : null; })()`,
		chromedp.WithPollingTimeout(90*time.Second), chromedp.WithPollingInterval(100*time.Millisecond)))
	if err != nil {
		partial, _ := chromedp.Run(ctx, chromedp.Evaluate[state](js))
		t.Fatalf("exported HTML: %d of %d frames drew all their charts (%d of %d charts): %v; problems: %v",
			partial.Ready, partial.Frames, partial.Drawn, partial.Charts, err, problemsOf())
	}
	saveScreenshot(t, ctx, shot)
	cancel()
	for _, p := range problemsOf() {
		t.Errorf("exported HTML: %s", p)
	}
	t.Logf("exported HTML: %d frames, %d charts drawn", st.Frames, st.Drawn)
}

// progressCall marks a code cell that shows training progress, which
// viz/nb draws as an HTML <progress> element updated in place.
var progressCall = regexp.MustCompile(`\bnb\.NewProgress\(`)

// chartMarker is what viz/nb puts in every chart it displays: an echarts
// page inside an iframe's srcdoc.
var chartMarker = regexp.MustCompile(`<iframe[^>]*srcdoc=`)

// carrierMarker starts the element that carries echarts' source in the
// first chart output of a notebook (viz/nb).
var carrierMarker = `<script type="text/plain" id="difftoy-echarts-` + viz.EChartsVersion + `">`

// printsRun marks a code cell that prints a course experiment's result,
// which starts with its claims: "Claims: N of M hold".
var (
	printsRun  = regexp.MustCompile(`\bfmt\.Print\(res\)`)
	claimsLine = regexp.MustCompile(`Claims: (\d+) of (\d+) hold`)
)

func checkExecuted(t *testing.T, nb *notebook) {
	t.Helper()
	charts, carriers := 0, 0
	for i, c := range nb.Cells {
		if c.Type != "code" {
			continue
		}
		cellCharts, progress, claims := 0, false, false
		for _, raw := range c.Outputs {
			var o output
			if err := json.Unmarshal(raw, &o); err != nil {
				t.Fatalf("cell %d: bad output: %v", i, err)
			}
			switch {
			case o.Type == "error":
				t.Errorf("cell %d: error %s: %s", i, o.EName, tail(o.EValue, 2000))
			case o.Type == "stream" && o.Name == "stderr":
				t.Errorf("cell %d wrote to stderr:\n%s", i, tail(string(o.Text), 2000))
			case o.Type == "stream":
				if m := claimsLine.FindStringSubmatch(string(o.Text)); m != nil {
					claims = true
					if m[1] != m[2] {
						t.Errorf("cell %d: %s (the notebook runs at the default sizes, where every claim must hold):\n%s", i, m[0], tail(string(o.Text), 3000))
					}
				}
			case o.Type == "display_data" || o.Type == "execute_result":
				h := string(o.Data["text/html"])
				if chartMarker.MatchString(h) && strings.Contains(h, "echarts") {
					cellCharts++
					if n := strings.Count(h, carrierMarker); n > 0 {
						if charts+cellCharts != 1 || n != 1 {
							t.Errorf("cell %d: output %d carries echarts %d times; only the notebook's first chart should, once", i, charts+cellCharts, n)
						}
						carriers += n
					}
				}
				if strings.Contains(string(o.Data["text/html"]), "<progress") {
					progress = true
				}
			}
		}
		if drawCall.MatchString(string(c.Source)) && cellCharts == 0 {
			t.Errorf("cell %d draws but shows no chart:\n%s", i, c.Source)
		}
		if printsRun.MatchString(string(c.Source)) && !claims {
			t.Errorf("cell %d prints the experiment's result but no claims table", i)
		}
		if progressCall.MatchString(string(c.Source)) && !progress {
			t.Errorf("cell %d reports progress but shows no progress bar", i)
		}
		charts += cellCharts
	}
	if charts == 0 {
		t.Error("the notebook showed no chart")
	}
	if charts > 0 && carriers != 1 {
		t.Errorf("echarts is carried %d times in the notebook's %d charts, want once (by the first)", carriers, charts)
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
