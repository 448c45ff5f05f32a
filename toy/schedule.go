// Noise schedules of the discrete forward process
// (lessons/01-forward-process.md section 5) and their continuous-time view,
// interpolated in log sigma (lessons/05-changing-schedule.md section 3).

package toy

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
)

// Schedule is a discrete noise schedule beta_1..beta_T with its cumulative
// signal levels
//
//	alpha_t = prod_{s<=t} (1 - beta_s),   alpha_0 = 1.
//
// It is immutable once built; use Linear, DDPM, Cosine, FromBetas or
// ScheduleByName. The cumulative levels are kept as log alpha_t, summed
// with log1p, so that 1 - alpha_t and sigma_t stay accurate at small t.
type Schedule struct {
	// Name says where the schedule comes from ("linear", "cosine", or the
	// name given to FromBetas).
	Name string

	betas    []float64 // betas[t-1] = beta_t, t = 1..T
	logAlpha []float64 // logAlpha[t] = log alpha_t, t = 0..T
	alphas   []float64 // alphas[t] = exp(logAlpha[t])
	logSigma []float64 // logSigma[t] = log sigma_t, t = 0..T (logSigma[0] = -Inf)
}

// ErrSchedule is wrapped by every error about an invalid schedule.
var ErrSchedule = errors.New("toy: invalid schedule")

// MaxSteps is the largest number of steps T a schedule may have (FromBetas,
// Linear, Cosine, ScheduleByName): a schedule holds four slices of T+1
// values, so this bounds it at about 32 MB. Larger T is an error rather than
// an out-of-memory crash.
const MaxSteps = 1 << 20

// FromBetas builds the schedule with beta_t = betas[t-1], t = 1..T, T =
// len(betas) <= MaxSteps. Every beta must be finite and in (0, 1); the
// slice is copied. The levels must be representable: alpha_t < 1 for every
// t >= 1 (a beta below about 1e-16 at t = 1 rounds alpha_1 to 1, which has
// no noise), alpha_t strictly decreasing and sigma_t strictly increasing
// (both move by at least one rounding step), and alpha_T a normal float64 with
// sigma_T finite (about 103 betas of 0.999 underflow it). An error names
// the first step that breaks a rule.
func FromBetas(name string, betas []float64) (*Schedule, error) {
	if len(betas) == 0 {
		return nil, fmt.Errorf("%w %q: no betas (T must be at least 1)", ErrSchedule, name)
	}
	if len(betas) > MaxSteps {
		return nil, fmt.Errorf("%w %q: T = %d steps, want at most %d (toy.MaxSteps)", ErrSchedule, name, len(betas), MaxSteps)
	}
	for i, b := range betas {
		if !(b > 0 && b < 1) {
			return nil, fmt.Errorf("%w %q: beta_%d = %v is not in (0, 1)", ErrSchedule, name, i+1, b)
		}
	}
	T := len(betas)
	s := &Schedule{
		Name:     name,
		betas:    append([]float64(nil), betas...),
		logAlpha: make([]float64, T+1),
		alphas:   make([]float64, T+1),
		logSigma: make([]float64, T+1),
	}
	s.alphas[0] = 1
	s.logSigma[0] = math.Inf(-1)
	for t := 1; t <= T; t++ {
		s.logAlpha[t] = s.logAlpha[t-1] + math.Log1p(-betas[t-1])
		s.alphas[t] = math.Exp(s.logAlpha[t])
		// sigma^2 = (1 - alpha) / alpha = exp(-log alpha) - 1.
		s.logSigma[t] = 0.5 * math.Log(math.Expm1(-s.logAlpha[t]))
		switch {
		case s.alphas[t] == 1:
			// Only at t = 1 (later levels are below alpha_1 < 1 or caught
			// as a repeated sigma): x_1 would carry no noise.
			return nil, fmt.Errorf("%w %q: alpha_%d = 1 in floating point (beta_%d = %v is too small)",
				ErrSchedule, name, t, t, betas[t-1])
		case s.alphas[t] < minAlpha || math.IsInf(s.logSigma[t], 1):
			return nil, fmt.Errorf("%w %q: alpha_%d = %v underflows (the smallest level is %v, sigma = %v): the betas up to beta_%d = %v remove more signal than float64 holds",
				ErrSchedule, name, t, s.alphas[t], minAlpha, math.Sqrt(1/minAlpha), t, betas[t-1])
		case t >= 2 && !(s.logSigma[t] > s.logSigma[t-1] && math.Exp(s.logSigma[t]) > math.Exp(s.logSigma[t-1]) &&
			s.alphas[t] < s.alphas[t-1]):
			// Only possible when a beta is so small that alpha or sigma does
			// not move in floating point: the continuous view needs sigma
			// strictly increasing (log sigma and sigma itself, which can stay
			// put while log sigma moves by an ulp) and a reverse step needs
			// alpha_t < alpha_{t-1}.
			return nil, fmt.Errorf("%w %q: alpha_%d = alpha_%d or sigma_%d = sigma_%d in floating point (beta_%d = %v is too small)",
				ErrSchedule, name, t, t-1, t, t-1, t, betas[t-1])
		}
	}
	return s, nil
}

// minAlpha is the smallest alpha_t a schedule may reach: the smallest
// normal float64, so that sqrt(alpha), 1/alpha and sigma stay finite and
// keep their full precision.
const minAlpha = 0x1p-1022

// Linear returns the DDPM schedule whose betas go linearly from beta1 at
// t = 1 to betaT at t = T (Ho et al. 2020):
//
//	beta_t = beta1 + (t - 1) (betaT - beta1) / (T - 1).
//
// T = 1 gives the single beta1. Both ends must be in (0, 1).
func Linear(T int, beta1, betaT float64) (*Schedule, error) {
	if T < 1 || T > MaxSteps {
		return nil, fmt.Errorf("%w \"linear\": T = %d, want 1..%d", ErrSchedule, T, MaxSteps)
	}
	if !(beta1 > 0 && beta1 < 1) || !(betaT > 0 && betaT < 1) {
		return nil, fmt.Errorf("%w \"linear\": beta1 = %v and betaT = %v must both be in (0, 1)", ErrSchedule, beta1, betaT)
	}
	betas := make([]float64, T)
	for i := range betas {
		if T == 1 {
			betas[i] = beta1
			break
		}
		f := float64(i) / float64(T-1)
		betas[i] = beta1 + f*(betaT-beta1)
	}
	return FromBetas("linear", betas)
}

// DDPM returns Linear(1000, 1e-4, 0.02), the schedule of Ho et al. (2020).
func DDPM() *Schedule {
	s, err := Linear(1000, 1e-4, 0.02)
	if err != nil {
		panic("toy.DDPM: " + err.Error())
	}
	return s
}

// CosineMaxBeta is the clip applied to the betas of Cosine, as in Nichol &
// Dhariwal (2021): without it the last beta is 1 (alpha_T = 0).
const CosineMaxBeta = 0.999

// Cosine returns the cosine schedule of Nichol & Dhariwal (2021),
//
//	alpha_t = f(t) / f(0),   f(t) = cos^2( (t/T + s) / (1 + s) * pi/2 ),
//
// built from the betas beta_t = min(1 - alpha_t / alpha_{t-1}, 0.999). The
// clip (CosineMaxBeta) binds only at the last steps, where f(T) = 0 would
// give beta_T = 1; there alpha_t is alpha_{t-1} (1 - 0.999) instead of the
// closed form. The usual offset is s = 0.008; s must be finite and >= 0.
func Cosine(T int, s float64) (*Schedule, error) {
	if T < 1 || T > MaxSteps {
		return nil, fmt.Errorf("%w \"cosine\": T = %d, want 1..%d", ErrSchedule, T, MaxSteps)
	}
	if !(s >= 0) || math.IsInf(s, 0) {
		return nil, fmt.Errorf("%w \"cosine\": offset s = %v, want finite and >= 0", ErrSchedule, s)
	}
	f := func(t int) float64 {
		c := math.Cos((float64(t)/float64(T) + s) / (1 + s) * math.Pi / 2)
		return c * c
	}
	betas := make([]float64, T)
	for t := 1; t <= T; t++ {
		b := 1 - f(t)/f(t-1)
		if b > CosineMaxBeta {
			b = CosineMaxBeta
		}
		if !(b > 0) {
			// A large s squeezes every (t/T + s)/(1 + s) towards 1, where
			// f no longer moves in floating point.
			return nil, fmt.Errorf("%w \"cosine\": offset s = %v is too large for T = %d: f(%d) = f(%d) in floating point (beta_%d = %v)",
				ErrSchedule, s, T, t, t-1, t, b)
		}
		betas[t-1] = b
	}
	return FromBetas("cosine", betas)
}

// scheduleNames lists the names ScheduleByName knows.
var scheduleNames = []string{"linear", "cosine"}

// ScheduleNames returns the names ScheduleByName accepts.
func ScheduleNames() []string { return append([]string(nil), scheduleNames...) }

// ScheduleByName returns a named schedule with T steps:
//
//	"linear": the DDPM betas scaled to T steps as in Nichol & Dhariwal
//	          (2021): Linear(T, 1e-4 * 1000/T, 0.02 * 1000/T), which is DDPM()
//	          for T = 1000 and needs T > 20 (else beta_T >= 1);
//	"cosine": Cosine(T, 0.008).
//
// An unknown name is an error that lists the valid names.
func ScheduleByName(name string, T int) (*Schedule, error) {
	switch name {
	case "linear":
		if T < 1 || T > MaxSteps {
			return nil, fmt.Errorf("%w \"linear\": T = %d, want 1..%d", ErrSchedule, T, MaxSteps)
		}
		scale := 1000 / float64(T)
		if 0.02*scale >= 1 {
			return nil, fmt.Errorf("%w \"linear\": scaled to T = %d steps the last beta is %v >= 1 (T must exceed 20; use Linear for other ends)",
				ErrSchedule, T, 0.02*scale)
		}
		return Linear(T, 1e-4*scale, 0.02*scale)
	case "cosine":
		return Cosine(T, 0.008)
	}
	return nil, fmt.Errorf("%w: unknown schedule name %q (valid names: %s)", ErrSchedule, name, strings.Join(scheduleNames, ", "))
}

// T returns the number of steps.
func (s *Schedule) T() int { return len(s.betas) }

func (s *Schedule) checkStep(who string, t, lo int) {
	if t < lo || t > len(s.betas) {
		panic(fmt.Sprintf("toy.Schedule.%s: step t = %d is not in %d..%d", who, t, lo, len(s.betas)))
	}
}

// Betas returns a copy of beta_1..beta_T (index t-1 holds beta_t).
func (s *Schedule) Betas() []float64 { return append([]float64(nil), s.betas...) }

// Alphas returns a copy of alpha_0..alpha_T (index t holds alpha_t).
func (s *Schedule) Alphas() []float64 { return append([]float64(nil), s.alphas...) }

// Beta returns beta_t, t in 1..T.
func (s *Schedule) Beta(t int) float64 {
	s.checkStep("Beta", t, 1)
	return s.betas[t-1]
}

// Alpha returns the cumulative signal level alpha_t, t in 0..T (alpha_0 = 1).
func (s *Schedule) Alpha(t int) float64 {
	s.checkStep("Alpha", t, 0)
	return s.alphas[t]
}

// Sigma returns sigma_t = sqrt((1 - alpha_t) / alpha_t), t in 0..T
// (sigma_0 = 0).
func (s *Schedule) Sigma(t int) float64 {
	s.checkStep("Sigma", t, 0)
	return math.Exp(s.logSigma[t])
}

// SNR returns alpha_t / (1 - alpha_t) = 1 / sigma_t^2, t in 0..T
// (SNR_0 = +Inf).
func (s *Schedule) SNR(t int) float64 {
	s.checkStep("SNR", t, 0)
	return math.Exp(-2 * s.logSigma[t])
}

// LogSNR returns log SNR_t = -2 log sigma_t, t in 0..T (+Inf at t = 0).
func (s *Schedule) LogSNR(t int) float64 {
	s.checkStep("LogSNR", t, 0)
	return -2 * s.logSigma[t]
}

// AlphaAt returns the signal level at a continuous step t in [0, T]:
//
//   - for t in [1, T], log sigma is linear between the integer steps:
//     log sigma(i + f) = (1 - f) log sigma_i + f log sigma_{i+1}, and
//     alpha = 1 / (1 + sigma^2);
//   - for t in [0, 1], where sigma_0 = 0 has no logarithm, the first step
//     runs at its constant rate: alpha(t) = alpha_1^t (log alpha linear in
//     t), so that alpha(0) = 1 and alpha(1) = alpha_1.
//
// Both pieces are continuous and strictly decreasing, so every level in
// [alpha_T, 1] has exactly one step (StepForAlpha, StepForSigma). At an
// integer t AlphaAt(t) is exactly Alpha(t). t outside [0, T] panics.
func (s *Schedule) AlphaAt(t float64) float64 {
	T := len(s.betas)
	if !(t >= 0 && t <= float64(T)) {
		panic(fmt.Sprintf("toy.Schedule.AlphaAt: step t = %v is not in [0, %d]", t, T))
	}
	i := int(t)
	f := t - float64(i)
	if f == 0 {
		return s.alphas[i]
	}
	if i == 0 {
		return math.Exp(t * s.logAlpha[1])
	}
	ls := (1-f)*s.logSigma[i] + f*s.logSigma[i+1]
	return 1 / (1 + math.Exp(2*ls))
}

// SigmaAt returns sigma(t) = sqrt((1 - alpha(t)) / alpha(t)) for the
// continuous step t of AlphaAt.
func (s *Schedule) SigmaAt(t float64) float64 {
	a := s.AlphaAt(t)
	return math.Sqrt((1 - a) / a)
}

// rangeTol is the relative slack allowed above sigma_T (and below alpha_T)
// in StepForSigma and StepForAlpha, so that a level computed by another
// formula from the same schedule (alpha_T itself, or sigma_T through
// sqrt((1-alpha)/alpha)) is not rejected for a rounding error. Such levels
// map to T. Anything further out is an error.
const rangeTol = 1e-12

// StepForSigma returns the continuous step t in [0, T] with sigma(t) =
// sigma (the inverse of AlphaAt expressed in sigma). sigma outside
// [0, sigma_T] (beyond rounding, see rangeTol) is an error.
func (s *Schedule) StepForSigma(sigma float64) (float64, error) {
	if !(sigma >= 0) || math.IsInf(sigma, 0) {
		return 0, fmt.Errorf("toy: sigma = %v is not a finite non-negative number", sigma)
	}
	if sigma == 0 {
		return 0, nil
	}
	ls := math.Log(sigma)
	if top := s.logSigma[len(s.betas)]; ls-top > rangeTol*math.Max(1, math.Abs(top)) {
		return 0, s.beyondEnd("sigma", sigma)
	}
	return s.stepFor(ls, math.Log1p(sigma*sigma)), nil
}

// StepForAlpha returns the continuous step t in [0, T] with AlphaAt(t) =
// alpha. alpha outside [alpha_T, 1] (beyond rounding, see rangeTol) is an
// error.
func (s *Schedule) StepForAlpha(alpha float64) (float64, error) {
	if !(alpha > 0 && alpha <= 1) {
		return 0, fmt.Errorf("toy: alpha = %v is not in (0, 1]", alpha)
	}
	if alpha == 1 {
		return 0, nil
	}
	// The range is checked on alpha itself: near alpha = 1, log sigma =
	// log(1 - alpha)/2 + ... amplifies the rounding of alpha by 1/(1 - alpha),
	// so a slack on log sigma would reject the schedule's own alpha_T.
	if alpha < s.alphas[len(s.betas)]*(1-rangeTol) {
		return 0, s.beyondEnd("alpha", alpha)
	}
	if alpha <= s.alphas[len(s.betas)] {
		// The schedule's own alpha_T (or a level within rounding past it):
		// log sigma recomputed from alpha can round below the stored
		// log sigma_T when the last steps barely move sigma.
		return float64(len(s.betas)), nil
	}
	// 1 - alpha is exact for alpha in [1/2, 1] (Sterbenz) and accurate below.
	return s.stepFor(0.5*math.Log((1-alpha)/alpha), -math.Log(alpha)), nil
}

// beyondEnd is the error for a level past the end of the schedule; what
// and v name the input.
func (s *Schedule) beyondEnd(what string, v float64) error {
	T := len(s.betas)
	return fmt.Errorf("toy: %s = %v is beyond the end of schedule %q (sigma_T = %v, alpha_T = %v)",
		what, v, s.Name, math.Exp(s.logSigma[T]), s.alphas[T])
}

// stepFor inverts AlphaAt given ls = log sigma and la = -log alpha =
// log(1 + sigma^2) of the same level, already checked to be within
// rounding of [0, sigma_T]; a level just past the end maps to T.
func (s *Schedule) stepFor(ls, la float64) float64 {
	T := len(s.betas)
	if ls >= s.logSigma[T] {
		return float64(T)
	}
	if ls <= s.logSigma[1] {
		// alpha(t) = alpha_1^t: t = log alpha / log alpha_1.
		t := la / -s.logAlpha[1]
		return math.Min(t, 1)
	}
	// logSigma[1..T] is strictly increasing: find i with
	// logSigma[i] < ls <= logSigma[i+1].
	i := sort.SearchFloat64s(s.logSigma[1:], ls) // first j with logSigma[j+1] >= ls
	hi := i + 1
	lo := hi - 1
	f := (ls - s.logSigma[lo]) / (s.logSigma[hi] - s.logSigma[lo])
	return float64(lo) + math.Min(math.Max(f, 0), 1)
}
