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
	pT     []F // the same with every weight matrix transposed (out x in)
	grain  int
	chunks []*work[F]
	grad   []F
	losses []float64
}

func newRunner[F float](m *MLP, n int) *runner[F] {
	g := grainFor(n)
	r := &runner[F]{sizes: m.Sizes, act: m.Act, grain: g}
	r.p = make([]F, len(m.Params))
	r.pT = make([]F, len(m.Params))
	nc := par.Chunks(n, g)
	r.chunks = make([]*work[F], nc)
	for i := range r.chunks {
		r.chunks[i] = newWork[F](m.Sizes, m.Act, g, true)
	}
	r.grad = make([]F, len(m.Params))
	r.losses = make([]float64, nc)
	return r
}

// load copies the float64 parameters into r.p and r.pT.
func (r *runner[F]) load(params []float64) {
	for i, v := range params {
		r.p[i] = F(v)
	}
	copy(r.pT, r.p)
	transposeWeights(r.pT, r.p, r.sizes)
}

// transposeWeights writes every layer's W (in x out) of p into dst as
// W^T (out x in), leaving the biases alone.
func transposeWeights[F float](dst, p []F, sizes []int) {
	off := 0
	for l := 1; l < len(sizes); l++ {
		in, out := sizes[l-1], sizes[l]
		W, T := p[off:off+in*out], dst[off:off+in*out]
		for i := 0; i < in; i++ {
			for o := 0; o < out; o++ {
				T[o*in+i] = W[i*out+o]
			}
		}
		off += in*out + out
	}
}

// run calls f(w, lo, hi) for each chunk [lo, hi) of n rows, in parallel,
// and returns the sum, in chunk order, of what f returns.
func (r *runner[F]) run(n int, f func(w *work[F], lo, hi int) float64) float64 {
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

// reduce sums the chunks' parameter gradients into r.grad in chunk order.
func (r *runner[F]) reduce(n int) {
	nc := par.Chunks(n, r.grain)
	par.For(len(r.grad), 4096, func(lo, hi int) {
		g := r.grad[lo:hi]
		copy(g, r.chunks[0].grad[lo:hi])
		for c := 1; c < nc; c++ {
			cg := r.chunks[c].grad[lo:hi]
			for i := range g {
				g[i] += cg[i]
			}
		}
	})
}
