//go:build js && wasm

package main

import (
	"encoding/binary"
	"fmt"
	"math"
	"syscall/js"

	"difftoy/internal/explorer"
	"difftoy/toy/nn"
)

func main() {
	api := map[string]any{
		"data":      handler(data),
		"fields":    handler(fields),
		"posterior": handler(posterior),
		"sample":    handler(sampleRun),
		"train":     handler(train),
		"names":     handler(names),
	}
	js.Global().Set("explorerGo", js.ValueOf(api))
	select {}
}

// handler wraps f so that an error or a panic becomes {error: "..."}.
func handler(f func(args []js.Value) (map[string]any, error)) js.Func {
	return js.FuncOf(func(_ js.Value, args []js.Value) (out any) {
		defer func() {
			if r := recover(); r != nil {
				out = js.ValueOf(map[string]any{"error": fmt.Sprintf("internal error: %v", r)})
			}
		}()
		res, err := f(args)
		if err != nil {
			return js.ValueOf(map[string]any{"error": err.Error()})
		}
		return js.ValueOf(res)
	})
}

// f64s returns x as a Float64Array with the same bits.
func f64s(x []float64) js.Value {
	b := make([]byte, 8*len(x))
	for i, v := range x {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(v))
	}
	u := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(u, b)
	return js.Global().Get("Float64Array").New(u.Get("buffer"))
}

// goF64s reads a Float64Array (or null/undefined: nil).
func goF64s(v js.Value) []float64 {
	if v.IsNull() || v.IsUndefined() {
		return nil
	}
	n := v.Get("length").Int()
	u := js.Global().Get("Uint8Array").New(v.Get("buffer"), v.Get("byteOffset"), 8*n)
	b := make([]byte, 8*n)
	js.CopyBytesToGo(b, u)
	x := make([]float64, n)
	for i := range x {
		x[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return x
}

func goInts(v js.Value) []int {
	if v.IsNull() || v.IsUndefined() {
		return nil
	}
	x := make([]int, v.Get("length").Int())
	for i := range x {
		x[i] = v.Index(i).Int()
	}
	return x
}

func ints(x []int) any {
	if x == nil {
		return nil
	}
	a := make([]any, len(x))
	for i, v := range x {
		a[i] = v
	}
	return a
}

// cache holds the last data set, by the page's key.
var cache struct {
	key string
	d   *explorer.Data
}

// dataOf returns the data set the spec names, from the cache when its key
// is the last one.
func dataOf(spec js.Value) (*explorer.Data, error) {
	key := spec.Get("key").String()
	if cache.d != nil && cache.key == key {
		return cache.d, nil
	}
	var d *explorer.Data
	var err error
	if p := spec.Get("points"); !p.IsUndefined() && !p.IsNull() {
		d, err = explorer.Drawn(goF64s(p), goF64s(spec.Get("weights")), goInts(spec.Get("labels")))
	} else {
		d, err = explorer.Load(spec.Get("name").String(), spec.Get("n").Int(), uint64(spec.Get("seed").Int()))
	}
	if err != nil {
		return nil, err
	}
	cache.key, cache.d = key, d
	return d, nil
}

func names([]js.Value) (map[string]any, error) {
	var a []any
	for _, n := range explorer.Datasets() {
		a = append(a, n)
	}
	return map[string]any{"names": a}, nil
}

func data(args []js.Value) (map[string]any, error) {
	d, err := dataOf(args[0])
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"name": d.Name, "points": f64s(d.Points), "labels": ints(d.Labels),
		"weights": f64s(d.Exact.Weights()), "classes": d.Classes, "outside": d.Outside(), "delta": d.Delta(),
	}, nil
}

func guidance(a js.Value) explorer.Guidance {
	return explorer.Guidance{Guide: explorer.Guide(a.Get("guide").Int()), Class: a.Get("cls").Int(), Gamma: a.Get("gamma").Float()}
}

func fields(args []js.Value) (map[string]any, error) {
	a := args[0]
	d, err := dataOf(a.Get("data"))
	if err != nil {
		return nil, err
	}
	f, err := explorer.Fields(d, a.Get("t").Int(), a.Get("heatN").Int(), a.Get("arrowN").Int(), explorer.Arrows(a.Get("arrows").Int()), guidance(a))
	if err != nil {
		return nil, err
	}
	return map[string]any{"t": f.T, "alpha": f.Alpha, "heatN": f.HeatN, "heat": f64s(f.Heat), "arrowN": f.ArrowN, "kind": int(f.Kind), "arrows": f64s(f.Arrows)}, nil
}

func posterior(args []js.Value) (map[string]any, error) {
	a := args[0]
	d, err := dataOf(a.Get("data"))
	if err != nil {
		return nil, err
	}
	p, err := explorer.PosteriorAt(d, a.Get("t").Int(), a.Get("x").Float(), a.Get("y").Float())
	if err != nil {
		return nil, err
	}
	return map[string]any{"x": p.X, "y": p.Y, "weights": f64s(p.Weights), "dx": p.Denoised[0], "dy": p.Denoised[1]}, nil
}

func sampleRun(args []js.Value) (map[string]any, error) {
	a := args[0]
	d, err := dataOf(a.Get("data"))
	if err != nil {
		return nil, err
	}
	s := explorer.Sampling{
		Method: explorer.Method(a.Get("method").Int()), Steps: a.Get("steps").Int(), Eta: a.Get("eta").Float(),
		Size: a.Get("size").Float(), T: a.Get("t").Int(), Particles: a.Get("particles").Int(),
		Seed: uint64(a.Get("seed").Int()), Guidance: guidance(a), Keep: a.Get("keep").Int(), Frames: a.Get("frames").Int(),
	}
	var progress func(done, total int)
	if len(args) > 1 && args[1].Type() == js.TypeFunction {
		cb := args[1]
		progress = func(done, total int) { cb.Invoke(done, total) }
	}
	var net *nn.Model
	if a.Get("trained").Truthy() {
		if trained.m == nil || trained.key != a.Get("data").Get("key").String() {
			return nil, errorString("no network is trained on these data: press train first")
		}
		net = trained.m
	}
	var r *explorer.Result
	if net != nil {
		r, err = explorer.RunWith(d, net, s, progress)
	} else {
		r, err = explorer.Run(d, s, progress)
	}
	if err != nil {
		return nil, err
	}
	paths := make([]any, len(r.Paths))
	for i, p := range r.Paths {
		paths[i] = f64s(p)
	}
	return map[string]any{"x": f64s(r.X), "paths": paths, "energy": r.Energy, "noise": r.Noise, "nearest": r.Nearest}, nil
}

type errorString string

func (e errorString) Error() string { return string(e) }

// trained is the last network trained, with the key of its data.
var trained struct {
	key string
	m   *nn.Model
}

func train(args []js.Value) (map[string]any, error) {
	a := args[0]
	d, err := dataOf(a.Get("data"))
	if err != nil {
		return nil, err
	}
	var losses []float64
	var progress func(step, total int, loss float64)
	if len(args) > 1 && args[1].Type() == js.TypeFunction {
		cb := args[1]
		progress = func(step, total int, loss float64) {
			losses = append(losses, loss)
			cb.Invoke(step, total, loss)
		}
	}
	trained.m, trained.key = nil, ""
	m, err := explorer.TrainModel(d, explorer.Training{Steps: a.Get("steps").Int(), Width: a.Get("width").Int(), Seed: uint64(a.Get("seed").Int())}, progress)
	if err != nil {
		return nil, err
	}
	trained.m, trained.key = m, a.Get("data").Get("key").String()
	return map[string]any{"losses": f64s(losses)}, nil
}
