// The multilayer perceptron: dense layers with SiLU or ReLU between them,
// forward and backward written out layer by layer (micrograd style: each
// backward step sits under the forward step it differentiates).

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

// work holds the buffers of one forward and backward pass over up to rows
// points. h[0] is the input; h[l], z[l] (l >= 1) are layer l's output after
// and before the activation (s[l] keeps sigmoid(z) for SiLU); the last z is
// the network output.
type work[F float] struct {
	sizes []int
	act   Activation
	rows  int
	h, z  [][]F
	s     [][]F
	g, gh []F // backward scratch, rows x widest layer
	grad  []F // parameter gradient of the last backward
	dIn   []F // input gradient of the last backward
}

// newWork allocates the buffers; the backward ones only when train is
// true.
func newWork[F float](sizes []int, act Activation, rows int, train bool) *work[F] {
	return newWorkGrad[F](sizes, act, rows, train, train)
}

// newWorkGrad allocates the forward buffers, the input-gradient buffers
// when inputGrad is true and the parameter gradient when paramGrad is
// true; backward skips the parameter gradient when it has no buffer.
func newWorkGrad[F float](sizes []int, act Activation, rows int, inputGrad, paramGrad bool) *work[F] {
	L := len(sizes) - 1
	w := &work[F]{sizes: sizes, act: act, rows: rows}
	w.h = make([][]F, L+1)
	w.z = make([][]F, L+1)
	w.s = make([][]F, L+1)
	widest := 0
	for l, s := range sizes {
		widest = max(widest, s)
		if l == 0 {
			w.h[0] = make([]F, rows*s)
			continue
		}
		w.z[l] = make([]F, rows*s)
		if l < L {
			w.h[l] = make([]F, rows*s)
			if act == SiLU {
				w.s[l] = make([]F, rows*s)
			}
		}
	}
	if inputGrad || paramGrad {
		w.g = make([]F, rows*widest)
		w.gh = make([]F, rows*widest)
		w.dIn = make([]F, rows*sizes[0])
	}
	if paramGrad {
		w.grad = make([]F, numParams(sizes))
	}
	return w
}

// input returns the input buffer for rows points.
func (w *work[F]) input(rows int) []F { return w.h[0][:rows*w.sizes[0]] }

// forward evaluates the network with parameters p on the first rows inputs
// in h[0] and returns the output (rows x out), which aliases w's buffers.
func (w *work[F]) forward(p []F, rows int) []F {
	L := len(w.sizes) - 1
	off := 0
	for l := 1; l <= L; l++ {
		in, out := w.sizes[l-1], w.sizes[l]
		W, b := p[off:off+in*out], p[off+in*out:off+in*out+out]
		off += in*out + out
		z := w.z[l][:rows*out]
		gemmNN(z, w.h[l-1][:rows*in], W, rows, in, out, false)
		if l == L {
			addBias(z, b, rows, out)
			break
		}
		switch w.act {
		case SiLU:
			siluForward(w.h[l][:rows*out], w.s[l][:rows*out], z, b, rows, out)
		case ReLU:
			reluForward(w.h[l][:rows*out], z, b, rows, out)
		}
	}
	return w.z[L][:rows*w.sizes[L]]
}

// backward takes dOut = dLoss/dOutput (rows x out) after a forward on the
// same rows, and writes dLoss/dParams into w.grad (overwriting it) and, if
// wantInput, dLoss/dInput into w.dIn. pT, when not nil, holds p with its
// weight matrices transposed (transposeWeights), which turns the input
// gradient G W^T into a plain product G (W^T) that the kernels do faster.
func (w *work[F]) backward(p []F, rows int, dOut []F, wantInput bool) {
	w.backwardT(p, nil, rows, dOut, wantInput)
}

func (w *work[F]) backwardT(p, pT []F, rows int, dOut []F, wantInput bool) {
	L := len(w.sizes) - 1
	off := len(p)
	g := dOut
	for l := L; l >= 1; l-- {
		in, out := w.sizes[l-1], w.sizes[l]
		off -= in*out + out
		W := p[off : off+in*out]
		// z = h W + b:  dW = h^T g,  db = sum_rows g,  dh = g W^T.
		if w.grad != nil {
			gW, gb := w.grad[off:off+in*out], w.grad[off+in*out:off+in*out+out]
			gemmTN(gW, w.h[l-1][:rows*in], g, in, rows, out)
			colSums(gb, g, rows, out)
		}
		if l == 1 && !wantInput {
			break
		}
		dh := w.gh[:rows*in]
		if l == 1 {
			dh = w.dIn[:rows*in]
		}
		if pT != nil {
			gemmNN(dh, g, pT[off:off+in*out], rows, out, in, false)
		} else {
			gemmNT(dh, g, W, rows, out, in)
		}
		if l == 1 {
			break
		}
		// h = act(z):  dz = dh * act'(z).
		next := w.g[:rows*in]
		switch w.act {
		case SiLU:
			siluBackward(next, dh, w.z[l-1][:rows*in], w.s[l-1][:rows*in])
		case ReLU:
			reluBackward(next, dh, w.z[l-1][:rows*in])
		}
		g = next // in w.g; the next layer's dh goes to w.gh, so they never alias
	}
}

func addBias[F float](z, b []F, rows, n int) {
	for r := 0; r < rows; r++ {
		zr := z[r*n : r*n+n]
		for j := range zr {
			zr[j] += b[j]
		}
	}
}

func colSums[F float](dst, g []F, rows, n int) {
	if d32, ok := any(dst).([]float32); ok && fast != nil {
		fast.colSums(d32, any(g).([]float32), rows, n)
		return
	}
	colSumsGo(dst, g, rows, n)
}

func colSumsGo[F float](dst, g []F, rows, n int) {
	clear(dst)
	for r := 0; r < rows; r++ {
		gr := g[r*n : r*n+n]
		for j := range dst {
			dst[j] += gr[j]
		}
	}
}

// siluForward sets z += b, s = sigmoid(z), h = z s.
func siluForward[F float](h, s, z, b []F, rows, n int) {
	if h32, ok := any(h).([]float32); ok {
		siluForward32(h32, any(s).([]float32), any(z).([]float32), any(b).([]float32), rows, n)
		return
	}
	for r := 0; r < rows; r++ {
		zr, sr, hr := z[r*n:r*n+n], s[r*n:r*n+n], h[r*n:r*n+n]
		for j := range zr {
			v := zr[j] + b[j]
			zr[j] = v
			e := F(1 / (1 + math.Exp(-float64(v))))
			sr[j] = e
			hr[j] = v * e
		}
	}
}

func siluForward32(h, s, z, b []float32, rows, n int) {
	if fast != nil {
		fast.siluFwd(h, s, z, b, rows, n)
		return
	}
	siluForward32Go(h, s, z, b, rows, n)
}

func siluForward32Go(h, s, z, b []float32, rows, n int) {
	for r := 0; r < rows; r++ {
		zr, sr, hr := z[r*n:r*n+n], s[r*n:r*n+n], h[r*n:r*n+n]
		for j := range zr {
			v := zr[j] + b[j]
			zr[j] = v
			e := 1 / (1 + exp32(-v))
			sr[j] = e
			hr[j] = v * e
		}
	}
}

// siluBackward sets dz = dh * s (1 + z (1 - s)), the derivative of z sigmoid(z).
func siluBackward[F float](dz, dh, z, s []F) {
	if dz32, ok := any(dz).([]float32); ok && fast != nil {
		fast.siluBack(dz32, any(dh).([]float32), any(z).([]float32), any(s).([]float32))
		return
	}
	siluBackwardGo(dz, dh, z, s)
}

func siluBackwardGo[F float](dz, dh, z, s []F) {
	for i := range dz {
		si := s[i]
		dz[i] = dh[i] * si * (1 + z[i]*(1-si))
	}
}

// reluForward sets z += b, h = max(z, 0).
func reluForward[F float](h, z, b []F, rows, n int) {
	for r := 0; r < rows; r++ {
		zr, hr := z[r*n:r*n+n], h[r*n:r*n+n]
		for j := range zr {
			v := zr[j] + b[j]
			zr[j] = v
			hr[j] = max(v, 0)
		}
	}
}

// reluBackward sets dz = dh where z > 0 and 0 elsewhere.
func reluBackward[F float](dz, dh, z []F) {
	for i := range dz {
		if z[i] > 0 {
			dz[i] = dh[i]
		} else {
			dz[i] = 0
		}
	}
}

// exp32 is e^x in float32 to within a few ulp: x = n ln2 + r with
// |r| <= ln2/2, e^r by its degree-6 Taylor polynomial (remainder below
// 0.35^7/7! ~ 1.3e-7), and 2^n put into the exponent bits.
func exp32(x float32) float32 {
	x = min(max(x, -87), 88)
	n := float32(math.Floor(float64(x*1.442695041 + 0.5)))
	r := x - n*0.693145752 - n*1.42860677e-6
	p := 1 + r*(1+r*(0.5+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720))))))
	return p * math.Float32frombits(uint32(int32(n)+127)<<23)
}
