// Langevin dynamics (lessons/11-langevin.md sections 1 to 4): unadjusted on a
// fixed density, and annealed across the noise levels of a schedule.

package sample

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"difftoy/toy"
)

// Langevin runs unadjusted Langevin dynamics on the fixed density q
// (the Scorer at alpha = 1):
//
//	x <- x + (s^2 / 2) grad log q(x) + s z,   z ~ N(0, I).
//
// It leaves q invariant only as s -> 0: with a finite step the stationary
// law is biased by O(s^2). It mixes only within what the score can reach:
// modes separated by regions of low density keep the share of particles
// that started near them.
type Langevin struct {
	// Size is the step s (the standard deviation of each move's noise).
	Size float64
	// Iters is the number of moves, at least 1.
	Iters int
	// Record receives every state (K = iteration, T = 0, Alpha = 1).
	Record Recorder
}

// Sample runs the dynamics from x0 and writes the end states into dst
// (allocated when nil; it may be x0). y holds one label per particle
// (sampling q(x | y)) or is nil. A state that becomes non-finite stops
// the run with an error wrapping ErrNonFinite.
func (l *Langevin) Sample(dst, x0 []float64, sc toy.Scorer, y []int, src rand.Source) ([]float64, error) {
	if !(l.Size > 0 && l.Size < math.Inf(1)) {
		return nil, fmt.Errorf("sample: Langevin step size %v is not a positive number", l.Size)
	}
	if l.Iters < 1 {
		return nil, fmt.Errorf("sample: Langevin iterations %d, want at least 1", l.Iters)
	}
	if src == nil {
		return nil, ErrNoSource
	}
	n, dst, err := start("sample.Langevin.Sample", dst, x0, sc.Dim(), y)
	if err != nil {
		return nil, err
	}
	x, g := dst, make([]float64, len(dst))
	st := newStreams(n, src)
	h := l.Size * l.Size
	info := newRunInfo(fmt.Sprintf("Langevin step size %v", l.Size), sc, x)
	record(l.Record, 0, 0, 1, x, false) // Iters >= 1
	for k := 1; k <= l.Iters; k++ {
		sc.Score(g, x, 1, y)
		langevin(x, g, h, sc.Dim(), st)
		if err := info.checkState(x, sc.Dim(), fmt.Sprintf("Langevin move %d of %d", k, l.Iters)); err != nil {
			return nil, err
		}
		record(l.Record, k, 0, 1, x, k == l.Iters)
	}
	return dst, nil
}

// Annealed runs Langevin dynamics at each level of a plan in turn, from
// high noise to low (Song and Ermon 2019), with the scores of q_t:
//
//	x <- x + (h_t / 2) grad log q_t(x) + sqrt(h_t) z,   h_t = Ratio (1 - alpha_t),
//
// Iters moves per level. At high noise the modes of q_t overlap, so the
// particles settle into them in the right proportions before the levels
// separate them; plain Langevin at the lowest level cannot move mass
// between separated modes. Levels with alpha = 1 (h = 0) are skipped.
type Annealed struct {
	// Plan gives the levels, visited in order; required.
	Plan *Plan
	// Iters is the number of moves per level, at least 1.
	Iters int
	// Ratio is h_t / (1 - alpha_t), a positive number.
	Ratio float64
	// Record receives every state (K counts all moves; T is the level's step).
	Record Recorder
}

// Sample runs the annealed dynamics from xT and writes the end states into
// dst (allocated when nil; it may be xT). A state that becomes non-finite
// stops the run with an error wrapping ErrNonFinite.
func (a *Annealed) Sample(dst, xT []float64, sc toy.Scorer, y []int, src rand.Source) ([]float64, error) {
	if a.Plan == nil {
		return nil, errors.New("sample: annealed Langevin without a plan")
	}
	if a.Iters < 1 {
		return nil, fmt.Errorf("sample: annealed Langevin iterations per level %d, want at least 1", a.Iters)
	}
	if err := (Corrector{Iters: a.Iters, Ratio: a.Ratio}).check(); err != nil {
		return nil, err
	}
	if src == nil {
		return nil, ErrNoSource
	}
	n, dst, err := start("sample.Annealed.Sample", dst, xT, sc.Dim(), y)
	if err != nil {
		return nil, err
	}
	x, g := dst, make([]float64, len(dst))
	st := newStreams(n, src)
	p := a.Plan
	levels := 0
	for k := 0; k <= p.Len(); k++ {
		if p.Alpha(k) < 1 {
			levels++
		}
	}
	total := levels * a.Iters
	K := 0
	info := newRunInfo(fmt.Sprintf("annealed Langevin ratio %v, %d moves per level", a.Ratio, a.Iters), sc, x)
	record(a.Record, 0, p.Step(0), p.Alpha(0), x, total == 0)
	for k := 0; k <= p.Len(); k++ {
		al := p.Alpha(k)
		if al == 1 {
			continue
		}
		h := a.Ratio * (1 - al)
		for j := 0; j < a.Iters; j++ {
			sc.Score(g, x, al, y)
			langevin(x, g, h, sc.Dim(), st)
			K++
			if err := info.checkState(x, sc.Dim(), fmt.Sprintf("annealed Langevin move %d of %d (level t = %d, alpha = %v)", K, total, p.Step(k), al)); err != nil {
				return nil, err
			}
			record(a.Record, K, p.Step(k), al, x, K == total)
		}
	}
	return dst, nil
}
