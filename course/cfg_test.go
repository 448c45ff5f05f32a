package course

import (
	"math"
	"testing"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/sample"
)

// TestLesson09Identities checks the identities among lesson 9's claims
// (lessons/09-classifier-free-guidance.md, "Claims checked by the tests"),
// one subtest per claim, named by its number there.
func TestLesson09Identities(t *testing.T) {
	m := load("two-classes", 10, pcg(1)).Exact
	s := toy.DDPM()
	// Claim 1, the denoiser: the CFG denoiser is the Tweedie conversion of
	// the guided field, D = (x + (1 - alpha) s~) / sqrt(alpha).
	t.Run("claim1/CFG_denoiser_is_Tweedie_of_the_guided_field", func(t *testing.T) {
		x := gauss(20, pcg(9))
		y := make([]int, 20)
		for i := range y {
			y[i] = i % 2
		}
		for _, k := range []int{5, 100, 500, 1000} {
			al := s.Alpha(k)
			for _, gamma := range []float64{0.5, 3} {
				cfg, err := sample.NewCFG(m, gamma)
				if err != nil {
					t.Fatal(err)
				}
				cg, err := sample.NewClassifierGuided(m, sample.ExactClassifier{M: m}, gamma)
				if err != nil {
					t.Fatal(err)
				}
				d := cfg.Denoise(nil, x, al, y)
				f := cg.Score(nil, x, al, y)
				for i := range d {
					want := (x[i] + (1-al)*f[i]) / math.Sqrt(al)
					// Terms of size |x| and (1 - alpha) |s~|, over sqrt(alpha).
					if e := math.Abs(d[i] - want); e > 1e-12*(1+math.Abs(x[i])+(1-al)*math.Abs(f[i]))/math.Sqrt(al) {
						t.Errorf("t=%d gamma=%v [%d]: CFG denoiser %v, Tweedie of the guided field %v", k, gamma, i, d[i], want)
					}
				}
			}
		}
	})
	t.Run("claim3/gamma0_samples_match_the_class", func(t *testing.T) {
		c, err := sample.NewCFG(m, 0)
		if err != nil {
			t.Fatal(err)
		}
		for y := 0; y < m.Classes(); y++ {
			if r := classSamplesMatch(t, c, m, y, 60+10*uint64(y)); !(r < 3) {
				t.Errorf("CFG at gamma 0, class %d: energy distance %.2f times its noise level", y, r)
			}
		}
	})
	const a = 2.0
	// Claim 5: the sharpened variance by the exact recursion, and the
	// deterministic sampler with the field a grad log q_t.
	t.Run("claim5/sharpening_a_Gaussian", func(t *testing.T) {
		for _, c := range []struct {
			v    toy.Variance
			want float64
		}{{toy.PosteriorVariance, 0.328}, {toy.BetaVariance, 0.334}} {
			vs := gaussianVarianceRecursion(s, c.v, a)
			got := vs[len(vs)-1]
			if math.Abs(got-c.want) > 0.0005 || math.Abs(got-1/(2*a-1)) > 0.03/(2*a-1) {
				t.Errorf("%v: sharpened variance %v by the exact recursion, want %v (within 3%% of 1/3)", c.v, got, c.want)
			}
		}
		temp, err := sample.NewTempered(isoGaussian(t, 1), a)
		if err != nil {
			t.Fatal(err)
		}
		xd, err := sample.DDIM(sample.Full(s), 0).Sample(nil, gauss(5000, pcg(8)), temp, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := variance(xd); !(v < 1e-4) {
			t.Errorf("deterministic sampler with the field 2 grad log q_t: variance %v, want below 1e-4", v)
		}
	})
	// Claim 6: the tempered score of q_t and the score of the noised
	// sharpened law N(0, I/a) differ by the factor alpha + a (1 - alpha).
	t.Run("claim6/tempered_is_not_the_sharpened_score", func(t *testing.T) {
		sharp := isoGaussian(t, 1/a)
		pt := []float64{0.7, -1.1}
		prevGap := math.Inf(1)
		tempered, err := sample.NewTempered(m0(t), a)
		if err != nil {
			t.Fatal(err)
		}
		for k := s.T(); k >= 1; k-- {
			al := s.Alpha(k)
			ts := tempered.Score(nil, pt, al, nil)
			ss := sharp.Score(nil, pt, al, nil)
			r := ts[0] / ss[0]
			if math.Abs(ts[1]/ss[1]-r) > 1e-12 {
				t.Fatalf("t=%d: the two scores are not parallel", k)
			}
			// Rounding: 1e-12; the factor is 1 + (a - 1)(1 - alpha) >= 1 + beta_1.
			if math.Abs(r-(al+a*(1-al))) > 1e-12 || !(r-1 > 0.5*(a-1)*(1-al)) {
				t.Fatalf("t=%d: ratio %v, want alpha + a (1 - alpha) = %v > 1", k, r, al+a*(1-al))
			}
			if !(r-1 < prevGap) {
				t.Fatalf("t=%d: ratio %v does not approach 1 as alpha -> 1", k, r)
			}
			prevGap = r - 1
		}
		if !(prevGap < 2e-4) {
			t.Errorf("ratio at t = 1 is 1 + %v", prevGap)
		}
	})
}

// m0 is N(0, I) as a mixture.
func m0(t *testing.T) analytic.Mixture { return isoGaussian(t, 1) }
