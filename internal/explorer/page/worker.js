// The engine's worker: wasm_exec.js (the Go distribution's) is prepended.
// It instantiates the Go program and answers one request at a time.
'use strict';
onmessage = async (e) => {
  const m = e.data;
  if (m.op === 'init') {
    try {
      const go = new Go();
      // m.module is compiled once by the page and shared by every worker.
      const instance = await WebAssembly.instantiate(m.module, go.importObject);
      go.run(instance); // main installs globalThis.explorerGo, then waits
      postMessage({ op: 'ready' });
    } catch (err) {
      postMessage({ op: 'failed', error: String(err) });
    }
    return;
  }
  let last = 0;
  const progress = (done, total, value) => {
    const now = performance.now();
    if (now - last > 40 || done === total) {
      last = now;
      postMessage({ op: 'progress', id: m.id, done, total, value });
    }
  };
  const t0 = performance.now();
  let result;
  try {
    result = globalThis.explorerGo[m.op](m.args, progress);
  } catch (err) {
    result = { error: 'the engine stopped: ' + String(err) + ' (reload the page)' };
  }
  postMessage({ op: 'result', id: m.id, result, ms: performance.now() - t0 });
};
