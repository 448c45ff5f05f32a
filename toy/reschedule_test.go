package toy_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"difftoy/toy"
	"difftoy/toy/datasets"
)

// The ideal denoiser depends on t only through sigma_t, so the exact D* of
// one schedule, moved to another by Reschedule, must be the exact D* of the
// other at every level both schedules reach. The comparison allows 1e-9
// relative: the step found by StepForAlpha reproduces alpha to ~1e-13
// relative (log-sigma interpolation and its inverse), and D* moves by less
// than |dD/dalpha| * 1e-13 with |dD/dalpha| = O(10) here.
func TestRescheduleExactDenoiser(t *testing.T) {
	lin := toy.DDPM()
	cos := mustCosine(t, 1000)
	cos50 := mustCosine(t, 50)
	x, y := testBatch(12, 7)
	for _, c := range []struct{ from, to *toy.Schedule }{{lin, cos}, {cos, lin}, {lin, cos50}, {cos50, lin}, {lin, lin}} {
		d := toy.Reschedule(toy.Stepped(testModel, c.from), c.from)
		if d.Dim() != 2 {
			t.Fatal("Reschedule: wrong Dim")
		}
		checked := 0
		for k := 1; k <= c.to.T(); k++ {
			a := c.to.Alpha(k)
			if a < c.from.Alpha(c.from.T()) {
				continue // outside the range of from: see TestRescheduleOutOfRange
			}
			checked++
			for _, labels := range [][]int{nil, y} {
				got := d.Denoise(nil, x, a, labels)
				want := testModel.Denoise(nil, x, a, labels)
				for i := range want {
					if !relClose(got[i], want[i], 1e-9) {
						t.Fatalf("%s -> %s step %d: D[%d] = %v, want D* = %v", c.from.Name, c.to.Name, k, i, got[i], want[i])
					}
				}
			}
			// The step view of the same wrapper.
			got := toy.RescheduleSteps(toy.Stepped(testModel, c.from), c.from, c.to).DenoiseStep(nil, x, float64(k), nil)
			want := testModel.Denoise(nil, x, a, nil)
			for i := range want {
				if !relClose(got[i], want[i], 1e-9) {
					t.Fatalf("RescheduleSteps %s -> %s step %d: D[%d] = %v, want %v", c.from.Name, c.to.Name, k, i, got[i], want[i])
				}
			}
		}
		if checked < c.to.T()/2 {
			t.Errorf("%s -> %s: only %d steps in range", c.from.Name, c.to.Name, checked)
		}
	}
}

// stepRecorder is a StepDenoiser that records the step and input it was
// called with and returns its input.
type stepRecorder struct {
	step float64
	x    []float64
	y    []int
}

func (r *stepRecorder) Dim() int { return 2 }

func (r *stepRecorder) DenoiseStep(dst, x []float64, step float64, y []int) []float64 {
	r.step, r.x, r.y = step, append([]float64(nil), x...), y
	if dst == nil {
		dst = make([]float64, len(x))
	}
	copy(dst, x)
	return dst
}

// A strided schedule built from every k-th level of a base schedule (its
// betas are 1 - alpha_{kj} / alpha_{k(j-1)}) has sigma^_j = sigma_{kj}, so
// lessons/05-changing-schedule.md section 3 says its step j is step k j of
// the base, and the input is scaled by sqrt(alpha_{kj} / alpha^_j) = 1. The
// recorded step must be k j to the precision of the round trip through the
// betas (~1e-12 relative in alpha, far less than 1e-9 of a step).
func TestRescheduleStridedSteps(t *testing.T) {
	for _, base := range []*toy.Schedule{toy.DDPM(), mustCosine(t, 1000)} {
		const k = 25
		betas := make([]float64, base.T()/k)
		for j := range betas {
			betas[j] = 1 - base.Alpha(k*(j+1))/base.Alpha(k*j)
		}
		strided, err := toy.FromBetas("strided", betas)
		if err != nil {
			t.Fatal(err)
		}
		rec := &stepRecorder{}
		w := toy.RescheduleSteps(rec, base, strided)
		if w.Dim() != 2 {
			t.Fatalf("RescheduleSteps: Dim = %d, want 2", w.Dim())
		}
		x := []float64{0.5, -2, 3, 1}
		y := []int{1, toy.Empty}
		for j := 0; j <= strided.T(); j++ {
			out := w.DenoiseStep(nil, x, float64(j), y)
			if math.Abs(rec.step-float64(k*j)) > 1e-9 {
				t.Errorf("%s: strided step %d called base step %v, want %d", base.Name, j, rec.step, k*j)
			}
			for i := range x {
				if !relClose(rec.x[i], x[i], 1e-12) || out[i] != rec.x[i] {
					t.Errorf("%s step %d: input %v scaled to %v, want unchanged", base.Name, j, x, rec.x)
				}
			}
			if len(rec.y) != 2 || rec.y[0] != 1 || rec.y[1] != toy.Empty {
				t.Errorf("labels %v not passed through", rec.y)
			}
		}
	}
}

// Rescheduling a schedule onto itself is the identity on continuous steps.
func TestRescheduleSelf(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	for _, s := range []*toy.Schedule{toy.DDPM(), mustCosine(t, 30)} {
		rec := &stepRecorder{}
		w := toy.RescheduleSteps(rec, s, s)
		for range 100 {
			st := rng.Float64() * float64(s.T())
			w.DenoiseStep(nil, []float64{1, 1}, st, nil)
			if math.Abs(rec.step-st) > 1e-9 {
				t.Errorf("%s: step %v mapped to %v", s.Name, st, rec.step)
			}
		}
	}
}

func TestRescheduleOutOfRange(t *testing.T) {
	lin := toy.DDPM()
	cos := mustCosine(t, 1000) // alpha_T = 2.4e-9, far below DDPM's 4e-5
	x := []float64{0, 0}
	d := toy.Reschedule(toy.Stepped(testModel, lin), lin)
	mustPanic(t, "toy.Reschedule", func() { d.Denoise(nil, x, 1e-6, nil) })
	mustPanic(t, "toy.Reschedule", func() { d.Denoise(nil, x, 0, nil) })
	mustPanic(t, "toy.Reschedule", func() { d.Denoise(nil, x[:1], 0.5, nil) })
	w := toy.RescheduleSteps(toy.Stepped(testModel, lin), lin, cos)
	mustPanic(t, "toy.RescheduleSteps", func() { w.DenoiseStep(nil, x, 1000, nil) })
	mustPanic(t, "toy.Schedule.AlphaAt", func() { w.DenoiseStep(nil, x, 1000.5, nil) })
	mustPanic(t, "toy.Schedule.AlphaAt", func() { toy.Stepped(testModel, lin).DenoiseStep(nil, x, -1, nil) })
}

// The same with the exact mixtures of package analytic: lesson 2's
// three points (a delta mixture, whose D* is sharpest) and a labelled
// Gaussian mixture, with labels. The wrapper reproduces log sigma to a few
// ulps, i.e. 1 - alpha to ~1e-15 relative. The delta posterior's logits
// -||x - sqrt(alpha) x_i||^2 / (2 (1 - alpha)) differ between points by at
// most ~40 / (2 * 4e-5) = 5e5 on this grid (|x| <= 10, 1 - alpha >= 4e-5),
// so their differences move by ~5e-10 and D* by less than 1e-9.
func TestRescheduleExactMixtures(t *testing.T) {
	lin := toy.DDPM()
	cos := mustCosine(t, 1000)
	x, _ := testBatch(12, 9)
	y := make([]int, 12)
	for i := range y {
		y[i] = []int{0, 1, toy.Empty}[i%3]
	}
	for _, name := range []string{"three-points", "two-classes"} {
		ds, err := datasets.Load(name, 10, rand.NewPCG(1, 1))
		if err != nil {
			t.Fatal(err)
		}
		var labels []int
		if ds.Classes > 0 {
			labels = y
		}
		w := toy.RescheduleSteps(toy.Stepped(ds.Exact, lin), lin, cos)
		for k := 1; k <= cos.T(); k += 7 {
			a := cos.Alpha(k)
			if a < lin.Alpha(lin.T()) {
				break
			}
			got := w.DenoiseStep(nil, x, float64(k), labels)
			want := ds.Exact.Denoise(nil, x, a, labels)
			for i := range want {
				if !relClose(got[i], want[i], 1e-9) {
					t.Fatalf("%s: cosine step %d: D[%d] = %v, want D* = %v", name, k, i, got[i], want[i])
				}
			}
		}
	}
}
