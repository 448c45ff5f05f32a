//go:build amd64 && !purego

// The float32 kernels in AVX2+FMA and AVX-512 assembly (kernel_amd64.s,
// written by internal/asmgen), chosen at start-up from the processor's
// features, and their Go wrappers: bounds checks, the cases the assembly
// leaves to Go (the columns past the last whole vector of the elementwise
// passes) and the shapes it handles better transposed.

package nn

import (
	"sync"

	"golang.org/x/sys/cpu"
)

//go:generate go tool asmgen -out kernel_amd64.s -stubs kernel_amd64_stub.go

func init() {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		avx2 := newAsmKernels("avx2", 8, asmFuncs{abAVX2, siluFwdAVX2, siluBackAVX2, colSumsAVX2, adamAVX2})
		vectorKernels = []*kernels32{avx2}
		if cpu.X86.HasAVX512F {
			avx512 := newAsmKernels("avx512", 16, asmFuncs{abAVX512, siluFwdAVX512, siluBackAVX512, colSumsAVX512, adamAVX512})
			vectorKernels = []*kernels32{avx512, avx2}
		}
		fast = vectorKernels[0]
	}
}

// asmFuncs are the assembly kernels of one instruction set.
type asmFuncs struct {
	ab       func(c, a, b *float32, m, k, n, sa, sp int, add bool)
	siluFwd  func(h, s, z, b *float32, rows, n int)
	siluBack func(dz, dh, z, s *float32, n int)
	colSums  func(dst, src *float32, rows, n, nv int)
	adam     func(p *float64, m, v *float32, grads *[4]*float32, ng int, out *float32, n int, k *[9]float64)
}

// transposeAVX is the transpose of both sets: 8 x 8 blocks in assembly,
// the edges in Go.
func transposeAVX(dst, src []float32, rows, cols, ldd, lds int) {
	if rows <= 0 || cols <= 0 {
		return
	}
	need(src, (rows-1)*lds+cols, "src")
	need(dst, (cols-1)*ldd+rows, "dst")
	r8, c8 := rows&^7, cols&^7
	if r8 > 0 && c8 > 0 {
		transpose8AVX(&dst[0], &src[0], r8, c8, ldd, lds)
	}
	if c8 < cols {
		transposeGo(dst[c8*ldd:], src[c8:], rows, cols-c8, ldd, lds)
	}
	if r8 < rows {
		transposeGo(dst[r8:], src[r8*lds:], rows-r8, c8, ldd, lds)
	}
}

// need panics, as an index out of range would, unless s holds n elements.
func need(s []float32, n int, what string) {
	if len(s) < n {
		panic("nn: kernel " + what + ": slice too short")
	}
}

// scratch holds the transposes the products make (gemmNT's b, gemmTN's
// narrow output).
var scratch = sync.Pool{New: func() any { return new([]float32) }}

func getScratch(n int) *[]float32 {
	p := scratch.Get().(*[]float32)
	if cap(*p) < n {
		*p = make([]float32, n)
	}
	*p = (*p)[:n]
	return p
}

// newAsmKernels is the kernel set of one instruction set: its assembly
// kernels f, working on vectors of lanes float32, behind the Go wrappers
// of asmSet.
func newAsmKernels(name string, lanes int, f asmFuncs) *kernels32 {
	s := &asmSet{lanes: lanes, f: f}
	return &kernels32{
		name:      name,
		nn:        s.nn,
		nt:        s.nt,
		tn:        s.tn,
		siluFwd:   s.siluFwd,
		siluBack:  s.siluBack,
		colSums:   s.colSums,
		adam:      s.adam,
		transpose: transposeAVX,
	}
}

// asmSet wraps the assembly kernels f of one instruction set, whose
// vectors hold lanes float32 (lanes/2 float64).
type asmSet struct {
	lanes int
	f     asmFuncs
}

// Products.

// ab is c = (or +=) A b with A(i, p) at a[i*sa + p*sp].
func (s *asmSet) ab(c, a, b []float32, m, k, n, sa, sp int, add bool) {
	if m <= 0 || n <= 0 {
		return
	}
	need(c, m*n, "c")
	if k <= 0 {
		if !add {
			clear(c[:m*n])
		}
		return
	}
	need(a, (m-1)*sa+(k-1)*sp+1, "a")
	need(b, k*n, "b")
	s.f.ab(&c[0], &a[0], &b[0], m, k, n, sa, sp, add)
}

func (s *asmSet) nn(c, a, b []float32, m, k, n int, add bool) {
	s.ab(c, a, b, m, k, n, k, 1, add)
}

func (s *asmSet) tn(c, a, b []float32, m, k, n int) {
	if n < s.lanes && m >= s.lanes && k > 0 {
		// Narrow output (the last layer's weight gradient): C^T =
		// B^T A has wide rows; compute it and transpose it into c.
		// Each element is the same sum in the same order.
		need(c, m*n, "c")
		p := getScratch(m * n)
		ct := *p
		s.ab(ct, b, a, n, k, m, 1, n, false)
		transposeAVX(c, ct, n, m, n, m)
		scratch.Put(p)
		return
	}
	s.ab(c, a, b, m, k, n, 1, m, false)
}

func (s *asmSet) nt(c, a, b []float32, m, k, n int) {
	// a b^T = a (b^T): transpose b (n x k) into k x n and multiply.
	if m <= 0 || n <= 0 {
		return
	}
	need(b, n*k, "b")
	p := getScratch(k * n)
	bt := *p
	transposeAVX(bt, b, n, k, n, k)
	s.ab(c, a, bt, m, k, n, k, 1, false)
	scratch.Put(p)
}

// Elementwise passes: the assembly does the whole vectors of each row, Go
// the columns past them.

func (s *asmSet) siluFwd(h, sg, z, b []float32, rows, n int) {
	if rows <= 0 || n <= 0 {
		return
	}
	need(h, rows*n, "h")
	need(sg, rows*n, "s")
	need(z, rows*n, "z")
	need(b, n, "b")
	nv := n &^ (s.lanes - 1)
	if nv > 0 {
		s.f.siluFwd(&h[0], &sg[0], &z[0], &b[0], rows, n)
	}
	if nv < n {
		for r := 0; r < rows; r++ {
			lo, hi := r*n+nv, r*n+n
			siluForward32Go(h[lo:hi], sg[lo:hi], z[lo:hi], b[nv:n], 1, n-nv)
		}
	}
}

func (s *asmSet) siluBack(dz, dh, z, sg []float32) {
	n := len(dz)
	need(dh, n, "dh")
	need(z, n, "z")
	need(sg, n, "s")
	nv := n &^ (s.lanes - 1)
	if nv > 0 {
		s.f.siluBack(&dz[0], &dh[0], &z[0], &sg[0], nv)
	}
	siluBackward32Go(dz[nv:], dh[nv:n], z[nv:n], sg[nv:n])
}

func (s *asmSet) colSums(dst, g []float32, rows, n int) {
	if n <= 0 {
		return
	}
	need(dst, n, "dst")
	nv := n &^ (s.lanes - 1)
	if rows <= 0 {
		clear(dst[:n])
		return
	}
	need(g, rows*n, "g")
	if nv > 0 {
		s.f.colSums(&dst[0], &g[0], rows, n, nv)
	}
	for j := nv; j < n; j++ {
		var sum float32
		for r := 0; r < rows; r++ {
			sum += g[r*n+j]
		}
		dst[j] = sum
	}
}

// Optimiser.

// adam is the fused Adam step; its vectors hold lanes/2 float64.
func (s *asmSet) adam(p []float64, m, v []float32, grads [][]float32, out []float32, off int, lr, c1, c2, b1, b2, eps, wd float64) {
	n := len(p)
	need(m, n, "m")
	need(v, n, "v")
	need(out, n, "out")
	nv := n &^ (s.lanes/2 - 1)
	if nv > 0 && len(grads) >= 1 && len(grads) <= 4 {
		var g [4]*float32
		for c := range grads {
			need(grads[c], off+n, "grads")
			g[c] = &grads[c][off]
		}
		// The same float64 values adamElem computes: 1-b1 and 1-b2
		// are rounded once, as there.
		kc := [9]float64{lr, c1, c2, b1, b2, eps, wd, 1 - b1, 1 - b2}
		s.f.adam(&p[0], &m[0], &v[0], &g, len(grads), &out[0], nv, &kc)
	} else {
		nv = 0 // not 1 to 4 gradient chunks: the Go loop does all
	}
	adamFusedGo(p[nv:], m[nv:n], v[nv:n], grads, out[nv:n], off+nv, lr, c1, c2, b1, b2, eps, wd)
}
