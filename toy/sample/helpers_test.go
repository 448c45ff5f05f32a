package sample_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"difftoy/analytic"
	"difftoy/toy"
	"difftoy/toy/datasets"
	"difftoy/toy/metrics"
	"difftoy/toy/sample"
)

// load returns the exact law of a named dataset.
func load(t testing.TB, name string) analytic.Mixture {
	t.Helper()
	ds, err := datasets.Load(name, 100, rand.NewPCG(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	return ds.Exact
}

// gaussians returns n points of N(0, I_d) drawn from the seed.
func gaussians(n, d int, seed uint64) []float64 {
	return toy.StandardNormal(nil, n, d, rand.NewPCG(seed, seed+1))
}

// exact draws n points of q_0 from m.
func exact(m analytic.Mixture, n int, seed uint64) []float64 {
	return m.Sample(make([]float64, n*m.Dim()), nil, 1, rand.NewPCG(seed, seed+7))
}

func plan(t testing.TB, s *toy.Schedule, steps int) *sample.Plan {
	t.Helper()
	p, err := sample.Strided(s, steps)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// ok returns x, panicking on an error (a failed test).
func ok(x []float64, err error) []float64 {
	if err != nil {
		panic(err)
	}
	return x
}

// noiseFactor multiplies the mean two-sample level of a metric into the
// threshold of "indistinguishable from a true sample". The null energy
// V-statistic is a positive quadratic form in asymptotically Gaussian
// variables, dominated on the mode datasets by the multinomial fluctuation
// of the mode counts, so it is heavy-tailed like a chi-square with few
// degrees of freedom: over 40 replicates on eight-gaussians (n = 1000) its
// largest value was 3.3 to 3.6 times its mean. With 4 a perfect sampler
// passes for nearly every seed (the mean over 10 replicates is known to
// about 25%), while DDIM with 5 steps, at over 10 times the mean, fails.
const noiseFactor = 4

// energyNoise returns the mean energy distance between reps pairs of
// independent samples of size n drawn by draw.
func energyNoise(reps int, draw func() []float64, d int) float64 {
	v := metrics.TwoSampleNoise(reps, draw, func(a, b []float64) float64 { return metrics.Energy(a, b, d) })
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// rms returns sqrt(mean_i |a_i - b_i|^2) over points of dimension d.
func rms(a, b []float64, d int) float64 {
	s := 0.0
	for i := range a {
		s += (a[i] - b[i]) * (a[i] - b[i])
	}
	return math.Sqrt(s / float64(len(a)/d))
}

// median returns the median of |a_i - b_i| over points of dimension d.
func median(a, b []float64, d int) float64 {
	v := make([]float64, len(a)/d)
	for i := range v {
		s := 0.0
		for k := 0; k < d; k++ {
			s += (a[i*d+k] - b[i*d+k]) * (a[i*d+k] - b[i*d+k])
		}
		v[i] = math.Sqrt(s)
	}
	slices.Sort(v)
	return v[len(v)/2]
}

func decreasing(v []float64) bool {
	for i := 1; i < len(v); i++ {
		if !(v[i] < v[i-1]) {
			return false
		}
	}
	return true
}

func meanSE(v []float64) (float64, float64) {
	n := float64(len(v))
	m := 0.0
	for _, x := range v {
		m += x
	}
	m /= n
	ss := 0.0
	for _, x := range v {
		ss += (x - m) * (x - m)
	}
	return m, math.Sqrt(ss / (n - 1) / n)
}

// gridSampler draws from the density proportional to exp(logp) on a
// square grid [-L, L]^2 of cells of side h: a cell by its mass (the
// density at its centre times h^2), then a uniform point in the cell.
type gridSampler struct {
	cum  []float64
	L, h float64
	m    int
}

func newGridSampler(logp func(x []float64) []float64, L, h float64) *gridSampler {
	m := int(math.Round(2 * L / h))
	pts := make([]float64, 2*m*m)
	for i := 0; i < m; i++ {
		for j := 0; j < m; j++ {
			pts[2*(i*m+j)] = -L + (float64(i)+0.5)*h
			pts[2*(i*m+j)+1] = -L + (float64(j)+0.5)*h
		}
	}
	lp := logp(pts)
	mx := slices.Max(lp)
	cum := make([]float64, len(lp))
	s := 0.0
	for i, v := range lp {
		s += math.Exp(v - mx)
		cum[i] = s
	}
	return &gridSampler{cum: cum, L: L, h: h, m: m}
}

func (g *gridSampler) sample(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 99))
	x := make([]float64, 2*n)
	tot := g.cum[len(g.cum)-1]
	for k := 0; k < n; k++ {
		c, _ := slices.BinarySearch(g.cum, rng.Float64()*tot)
		c = min(c, len(g.cum)-1)
		i, j := c/g.m, c%g.m
		x[2*k] = -g.L + (float64(i)+rng.Float64())*g.h
		x[2*k+1] = -g.L + (float64(j)+rng.Float64())*g.h
	}
	return x
}

// coordMoments returns the sample mean and (n-1) variance of coordinate k
// of the points x (dimension d).
func coordMoments(x []float64, d, k int) (mean, v float64) {
	n := float64(len(x) / d)
	for i := k; i < len(x); i += d {
		mean += x[i]
	}
	mean /= n
	for i := k; i < len(x); i += d {
		v += (x[i] - mean) * (x[i] - mean)
	}
	return mean, v / (n - 1)
}

// flowError returns the mean |log p_flow - log q_0| of the Heun PF-ODE map on
// plan p from the points xT ~ N(0, I), with the exact density of m
// (lessons/10-deterministic-sampling.md section 5; metrics.FlowLogLik).
func flowError(t *testing.T, m analytic.Mixture, p *sample.Plan, xT []float64) float64 {
	t.Helper()
	f, err := (&sample.ODE{Plan: p, Heun: true}).Map(m)
	if err != nil {
		t.Fatal(err)
	}
	x0, lp := metrics.FlowLogLik(nil, nil, xT, metrics.StdNormalLogPDF(nil, xT, 2), f, nil)
	want := m.LogProb(nil, x0, 1)
	s := 0.0
	for i := range lp {
		s += math.Abs(lp[i] - want[i])
	}
	return s / float64(len(lp))
}
