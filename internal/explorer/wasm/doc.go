// Command wasm is the Explorer page's engine: package explorer compiled with
// GOOS=js GOARCH=wasm and run in a Web Worker of the page. It installs
// globalThis.explorerGo, whose functions take the page's settings as plain
// objects and typed arrays and return the results the same way (float64
// arrays as their bytes, so every bit arrives):
//
//	data({key, name, n, seed} or {key, points, labels, weights})
//	fields({data, t, heatN, arrowN, guide, cls, gamma})
//	posterior({data, t, x, y})
//	sample({data, method, steps, eta, size, t, particles, seed, guide, cls, gamma, keep, frames}, progress)
//
// Each returns {error: "..."} instead of its result when the settings are
// refused; a panic is caught and returned the same way, so the engine
// survives it. Built for any other platform it only says how to build it.
package main
