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
	if err := checkMoves(s, n); err != nil {
		return nil, err
	}
	T := s.T()
	return roundedPlan(s, n, func(k int) float64 { return float64((n-k)*T) / float64(n) })
}

// Spaced returns the plan of n moves from T down to 0 with steps
//
//	t_k = round(T ((n - k) / n)^power),   k = 0..n,
//
// power = 1 being Strided and power = 2 the quadratic spacing of Song et
// al. (2021), which puts more moves at low noise. Where the power rounds
// several steps to the same t, they are pushed apart to t_{n-1} = 1,
// t_{n-2} = 2, ... (see roundedPlan). n must be in 1..T and power a finite
// number >= 1.
func Spaced(s *toy.Schedule, n int, power float64) (*Plan, error) {
	if err := checkMoves(s, n); err != nil {
		return nil, err
	}
	if !(power >= 1) || math.IsInf(power, 1) {
		return nil, fmt.Errorf("sample: spacing power %v is not a finite number >= 1", power)
	}
	T := float64(s.T())
	return roundedPlan(s, n, func(k int) float64 { return T * math.Pow(float64(n-k)/float64(n), power) })
}

// Karras returns the plan of n moves from T down to 0 whose noise levels
// follow Karras et al. (2022, eq. 5) from sigma_T down to sigma_1, the
// smallest nonzero level of the schedule, then a last move to t = 0:
//
//	sigma_k = ( sigma_T^(1/rho) + k/(n-1) (sigma_1^(1/rho) - sigma_T^(1/rho)) )^rho,   k = 0..n-1,
//
// each taken to the nearest step of s (StepForSigma, rounded; steps that
// round together are pushed apart as in Spaced). rho = 7 is the choice of
// Karras et al.; rho = 1 is uniform in sigma, and larger rho puts more
// moves at low noise. Unlike a plan uniform in t, whose last move jumps
// from sigma_{T/n} to 0, the last move starts at sigma_1, so the single
// Euler move of Heun's method (to sigma = 0, ODE) costs little and the
// rest of the path keeps the second order. n must be in 1..T (n = 1 is the
// single move T -> 0) and rho a finite number >= 1.
func Karras(s *toy.Schedule, n int, rho float64) (*Plan, error) {
	if err := checkMoves(s, n); err != nil {
		return nil, err
	}
	if !(rho >= 1) || math.IsInf(rho, 1) {
		return nil, fmt.Errorf("sample: Karras rho %v is not a finite number >= 1", rho)
	}
	T := s.T()
	hi, lo := math.Pow(s.Sigma(T), 1/rho), math.Pow(s.Sigma(1), 1/rho)
	return roundedPlan(s, n, func(k int) float64 {
		if k == 0 {
			return float64(T)
		}
		sigma := math.Pow(hi+float64(k)/float64(n-1)*(lo-hi), rho)
		t, err := s.StepForSigma(sigma)
		if err != nil {
			// sigma is between sigma_1 and sigma_T of s by construction.
			panic("sample.Karras: " + err.Error())
		}
		return t
	})
}

func checkMoves(s *toy.Schedule, n int) error {
	if s == nil {
		return fmt.Errorf("sample: plan without a schedule")
	}
	if n < 1 || n > s.T() {
		return fmt.Errorf("sample: %d moves is not in 1..%d of schedule %q", n, s.T(), s.Name)
	}
	return nil
}

// roundedPlan returns the plan of n moves with t_k = round(at(k)) for k <
// n and t_n = 0, where at decreases from at(0) = T, made strictly decreasing:
// from the bottom up each t_k is raised to at least t_{k+1} + 1, after
// being clamped to n - k <= t_k <= T - k (the range that leaves room for
// the other steps, so t_0 stays T).
func roundedPlan(s *toy.Schedule, n int, at func(k int) float64) (*Plan, error) {
	T := s.T()
	steps := make([]int, n+1)
	for k := n - 1; k >= 0; k-- {
		t := min(max(int(math.Round(at(k))), n-k), T-k)
		steps[k] = max(t, steps[k+1]+1)
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
func (p *Plan) Step(k int) int {
	p.check("Step", k)
	return p.steps[k]
}

// Alpha returns alpha_{t_k}, k in 0..Len().
func (p *Plan) Alpha(k int) float64 {
	p.check("Alpha", k)
	return p.alphas[k]
}

func (p *Plan) check(who string, k int) {
	if k < 0 || k >= len(p.steps) {
		panic(fmt.Sprintf("sample.Plan.%s: k = %d is not in 0..%d", who, k, len(p.steps)-1))
	}
}

// Steps returns a copy of the steps t_0 > ... > t_L.
func (p *Plan) Steps() []int { return append([]int(nil), p.steps...) }

// Alphas returns a copy of the levels alpha_{t_0} < ... < alpha_{t_L}.
func (p *Plan) Alphas() []float64 { return append([]float64(nil), p.alphas...) }
