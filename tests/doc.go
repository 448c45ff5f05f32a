// Package tests holds the end-to-end tests of difftoy: the course notebooks
// executed headless with the GoNB kernel, every chart kind's page and every
// page of the offline book opened in headless Chromium with the network cut
// off (console errors, blank charts, unrendered maths and requests leaving
// the machine are checked; the screenshots go to -shots DIR or a new folder
// under the system temp dir). TestExplorer drives every control of the
// Explorer page and compares what it computed (in WebAssembly) with the same
// functions run natively. TestNotebookSlider runs the notebooks that have
// controls in a Jupyter notebook server on 127.0.0.1 with the GoNB kernel,
// moves their sliders and lists in headless Chromium and checks that the
// chart is redrawn in place for the new settings. BenchmarkBrowserDraw times the large charts
// beside a reference page; BenchmarkExplorer times the Explorer's redraws
// and sampling beside the native times.
//
// Outside CI a missing browser or Jupyter skips the test that needs it and
// says why; under CI=true it fails the test.
package tests
