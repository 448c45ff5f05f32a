// The float32 pass of the MLP: the layers of mlp.go's tape through the
// float32 kernels of kernel.go (matrix products, SiLU, column sums, each
// with vector versions on amd64), behind the same pass interface.
// Training and evaluation run it by default.

package nn

// work32 is the float32 pass. h[0] is the input; h[l], z[l] (l >= 1) are
// layer l's output after and before the activation (s[l] keeps sigmoid(z)
// for SiLU); the last z is the network output.
type work32 struct {
	sizes []int
	act   Activation
	h, z  [][]float32
	s     [][]float32
	g, gh []float32 // backward scratch, rows x widest layer
	grad  []float32 // parameter gradient of the last backward
	dIn   []float32 // input gradient of the last backward
}

// newWork32 allocates the forward buffers, the input-gradient buffers
// when inputGrad is true and the parameter gradient when paramGrad is
// true; backward skips the parameter gradient when it has no buffer.
func newWork32(sizes []int, act Activation, rows int, inputGrad, paramGrad bool) *work32 {
	L := len(sizes) - 1
	w := &work32{sizes: sizes, act: act}
	w.h = make([][]float32, L+1)
	w.z = make([][]float32, L+1)
	w.s = make([][]float32, L+1)
	widest := 0
	for l, s := range sizes {
		widest = max(widest, s)
		if l == 0 {
			w.h[0] = make([]float32, rows*s)
			continue
		}
		w.z[l] = make([]float32, rows*s)
		if l < L {
			w.h[l] = make([]float32, rows*s)
			if act == SiLU {
				w.s[l] = make([]float32, rows*s)
			}
		}
	}
	if inputGrad || paramGrad {
		w.g = make([]float32, rows*widest)
		w.gh = make([]float32, rows*widest)
		w.dIn = make([]float32, rows*sizes[0])
	}
	if paramGrad {
		w.grad = make([]float32, numParams(sizes))
	}
	return w
}

func (w *work32) input(rows int) []float32 { return w.h[0][:rows*w.sizes[0]] }
func (w *work32) paramGrad() []float32     { return w.grad }
func (w *work32) inputGrad() []float32     { return w.dIn }

// forward is tape.forward in float32, with the bias added inside the
// activation's kernel.
func (w *work32) forward(p []float32, rows int) []float32 {
	L := len(w.sizes) - 1
	off := 0
	for l := 1; l <= L; l++ {
		in, out := w.sizes[l-1], w.sizes[l]
		W, b := p[off:off+in*out], p[off+in*out:off+in*out+out]
		off += in*out + out
		z := w.z[l][:rows*out]
		gemmNN(z, w.h[l-1][:rows*in], W, rows, in, out, false)
		if l == L {
			addBias32(z, b, rows, out)
			break
		}
		switch w.act {
		case SiLU:
			siluForward32(w.h[l][:rows*out], w.s[l][:rows*out], z, b, rows, out)
		case ReLU:
			reluForward32(w.h[l][:rows*out], z, b, rows, out)
		}
	}
	return w.z[L][:rows*w.sizes[L]]
}

// backward is tape.backward in float32. With pT it computes the input
// gradient G W^T as the plain product G (W^T), which the kernels do faster.
func (w *work32) backward(p, pT []float32, rows int, dOut []float32, wantInput bool) {
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
			siluBackward32(next, dh, w.z[l-1][:rows*in], w.s[l-1][:rows*in])
		case ReLU:
			reluBackward32(next, dh, w.z[l-1][:rows*in])
		}
		g = next // in w.g; the next layer's dh goes to w.gh, so they never alias
	}
}

func addBias32(z, b []float32, rows, n int) {
	for r := 0; r < rows; r++ {
		zr := z[r*n : r*n+n]
		for j := range zr {
			zr[j] += b[j]
		}
	}
}

// reluForward32 sets z += b, h = max(z, 0).
func reluForward32(h, z, b []float32, rows, n int) {
	for r := 0; r < rows; r++ {
		zr, hr := z[r*n:r*n+n], h[r*n:r*n+n]
		for j := range zr {
			v := zr[j] + b[j]
			zr[j] = v
			hr[j] = max(v, 0)
		}
	}
}

// reluBackward32 sets dz = dh where z > 0 and 0 elsewhere.
func reluBackward32(dz, dh, z []float32) {
	for i := range dz {
		if z[i] > 0 {
			dz[i] = dh[i]
		} else {
			dz[i] = 0
		}
	}
}
