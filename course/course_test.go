package course

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The tests run each lesson's experiment once at the quick sizes and check
// the lesson's "Claims checked by the tests" that the experiment measures.
// Tolerances:
//   - "z" numbers are deviations in Monte Carlo or binomial standard errors;
//     a bound of 3 (or 4 when the number is the largest of about ten
//     comparisons) fails a correct sampler with probability below 1 percent.
//   - energy ratios are the energy distance over its mean under a perfect
//     sampler (see EnergyCheck); a correct sampler stays below 3.
//   - "to rounding" is 1e-12 for quantities of order 1.
// The lessons that train networks take minutes and are skipped with -short.

func runLesson(t *testing.T, id string, heavy bool) *Result {
	t.Helper()
	if heavy && testing.Short() {
		t.Skip("trains networks; skipped with -short")
	}
	l, err := LessonByID(id)
	if err != nil {
		t.Fatal(err)
	}
	r, err := l.Run(context.Background(), Config{Seed: 1, Quick: true}, nil)
	if err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	if len(r.Charts) == 0 {
		t.Errorf("%s: no charts", id)
	}
	for _, c := range r.Charts {
		if _, err := c.JSON(); err != nil {
			t.Errorf("%s: chart %q does not encode: %v", id, c.Title, err)
		}
	}
	return r
}

func num(t *testing.T, r *Result, name string) float64 {
	t.Helper()
	v, ok := r.Number(name)
	if !ok {
		t.Fatalf("no number %q", name)
	}
	return v
}

type claim struct {
	what string
	ok   func(v func(string) float64) bool
}

func check(t *testing.T, r *Result, claims []claim) {
	t.Helper()
	v := func(name string) float64 { return num(t, r, name) }
	for _, c := range claims {
		if !c.ok(v) {
			t.Errorf("claim failed: %s\n%s", c.what, r)
		}
	}
}

func TestLessonsList(t *testing.T) {
	ls := Lessons()
	if len(ls) != 12 {
		t.Fatalf("%d lessons, want 12", len(ls))
	}
	for _, l := range ls {
		for _, p := range []string{l.Markdown, l.Notebook} {
			if _, err := os.Stat(filepath.Join("..", p)); err != nil {
				t.Errorf("lesson %s: %v", l.ID, err)
			}
		}
		if l.Run == nil || l.Title == "" {
			t.Errorf("lesson %s has no title or no experiment", l.ID)
		}
	}
	if _, err := LessonByID("13-nothing"); err == nil || !strings.Contains(err.Error(), "01-forward-process") {
		t.Errorf("LessonByID(unknown) = %v, want an error listing the lessons", err)
	}
}

func TestLesson01Forward(t *testing.T) {
	r := runLesson(t, "01-forward-process", false)
	check(t, r, []claim{
		{"linear: alpha_T < 1e-4", func(v func(string) float64) bool { return v("linear/alpha_T") < 1e-4 }},
		{"linear: alpha_500 in (0.07, 0.09)", func(v func(string) float64) bool { a := v("linear/alpha_500"); return a > 0.07 && a < 0.09 }},
		{"linear: first t with alpha < 1/2 is 260 +- 5", func(v func(string) float64) bool { return math.Abs(v("linear/half_step")-260) <= 5 }},
		{"cosine: alpha_T < 1e-4", func(v func(string) float64) bool { return v("cosine/alpha_T") < 1e-4 }},
		{"cosine: alpha_500 in (0.45, 0.55)", func(v func(string) float64) bool { a := v("cosine/alpha_500"); return a > 0.45 && a < 0.55 }},
		{"cosine: first t with alpha < 1/2 is 497 +- 5", func(v func(string) float64) bool { return math.Abs(v("cosine/half_step")-497) <= 5 }},
		{"cosine alpha above linear for every t in 1..990", func(v func(string) float64) bool { return v("cosine_above_linear") == 990 }},
		// Ten comparisons (5 steps x 2 coordinates) each: bound 4.
		{"chain mean within MC error", func(v func(string) float64) bool { return v("chain_mean_z") < 4 }},
		{"chain variance within MC error", func(v func(string) float64) bool { return v("chain_var_z") < 4 }},
		{"step-by-step chains match one jump", func(v func(string) float64) bool { return v("chain_vs_jump") < 3 }},
		{"forward samples match exact q_t", func(v func(string) float64) bool { return v("forward_vs_exact") < 3 }},
		{"q_T matches N(0, I), linear", func(v func(string) float64) bool { return v("linear/qT_vs_normal") < 3 }},
		{"q_T matches N(0, I), cosine", func(v func(string) float64) bool { return v("cosine/qT_vs_normal") < 3 }},
	})
}

func TestLesson02Ideal(t *testing.T) {
	r := runLesson(t, "02-ideal-denoiser", false)
	check(t, r, []claim{
		{"posterior weights sum to 1", func(v func(string) float64) bool { return v("posterior_sum_error") < 1e-12 }},
		{"D* in the convex hull of the points", func(v func(string) float64) bool { return v("hull_min_barycentric") >= -1e-12 }},
		{"small noise: weight of the own point > 1 - 1e-9", func(v func(string) float64) bool { return v("small_noise_min_weight") > 1-1e-9 }},
		// 1e-8 of the largest distance, plus rounding of the coordinates.
		{"small noise: D*_1 is the point", func(v func(string) float64) bool { return v("small_noise_offset") < 1e-8+1e-15 }},
		{"Tweedie to rounding", func(v func(string) float64) bool { return v("tweedie_error") < 1e-12 }},
		// Central differences with h = 1e-4: truncation h^2 |f'''| / 6 with
		// |f'''| up to about (1 - alpha)^(-3/2) ~ 2e3 at t = 50 gives ~ 3e-6.
		{"score = finite differences of log q_t", func(v func(string) float64) bool { return v("score_fd_error") < 1e-4 }},
		{"t = T: weights are the prior within 0.05", func(v func(string) float64) bool { return v("prior_gap_T") < 0.05 }},
		{"t = T: score is -x within 0.05", func(v func(string) float64) bool { return v("score_gap_T") < 0.05 }},
		// Eight comparisons (4 steps x 2 coordinates): bound 4.
		{"score has mean zero under q_t", func(v func(string) float64) bool { return v("score_mean_z") < 4 }},
	})
}

func TestLesson03Training(t *testing.T) {
	r := runLesson(t, "03-training", true)
	check(t, r, []claim{
		{"B_t = sqrt(alpha_{t-1}) - A_t sqrt(alpha_t) to rounding", func(v func(string) float64) bool { return v("coef/B_error") < 1e-12 }},
		// Relative errors: 1 - alpha at t = 2 is 3e-4, so differences of
		// order-1 terms lose about 4 digits.
		{"beta~_t = (1 - alpha_{t-1}) - A_t^2 (1 - alpha_t)", func(v func(string) float64) bool { return v("coef/var_error") < 1e-9 }},
		{"beta~_t + B_t^2 (1 - alpha_t) = beta_t", func(v func(string) float64) bool { return v("coef/var_sum_error") < 1e-9 }},
		{"w_t = (SNR_{t-1} - SNR_t)/2", func(v func(string) float64) bool { return v("coef/w_snr_error") < 1e-9 }},
		{"0 < beta~_t < beta_t for t >= 2", func(v func(string) float64) bool { return v("coef/var_below_beta") == 999 }},
		{"A_1 = 0, B_1 = 1, C_1 = 0", func(v func(string) float64) bool {
			return v("coef/A_1") == 0 && math.Abs(v("coef/B_1")-1) < 1e-15 && v("coef/C_1") == 0
		}},
		{"w_2 in (2600, 2800) with C^2 = beta~", func(v func(string) float64) bool { w := v("w_2_posterior"); return w > 2600 && w < 2800 }},
		{"w_T < 1e-6", func(v func(string) float64) bool { return v("w_T_posterior") < 1e-6 }},
		{"D* has the lowest loss (within 3 SE)", func(v func(string) float64) bool { return v("optimality_z") < 3 }},
		{"loss(D) - loss(D*) = E||D - D*||^2 (within 3 SE)", func(v func(string) float64) bool { return v("decomposition_z") < 3 }},
		{"MMSE_1 < 0.01 tr Cov", func(v func(string) float64) bool { return v("mmse_1_over_trcov") < 0.01 }},
		// MC relative error of MMSE_T with 3000 samples is about 0.3 percent.
		{"MMSE_T within 1% of tr Cov", func(v func(string) float64) bool { return math.Abs(v("mmse_T_over_trcov")-1) < 0.01 }},
		{"network beats the best constant denoiser", func(v func(string) float64) bool { return v("excess_mean") < v("trivial_mean") }},
		{"final loss below initial loss", func(v func(string) float64) bool { return v("loss_last") < v("loss_first") }},
	})
}

func TestLesson04Ancestral(t *testing.T) {
	r := runLesson(t, "04-ancestral-sampling", true)
	check(t, r, []claim{
		{"exact DDPM matches the data, C^2 = beta~", func(v func(string) float64) bool { return v("exact/posterior") < 3 }},
		{"exact DDPM matches the data, C^2 = beta", func(v func(string) float64) bool { return v("exact/beta") < 3 }},
		{"exact DDPM chains match q_t at T/4, T/2, 3T/4", func(v func(string) float64) bool { return v("exact/marginals") < 3 }},
		// The smallest distance between the three points (-1, 0), (1, 0),
		// (0, 1.5) is sqrt(3.25) ~ 1.80 (times 1e-6).
		{"three points: every sample on a point", func(v func(string) float64) bool { return v("three/max_distance") < 1e-6*math.Sqrt(3.25) }},
		{"three points: shares within 3 binomial SE", func(v func(string) float64) bool { return v("three/share_z") < 3 }},
		{"N(0, I) data, C^2 = beta~: final variance 0.991 +- 0.001", func(v func(string) float64) bool {
			return math.Abs(v("gaussian/final_var_posterior")-0.991) <= 0.001
		}},
		{"N(0, I) data, C^2 = beta: final variance 1 - beta_1", func(v func(string) float64) bool {
			return math.Abs(v("gaussian/final_var_beta")-(1-1e-4)) < 1e-12
		}},
		{"trained DDPM closer to the data than N(0, I)", func(v func(string) float64) bool { return v("trained/energy") < v("trained/noise_energy") }},
	})
}

func TestLesson05Reschedule(t *testing.T) {
	r := runLesson(t, "05-changing-schedule", true)
	check(t, r, []claim{
		{"exact D* rescheduled to cosine matches the data", func(v func(string) float64) bool { return v("exact/cosine_matched") < 3 }},
		{"sigma matching beats no matching", func(v func(string) float64) bool {
			return v("trained/cosine_matched") < v("trained/cosine_unmatched")
		}},
	})
}

func TestLesson06Parametrisations(t *testing.T) {
	r := runLesson(t, "06-parametrisations", true)
	cl := []claim{
		{"eps round trip to rounding", func(v func(string) float64) bool { return v("eps_roundtrip_error") < 1e-12 }},
		// Four readings: bound 3 on the largest of four z values.
		{"optimum + c costs |c|^2 in every reading (within 3 SE)", func(v func(string) float64) bool { return v("optimum_shift_z") < 3 }},
		{"standardised data: E|v|^2 = d (within 4 SE, largest of four t)", func(v func(string) float64) bool { return v("v_norm_z") < 4 }},
	}
	for _, p := range []string{"x0", "eps", "score", "v"} {
		cl = append(cl, claim{p + ": converted to x0, beats the best constant denoiser (alpha-weighted)", func(v func(string) float64) bool {
			return v(p+"/excess_weighted") < v(p+"/trivial_weighted")
		}})
	}
	check(t, r, cl)
}

func TestLesson07Conditional(t *testing.T) {
	r := runLesson(t, "07-conditional", true)
	cl := []claim{
		{"class posteriors sum to 1", func(v func(string) float64) bool { return v("tower/class_sum_error") < 1e-12 }},
		{"D* = sum_y q_t(y|x) D*(x|y)", func(v func(string) float64) bool { return v("tower/denoiser_error") < 1e-12 }},
		{"score = sum_y q_t(y|x) score(x|y)", func(v func(string) float64) bool { return v("tower/score_error") < 1e-9 }},
		{"CFG field = classifier-guidance field for exact scores (lesson 9, claim 1)", func(v func(string) float64) bool { return v("tower/cfg_vs_cg_error") < 1e-9 }},
	}
	for _, y := range []string{"0", "1"} {
		p := "class" + y + "/"
		cl = append(cl,
			claim{p + " exact conditional samples match the class", func(v func(string) float64) bool { return v(p+"exact_energy") < 3 }},
			// Binomial SE of the two shares combined (300 samples, 4000 data).
			claim{p + " exact share agrees with the Bayes accuracy", func(v func(string) float64) bool {
				b := v(p + "bayes")
				se := math.Sqrt(b*(1-b)/300 + b*(1-b)/4000)
				return math.Abs(v(p+"exact_share")-b) < 3*se+1e-12
			}},
			claim{p + " trained share above q(y) = 1/2 and 0.8 Bayes", func(v func(string) float64) bool {
				s := v(p + "trained_share")
				return s > 0.5 && s > 0.8*v(p+"bayes")
			}},
		)
	}
	check(t, r, cl)
}

// sweepClaims: the mean exact class posterior at the largest gamma exceeds
// the one at gamma = 0 by more than three standard errors, and does not
// fall along the sweep by more than three standard errors of a difference.
func sweepClaims(prefix string) []claim {
	return []claim{{prefix + ": guidance raises the class posterior", func(v func(string) float64) bool {
		gs := []string{"0", "1", "3", "7"}
		p0, s0 := v(prefix+"/posterior_gamma0"), v(prefix+"/posterior_se_gamma0")
		p7, s7 := v(prefix+"/posterior_gamma7"), v(prefix+"/posterior_se_gamma7")
		if !(p7-p0 > 3*math.Hypot(s0, s7)) {
			return false
		}
		for i := 1; i < len(gs); i++ {
			a, sa := v(prefix+"/posterior_gamma"+gs[i-1]), v(prefix+"/posterior_se_gamma"+gs[i-1])
			b, sb := v(prefix+"/posterior_gamma"+gs[i]), v(prefix+"/posterior_se_gamma"+gs[i])
			if b < a-3*math.Hypot(sa, sb) {
				return false
			}
		}
		return true
	}}}
}

func TestLesson08ClassifierGuidance(t *testing.T) {
	r := runLesson(t, "08-classifier-guidance", true)
	cl := append(sweepClaims("exact classifier"),
		// 1200 noisy points per t: binomial SE of an accuracy near 0.98 is
		// 0.004, near 0.5 it is 0.014.
		// Against the Bayes accuracy of clean data, from 20000 fresh points:
		// the binomial standard errors of the two shares combined.
		claim{"exact accuracy at t = 1 is the Bayes accuracy (within 3 binomial SE)", func(v func(string) float64) bool {
			b, se := bayesAccuracy(20000)
			n := float64(DefaultGuidance(Config{Quick: true}).Samples * 4)
			se = math.Hypot(se, math.Sqrt(b*(1-b)/n))
			return math.Abs(v("exact/accuracy_t1")-b) < 3*se
		}},
		claim{"exact accuracy at t = T within 0.03 of max q(y) = 0.5", func(v func(string) float64) bool {
			return math.Abs(v("exact/accuracy_t1000")-0.5) < 0.03+3*0.014
		}},
		claim{"exact accuracy non-increasing in t within binomial error", func(v func(string) float64) bool {
			ts := []string{"1", "100", "200", "300", "400", "500", "600", "800", "1000"}
			for i := 1; i < len(ts); i++ {
				if v("exact/accuracy_t"+ts[i]) > v("exact/accuracy_t"+ts[i-1])+3*0.02 {
					return false
				}
			}
			return true
		}},
		claim{"the exact posterior has the lowest cross-entropy (trained not lower by 3 SE)", func(v func(string) float64) bool {
			return v("trained/cross_entropy_gap_z") > -3
		}},
		claim{"guidance with the trained classifier: class posterior above q(y) = 1/2", func(v func(string) float64) bool {
			return v("trained classifier/posterior_gamma0") > 0.5 && v("trained classifier/posterior_gamma3") > 0.5
		}},
	)
	check(t, r, cl)
}

func TestLesson09CFG(t *testing.T) {
	r := runLesson(t, "09-classifier-free-guidance", true)
	cl := append(sweepClaims("exact"), sweepClaims("trained")...)
	cl = append(cl, claim{"the conditional network beats the best constant denoiser", func(v func(string) float64) bool {
		return v("trained/excess") < v("trained/trivial")
	}})
	cl = append(cl,
		claim{"guided is not tilted: energy distance above the noise level", func(v func(string) float64) bool { return v("tilted/energy_ratio") > 3 }},
		// Within 3% of 1/(2a-1) (the lesson's claim) plus three MC standard errors.
		claim{"sharpened Gaussian: DDPM variance near 1/(2a-1), far from 1/a", func(v func(string) float64) bool {
			d := math.Abs(v("sharpen/ddpm_var") - v("sharpen/guided_theory"))
			return d < 0.03*v("sharpen/guided_theory")+3*v("sharpen/ddpm_var_se") &&
				v("sharpen/tilted_target")-v("sharpen/ddpm_var") > 0.1
		}},
	)
	check(t, r, cl)
}

func TestLesson10Deterministic(t *testing.T) {
	r := runLesson(t, "10-deterministic-sampling", false)
	check(t, r, []claim{
		{"DDIM is deterministic", func(v func(string) float64) bool { return v("ddim/repeat_difference") == 0 }},
		{"DDIM with exact D* matches the data", func(v func(string) float64) bool { return v("ddim/energy") < 3 }},
		{"drift sampler matches the data", func(v func(string) float64) bool { return v("drift/energy") < 3 }},
		{"DDIM energy falls with steps and is within the noise level at 100", func(v func(string) float64) bool {
			return v("ddim5/energy") > v("ddim20/energy") && v("ddim20/energy") > v("ddim100/energy") && v("ddim100/energy") < 3
		}},
		{"exact 2-D likelihood gap falls with steps", func(v func(string) float64) bool {
			return v("ddim5/loglik_gap") > v("ddim20/loglik_gap") && v("ddim20/loglik_gap") > v("ddim100/loglik_gap")
		}},
		{"inversion error falls with steps", func(v func(string) float64) bool {
			e := []float64{v("inversion/error_10"), v("inversion/error_30"), v("inversion/error_100"), v("inversion/error_300")}
			return e[0] > e[1] && e[1] > e[2] && e[2] > e[3]
		}},
	})
}

func TestLesson11Langevin(t *testing.T) {
	r := runLesson(t, "11-langevin", false)
	check(t, r, []claim{
		{"small steps keep the mixture", func(v func(string) float64) bool { return v("invariance/energy") < 3 }},
		{"plain Langevin misses the weights (more than 3 SE)", func(v func(string) float64) bool { return v("plain/share_z") > 3 }},
		{"annealed Langevin reaches the weights (within 3 SE)", func(v func(string) float64) bool { return v("annealed/share_z") < 3 }},
		{"annealed deviation below a quarter of plain Langevin's", func(v func(string) float64) bool {
			w := v("weight_left")
			return math.Abs(v("annealed/share_left")-w) < math.Abs(v("plain/share_left")-w)/4
		}},
		{"corrector moves lower the energy distance", func(v func(string) float64) bool { return v("pc/energy_corrected") < v("pc/energy_predictor") }},
	})
}

func TestLesson12Memorisation(t *testing.T) {
	r := runLesson(t, "12-memorisation", true)
	check(t, r, []claim{
		{"empirical D* returns training points (>= 99% within r)", func(v func(string) float64) bool { return v("empirical/within_r") >= 0.99 }},
		{"fresh data rarely within r (< 5%)", func(v func(string) float64) bool { return v("fresh/within_r") < 0.05 }},
		{"D̂* has the lowest training loss (within 3 SE)", func(v func(string) float64) bool { return v("loss/train_emp_minus_net_z") < 3 }},
		// Tested at t = 5: with t uniform the gap (all of it at small t) is
		// below the Monte Carlo error of 3000 samples.
		{"D̂* held-out loss exceeds its training loss at t = 5 (by 3 SE)", func(v func(string) float64) bool { return v("loss/emp_heldout_minus_train_t5_z") > 3 }},
		{"at small noise the network's held-out loss is below D̂*'s", func(v func(string) float64) bool { return v("loss/small_noise_net_minus_emp_z") < -3 }},
		{"network samples are not copies (< 50% within r)", func(v func(string) float64) bool { return v("trained/within_r") < 0.5 }},
		{"network share within r closer to fresh data's than to 1", func(v func(string) float64) bool {
			s := v("trained/within_r")
			return math.Abs(s-v("fresh/within_r")) < 1-s
		}},
		{"network samples spread like data (median distance >= 1/3 of fresh data's)", func(v func(string) float64) bool {
			return v("trained/median_distance") >= v("fresh/median_distance")/3
		}},
	})
}
