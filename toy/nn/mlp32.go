// The float32 pass of the MLP: the layers of mlp.go's tape through the
// float32 kernels of kernel.go (matrix products, SiLU, column sums, each
// with vector versions on amd64), behind the same pass interface.
// Training and evaluation run it by default.

package nn

// work32 is the float32 pass, on the same buffers as the tape.
type work32 struct{ buffers[float32] }

func newWork32(sizes []int, act Activation, rows int, inputGrad, paramGrad bool) *work32 {
	return &work32{newBuffers[float32](sizes, act, rows, inputGrad, paramGrad)}
}

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
		if w.dP != nil {
			gW, gb := w.dP[off:off+in*out], w.dP[off+in*out:off+in*out+out]
			gemmTN(gW, w.h[l-1][:rows*in], g, in, rows, out)
			colSums(gb, g, rows, out)
		}
		if l == 1 && !wantInput {
			break
		}
		dh := w.dh[:rows*in]
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
		next := w.dz[:rows*in]
		switch w.act {
		case SiLU:
			siluBackward32(next, dh, w.z[l-1][:rows*in], w.s[l-1][:rows*in])
		case ReLU:
			reluBackward32(next, dh, w.z[l-1][:rows*in])
		}
		g = next // in w.dz; the next layer's dh goes to w.dh, so they never alias
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
