package course

import (
	"math"
	"testing"

	"difftoy/analytic"
	"difftoy/toy"
)

// TestLesson07BayesScores checks lesson 7's claims 3 and 4
// (lessons/07-conditional.md, "Claims checked by the tests"), one subtest
// per claim.
func TestLesson07BayesScores(t *testing.T) {
	m := load("two-classes", 10, pcg(1)).Exact
	s := toy.DDPM()
	pts := []float64{-1, 0, 0, 0.2, 1.2, 0.5, 0.3, -1}
	gm := m.(*analytic.GaussianMixture)
	mu := gm.Means()
	var maxMean float64
	for i := 0; i < len(mu)/2; i++ {
		maxMean = math.Max(maxMean, math.Hypot(mu[2*i], mu[2*i+1]))
	}
	t.Run("claim3/Bayes_for_scores", func(t *testing.T) {
		for _, k := range []int{10, 200, 600} {
			a := s.Alpha(k)
			for p := 0; p < len(pts)/2; p++ {
				x := pts[2*p : 2*p+2]
				for y := 0; y < m.Classes(); y++ {
					f := func(z []float64) float64 { return math.Log(m.ClassPosterior(nil, z, a)[y]) }
					// The Gaussian exponents are at most
					// (|x| + max |mu|)^2 / (2 (1 - alpha)): a S + (1 - alpha) I >= (1 - alpha) I.
					L := math.Pow(norm2(x)+maxMean, 2) / (2 * (1 - a))
					fd, bound := fdGrad(f, x, 1e-4, L)
					sy := m.Score(nil, x, a, []int{y})
					s0 := m.Score(nil, x, a, nil)
					for j := 0; j < 2; j++ {
						if e := math.Abs(sy[j] - s0[j] - fd[j]); e > bound+1e-12*(math.Abs(sy[j])+math.Abs(s0[j])) {
							t.Errorf("t=%d x=%v y=%d: score(x|y) - score(x) = %v, finite differences %v (error bound %v)", k, x, y, sy[j]-s0[j], fd[j], bound)
						}
					}
				}
			}
		}
	})
	// Claim 4: at t = T the class posterior is the prior on [-3, 3]^2.
	t.Run("claim4/class_posterior_at_T_is_the_prior", func(t *testing.T) {
		for i := 0; i < len(mu)/2; i++ {
			if math.Hypot(mu[2*i], mu[2*i+1]) > 2 {
				t.Fatalf("component %d mean %v farther than 2 from the origin", i, mu[2*i:2*i+2])
			}
		}
		prior := make([]float64, m.Classes())
		for i, w := range m.Weights() {
			prior[m.Labels()[i]] += w
		}
		var grid []float64
		for i := 0; i <= 30; i++ {
			for j := 0; j <= 30; j++ {
				grid = append(grid, -3+0.2*float64(i), -3+0.2*float64(j))
			}
		}
		cp := m.ClassPosterior(nil, grid, s.Alpha(s.T()))
		for i, v := range cp {
			if e := math.Abs(v - prior[i%len(prior)]); e >= 0.05 {
				t.Fatalf("t = T, x = %v: |q_T(y|x) - q(y)| = %v", grid[2*(i/len(prior)):2*(i/len(prior))+2], e)
			}
		}
	})
}
