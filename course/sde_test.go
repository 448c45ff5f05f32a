package course

import (
	"strings"
	"testing"
)

func TestLesson13SDE(t *testing.T) {
	r := runLesson(t, "13-sde", false)
	allHold(t, "13-sde", "TestLesson13SDE", r)
}

// TestLesson13Exercises runs the changes lesson 13's exercises suggest and
// checks the outcomes their hints predict.
func TestLesson13Exercises(t *testing.T) {
	cfg := Config{Seed: 1, Quick: true}
	run := func(change func(*SDESetup)) *Result {
		t.Helper()
		ss := DefaultSDE(cfg)
		change(&ss)
		r, err := SDE(cfg, ss, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	largest := func(r *Result, member string) float64 {
		var m float64
		for _, n := range r.Numbers {
			if strings.HasPrefix(n.Name, "family/"+member+"/") {
				m = max(m, n.Value)
			}
		}
		return m
	}
	// Exercise 1: churn 4 is far off the marginals with 50 moves and within
	// the noise (the claim's bound 4) with the chain's 1000.
	few := run(func(s *SDESetup) { s.Lambdas, s.Moves, s.Checks = []float64{0, 1, 4}, 50, []int{500, 100, 0} })
	if v := largest(few, "λ = 4"); v < 10 {
		t.Errorf("exercise 1: λ = 4 with 50 moves: largest energy ratio %v, want far above the noise (> 10)", v)
	}
	many := run(func(s *SDESetup) { s.Lambdas, s.Checks = []float64{0, 1, 4}, []int{500, 100, 0} })
	if v := largest(many, "λ = 4"); v >= 4 {
		t.Errorf("exercise 1: λ = 4 with 1000 moves: largest energy ratio %v, want below 4", v)
	}
	// Exercise 2: with 20 moves the members no longer all match the data.
	r := run(func(s *SDESetup) { s.Moves, s.Checks = 20, []int{0} })
	if v := r.value("family/worst"); v <= 3 {
		t.Errorf("exercise 2: 20 moves: largest energy ratio at t = 0 is %v, want above 3", v)
	}
	// Exercise 3: two-classes has per-coordinate variance below 1, so the
	// optimal variance stays at or below beta at every move.
	r = run(func(s *SDESetup) { s.Data = "two-classes" })
	if v := dataStd(exactSample(load("two-classes", 10, cfg.rng(1)).Exact, 20000, 1, cfg.rng(2)), 2); v*v >= 0.95 {
		t.Errorf("exercise 3: two-classes has per-coordinate variance %v, the hint needs it below 1", v*v)
	}
	if v := r.value("adpm/moves_above_beta"); v != 0 {
		t.Errorf("exercise 3: two-classes: %v moves with the optimal variance above beta, want 0", v)
	}
	// Exercise 4: at 80 steps all three variances are within a few noise
	// levels of the data, and Analytic-DPM no longer wins by three.
	r = run(func(s *SDESetup) { s.FewSteps = []int{80} })
	noise := r.value("adpm/80/noise")
	for _, v := range []string{"beta", "beta~", "optimal"} {
		if e := r.value("adpm/80/" + v); e >= 4*noise {
			t.Errorf("exercise 4: 80 steps, C² = %s: energy distance %v, want within 4 noise levels (%v)", v, e, 4*noise)
		}
	}
	for _, c := range r.Claims {
		if c.Ref == 5 && c.Holds() {
			t.Errorf("exercise 4: at 80 steps Analytic-DPM still wins by three noise levels (%s)", c.Measured())
		}
	}
	// Exercise 5: at t = 5 the identities still hold, and the DSM loss is
	// mostly its constant.
	r = run(func(s *SDESetup) { s.SMSteps = []int{5, 100} })
	for _, k := range []string{"sm/t5/dsm_z", "sm/t5/ism_z"} {
		if v := r.value(k); v >= 4 {
			t.Errorf("exercise 5: %s = %v standard errors, want below 4", k, v)
		}
	}
	if a, b := r.value("sm/t5/dsm")/r.value("sm/t5/esm"), r.value("sm/t100/dsm")/r.value("sm/t100/esm"); a < 10*b {
		t.Errorf("exercise 5: DSM/ESM = %v at t = 5 and %v at t = 100, want the constant to dominate at t = 5 (ten times the ratio)", a, b)
	}
}

// TestSDESetupErrors: bad settings are errors naming the problem.
func TestSDESetupErrors(t *testing.T) {
	cfg := Config{Seed: 1, Quick: true}
	for _, tc := range []struct {
		change func(*SDESetup)
		want   string
	}{
		{func(s *SDESetup) { s.Data = "moons" }, "Gaussian mixture"},
		{func(s *SDESetup) { s.Data = "no-such-data" }, "no-such-data"},
		{func(s *SDESetup) { s.Lambdas = []float64{-1} }, "λ = -1"},
		{func(s *SDESetup) { s.Moves, s.Checks = 200, []int{333} }, "check step 333"},
		{func(s *SDESetup) { s.SMSteps = []int{0} }, "score-matching step 0"},
		{func(s *SDESetup) { s.Chains = 1 }, "1 chains"},
		{func(s *SDESetup) { s.FewSteps = nil }, "at least one value"},
		{func(s *SDESetup) { s.FewSteps = []int{0} }, "0"},
	} {
		ss := DefaultSDE(cfg)
		tc.change(&ss)
		if _, err := SDE(cfg, ss, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("SDE(%+v) = %v, want an error naming %q", ss, err, tc.want)
		}
	}
}
