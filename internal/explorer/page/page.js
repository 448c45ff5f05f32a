// The Explorer page: controls, drawing and the two engine workers (one for
// the views, one for sampling, so that the slider stays live while a long
// run goes on and a run can be stopped by ending its worker).
'use strict';
(function () {
const $ = (id) => document.getElementById(id);
const E = window.explorer = {
  ready: false, data: null, field: null, post: null, sample: null,
  message: '', error: false, views: 0, timings: { views: [], sample: [] },
};
const VIEW = 3, HEAT_N = 100, ARROW_N = 30, CLIP = 12;
// The engine's cost is about one kernel per grid node and component. Views
// of more than FAST_WORK kernels are drawn first on a coarse grid, then
// refined; the refined grid is kept under MAX_WORK kernels (a few seconds).
const FAST_WORK = 2e5, MAX_WORK = 4e6;
function grids(components, work) {
  const q = work / Math.max(components, 1);
  if (q >= HEAT_N * HEAT_N + ARROW_N * ARROW_N) return [HEAT_N, ARROW_N];
  return [Math.max(10, Math.floor(Math.sqrt(0.85 * q))), Math.max(6, Math.min(ARROW_N, Math.floor(Math.sqrt(0.15 * q))))];
}
const status = $('status');
function say(text, kind, from) {
  E.message = text; E.error = kind === 'error'; E.errorFrom = from || 'views';
  status.textContent = text;
  status.className = kind || '';
}
window.addEventListener('error', (e) => say('Something went wrong in the page: ' + e.message + '. Reloading the page starts it again.', 'error'));

// ---- engine workers ----
let workerURL = null, engineModule = null, views = null, sampler = null;
class Engine {
  constructor(name) { this.name = name; this.start(); }
  start() {
    this.calls = new Map(); this.id = 0;
    this.w = new Worker(workerURL);
    this.ready = new Promise((resolve, reject) => { this.onReady = resolve; this.onFail = reject; });
    this.w.onmessage = (e) => {
      const m = e.data;
      if (m.op === 'ready') this.onReady();
      else if (m.op === 'failed') this.onFail(new Error(m.error));
      else if (m.op === 'progress') { const c = this.calls.get(m.id); if (c && c.progress) c.progress(m.done, m.total, m.value); }
      else if (m.op === 'result') { const c = this.calls.get(m.id); this.calls.delete(m.id); if (c) c.resolve(m); }
    };
    this.w.onerror = (e) => { e.preventDefault(); say('The ' + this.name + ' engine failed: ' + (e.message || 'unknown error') + '. Reload the page.', 'error'); };
    this.w.postMessage({ op: 'init', module: engineModule });
  }
  async call(op, args, progress) {
    await this.ready;
    const id = ++this.id;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject, progress });
      this.w.postMessage({ op, id, args });
    });
  }
  restart() {
    this.w.terminate();
    for (const c of this.calls.values()) c.reject(new Error('stopped'));
    this.start();
  }
}

async function loadEngine() {
  const b64 = $('engine').textContent.trim();
  const bin = atob(b64);
  const gz = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) gz[i] = bin.charCodeAt(i);
  const stream = new Blob([gz]).stream().pipeThrough(new DecompressionStream('gzip'));
  engineModule = await WebAssembly.compile(await new Response(stream).arrayBuffer());
  const src = $('wasm-exec').textContent + '\n' + $('worker').textContent;
  workerURL = URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));
}

// ---- settings ----
function intOf(id, what, lo, hi) {
  const v = Number($(id).value);
  if ($(id).value.trim() === '' || !Number.isInteger(v)) throw new Error(what + ' must be a whole number, not "' + $(id).value + '"');
  if (v < lo || v > hi) throw new Error(what + ' must be between ' + lo + ' and ' + hi + ', not ' + v);
  return v;
}
function numOf(id, what) {
  const v = Number($(id).value);
  if ($(id).value.trim() === '' || !Number.isFinite(v)) throw new Error(what + ' must be a number, not "' + $(id).value + '"');
  return v;
}
const DEFAULT_N = { 'three-points': 3 };
let drawn = null; // {points: [], labels: [] or null, weights: [] or null, version}
let drawnVersion = 0;
function dataSpec() {
  if (drawn) {
    return { key: 'drawn-' + drawn.version, points: new Float64Array(drawn.points),
      labels: drawn.labels ? Int32Array.from(drawn.labels) : null,
      weights: drawn.weights ? new Float64Array(drawn.weights) : null };
  }
  const name = $('dataset').value, n = intOf('npoints', 'the number of points', 1, 5000), seed = intOf('dataseed', 'the data seed', 0, 2 ** 31);
  return { key: name + '|' + n + '|' + seed, name, n, seed };
}
function guideOf() {
  const guide = Number($('guide').value);
  if (guide === 0) return { guide: 0, cls: 0, gamma: 0 };
  const g = numOf('gamma', 'gamma');
  if (g < 0) throw new Error('gamma must be at least 0, not ' + g);
  return { guide, cls: Number($('cls').value), gamma: g };
}

// ---- the views: data, fields, posterior ----
let viewBusy = false, viewWanted = false, wantedAt = 0;
let refining = null; // the field key being refined, while a refinement runs
function wantViews() {
  if (!viewWanted) wantedAt = performance.now();
  viewWanted = true;
  if (refining !== null) {
    let key = null;
    try { key = fieldKeyOf(dataSpec()); } catch (err) { /* bad settings: let pump say so */ }
    if (key !== refining) { refining = null; views.restart(); } // a newer view is wanted: drop the refinement
  }
  pump();
}
function fieldKeyOf(spec) {
  const g = guideOf();
  return [spec.key, intOf('t', 't', 1, 1000), $('arrows').value, g.guide, g.cls, g.gamma].join('|');
}
async function pump() {
  if (viewBusy || !viewWanted || !E.ready) return;
  viewWanted = false; viewBusy = true;
  const since = wantedAt;
  try { await computeViews(since); }
  catch (err) { if (err.message !== 'stopped') say(err.message, 'error'); }
  finally { viewBusy = false; pump(); }
}
E.settled = () => E.ready && !viewBusy && !viewWanted && !sampling && !training;

let fieldKey = '';
async function computeViews(since) {
  const spec = dataSpec();
  const t = intOf('t', 't', 1, 1000);
  if (!E.data || E.data.key !== spec.key) {
    const r = (await views.call('data', spec)).result;
    if (r.error) {
      E.data = { key: spec.key, error: r.error, points: drawn ? drawn.points : [], labels: drawn ? drawn.labels : null, classes: 0, components: 0 };
      E.field = null; E.post = null; fieldKey = '';
      drawPlane(); drawPosterior();
      say(r.error, 'error');
      return;
    }
    E.data = { key: spec.key, name: r.name, points: Array.from(r.points), labels: r.labels, classes: r.classes, outside: r.outside, components: r.weights.length, delta: r.delta };
    setClasses(r.classes);
    if (!drawn) $('points').value = pointsText(E.data.points, E.data.labels, null);
    if (E.sample && E.sample.dataKey !== spec.key) E.sample = null;
    if (!E.sample && !sampling) { $('result').textContent = ''; $('progress').value = 0; }
    say(dataNote(), '');
  }
  if (E.data.error) return;
  const g = guideOf();
  const key = fieldKeyOf(spec);
  const px = numOf('px', 'the probe x'), py = numOf('py', 'the probe y');
  const p = await views.call('posterior', { data: spec, t, x: px, y: py });
  if (p.result.error) { say(p.result.error, 'error'); return; }
  E.post = p.result;
  if (key === fieldKey) { drawPlane(); drawPosterior(); E.views++; return; }
  const field = async (grid) => {
    const m = await views.call('fields', { data: spec, t, heatN: grid[0], arrowN: grid[1], arrows: Number($('arrows').value), ...g });
    if (m.result.error) { say(m.result.error, 'error'); E.field = null; fieldKey = ''; drawPlane(); return null; }
    E.field = { ...m.result, guide: g };
    drawPlane(); drawPosterior();
    return m;
  };
  const k = E.data.components;
  let coarse = null;
  if (k * (HEAT_N * HEAT_N + ARROW_N * ARROW_N) > FAST_WORK) {
    const c = await field(grids(k, FAST_WORK));
    if (!c) return;
    coarse = performance.now() - since;
    say('Refining the views: ' + k + ' components on a finer grid take a few seconds in the browser…', 'busy');
    refining = key;
  }
  let m;
  try { m = await field(grids(k, MAX_WORK)); }
  finally { refining = null; }
  if (!m) return;
  fieldKey = key;
  if ((E.error && E.errorFrom === 'views') || coarse !== null) say(dataNote(), '');
  E.views++;
  E.timings.views.push({ t, engine: m.ms, total: performance.now() - since, coarse });
  if (E.timings.views.length > 200) E.timings.views.shift();
}
function dataNote() {
  const d = E.data, n = d.points.length / 2;
  let s = drawn ? 'Your ' + n + ' point' + (n === 1 ? '' : 's') + ': the data are exactly these points (a delta mixture), so the ideal denoiser can only give back one of them.'
    : d.delta ? 'Data set ' + d.name + ': ' + n + ' points, which are its exact law (a delta mixture of ' + d.components + ' points): the ideal denoiser can only give back one of them.'
    : 'Data set ' + d.name + ': ' + n + ' points drawn from its exact law, a mixture of ' + d.components + ' component' + (d.components === 1 ? '' : 's') + '.';
  if (d.classes) s += ' Classes: ' + d.classes + '.';
  if (d.outside) s += ' ' + d.outside + ' of the points lie outside the square shown.';
  return s;
}
function setClasses(c) {
  const sel = $('cls'), old = sel.value;
  sel.innerHTML = '';
  for (let i = 0; i < c; i++) sel.add(new Option('class ' + i, String(i)));
  if (c === 0) { sel.add(new Option('(no classes)', '0')); sel.disabled = true; } else sel.disabled = false;
  if (old !== '' && Number(old) < c) sel.value = old;
  if (c < 2 && $('guide').value !== '0') {
    $('guide').value = '0';
    setTimeout(() => say('Guidance is off: these data have no classes to guide towards.', ''), 0);
  }
}

// ---- drawing the plane ----
const plane = $('plane'), ctx = plane.getContext('2d');
const W = plane.width, H = plane.height;
const toPx = (x) => (x + VIEW) / (2 * VIEW) * W, toPy = (y) => (VIEW - y) / (2 * VIEW) * H;
const fromPx = (px) => px / W * 2 * VIEW - VIEW, fromPy = (py) => VIEW - py / H * 2 * VIEW;
const VIRIDIS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
const CLASS_COLORS = ['#ff5a36', '#36a2ff', '#ffd23f', '#b36bff', '#3fdc8a', '#ff8fd0', '#c0c0c0', '#8b5a2b', '#00e5e5', '#ffffff'];
const heatCanvas = document.createElement('canvas');
function color(v) { // v in [0, 1]
  const x = Math.min(Math.max(v, 0), 1) * (VIRIDIS.length - 1), i = Math.min(Math.floor(x), VIRIDIS.length - 2), f = x - i;
  return VIRIDIS[i].map((c, k) => c + f * (VIRIDIS[i + 1][k] - c));
}
let anim = null; // {frames, k}
function drawPlane() {
  ctx.fillStyle = '#1b1b2a'; ctx.fillRect(0, 0, W, H);
  const f = E.field;
  let legend = '';
  if (f) {
    const n = f.heatN, h = f.heat;
    let peak = -Infinity;
    for (const v of h) if (v > peak) peak = v;
    heatCanvas.width = n; heatCanvas.height = n;
    const hc = heatCanvas.getContext('2d'), img = hc.createImageData(n, n);
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
      const v = h[j * n + i], c = color(Number.isFinite(v) ? (v - peak + CLIP) / CLIP : 0), o = 4 * ((n - 1 - j) * n + i);
      img.data[o] = c[0]; img.data[o + 1] = c[1]; img.data[o + 2] = c[2]; img.data[o + 3] = 255;
    }
    hc.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = true;
    const cell = W / (n - 1);
    ctx.drawImage(heatCanvas, -cell / 2, -cell / 2, W + cell, H + cell);
    // arrows
    const m = f.arrowN, a = f.arrows, spacing = 2 * VIEW / (m - 1);
    let longest = 0;
    for (let i = 0; i < a.length; i += 2) longest = Math.max(longest, Math.hypot(a[i], a[i + 1]));
    const k = longest > 0 ? 0.9 * spacing / longest : 0;
    ctx.strokeStyle = 'rgba(255,255,255,0.85)'; ctx.lineWidth = 1.1;
    ctx.beginPath();
    for (let j = 0; j < m; j++) for (let i = 0; i < m; i++) {
      const q = 2 * (j * m + i), x = -VIEW + i * spacing, y = -VIEW + j * spacing;
      const x0 = toPx(x), y0 = toPy(y), x1 = toPx(x + k * a[q]), y1 = toPy(y + k * a[q + 1]);
      const len = Math.hypot(x1 - x0, y1 - y0);
      if (len < 0.5) continue;
      ctx.moveTo(x0, y0); ctx.lineTo(x1, y1);
      const ang = Math.atan2(y1 - y0, x1 - x0), hl = Math.min(5, 0.4 * len);
      ctx.moveTo(x1, y1); ctx.lineTo(x1 - hl * Math.cos(ang - 0.45), y1 - hl * Math.sin(ang - 0.45));
      ctx.moveTo(x1, y1); ctx.lineTo(x1 - hl * Math.cos(ang + 0.45), y1 - hl * Math.sin(ang + 0.45));
    }
    ctx.stroke();
    const sigma = Math.sqrt((1 - f.alpha) / f.alpha);
    $('tval').textContent = 't = ' + f.t + ', alpha_t = ' + f.alpha.toPrecision(4) + ', sigma_t = ' + sigma.toPrecision(4);
    legend = 'Heat on a ' + n + '×' + n + ' grid: ' + (f.guide.guide ? 'the tilted log density log q_t(x) + (1+γ) log q_t(y=' + f.guide.cls + '|x), γ = ' + f.guide.gamma
      : 'log q_t(x)') + ', from its peak (yellow) down to ' + CLIP + ' below it (dark). Arrows: ' +
      (f.kind === 1 ? (f.guide.guide ? 'the guided score' : 'the score ∇ log q_t(x)') : f.guide.guide ? 'the guided D~(x|y) − x' : 'D*(x) − x') + ' on a ' + m + '×' + m + ' grid, drawn ×' + k.toPrecision(3) +
      ' (the longest is ' + longest.toPrecision(3) + ' long). ';
  }
  const d = E.data;
  if (d && d.points) {
    const p = d.points, n = p.length / 2, r = n > 1000 ? 2 : 3.5;
    const w = d.delta && E.post && E.post.weights && E.post.weights.length === n ? E.post.weights : null;
    for (let i = 0; i < n; i++) {
      const x = toPx(p[2 * i]), y = toPy(p[2 * i + 1]);
      if (w && w[i] > 0.01) { ctx.strokeStyle = '#ffffff'; ctx.lineWidth = 1.5; ctx.beginPath(); ctx.arc(x, y, r + 2 + 14 * w[i], 0, 2 * Math.PI); ctx.stroke(); }
      ctx.fillStyle = d.labels ? CLASS_COLORS[d.labels[i] % CLASS_COLORS.length] : CLASS_COLORS[0];
      ctx.strokeStyle = '#000'; ctx.lineWidth = 1;
      ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
    }
    legend += 'Dots: the ' + n + ' data points' + (d.labels ? ', coloured by class' : '') + (w ? '; rings: their posterior weights at the probe' : '') + '. ';
  }
  const s = E.sample;
  if (s && $('showsamples').checked) {
    const pts = anim ? anim.frames[anim.k] : s.x;
    ctx.fillStyle = '#ffffff'; ctx.strokeStyle = '#000'; ctx.lineWidth = 0.8;
    for (let i = 0; i < pts.length; i += 2) {
      ctx.beginPath(); ctx.arc(toPx(pts[i]), toPy(pts[i + 1]), 2.2, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
    }
    if (s.trained && !anim) {
      ctx.fillStyle = '#3ff0ff'; ctx.strokeStyle = '#000';
      const q = s.trained.x;
      for (let i = 0; i < q.length; i += 2) { ctx.beginPath(); ctx.arc(toPx(q[i]), toPy(q[i + 1]), 2.2, 0, 2 * Math.PI); ctx.fill(); ctx.stroke(); }
      legend += 'Cyan dots: the ' + q.length / 2 + ' samples of the trained network. ';
    }
    legend += 'White dots: ' + (anim ? 'the first ' + pts.length / 2 + ' particles moving (' + (anim.k + 1) + ' of ' + anim.frames.length + ')' : 'the ' + pts.length / 2 + ' samples') + '. ';
  }
  const q = E.post;
  if (q) {
    const x = toPx(q.x), y = toPy(q.y), dx = toPx(q.dx), dy = toPy(q.dy);
    ctx.strokeStyle = '#ff2bd6'; ctx.lineWidth = 2;
    ctx.beginPath(); ctx.moveTo(x - 7, y); ctx.lineTo(x + 7, y); ctx.moveTo(x, y - 7); ctx.lineTo(x, y + 7); ctx.stroke();
    ctx.setLineDash([4, 3]); ctx.beginPath(); ctx.moveTo(x, y); ctx.lineTo(dx, dy); ctx.stroke(); ctx.setLineDash([]);
    ctx.fillStyle = '#ff2bd6'; ctx.beginPath(); ctx.arc(dx, dy, 4, 0, 2 * Math.PI); ctx.fill();
    legend += 'Magenta: the probe and, dashed, its denoised point D*(x). ';
  }
  drawAxes();
  legend += 'Ticks on the edges: the coordinates x₁ (bottom) and x₂ (left).';
  $('legend').textContent = legend;
}

// drawAxes marks the integer coordinates on the bottom and left edges of the
// plane, with faint lines across it, so positions can be read off.
function drawAxes() {
  ctx.save();
  ctx.font = '12px sans-serif'; ctx.lineWidth = 1;
  for (let v = Math.ceil(-VIEW); v <= Math.floor(VIEW); v++) {
    const x = toPx(v), y = toPy(v);
    ctx.strokeStyle = 'rgba(255,255,255,0.12)';
    ctx.beginPath(); ctx.moveTo(x, 0); ctx.lineTo(x, H); ctx.moveTo(0, y); ctx.lineTo(W, y); ctx.stroke();
    if (v === Math.ceil(-VIEW) || v === Math.floor(VIEW)) continue; // the corners stay clear
    ctx.strokeStyle = '#ffffff';
    ctx.beginPath(); ctx.moveTo(x, H); ctx.lineTo(x, H - 8); ctx.moveTo(0, y); ctx.lineTo(8, y); ctx.stroke();
    ctx.fillStyle = '#ffffff'; ctx.shadowColor = '#000'; ctx.shadowBlur = 3;
    ctx.textAlign = 'center'; ctx.textBaseline = 'bottom'; ctx.fillText(String(v), x, H - 10);
    ctx.textAlign = 'left'; ctx.textBaseline = 'middle'; ctx.fillText(String(v), 11, y);
    ctx.shadowBlur = 0;
  }
  ctx.fillStyle = '#ffffff'; ctx.shadowColor = '#000'; ctx.shadowBlur = 3; ctx.font = 'italic 13px sans-serif';
  ctx.textAlign = 'right'; ctx.textBaseline = 'bottom'; ctx.fillText('x₁', W - 6, H - 6);
  ctx.textAlign = 'left'; ctx.textBaseline = 'top'; ctx.fillText('x₂', 6, 6);
  ctx.restore();
}

// ---- posterior chart (echarts) ----
let postChart = null;
function drawPosterior() {
  const q = E.post;
  if (typeof echarts === 'undefined') { $('postnote').textContent = 'The chart library did not load: the weights are listed instead.'; }
  if (!q) { $('postnote').textContent = ''; if (postChart) postChart.clear(); return; }
  const w = Array.from(q.weights), order = w.map((_, i) => i).sort((a, b) => w[b] - w[a]).slice(0, 30);
  const kind = E.data.delta ? 'point' : 'component';
  $('postnote').textContent = 'probe (' + q.x.toFixed(2) + ', ' + q.y.toFixed(2) + '): D*(x) = (' + q.dx.toFixed(3) + ', ' + q.dy.toFixed(3) +
    '); the largest weight is ' + w[order[0]].toPrecision(3) + ' (' + kind + ' ' + (order[0] + 1) + ' of ' + w.length + ')';
  if (typeof echarts === 'undefined') return;
  if (!postChart) postChart = echarts.init($('posterior'), null, { renderer: 'canvas' });
  postChart.setOption({
    animation: false, grid: { left: 45, right: 10, top: 25, bottom: 30 },
    title: { text: 'pi_i(x): the ' + order.length + ' largest of ' + w.length, textStyle: { fontSize: 12 } },
    tooltip: {}, xAxis: { type: 'category', data: order.map((i) => kind + ' ' + (i + 1)), axisLabel: { show: order.length <= 12 } },
    yAxis: { type: 'value', min: 0, max: 1 },
    series: [{ type: 'bar', data: order.map((i) => w[i]), itemStyle: { color: '#b0308a' } }],
  }, true);
}

// ---- sampling ----
let sampling = false;
const METHODS = ['DDPM', 'DDIM', 'PF-ODE Heun', 'Langevin', 'annealed Langevin'];
async function runSample() {
  let args;
  try {
    const method = Number($('method').value);
    const steps = intOf('steps', method === 3 ? 'the Langevin iterations' : 'the steps', 1, method === 3 ? 10000 : 1000);
    args = { data: dataSpec(), method, steps, eta: method === 1 ? numOf('eta', 'eta') : 0,
      size: method >= 3 ? numOf('size', 'the step size') : 0, t: intOf('t', 't', 1, 1000),
      particles: intOf('particles', 'the number of particles', 1, 5000), seed: intOf('seed', 'the seed', 0, 2 ** 31),
      ...guideOf(), keep: 0, frames: 60 };
    args.keep = Math.min(args.particles, 300);
  } catch (err) { say(err.message, 'error', 'sample'); return; }
  if (E.data && E.data.error) { say(E.data.error, 'error'); return; }
  sampling = true; anim = null; setBusy(); $('progress').value = 0;
  say('Sampling…', 'busy');
  const t0 = performance.now();
  try {
    const m = await sampler.call('sample', args, (done, total) => { $('progress').value = done / total; });
    const r = m.result;
    if (r.error) { say(r.error, 'error', 'sample'); $('result').textContent = ''; return; }
    $('progress').value = 1;
    E.sample = { x: r.x, paths: r.paths, energy: r.energy, noise: r.noise, nearest: r.nearest, settings: args, dataKey: args.data.key, ms: m.ms, trained: null };
    let netText = '';
    if (trainedKey === args.data.key && args.guide) netText = '\nthe trained network is unconditional: turn guidance off to compare it';
    else if (trainedKey === args.data.key) {
      const n = (await sampler.call('sample', { ...args, trained: true, keep: 0, frames: 0 })).result;
      if (n.error) netText = '\nnetwork: ' + n.error;
      else {
        E.sample.trained = { x: n.x, energy: n.energy, noise: n.noise, nearest: n.nearest };
        netText = '\nthe trained network (cyan), same seed: energy distance ' + n.energy.toPrecision(3) + ' (ratio ' + (n.energy / n.noise).toPrecision(3) +
          '), median distance to the nearest data point ' + n.nearest.toPrecision(3);
      }
    }
    E.timings.sample.push({ particles: args.particles, steps: args.steps, method: args.method, engine: m.ms, total: performance.now() - t0 });
    const ratio = r.energy / r.noise;
    const target = args.guide ? 'fresh draws of class ' + args.cls + "'s data" : 'fresh draws of the data';
    $('result').textContent = METHODS[args.method] + (args.method === 1 ? ' (eta ' + args.eta + ')' : '') + ', ' + args.steps + ' steps, ' + args.particles +
      ' particles, seed ' + args.seed + ': ' + m.ms.toFixed(0) + ' ms\nenergy distance to ' + target + ': ' + r.energy.toPrecision(3) +
      '\nnoise level (two samples of the same law score this on average): ' + r.noise.toPrecision(3) + '\nratio ' + ratio.toPrecision(3) +
      (ratio < 3 ? ': within the noise' : ': above 3, the samples and the data differ') +
      (args.guide && args.gamma > 0 ? ' (guidance with gamma > 0 sharpens on purpose)' : '') +
      '\nmedian distance from a sample to its nearest data point: ' + r.nearest.toPrecision(3) + netText;
    say(dataNote(), '');
    if (r.paths.length > 1) { anim = { frames: r.paths, k: 0 }; animate(); } else drawPlane();
  } catch (err) {
    if (err.message === 'stopped') say('Sampling stopped. The page is ready for new settings.', '');
    else say(err.message, 'error', 'sample');
  } finally {
    sampling = false; setBusy();
  }
}
function animate() {
  if (!anim) return;
  drawPlane();
  if (anim.k + 1 < anim.frames.length) { anim.k++; setTimeout(() => requestAnimationFrame(animate), 25); }
  else { anim = null; drawPlane(); }
}

// ---- training ----
let training = false, trainedKey = null, lossChart = null;
function drawLoss(points) {
  if (typeof echarts === 'undefined') return;
  $('loss').style.display = '';
  if (!lossChart) lossChart = echarts.init($('loss'), null, { renderer: 'canvas' });
  lossChart.setOption({
    animation: false, grid: { left: 55, right: 10, top: 25, bottom: 30 },
    title: { text: 'batch loss (mean between reports)', textStyle: { fontSize: 12 } },
    xAxis: { type: 'value', name: 'step', nameLocation: 'middle', nameGap: 20 }, yAxis: { type: 'log' },
    series: [{ type: 'line', showSymbol: false, data: points, lineStyle: { color: '#2060c0' } }],
  }, true);
}
function setBusy() {
  $('sample').disabled = sampling || training; $('train').disabled = sampling || training;
  $('stop').disabled = !sampling; $('tstop').disabled = !training;
}
async function runTrain() {
  let args;
  try {
    args = { data: dataSpec(), width: intOf('width', 'the width', 4, 256), steps: intOf('tsteps', 'the training steps', 1, 20000), seed: intOf('tseed', 'the training seed', 0, 2 ** 31) };
  } catch (err) { say(err.message, 'error', 'sample'); return; }
  if (E.data && E.data.error) { say(E.data.error, 'error'); return; }
  training = true; trainedKey = null; E.training = null; setBusy();
  if (E.sample) { E.sample.trained = null; drawPlane(); }
  const points = [];
  $('tprogress').value = 0; $('tnote').textContent = 'training…';
  const t0 = performance.now();
  try {
    const m = await sampler.call('train', args, (step, total, loss) => {
      $('tprogress').value = step / total; points.push([step, loss]); drawLoss(points);
      $('tnote').textContent = 'step ' + step + ' of ' + total + ', loss ' + loss.toPrecision(3) + ', ' + ((performance.now() - t0) / 1000).toFixed(1) + ' s';
    });
    if (m.result.error) { say(m.result.error, 'error', 'sample'); $('tnote').textContent = ''; return; }
    trainedKey = args.data.key;
    const losses = Array.from(m.result.losses);
    E.training = { losses, ms: m.ms, steps: args.steps, width: args.width };
    drawLoss(losses.map((l, i) => [Math.round((i + 1) * args.steps / losses.length), l]));
    $('tprogress').value = 1;
    $('tnote').textContent = 'trained: ' + args.steps + ' steps of a width-' + args.width + ' network in ' + (m.ms / 1000).toFixed(1) +
      ' s; the loss went from ' + losses[0].toPrecision(3) + ' to ' + losses[losses.length - 1].toPrecision(3) + '. Press sample to compare it with the exact denoiser.';
  } catch (err) {
    if (err.message === 'stopped') { say('Training stopped. The page is ready for new settings.', ''); $('tnote').textContent = 'stopped'; }
    else say(err.message, 'error', 'sample');
  } finally {
    training = false; setBusy();
  }
}

// ---- editing the points ----
function startEditing() {
  if (drawn) return;
  const d = E.data || { points: [], labels: null };
  drawn = { points: Array.from(d.points || []), labels: d.labels ? Array.from(d.labels) : null, weights: null, version: 0 };
  $('dataset').value = 'drawn';
}
function edited() {
  drawn.version = ++drawnVersion;
  E.sample = null; anim = null;
  wantViews();
}
function nearestPoint(px, py, within) {
  const p = drawn ? drawn.points : (E.data ? E.data.points : []);
  let best = -1, bd = within;
  for (let i = 0; i < p.length / 2; i++) {
    const d = Math.hypot(toPx(p[2 * i]) - px, toPy(p[2 * i + 1]) - py);
    if (d < bd) { bd = d; best = i; }
  }
  return best;
}
function addPoint(x, y) {
  startEditing();
  const c = Number($('drawclass').value);
  if (drawn.points.length / 2 >= 5000) { say('The page takes at most 5000 points.', 'error'); return; }
  if (c >= 0 && !drawn.labels) drawn.labels = new Array(drawn.points.length / 2).fill(0);
  if (drawn.labels) drawn.labels.push(c >= 0 ? c : 0);
  if (drawn.weights) drawn.weights.push(1);
  drawn.points.push(x, y);
  edited();
}
let drag = -1;
function mousePos(e) { // in canvas pixels
  const r = plane.getBoundingClientRect();
  return [(e.clientX - r.left - plane.clientLeft) * W / plane.clientWidth, (e.clientY - r.top - plane.clientTop) * H / plane.clientHeight];
}
plane.addEventListener('mousedown', (e) => {
  if (!E.ready) return;
  const [px, py] = mousePos(e);
  const i = nearestPoint(px, py, e.shiftKey ? 9 : 7);
  if (e.shiftKey) {
    if (i < 0) return;
    startEditing();
    drawn.points.splice(2 * i, 2);
    if (drawn.labels) drawn.labels.splice(i, 1);
    if (drawn.weights) drawn.weights.splice(i, 1);
    edited();
  } else if (i >= 0) { startEditing(); drag = i; }
  else addPoint(fromPx(px), fromPy(py));
  e.preventDefault();
});
plane.addEventListener('mousemove', (e) => {
  const [px, py] = mousePos(e);
  if (drag >= 0) {
    drawn.points[2 * drag] = fromPx(px); drawn.points[2 * drag + 1] = fromPy(py);
    E.data.points = drawn.points;
    edited(); drawPlane();
    return;
  }
  $('px').value = fromPx(px).toFixed(3); $('py').value = fromPy(py).toFixed(3);
  wantViews();
});
const endDrag = () => { if (drag >= 0) { drag = -1; $('points').value = pointsText(drawn.points, drawn.labels, drawn.weights); } };
plane.addEventListener('mouseup', endDrag);
plane.addEventListener('mouseleave', endDrag);

function pointsText(p, labels, weights) {
  const lines = [];
  for (let i = 0; i < p.length / 2; i++) {
    let s = (+p[2 * i].toFixed(4)) + ' ' + (+p[2 * i + 1].toFixed(4));
    if (labels || weights) s += ' ' + (labels ? labels[i] : 0);
    if (weights) s += ' ' + weights[i];
    lines.push(s);
  }
  return lines.join('\n');
}
function parsePoints(text) {
  const points = [], labels = [], weights = [];
  let withClass = null, withWeight = false;
  text.split('\n').forEach((line, k) => {
    const f = line.trim().split(/[\s,;]+/).filter((s) => s !== '');
    if (f.length === 0) return;
    if (f.length < 2 || f.length > 4) throw new Error('line ' + (k + 1) + ': write x y, optionally a class and a weight (' + f.length + ' values found)');
    const v = f.map((s) => Number(s));
    f.forEach((s, j) => { if (!Number.isFinite(v[j])) throw new Error('line ' + (k + 1) + ': "' + s + '" is not a number'); });
    if (withClass === null) withClass = f.length >= 3;
    if (withClass !== (f.length >= 3)) throw new Error('line ' + (k + 1) + ': give a class on every line or on none');
    if (f.length >= 3 && !Number.isInteger(v[2])) throw new Error('line ' + (k + 1) + ': the class must be a whole number, not ' + f[2]);
    points.push(v[0], v[1]);
    if (withClass) labels.push(v[2]);
    weights.push(f.length === 4 ? v[3] : 1);
    if (f.length === 4) withWeight = true;
  });
  if (points.length / 2 > 5000) throw new Error((points.length / 2) + ' points are too many: the page takes at most 5000');
  return { points, labels: withClass ? labels : null, weights: withWeight ? weights : null };
}

// ---- wiring ----
function onDataset() {
  if ($('dataset').value === 'drawn') { startEditing(); edited(); return; }
  drawn = null;
  E.sample = null; anim = null; E.data = null; fieldKey = '';
  $('npoints').value = DEFAULT_N[$('dataset').value] || 300;
  say('Loading ' + $('dataset').value + '…', 'busy');
  wantViews();
}
async function init() {
  try {
    await loadEngine();
    views = new Engine('view');
    sampler = new Engine('sampling');
    await Promise.all([views.ready, sampler.ready]);
  } catch (err) {
    say('The engine could not start in this browser: ' + err.message + '. The Explorer needs WebAssembly, Web Workers and DecompressionStream (any current Chrome, Firefox or Safari).', 'error');
    return;
  }
  const names = (await views.call('names', {})).result.names;
  for (const n of names) $('dataset').add(new Option(n, n));
  $('dataset').add(new Option('your points (click to draw)', 'drawn'));
  $('dataset').value = 'three-points';
  $('dataset').addEventListener('change', onDataset);
  for (const id of ['npoints', 'dataseed']) $(id).addEventListener('change', () => { if (!drawn) wantViews(); });
  for (const id of ['t', 'arrows', 'guide', 'cls', 'gamma', 'px', 'py']) $(id).addEventListener('input', wantViews);
  $('drawclass').addEventListener('change', () => {});
  $('clear').addEventListener('click', () => { startEditing(); drawn.points = []; drawn.labels = null; drawn.weights = null; $('points').value = ''; edited(); });
  $('applypoints').addEventListener('click', () => {
    try {
      const p = parsePoints($('points').value);
      drawn = { ...p, version: 0 };
      $('dataset').value = 'drawn';
      edited();
    } catch (err) { say(err.message, 'error'); }
  });
  $('sample').addEventListener('click', runSample);
  const stopWorker = () => { // the trained network lives in the sampling worker
    if (trainedKey !== null) $('tnote').textContent = 'the trained network was dropped with the stopped run: train again to compare';
    trainedKey = null; sampler.restart();
  };
  $('stop').addEventListener('click', stopWorker);
  $('tstop').addEventListener('click', stopWorker);
  $('train').addEventListener('click', runTrain);
  $('showsamples').addEventListener('change', drawPlane);
  E.ready = true;
  say('Ready.', '');
  wantViews();
}
init();
})();
