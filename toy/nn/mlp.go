// The multilayer perceptron: dense layers with SiLU or ReLU between them,
// and its float64 forward and backward written out as plain loops, layer
// by layer, each backward right under the forward it differentiates (the
// chain rule of doc.go, read top to bottom). The float32 pass that training
// runs by default sits behind the same interface in mlp32.go.

package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Activation is the nonlinearity between hidden layers.
type Activation int

const (
	// SiLU is x * sigmoid(x) (smooth, the usual choice for diffusion MLPs).
	SiLU Activation = iota
	// ReLU is max(0, x).
	ReLU
)

var activationNames = []string{"silu", "relu"}

func (a Activation) String() string { return nameOf(activationNames, int(a), "Activation") }

// ParseActivation returns the activation called name ("silu" or "relu").
func ParseActivation(name string) (Activation, error) {
	i, err := parseName("activation", activationNames, name)
	return Activation(i), err
}

// MLP is a stack of dense layers z_l = h_{l-1} W_l + b_l with
// h_l = act(z_l) between them and no activation after the last.
//
// Params holds, layer after layer, W_l (in x out, row-major) and then b_l.
// It is the only state: two MLPs with equal Sizes, Act and Params compute
// the same function.
type MLP struct {
	Sizes  []int // widths: input, hidden ..., output
	Act    Activation
	Params []float64
}

// NewMLP returns an MLP with the given widths (at least input and output),
// weights drawn from N(0, g/fan_in) (g = 2 before a ReLU or SiLU, He
// initialisation, g = 1 for the last layer) and zero biases.
func NewMLP(sizes []int, act Activation, src rand.Source) (*MLP, error) {
	if len(sizes) < 2 {
		return nil, fmt.Errorf("nn: an MLP needs at least an input and an output width, got %v", sizes)
	}
	for _, s := range sizes {
		if s < 1 {
			return nil, fmt.Errorf("nn: layer width %d in %v is not positive", s, sizes)
		}
	}
	if act != SiLU && act != ReLU {
		return nil, fmt.Errorf("nn: unknown activation %d (valid: %s)", int(act), validNames(activationNames))
	}
	m := &MLP{Sizes: append([]int(nil), sizes...), Act: act}
	m.Params = make([]float64, numParams(sizes))
	r := rand.New(src)
	off := 0
	for l := 0; l+1 < len(sizes); l++ {
		in, out := sizes[l], sizes[l+1]
		g := 2.0
		if l+2 == len(sizes) {
			g = 1
		}
		sd := math.Sqrt(g / float64(in))
		for i := 0; i < in*out; i++ {
			m.Params[off+i] = sd * r.NormFloat64()
		}
		off += in*out + out
	}
	return m, nil
}

func numParams(sizes []int) int {
	n := 0
	for l := 0; l+1 < len(sizes); l++ {
		n += sizes[l]*sizes[l+1] + sizes[l+1]
	}
	return n
}

// NumParams returns the number of parameters.
func (m *MLP) NumParams() int { return numParams(m.Sizes) }

// Clone returns a deep copy.
func (m *MLP) Clone() *MLP {
	return &MLP{Sizes: append([]int(nil), m.Sizes...), Act: m.Act, Params: append([]float64(nil), m.Params...)}
}

// tape is the float64 pass, on the arrays of buffers (end of this file).
// Its forward keeps, layer after layer, what the backward needs (each
// layer's input h, its pre-activation z and, for SiLU, sigmoid(z) in s);
// its backward walks the layers in reverse and applies to dL/dz the
// backward of every step, writing dL/dParams into dP and dL/dInput into
// dIn.
type tape struct{ buffers[float64] }

func newTape(sizes []int, act Activation, rows int, inputGrad, paramGrad bool) *tape {
	return &tape{newBuffers[float64](sizes, act, rows, inputGrad, paramGrad)}
}

// forward: for l = 1..L, z_l = h_{l-1} W_l + b_l, then h_l = act(z_l)
// except after the last layer.
func (t *tape) forward(p []float64, rows int) []float64 {
	L := len(t.sizes) - 1
	off := 0
	for l := 1; l <= L; l++ {
		in, out := t.sizes[l-1], t.sizes[l]
		W, b := p[off:off+in*out], p[off+in*out:off+in*out+out]
		off += in*out + out
		z := t.z[l][:rows*out]
		linearForward(z, t.h[l-1][:rows*in], W, b, rows, in, out)
		switch {
		case l == L: // the output: no activation
		case t.act == SiLU:
			siluForward(t.h[l][:rows*out], t.s[l][:rows*out], z)
		case t.act == ReLU:
			reluForward(t.h[l][:rows*out], z)
		}
	}
	return t.z[L][:rows*t.sizes[L]]
}

// backward: for l = L..1, from dL/dz_l the linear layer's backward gives
// dL/dW_l, dL/db_l and dL/dh_{l-1}, and the activation's backward turns
// dL/dh_{l-1} into dL/dz_{l-1}.
func (t *tape) backward(p, _ []float64, rows int, dOut []float64, wantInput bool) {
	L := len(t.sizes) - 1
	off := len(p)
	dz := dOut // the output is z_L itself
	for l := L; l >= 1; l-- {
		in, out := t.sizes[l-1], t.sizes[l]
		off -= in*out + out
		var dW, db, dh []float64
		if t.dP != nil {
			dW, db = t.dP[off:off+in*out], t.dP[off+in*out:off+in*out+out]
		}
		switch {
		case l > 1:
			dh = t.dh[:rows*in]
		case wantInput:
			dh = t.dIn[:rows*in]
		}
		linearBackward(dW, db, dh, t.h[l-1][:rows*in], p[off:off+in*out], dz, rows, in, out)
		if l == 1 {
			break
		}
		next := t.dz[:rows*in] // dz (read above) is no longer needed
		switch t.act {
		case SiLU:
			siluBackward(next, dh, t.z[l-1][:rows*in], t.s[l-1][:rows*in])
		case ReLU:
			reluBackward(next, dh, t.z[l-1][:rows*in])
		}
		dz = next
	}
}

// linearForward sets z = h W + b for h (rows x in) and W (in x out):
// z[r][o] = sum_i h[r][i] W[i][o] + b[o], summed over i in order.
func linearForward(z, h, W, b []float64, rows, in, out int) {
	for r := 0; r < rows; r++ {
		zr := z[r*out : (r+1)*out]
		clear(zr)
		for i, x := range h[r*in : (r+1)*in] {
			Wi := W[i*out : (i+1)*out]
			for o := range zr {
				zr[o] += x * Wi[o]
			}
		}
		for o := range zr {
			zr[o] += b[o]
		}
	}
}

// linearBackward takes g = dL/dz (rows x out) for z = h W + b and sets
//
//	dW = h^T g,       dW[i][o] = sum_r h[r][i] g[r][o]   (with db, skipped when dW is nil)
//	db = sum_r g[r],  db[o]    = sum_r g[r][o]
//	dh = g W^T,       dh[r][i] = sum_o g[r][o] W[i][o]   (skipped when dh is nil)
//
// every sum taken in index order.
func linearBackward(dW, db, dh, h, W, g []float64, rows, in, out int) {
	if dW != nil {
		clear(dW)
		clear(db)
		for r := 0; r < rows; r++ {
			gr := g[r*out : (r+1)*out]
			for i, x := range h[r*in : (r+1)*in] {
				dWi := dW[i*out : (i+1)*out]
				for o, v := range gr {
					dWi[o] += x * v
				}
			}
			for o, v := range gr {
				db[o] += v
			}
		}
	}
	if dh != nil {
		for r := 0; r < rows; r++ {
			gr := g[r*out : (r+1)*out]
			for i := 0; i < in; i++ {
				Wi := W[i*out : (i+1)*out]
				s := 0.0
				for o, v := range gr {
					s += v * Wi[o]
				}
				dh[r*in+i] = s
			}
		}
	}
}

// siluForward sets s = sigmoid(z) and h = z s, element by element.
func siluForward(h, s, z []float64) {
	for i, v := range z {
		e := 1 / (1 + math.Exp(-v))
		s[i] = e
		h[i] = v * e
	}
}

// siluBackward sets dz = dh h'(z), with h'(z) = s + z s (1 - s) =
// s (1 + z (1 - s)) and s = sigmoid(z) from the forward.
func siluBackward(dz, dh, z, s []float64) {
	for i := range dz {
		si := s[i]
		dz[i] = dh[i] * si * (1 + z[i]*(1-si))
	}
}

// reluForward sets h = max(z, 0).
func reluForward(h, z []float64) {
	for i, v := range z {
		h[i] = max(v, 0)
	}
}

// reluBackward sets dz = dh where z > 0 and 0 elsewhere.
func reluBackward(dz, dh, z []float64) {
	for i := range dz {
		if z[i] > 0 {
			dz[i] = dh[i]
		} else {
			dz[i] = 0
		}
	}
}

// float is the precision of a pass: float32 or float64.
type float interface{ ~float32 | ~float64 }

// pass runs an MLP forward and backward over a block of up to a fixed
// number of rows (points) in precision F. The arithmetic has two homes
// behind this one interface:
//
//   - tape (above, float64): plain loops, each step's backward under its
//     forward. Config.Float64, Model.Float64 and Classifier.Float64 run it,
//     and the tests hold the float32 pass to it.
//   - work32 (mlp32.go, float32): the same layers through the matrix and
//     elementwise kernels (kernel.go, and on amd64 the vector assembly),
//     which training and evaluation run by default.
type pass[F float] interface {
	// input returns the input buffer of the first rows points
	// (rows x Sizes[0], row-major).
	input(rows int) []F
	// forward evaluates the network with parameters p (laid out as
	// MLP.Params) on the first rows inputs and returns the outputs (rows
	// x the output width), which alias the pass's buffers.
	forward(p []F, rows int) []F
	// backward takes dOut = dL/dOutput (rows x the output width; it may be
	// the slice forward returned) after a forward on the same rows, and writes
	// dL/dParams into paramGrad (when the pass has one) and, if wantInput,
	// dL/dInput into inputGrad. pT, when not nil, is p with every weight
	// matrix transposed (transposeWeights), which the float32 kernels
	// multiply by faster; the float64 pass does not need it.
	backward(p, pT []F, rows int, dOut []F, wantInput bool)
	paramGrad() []F
	inputGrad() []F
}

// newPass returns the pass of precision F for an MLP with widths sizes and
// activation act over up to rows points, with a buffer for the input
// gradient when inputGrad is true and for the parameter gradient when
// paramGrad is true (backward skips what has no buffer).
func newPass[F float](sizes []int, act Activation, rows int, inputGrad, paramGrad bool) pass[F] {
	var p any
	switch any(F(0)).(type) {
	case float64:
		p = newTape(sizes, act, rows, inputGrad, paramGrad)
	case float32:
		p = newWork32(sizes, act, rows, inputGrad, paramGrad)
	}
	return p.(pass[F])
}

// buffers are the arrays of a pass over up to rows points, in precision
// F: h[0] the input; for l >= 1, z[l] = h[l-1] W_l + b_l and, for the
// hidden layers, h[l] = act(z[l]) and (SiLU) s[l] = sigmoid(z[l]); the
// last z is the output. The backward writes dL/dParams into dP (laid out
// as Params) and dL/dInput into dIn, with dz and dh as scratch.
type buffers[F float] struct {
	sizes   []int
	act     Activation
	h, z, s [][]F
	dz, dh  []F
	dP, dIn []F
}

// newBuffers allocates the forward arrays, the backward scratch when
// either gradient is wanted, dIn when inputGrad and dP when paramGrad.
func newBuffers[F float](sizes []int, act Activation, rows int, inputGrad, paramGrad bool) buffers[F] {
	L := len(sizes) - 1
	b := buffers[F]{sizes: sizes, act: act, h: make([][]F, L+1), z: make([][]F, L+1), s: make([][]F, L+1)}
	widest := 0
	for l, n := range sizes {
		widest = max(widest, n)
		switch {
		case l == 0:
			b.h[0] = make([]F, rows*n)
		case l < L:
			b.z[l], b.h[l] = make([]F, rows*n), make([]F, rows*n)
			if act == SiLU {
				b.s[l] = make([]F, rows*n)
			}
		default:
			b.z[l] = make([]F, rows*n)
		}
	}
	if inputGrad || paramGrad {
		b.dz, b.dh = make([]F, rows*widest), make([]F, rows*widest)
	}
	if inputGrad {
		b.dIn = make([]F, rows*sizes[0])
	}
	if paramGrad {
		b.dP = make([]F, numParams(sizes))
	}
	return b
}

func (b *buffers[F]) input(rows int) []F { return b.h[0][:rows*b.sizes[0]] }
func (b *buffers[F]) paramGrad() []F     { return b.dP }
func (b *buffers[F]) inputGrad() []F     { return b.dIn }
