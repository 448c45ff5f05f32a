package analytic_test

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distmv"

	"difftoy/analytic"
)

// An independent, slow reference for one query point, built on gonum:
// every noised component N(sqrt(alpha) m_i, alpha S_i + (1-alpha) I) is a
// distmv.Normal (its own Cholesky, log-density and ScoreInput), the softmax
// uses math.Exp, the Gaussian posterior mean m_i + sqrt(alpha) S_i z_i uses
// mat. A delta mixture is the case S_i = 0.

type refComp struct {
	w     float64
	mean  []float64
	cov   *mat.SymDense // S_i (zero for a delta)
	label int
}

func refComps(t testing.TB, m analytic.Mixture) []refComp {
	d, k := m.Dim(), m.Len()
	w, lab := m.Weights(), m.Labels()
	cs := make([]refComp, k)
	for i := range cs {
		cs[i].w = w[i]
		cs[i].label = -1
		if lab != nil {
			cs[i].label = lab[i]
		}
		switch m := m.(type) {
		case *analytic.DeltaMixture:
			cs[i].mean = m.Points()[i*d : (i+1)*d]
			cs[i].cov = mat.NewSymDense(d, nil)
		case *analytic.GaussianMixture:
			cs[i].mean = m.Means()[i*d : (i+1)*d]
			cs[i].cov = mat.NewSymDense(d, m.Cov(i))
		default:
			t.Fatalf("unknown mixture %T", m)
		}
	}
	return cs
}

// refOut is the reference at one point.
type refOut struct {
	logp   float64   // log q_t(x (| y))
	post   []float64 // pi_i(x (| y)), 0 outside the class
	mean   []float64 // E[x_0 | x_t = x (, y)]
	score  []float64 // grad log q_t(x (| y))
	lmax   float64   // largest |logit|: the scale of rounding errors
	dz     float64   // max_{i,j} |z_i - z_j|: bounds third derivatives
	lambda float64   // max_i ||C_i^{-1}||
}

// refEval evaluates the reference at x for label y (-1: unconditional).
// alpha must be below 1 for a delta mixture.
func refEval(t testing.TB, cs []refComp, x []float64, alpha float64, y int) refOut {
	d := len(x)
	sa, v := math.Sqrt(alpha), 1-alpha
	var (
		logits []float64
		zs     [][]float64
		means  [][]float64
		idx    []int
		wsum   float64
		o      refOut
	)
	for i, c := range cs {
		if y >= 0 && c.label != y {
			continue
		}
		mu := make([]float64, d)
		for j := range mu {
			mu[j] = sa * c.mean[j]
		}
		cov := mat.NewSymDense(d, nil)
		cov.ScaleSym(alpha, c.cov)
		for j := range d {
			cov.SetSym(j, j, cov.At(j, j)+v)
		}
		n, ok := distmv.NewNormal(mu, cov, nil)
		if !ok {
			t.Fatalf("reference: noised covariance %d not positive definite", i)
		}
		l := math.Log(c.w) + n.LogProb(x)
		z := n.ScoreInput(nil, x) // -C^{-1}(x - mu)
		for j := range z {
			z[j] = -z[j]
		}
		// m_i + sqrt(alpha) S_i z_i
		var sz mat.VecDense
		sz.MulVec(c.cov, mat.NewVecDense(d, z))
		mean := make([]float64, d)
		for j := range mean {
			mean[j] = c.mean[j] + sa*sz.AtVec(j)
		}
		var es mat.EigenSym
		if !es.Factorize(cov, false) {
			t.Fatal("reference: eigen decomposition failed")
		}
		o.lambda = max(o.lambda, 1/es.Values(nil)[0])
		logits, zs, means, idx = append(logits, l), append(zs, z), append(means, mean), append(idx, i)
		wsum += c.w
		o.lmax = max(o.lmax, math.Abs(l))
	}
	mx := math.Inf(-1)
	for _, l := range logits {
		mx = max(mx, l)
	}
	sum := 0.0
	for _, l := range logits {
		sum += math.Exp(l - mx)
	}
	o.logp = mx + math.Log(sum) - math.Log(wsum)
	o.post = make([]float64, len(cs))
	o.mean = make([]float64, d)
	o.score = make([]float64, d)
	for q, l := range logits {
		p := math.Exp(l-mx) / sum
		o.post[idx[q]] = p
		for j := range d {
			o.mean[j] += p * means[q][j]
			o.score[j] -= p * zs[q][j]
		}
		for _, z2 := range zs {
			dist := 0.0
			for j := range d {
				dist += (zs[q][j] - z2[j]) * (zs[q][j] - z2[j])
			}
			o.dz = max(o.dz, math.Sqrt(dist))
		}
	}
	return o
}

// testPoints returns n query points: the first ones near the data, the rest
// further out (up to radius 5).
func testPoints(d int) []float64 {
	base := []float64{0.1, -0.2, 0.35, -0.9, 0.6, 1.1, 1.4, -0.3, -0.5, 2.2, -0.8, 0.9, 3.5, -4, 2.5, -1.5, 0.05, 4.5}
	return base[:(len(base)/d)*d]
}

// TestAgainstReference compares every per-point quantity with the gonum
// reference for all test mixtures, labels and a range of alpha. Both sides
// compute the same exact quantity in floating point; logits of size L carry
// a rounding error of a few eps*L, which moves posteriors by as much
// relatively and the other quantities by that times their scale. The
// tolerance 1e-12 (1 + L) leaves a margin of about 100 over that.
func TestAgainstReference(t *testing.T) {
	for _, tc := range mixtures(t) {
		m := tc.m
		d := m.Dim()
		cs := refComps(t, m)
		_, isGauss := m.(*analytic.GaussianMixture)
		alphas := []float64{0.02, 0.3, 0.7, 0.99}
		if isGauss {
			alphas = append(alphas, 1)
		}
		x := testPoints(d)
		n := len(x) / d
		for _, alpha := range alphas {
			for y := -1; y < m.Classes(); y++ {
				labels := labelsOf(n, y)
				den := m.Denoise(nil, x, alpha, labels)
				sc := m.Score(nil, x, alpha, labels)
				var lp, post []float64
				if y == -1 {
					lp = m.LogProb(nil, x, alpha)
					post = m.Posterior(nil, x, alpha)
				}
				for p := range n {
					xp := row(x, d, p)
					r := refEval(t, cs, xp, alpha, y)
					tol := 1e-12 * (1 + r.lmax)
					if y == -1 {
						if e := math.Abs(lp[p] - r.logp); e > tol*(1+math.Abs(r.logp)) {
							t.Errorf("%s: LogProb(%v, alpha=%v) = %v, reference %v", tc.name, xp, alpha, lp[p], r.logp)
						}
						if e := maxAbsDiff(row(post, m.Len(), p), r.post); e > tol {
							t.Errorf("%s: Posterior(%v, alpha=%v) = %v, reference %v", tc.name, xp, alpha, row(post, m.Len(), p), r.post)
						}
					}
					if e := maxAbsDiff(row(den, d, p), r.mean); e > tol*(1+maxAbs(r.mean)) {
						t.Errorf("%s: Denoise(%v, alpha=%v, y=%d) = %v, reference %v", tc.name, xp, alpha, y, row(den, d, p), r.mean)
					}
					if e := maxAbsDiff(row(sc, d, p), r.score); e > tol*(1+maxAbs(r.score)) {
						t.Errorf("%s: Score(%v, alpha=%v, y=%d) = %v, reference %v", tc.name, xp, alpha, y, row(sc, d, p), r.score)
					}
				}
			}
		}
	}
}
