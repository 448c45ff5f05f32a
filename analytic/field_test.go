package analytic_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"difftoy/analytic"
	"difftoy/toy"
)

// randomBatch returns n points (standard normal times scale) and labels
// drawn from {Empty, 0..C-1} (nil when unlabelled).
func randomBatch(m analytic.Mixture, n int, scale float64, seed uint64) ([]float64, []int) {
	rng := rand.New(rand.NewPCG(seed, 5))
	x := make([]float64, n*m.Dim())
	for i := range x {
		x[i] = scale * rng.NormFloat64()
	}
	if m.Classes() == 0 {
		return x, nil
	}
	y := make([]int, n)
	for i := range y {
		y[i] = rng.IntN(m.Classes()+1) - 1
	}
	return x, y
}

// TestBatchedEqualsSingle: each point of a batch (large enough to be split
// into several parallel chunks) gets exactly the result of a one-point call,
// and dst may be x itself.
func TestBatchedEqualsSingle(t *testing.T) {
	for _, tc := range mixtures(t) {
		m := tc.m
		d, k, nc := m.Dim(), m.Len(), m.Classes()
		n := 6000 // grain is 2^15/K points: several chunks for these K
		x, y := randomBatch(m, n, 2, 1)
		for _, alpha := range []float64{0.3, 0.95} {
			type method struct {
				name  string
				width int
				batch func(dst, x []float64, y []int) []float64
			}
			ms := []method{
				{"Denoise", d, func(dst, x []float64, y []int) []float64 { return m.Denoise(dst, x, alpha, y) }},
				{"Score", d, func(dst, x []float64, y []int) []float64 { return m.Score(dst, x, alpha, y) }},
				{"Eps", d, func(dst, x []float64, y []int) []float64 { return m.Eps(dst, x, alpha, y) }},
				{"LogProb", 1, func(dst, x []float64, _ []int) []float64 { return m.LogProb(dst, x, alpha) }},
				{"Posterior", k, func(dst, x []float64, _ []int) []float64 { return m.Posterior(dst, x, alpha) }},
			}
			if nc > 0 {
				ms = append(ms,
					method{"ClassPosterior", nc, func(dst, x []float64, _ []int) []float64 { return m.ClassPosterior(dst, x, alpha) }},
					method{"ClassifierGrad", d, func(dst, x []float64, y []int) []float64 { return analytic.ClassifierGrad(m, dst, x, alpha, y) }},
				)
			}
			for _, me := range ms {
				all := me.batch(nil, x, y)
				for p := 0; p < n; p += 97 {
					var yp []int
					if y != nil {
						yp = y[p : p+1]
					}
					one := me.batch(make([]float64, me.width), row(x, d, p), yp)
					if maxAbsDiff(one, row(all, me.width, p)) != 0 {
						t.Errorf("%s alpha=%v: %s of point %d in a batch = %v, alone %v", tc.name, alpha, me.name, p, row(all, me.width, p), one)
					}
				}
				if me.width == d && me.name != "Posterior" && me.name != "ClassPosterior" { // the fields of x may be computed in place
					xc := append([]float64(nil), x...)
					me.batch(xc, xc, y)
					if maxAbsDiff(xc, all) != 0 {
						t.Errorf("%s alpha=%v: %s in place (dst = x) differs from the batch", tc.name, alpha, me.name)
					}
				}
			}
		}
	}
}

// TestExtremes: for alpha from 1e-8 to 1 - 1e-12 and query points up to
// 1e3 from the data, every output is finite, and D*, the score and log q_t
// agree with the gonum reference (log-sum-exp with math.Exp). The problem
// itself is ill-conditioned at such points: a logit depends on x with
// slope |x - sqrt(alpha) x^(i)| / (1-alpha), so one ulp of x (1e-13 at
// |x| = 1e3) moves logits by up to ~1e-10 where several components share
// the posterior (elsewhere the posterior is a point mass and nothing moves).
// 1e-8 relative leaves a margin over that; log q_t itself, a sum of large
// terms, is compared to 1e-12 relative.
func TestExtremes(t *testing.T) {
	alphas := []float64{1e-8, 1e-6, 1e-3, 0.5, 1 - 1e-6, 1 - 1e-9, 1 - 1e-12}
	for _, tc := range mixtures(t) {
		m := tc.m
		d := m.Dim()
		cs := refComps(t, m)
		near, _ := randomBatch(m, 20, 1.5, 2)
		far, _ := randomBatch(m, 20, 1, 3)
		for i := range far {
			far[i] *= 1e3 / math.Sqrt(float64(d)) // |x| about 1e3
		}
		x := append(near, far...)
		n := len(x) / d
		for _, alpha := range alphas {
			for y := -1; y < m.Classes(); y++ {
				labels := labelsOf(n, y)
				outs := map[string][]float64{
					"Denoise": m.Denoise(nil, x, alpha, labels),
					"Score":   m.Score(nil, x, alpha, labels),
					"Eps":     m.Eps(nil, x, alpha, labels),
				}
				if y == -1 {
					outs["LogProb"] = m.LogProb(nil, x, alpha)
					outs["Posterior"] = m.Posterior(nil, x, alpha)
					if m.Classes() > 0 {
						outs["ClassPosterior"] = m.ClassPosterior(nil, x, alpha)
					}
				}
				if m.Classes() > 0 { // far from the data most classes have no posterior mass numerically
					outs["ClassifierGrad"] = analytic.ClassifierGrad(m, nil, x, alpha, labels)
				}
				for name, v := range outs {
					for i, f := range v {
						if math.IsNaN(f) || math.IsInf(f, 0) {
							t.Errorf("%s alpha=%v y=%d: %s[%d] = %v", tc.name, alpha, y, name, i, f)
							break
						}
					}
				}
				for p := range n {
					xp := row(x, d, p)
					r := refEval(t, cs, xp, alpha, y)
					if got := row(outs["Denoise"], d, p); maxAbsDiff(got, r.mean) > 1e-8*(1+maxAbs(r.mean)) {
						t.Errorf("%s alpha=%v y=%d: Denoise(%v) = %v, reference %v", tc.name, alpha, y, xp, got, r.mean)
					}
					if got := row(outs["Score"], d, p); maxAbsDiff(got, r.score) > 1e-8*(1+maxAbs(r.score)) {
						t.Errorf("%s alpha=%v y=%d: Score(%v) = %v, reference %v", tc.name, alpha, y, xp, got, r.score)
					}
					if y == -1 {
						if got := outs["LogProb"][p]; math.Abs(got-r.logp) > 1e-12*(1+math.Abs(r.logp)) {
							t.Errorf("%s alpha=%v: LogProb(%v) = %v, reference %v", tc.name, alpha, xp, got, r.logp)
						}
					}
				}
			}
		}
	}
}

// TestPanics checks the argument checks of the methods.
func TestPanics(t *testing.T) {
	m, g := delta2(t), gauss2(t)
	x := []float64{0, 0, 1, 1}
	for _, tc := range []struct {
		want string
		f    func()
	}{
		{"analytic.(*DeltaMixture).Denoise: len(x) = 3 is not a multiple of the dimension 2", func() { m.Denoise(nil, x[:3], 0.5, nil) }},
		{"analytic.(*DeltaMixture).Score: len(dst) = 3, want 4", func() { m.Score(make([]float64, 3), x, 0.5, nil) }},
		{"analytic.(*DeltaMixture).Eps: alpha = 0 is not in (0, 1]", func() { m.Eps(nil, x, 0, nil) }},
		{"analytic.(*DeltaMixture).Denoise: alpha = NaN is not in (0, 1]", func() { m.Denoise(nil, x, math.NaN(), nil) }},
		{"analytic.(*DeltaMixture).Denoise: alpha = 1.5 is not in (0, 1]", func() { m.Denoise(nil, x, 1.5, nil) }},
		{"analytic.(*DeltaMixture).Denoise: 1 labels for 2 points", func() { m.Denoise(nil, x, 0.5, []int{0}) }},
		{"analytic.(*DeltaMixture).Denoise: label y[1] = 3 is outside 0..2 (or -1 for none)", func() { m.Denoise(nil, x, 0.5, []int{0, 3}) }},
		{"analytic.(*DeltaMixture).Score: label y[0] = -2 is outside", func() { m.Score(nil, x, 0.5, []int{-2, 0}) }},
		{"analytic.(*DeltaMixture).Posterior: len(dst) = 4, want 14 (2 points x 7)", func() { m.Posterior(make([]float64, 4), x, 0.5) }},
		{"analytic.(*DeltaMixture).LogProb: len(dst) = 1, want 2", func() { m.LogProb(make([]float64, 1), x, 0.5) }},
		{"analytic.(*DeltaMixture).ClassPosterior: len(dst) = 2, want 6", func() { m.ClassPosterior(make([]float64, 2), x, 0.5) }},
		{"analytic.(*GaussianMixture).Denoise: alpha = -1 is not in (0, 1]", func() { g.Denoise(nil, x, -1, nil) }},
		{"analytic.(*GaussianMixture).Score: label y[0] = 2 is outside 0..1", func() { g.Score(nil, x, 0.5, []int{2, 0}) }},
		{"analytic.(*GaussianMixture).LogProb: len(x) = 1 is not a multiple", func() { g.LogProb(nil, x[:1], 0.5) }},
		{"analytic.(*GaussianMixture).Eps: len(dst) = 1, want 4", func() { g.Eps(make([]float64, 1), x, 0.5, nil) }},
		{"analytic.(*DeltaMixture).Denoise: label y[0] = 0 given to an unlabelled mixture", func() { delta3(t).Denoise(nil, []float64{0, 0, 0}, 0.5, []int{0}) }},
	} {
		mustPanic(t, tc.want, tc.f)
	}
	// Empty labels are fine on an unlabelled mixture.
	delta3(t).Denoise(nil, []float64{0, 0, 0}, 0.5, []int{toy.Empty})
}

// TestNoPerPointAllocation: with dst given, a call allocates a bounded
// number of objects (per-call tables, the parallel loop's goroutines,
// scratch slices on a pool), never one per point: 20 000 points cost no
// more than 50 allocations.
func TestNoPerPointAllocation(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts need a few full passes")
	}
	for _, tc := range mixtures(t) {
		m := tc.m
		x, y := randomBatch(m, 20000, 1, 4)
		dst := make([]float64, len(x))
		for _, alpha := range []float64{0.5, 1} {
			if _, ok := m.(*analytic.DeltaMixture); ok && alpha == 1 {
				continue
			}
			if a := testing.AllocsPerRun(3, func() { m.Denoise(dst, x, alpha, y) }); a > 50 {
				t.Errorf("%s alpha=%v: Denoise of 20000 points made %v allocations", tc.name, alpha, a)
			}
			if a := testing.AllocsPerRun(3, func() { m.Score(dst, x, alpha, y) }); a > 50 {
				t.Errorf("%s alpha=%v: Score of 20000 points made %v allocations", tc.name, alpha, a)
			}
		}
	}
}

// TestLargeLabelled: K = 10 000 labelled points (the 2-D kernel) and
// Gaussians, with class 1 a single component far from most of the data, at
// the ends of the alpha range and at query points up to 1e3 away. Checked
// without a reference: every output is finite; the posteriors and class
// posteriors sum to one (K terms of rounding: K eps); conditioned on the
// one-component class, D* and the score are that component's own (for a
// point: the point itself, exactly, since its weight is e^0 = 1, and
// (sqrt(alpha) x^(i) - x) / (1 - alpha); for a Gaussian: a one-component
// mixture's, the same arithmetic, so 1e-12 relative is a wide margin); conditioned on
// class 0, where a far query may give the class no mass at all
// numerically, D* stays in the bounding box of the class's points.
func TestLargeLabelled(t *testing.T) {
	const k = 10000
	rng := rand.New(rand.NewPCG(8, 8))
	pts := make([]float64, 2*k)
	w := make([]float64, k)
	lab := make([]int, k)
	for i := range k {
		pts[2*i], pts[2*i+1] = rng.NormFloat64(), rng.NormFloat64()
		w[i] = 0.5 + rng.Float64()
		lab[i] = []int{0, 2}[i%2]
	}
	single := 17 // the one point of class 1
	pts[2*single], pts[2*single+1], lab[single] = 6, -5, 1
	dm, err := analytic.NewDelta(2, pts, w, lab)
	if err != nil {
		t.Fatal(err)
	}
	covs := make([][]float64, k)
	for i := range covs {
		covs[i] = []float64{0.05, 0.01, 0.01, 0.02}
	}
	gm, err := analytic.NewGaussian(2, w, pts, covs, lab)
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := [2]float64{math.Inf(1), math.Inf(1)}, [2]float64{math.Inf(-1), math.Inf(-1)}
	for i := range k {
		if lab[i] == 0 {
			for j := range 2 {
				lo[j], hi[j] = min(lo[j], pts[2*i+j]), max(hi[j], pts[2*i+j])
			}
		}
	}
	x := []float64{0.3, -0.2, 6.1, -4.9, 40, 30, -1e3, 20, 700, -700, 5.9, -5.2}
	n := len(x) / 2
	for _, tc := range []struct {
		name string
		m    analytic.Mixture
	}{{"delta", dm}, {"gauss", gm}} {
		m := tc.m
		for _, alpha := range []float64{1e-8, 0.5, 1 - 1e-12} {
			sa, v := math.Sqrt(alpha), 1-alpha
			post := m.Posterior(nil, x, alpha)
			cp := m.ClassPosterior(nil, x, alpha)
			outs := map[string][]float64{
				"LogProb": m.LogProb(nil, x, alpha), "Posterior": post, "ClassPosterior": cp,
				"ClassifierGrad": analytic.ClassifierGrad(m, nil, x, alpha, labelsOf(n, 1)),
			}
			for y := -1; y < 3; y++ {
				outs[fmt.Sprint("Denoise y=", y)] = m.Denoise(nil, x, alpha, labelsOf(n, y))
				outs[fmt.Sprint("Score y=", y)] = m.Score(nil, x, alpha, labelsOf(n, y))
			}
			for name, v := range outs {
				if i, ok := firstNonFinite(v); !ok {
					t.Errorf("%s alpha=%v: %s[%d] = %v", tc.name, alpha, name, i, v[i])
				}
			}
			for p := range n {
				for name, rowv := range map[string][]float64{"Posterior": row(post, k, p), "ClassPosterior": row(cp, 3, p)} {
					s := 0.0
					for _, v := range rowv {
						s += v
					}
					if math.Abs(s-1) > k*eps {
						t.Errorf("%s alpha=%v: %s at %v sums to %v", tc.name, alpha, name, row(x, 2, p), s)
					}
				}
				xp := row(x, 2, p)
				// Given y = 1: the single component's posterior mean and score,
				// for the point x^(i) itself and (sqrt(alpha) x^(i) - x) / (1 - alpha),
				// for the Gaussian those of a one-component mixture.
				want := []float64{6, -5}
				wantSc := []float64{(sa*6 - xp[0]) / v, (sa*-5 - xp[1]) / v}
				if g, ok := m.(*analytic.GaussianMixture); ok {
					one, err := analytic.NewGaussian(2, nil, want, [][]float64{g.Cov(single)}, nil)
					if err != nil {
						t.Fatal(err)
					}
					want, wantSc = one.Denoise(nil, xp, alpha, nil), one.Score(nil, xp, alpha, nil)
				}
				if den := row(outs["Denoise y=1"], 2, p); maxAbsDiff(den, want) > 1e-12*(1+maxAbs(want)) {
					t.Errorf("%s alpha=%v: Denoise(%v | y = 1) = %v, want %v", tc.name, alpha, xp, den, want)
				}
				if sc := row(outs["Score y=1"], 2, p); maxAbsDiff(sc, wantSc) > 1e-12*(1+maxAbs(wantSc)) {
					t.Errorf("%s alpha=%v: Score(%v | y = 1) = %v, want %v", tc.name, alpha, xp, sc, wantSc)
				}
				if _, ok := m.(*analytic.DeltaMixture); ok {
					d0 := row(outs["Denoise y=0"], 2, p)
					for j := range 2 {
						if d0[j] < lo[j] || d0[j] > hi[j] {
							t.Errorf("%s alpha=%v: Denoise(%v | y = 0) = %v is outside the class's bounding box %v..%v", tc.name, alpha, xp, d0, lo, hi)
						}
					}
				}
			}
		}
	}
}

// firstNonFinite returns the index of the first NaN or infinite value of v
// and false, or -1 and true.
func firstNonFinite(v []float64) (int, bool) {
	for i, f := range v {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return i, false
		}
	}
	return -1, true
}
