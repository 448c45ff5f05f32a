package course

import (
	"math"
	"math/rand/v2"
	"testing"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/nn"
	"difftoy/toy/sample"
)

func TestLesson14Flow(t *testing.T) {
	r := runLesson(t, "14-flow-matching", false)
	allHold(t, "14-flow-matching", "TestLesson14Flow", r)
}

// TestLesson14Identities checks lesson 14's formulas: the change of
// variables between x_t and z_s, the three readings of the velocity, DDIM
// as flow-matching Euler on a delta mixture too, the preconditioning's
// limits and unit variance, and that the recipe's networks read their
// output with exactly these c_skip and c_out. "Rounding" is a few hundred
// ulps of the largest term (about 1e-13 for numbers of order 1).
// TestLesson14Identities checks the identities among lesson 14's claims
// (lessons/14-flow-matching.md, "Claims checked by the tests"), one subtest
// per claim, named by its number there.
func TestLesson14Identities(t *testing.T) {
	const tol = 1e-12
	r := rand.New(pcg(14))
	three := load("three-points", 3, nil).Exact
	eight := load("eight-gaussians", 100, pcg(1)).Exact
	t.Run("claim1/time_change_and_velocity", func(t *testing.T) {
		// Claim 1: z_s = x_t / (sqrt(alpha) + sqrt(1 - alpha)) is (1 - s) x_0 + s eps.
		for _, a := range []float64{1, 0.999, 0.5, 1e-2, 4e-5} {
			s := FlowTime(a)
			if got := FlowAlpha(s); math.Abs(got-a) > tol {
				t.Errorf("FlowAlpha(FlowTime(%v)) = %v", a, got)
			}
			x0, e := r.NormFloat64()*2, r.NormFloat64()
			xt := math.Sqrt(a)*x0 + math.Sqrt(1-a)*e
			if z := xt / flowScale(s); math.Abs(z-((1-s)*x0+s*e)) > tol*(1+math.Abs(x0)) {
				t.Errorf("alpha = %v: x_t / scale = %v, want (1 - s) x_0 + s eps = %v", a, z, (1-s)*x0+s*e)
			}
		}

		// Claim 1: v = eps* - D* = (z - D*)/s = (eps* - z)/(1 - s), exact mixtures.
		for _, m := range []analytic.Mixture{three, eight} {
			z := gauss(50, pcg(2))
			for _, s := range []float64{0.05, 0.3, 0.7, 0.95} {
				v := Velocity(m, nil, z, s, nil)
				a := FlowAlpha(s)
				x := make([]float64, len(z))
				for i := range z {
					x[i] = z[i] * flowScale(s)
				}
				d := m.Denoise(nil, x, a, nil)
				e := m.Eps(nil, x, a, nil)
				for i := range z {
					w1, w2 := (z[i]-d[i])/s, (e[i]-z[i])/(1-s)
					scale := 1 + math.Abs(z[i])/s/(1-s)
					if math.Abs(v[i]-w1) > 1e-12*scale || math.Abs(v[i]-w2) > 1e-12*scale {
						t.Errorf("s = %v, coordinate %d: v = %v, (z - D)/s = %v, (eps - z)/(1 - s) = %v", s, i, v[i], w1, w2)
						break
					}
				}
			}
		}
	})
	t.Run("claim3/DDIM_is_Euler_on_the_changed_times", func(t *testing.T) {
		// Claim 3: DDIM is flow-matching Euler on the times s(alpha_t), also for
		// the delta mixture (whose field is stiff near t = 0).
		for _, m := range []analytic.Mixture{three, eight} {
			for _, n := range []int{3, 20, 100} {
				plan, err := sample.Strided(toy.DDPM(), n)
				if err != nil {
					t.Fatal(err)
				}
				xT := gauss(30, pcg(3))
				ddim, err := sample.DDIM(plan, 0).Sample(nil, xT, m, nil, nil)
				if err != nil {
					t.Fatal(err)
				}
				ss := planTimes(plan)
				euler := FlowEuler(m, flowStart(xT, ss[0]), ss, nil, nil)
				if d := maxAbs(sub(ddim, euler)); d > 1e-11 {
					t.Errorf("%d moves: DDIM and Euler differ by %v", n, d)
				}
			}
		}
	})
	t.Run("claim7/unit_variance_and_special_cases", func(t *testing.T) {
		// The preconditioning's algebra.
		for _, sd := range []float64{0.5, 1, 1.42} {
			for _, sigma := range []float64{1e-3, 0.1, 1, 10, 1e3} {
				p := EDMPrecond(sigma, sd)
				// Unit variance for data of variance sd^2 (any law with mean 0):
				// Var(c_in y) = c_in^2 (sd^2 + sigma^2), Var(x_0 - c_skip y) =
				// (1 - c_skip)^2 sd^2 + c_skip^2 sigma^2 = c_out^2.
				if v := p.In * p.In * (sd*sd + sigma*sigma); math.Abs(v-1) > tol {
					t.Errorf("sd %v sigma %v: Var(c_in y) = %v", sd, sigma, v)
				}
				if v := (sq(1-p.Skip)*sd*sd + sq(p.Skip)*sigma*sigma) / sq(p.Out); math.Abs(v-1) > tol {
					t.Errorf("sd %v sigma %v: Var(target) = %v", sd, sigma, v)
				}
				// c_skip minimises the target's variance: its derivative in c_skip vanishes.
				if g := -2*(1-p.Skip)*sd*sd + 2*p.Skip*sigma*sigma; math.Abs(g) > tol*(sd*sd+sigma*sigma) {
					t.Errorf("sd %v sigma %v: d Var / d c_skip = %v", sd, sigma, g)
				}
				// The weight is the eps loss's SNR weight plus 1/sd^2.
				if w := 1/(sigma*sigma) + 1/(sd*sd); math.Abs(p.Weight-w) > tol*w {
					t.Errorf("sd %v sigma %v: weight %v, want %v", sd, sigma, p.Weight, w)
				}
			}
		}
		// The three special cases: D = c_skip y + c_out F recovers x_0 from
		// (x_0, eps) exactly when F is the named target.
		for _, sigma := range []float64{0.05, 0.7, 3} {
			a := 1 / (1 + sigma*sigma)
			x0, e := r.NormFloat64(), r.NormFloat64()
			y := x0 + sigma*e
			v := math.Sqrt(a)*e - math.Sqrt(1-a)*x0
			cases := []struct {
				name      string
				sd, F     float64
				skip, out float64 // the limits
				tol       float64
			}{
				// sd = 1: c_skip = alpha, c_out = sqrt(1 - alpha); F = -v.
				{"v (sd = 1)", 1, -v, a, math.Sqrt(1 - a), tol},
				// sd -> infinity: c_skip -> 1, c_out -> sigma; F = -eps. Error O(sigma^2/sd^2).
				{"eps (sd -> inf)", 1e6, -e, 1, sigma, 1e-10},
				// sd -> 0: c_skip -> 0, c_out / sd -> 1; F = x_0 / sd. Error O(sd^2/sigma^2).
				{"x0 (sd -> 0)", 1e-6, x0 / 1e-6, 0, 1e-6, 1e-9},
			}
			for _, c := range cases {
				p := EDMPrecond(sigma, c.sd)
				if math.Abs(p.Skip-c.skip) > c.tol || math.Abs(p.Out-c.out) > c.tol*math.Max(1, c.out) {
					t.Errorf("%s, sigma %v: c_skip %v c_out %v, want %v and %v", c.name, sigma, p.Skip, p.Out, c.skip, c.out)
				}
				if d := p.Skip*y + p.Out*c.F; math.Abs(d-x0) > 1e-9 {
					t.Errorf("%s, sigma %v: c_skip y + c_out F = %v, want x_0 = %v", c.name, sigma, d, x0)
				}
			}
		}
	})
	t.Run("claim8/network_reads_the_coefficients", func(t *testing.T) {
		// The recipe's networks (nn.PredEDM) read their output with these
		// coefficients: with the last layer's weights at 0 and its bias b,
		// F = b and D = c_skip x / sqrt(alpha) + c_out b.
		spec := recipeSpec()
		spec.SigmaData = 1.3
		mod, err := nn.NewModel(spec, nil, pcg(5))
		if err != nil {
			t.Fatal(err)
		}
		mod.Float64 = true
		ps := mod.Net.Params
		sizes := mod.Net.Sizes
		last := sizes[len(sizes)-2]*sizes[len(sizes)-1] + sizes[len(sizes)-1]
		for i := len(ps) - last; i < len(ps); i++ {
			ps[i] = 0
		}
		ps[len(ps)-2], ps[len(ps)-1] = 1, -0.5
		x := []float64{0.3, -1.2, 2, 0.1}
		for _, a := range []float64{0.999, 0.5, 0.01} {
			got := mod.Denoise(nil, x, a, nil)
			p := EDMPrecond(math.Sqrt((1-a)/a), spec.SigmaData)
			for i := range x {
				b := []float64{1, -0.5}[i%2]
				want := p.Skip*x[i]/math.Sqrt(a) + p.Out*b
				if math.Abs(got[i]-want) > 1e-12*(1+math.Abs(want)) {
					t.Errorf("alpha %v: PredEDM network gives D = %v, c_skip y + c_out F = %v", a, got[i], want)
				}
			}
		}
	})
}

func sub(a, b []float64) []float64 {
	d := make([]float64, len(a))
	for i := range a {
		d[i] = a[i] - b[i]
	}
	return d
}

// TestLesson14Exercises runs the changes lesson 14's exercises suggest and
// checks the outcomes their hints predict.
func TestLesson14Exercises(t *testing.T) {
	cfg := Config{Seed: 1, Quick: true}
	holds := func(r *Result, ref int, name string) (bool, bool) {
		for _, c := range r.Claims {
			if c.Ref == ref && (name == "" || c.Name == name) {
				return c.Holds(), true
			}
		}
		return false, false
	}
	// Exercise 2: Euler is first order: the error halves with each doubling
	// at large N (a factor in [1.6, 2.5], as lesson 10's claim 10 allows).
	fs := DefaultFlow(cfg)
	r, err := Flow(cfg, fs)
	if err != nil {
		t.Fatal(err)
	}
	if q := r.value("euler64/error") / r.value("euler128/error"); q < 1.6 || q > 2.5 {
		t.Errorf("exercise 2: error ratio from 64 to 128 moves = %v, want in [1.6, 2.5]", q)
	}
	// Exercise 3: the plain inversion breaks the translation and the law
	// claims, not the class posterior.
	fs.Refine = 0
	if r, err = Flow(cfg, fs); err != nil {
		t.Fatal(err)
	}
	if ok, _ := holds(r, 10, ""); ok {
		t.Errorf("exercise 3: the translation claim holds with the plain inversion (error %v)", r.value("edit/translation_error"))
	}
	if ok, _ := holds(r, 9, energyName("edited points")); ok {
		t.Errorf("exercise 3: the law claim holds with the plain inversion (ratio %v)", r.value("edit/energy"))
	}
	if ok, _ := holds(r, 9, "mean q_0(1 | edit)"); !ok {
		t.Errorf("exercise 3: the edited points leave class 1 (posterior %v)", r.value("edit/posterior_to"))
	}
	// Exercise 4: other classes, and classes that are not translates.
	for _, c := range []struct {
		data     string
		from, to int
	}{{"three-classes", 2, 0}, {"two-classes", 0, 1}, {"two-classes", 1, 0}} {
		fs := DefaultFlow(cfg)
		fs.EditDataset, fs.From, fs.To = c.data, c.from, c.to
		r, err := Flow(cfg, fs)
		if err != nil {
			t.Fatal(err)
		}
		if v := r.value("edit/posterior_to"); v <= 0.9 {
			t.Errorf("exercise 4, %s %d -> %d: mean class posterior %v, want above 0.9", c.data, c.from, c.to, v)
		}
		_, checked := holds(r, 10, "")
		if checked != (c.data == "three-classes") {
			t.Errorf("exercise 4, %s: translation claim checked = %v", c.data, checked)
		}
	}
	fs = DefaultFlow(cfg)
	fs.From = fs.To
	if _, err := Flow(cfg, fs); err == nil {
		t.Error("Flow with From = To: no error")
	}
	for _, bad := range []func(*FlowSetup){
		func(f *FlowSetup) { f.To = 3 },
		func(f *FlowSetup) { f.EditDataset = "eight-gaussians" },
		func(f *FlowSetup) { f.EditDataset = "no-such-data" },
		func(f *FlowSetup) { f.Dataset = "no-such-data" },
		func(f *FlowSetup) { f.Sigmas = []float64{0} },
		func(f *FlowSetup) { f.LossTimes = []float64{1} },
		func(f *FlowSetup) { f.StepCounts = []int{0} },
		func(f *FlowSetup) { f.Refine = -1 },
	} {
		fs := DefaultFlow(cfg)
		bad(&fs)
		if _, err := Flow(cfg, fs); err == nil {
			t.Errorf("Flow(%+v): no error", fs)
		}
	}
}
