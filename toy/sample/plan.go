// Step plans: the decreasing sequence of schedule steps a sampler visits.

package sample

import (
	"fmt"
	"math"

	"difftoy/toy"
)

// Plan is the sequence of steps t_0 > t_1 > ... > t_L of a schedule that a
// sampler visits, with their levels alpha_{t_0} < ... < alpha_{t_L}. A
// plan that skips steps is a strided sampler: each step's coefficients are
// recomputed from the two levels it joins (toy.Coefficients), never reused
// from the unit steps of the schedule. A Plan is immutable.
type Plan struct {
	steps  []int
	alphas []float64
}

// NewPlan returns the plan visiting the given steps of s. There must be at
// least two steps (one move), strictly decreasing, each in 0..T.
func NewPlan(s *toy.Schedule, steps []int) (*Plan, error) {
	if s == nil {
		return nil, fmt.Errorf("sample: plan without a schedule")
	}
	if len(steps) < 2 {
		return nil, fmt.Errorf("sample: a plan needs at least two steps (one move), got %d", len(steps))
	}
	T := s.T()
	p := &Plan{steps: append([]int(nil), steps...), alphas: make([]float64, len(steps))}
	for i, t := range steps {
		if t < 0 || t > T {
			return nil, fmt.Errorf("sample: plan step %d (t = %d) is outside 0..%d of schedule %q", i, t, T, s.Name)
		}
		if i > 0 && t >= steps[i-1] {
			return nil, fmt.Errorf("sample: plan steps must decrease strictly, but step %d is t = %d after t = %d", i, t, steps[i-1])
		}
		p.alphas[i] = s.Alpha(t)
	}
	return p, nil
}

// Strided returns the plan of n moves from T down to 0 in evenly spaced
// steps, t_k = round((n - k) T / n), k = 0..n. n = T visits every step
// (the full DDPM chain); n must be in 1..T.
func Strided(s *toy.Schedule, n int) (*Plan, error) {
	if s == nil {
		return nil, fmt.Errorf("sample: plan without a schedule")
	}
	T := s.T()
	if n < 1 || n > T {
		return nil, fmt.Errorf("sample: %d steps is not in 1..%d of schedule %q", n, T, s.Name)
	}
	steps := make([]int, n+1)
	for k := range steps {
		steps[k] = int(math.Round(float64((n-k)*T) / float64(n)))
	}
	return NewPlan(s, steps)
}

// Spaced returns the plan of n moves from T down to 0 with steps
//
//	t_k = max(round(T ((n - k) / n)^power), n - k),   k = 0..n,
//
// power = 1 being Strided and power = 2 the quadratic spacing of Song et
// al. (2021), which puts more moves at low noise. The floor n - k keeps the
// steps distinct where the power would round several to the same t. n
// must be in 1..T and power at least 1.
func Spaced(s *toy.Schedule, n int, power float64) (*Plan, error) {
	if s == nil {
		return nil, fmt.Errorf("sample: plan without a schedule")
	}
	T := s.T()
	if n < 1 || n > T {
		return nil, fmt.Errorf("sample: %d steps is not in 1..%d of schedule %q", n, T, s.Name)
	}
	if !(power >= 1) || math.IsInf(power, 1) {
		return nil, fmt.Errorf("sample: spacing power %v is not a finite number >= 1", power)
	}
	steps := make([]int, n+1)
	for k := range steps {
		f := float64(n-k) / float64(n)
		steps[k] = max(int(math.Round(float64(T)*math.Pow(f, power))), n-k)
	}
	return NewPlan(s, steps)
}

// Full returns the plan T, T-1, ..., 0 of every step of s.
func Full(s *toy.Schedule) *Plan {
	p, err := Strided(s, s.T())
	if err != nil {
		panic("sample.Full: " + err.Error())
	}
	return p
}

// Len returns the number of moves L (one less than the number of steps).
func (p *Plan) Len() int { return len(p.steps) - 1 }

// Step returns t_k, k in 0..Len().
func (p *Plan) Step(k int) int { return p.steps[k] }

// Alpha returns alpha_{t_k}, k in 0..Len().
func (p *Plan) Alpha(k int) float64 { return p.alphas[k] }

// Steps returns a copy of the steps t_0 > ... > t_L.
func (p *Plan) Steps() []int { return append([]int(nil), p.steps...) }

// Alphas returns a copy of the levels alpha_{t_0} < ... < alpha_{t_L}.
func (p *Plan) Alphas() []float64 { return append([]float64(nil), p.alphas...) }
