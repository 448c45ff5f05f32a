// Package viz draws every picture of the course as echarts charts, built
// with go-echarts (v2.6.7) plus the raw option keys it lacks (timeline,
// graphic, lines series, per-panel axes), and writes them as offline HTML
// pages. It works on plain data: row-major point batches, labels, values
// on a Grid, and trajectories as a Run's list of steps, so it depends on no
// sampler or model.
//
// Charts of the plane (Samples, Density, Plane, GuidanceSweep, Quiver,
// Posterior, Paths, Animate) are square panels showing one window
// [x0, x0 + L] x [y0, y0 + L] on side S pixels, so both axes have the same
// scale,
//
//	S / L pixels per unit on x and on y,
//
// and an arrow from x to x + s v points the way v points in the plane.
// Densities and posterior weights are drawn as small PNG images behind the
// points (a Grid of NX x NY values becomes an NX x NY image), arrows as
// single polylines in a few colour bands, paths as large-mode polylines:
// thousands of elements draw in a fraction of a second. Curves (Lines,
// Schedules) are ordinary line panels.
//
// Fields draws several vector fields side by side on one arrow and colour
// scale (a trained field next to the exact one). Paths colour each path by
// time and mark its start and end. A chart's Caption (WithCaption), one or
// two sentences saying what is drawn and what to look for, is written
// under it on every page.
//
// A Page holds text, links and charts; Render writes it with echarts
// inlined (Inline) or loaded from a folder of assets that several folders
// of pages share (Shared). Both use the echarts embedded in the module
// (internal/assets), so pages draw offline with nothing but Go installed.
// Package viz/nb shows pages inline in GoNB notebooks; viz/gallery builds
// a folder of pages with an index.
package viz
