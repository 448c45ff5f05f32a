// Recorders: every sampler hands each state of its particles to one, so a
// chart's trajectory comes from the same code path as a plain sample.

package sample

import "fmt"

// Frame is one state of a run, handed to a Recorder.
type Frame struct {
	// K counts the states of the run: 0 is the start, then one per move
	// (plan step, or Langevin iteration).
	K int
	// T is the schedule step the state belongs to (0 for a fixed density).
	T int
	// Alpha is the signal level of the state (1 for a fixed density).
	Alpha float64
	// X holds all particles, row-major. It is the sampler's working buffer:
	// valid only during the call; copy what you keep.
	X []float64
	// Final is true for the last state of the run.
	Final bool
}

// Recorder receives the states of a run, in order.
type Recorder interface {
	Record(f Frame)
}

// RecorderFunc adapts a function to a Recorder.
type RecorderFunc func(f Frame)

// Record calls r(f).
func (r RecorderFunc) Record(f Frame) { r(f) }

// Trajectory is a Recorder that keeps copies of the frames whose K is a
// multiple of Every, and the final frame: all particles at those states,
// ready for a chart.
type Trajectory struct {
	// Every thins the frames kept; 0 or 1 keeps every frame, and a
	// negative value panics.
	Every int
	// Frames holds the kept frames, each with its own copy of X.
	Frames []Frame
}

// Record keeps a copy of f when f.K is a multiple of Every or f is final.
func (tr *Trajectory) Record(f Frame) {
	if tr.Every < 0 {
		panic(fmt.Sprintf("sample.Trajectory.Record: Every = %d is negative", tr.Every))
	}
	if tr.Every > 1 && f.K%tr.Every != 0 && !f.Final {
		return
	}
	f.X = append([]float64(nil), f.X...)
	tr.Frames = append(tr.Frames, f)
}

// record sends a frame to r when r is not nil.
func record(r Recorder, k, t int, alpha float64, x []float64, final bool) {
	if r != nil {
		r.Record(Frame{K: k, T: t, Alpha: alpha, X: x, Final: final})
	}
}
