// Running an MLP over a batch: fixed chunks of rows on par.For, each with
// its own buffers, and gradients summed over the chunks in chunk order, so
// the result does not depend on GOMAXPROCS.

package nn

import "difftoy/internal/par"

// grainFor returns the number of rows per chunk for a batch of n: at most
// 4 chunks of at least 32 rows (long enough for the weight-gradient
// product to run at speed, few enough to keep the reduction cheap). It
// depends on n only.
func grainFor(n int) int {
	c := min(4, (n+31)/32)
	if c < 1 {
		c = 1
	}
	return (n + c - 1) / c
}

// runner evaluates one MLP on batches of up to cap rows.
type runner[F float] struct {
	sizes  []int
	act    Activation
	p      []F // parameters converted to F
	pT     []F // float32: the same with every weight matrix transposed (out x in); float64: nil
	grain  int
	chunks []pass[F]
	losses []float64
}

func newRunner[F float](m *MLP, n int) *runner[F] {
	g := grainFor(n)
	r := &runner[F]{sizes: m.Sizes, act: m.Act, grain: g}
	r.p = make([]F, len(m.Params))
	if _, ok := any(r.p).([]float32); ok {
		r.pT = make([]F, len(m.Params))
	}
	nc := par.Chunks(n, g)
	r.chunks = make([]pass[F], nc)
	for i := range r.chunks {
		r.chunks[i] = newPass[F](m.Sizes, m.Act, g, false, true)
	}
	r.losses = make([]float64, nc)
	return r
}

// load copies the float64 parameters into r.p and r.pT.
func (r *runner[F]) load(params []float64) {
	for i, v := range params {
		r.p[i] = F(v)
	}
	if r.pT != nil {
		transposeWeights(r.pT, r.p, r.sizes)
	}
}

// transposeWeights writes every layer's W (in x out) of p into dst as
// W^T (out x in) and copies the biases, in 16 x 16 tiles (so that neither
// side strides through memory one element per cache line), with the rows
// of tiles spread over the cores.
func transposeWeights[F float](dst, p []F, sizes []int) {
	const tile = 16
	off := 0
	for l := 1; l < len(sizes); l++ {
		in, out := sizes[l-1], sizes[l]
		W, T := p[off:off+in*out], dst[off:off+in*out]
		par.For((in+tile-1)/tile, max(1, 4096/(tile*out)), func(lo, hi int) {
			if T32, ok := any(T).([]float32); ok && fast != nil {
				i0, i1 := lo*tile, min(hi*tile, in)
				fast.transpose(T32[i0:], any(W).([]float32)[i0*out:], i1-i0, out, in, out)
				return
			}
			for i0 := lo * tile; i0 < min(hi*tile, in); i0 += tile {
				for o0 := 0; o0 < out; o0 += tile {
					for i := i0; i < min(i0+tile, in); i++ {
						for o := o0; o < min(o0+tile, out); o++ {
							T[o*in+i] = W[i*out+o]
						}
					}
				}
			}
		})
		copy(dst[off+in*out:off+in*out+out], p[off+in*out:off+in*out+out])
		off += in*out + out
	}
}

// run calls f(w, lo, hi) for each chunk [lo, hi) of n rows, in parallel,
// and returns the sum, in chunk order, of what f returns.
func (r *runner[F]) run(n int, f func(w pass[F], lo, hi int) float64) float64 {
	if n > len(r.chunks)*r.grain || grainFor(n) != r.grain {
		panic("nn: internal error: batch size changed")
	}
	par.For(n, r.grain, func(lo, hi int) {
		c := lo / r.grain
		r.losses[c] = f(r.chunks[c], lo, hi)
	})
	s := 0.0
	for c := 0; c < par.Chunks(n, r.grain); c++ {
		s += r.losses[c]
	}
	return s
}

// update does, in one pass over the parameters split over the cores, what
// reduce, Adam.Step and load do one after the other: it sums the chunks'
// gradients of the last run over n rows (in float64, in chunk order), takes
// an Adam step on the float64 master parameters, and refreshes r.p and r.pT.
// Every element is computed alone, so the split cannot change the result.
func (r *runner[F]) update(n int, opt *Adam, master []float64, lr float64) {
	nc := par.Chunks(n, r.grain)
	c1, c2 := opt.begin(len(master))
	grads := make([][]F, nc)
	for c := range grads {
		grads[c] = r.chunks[c].paramGrad()
	}
	par.For(len(master), 4096, func(lo, hi int) {
		adamFused(opt, master, grads, r.p, lo, hi, lr, c1, c2)
	})
	if r.pT != nil {
		transposeWeights(r.pT, r.p, r.sizes)
	}
}
