// Package tests holds the end-to-end tests of difftoy: the course notebooks
// executed headless with the GoNB kernel, and every chart kind's page opened
// in headless Chromium with the network cut off (console errors, blank
// charts, requests leaving the machine and draw times are checked; the
// screenshots go to -shots DIR or a new folder under the system temp dir).
//
// Outside CI a missing browser, Jupyter or echarts (node_modules, from
// `npm ci`) skips the test that needs it and says why; under CI=true it
// fails the test.
package tests
