package course

import (
	"context"
	"difftoy/toy"
	"difftoy/toy/sample"
	"fmt"
	"math"
	"testing"
)

// Lesson 7's exercises (lessons/07-conditional.md), each run at quick size
// (see exercises_test.go).

// Exercise 1: class weights 0.9 and 0.1 (setup.ClassWeights). The hint:
// the conditional model never looks at q(y), and the rare class is a tenth
// of the training batches (its share of the drawn labels is 0.1 within 3
// binomial standard errors); its samples still come out right: exact
// conditional samples match the class data (energy distance within its
// noise level, below 3), and the trained ones are assigned to the class as
// often as class data are (the Bayes accuracy, which falls because the
// classifier does weigh q(y): within 3 binomial standard errors of the two
// shares) and spread like the class law (within 15%, the run's indicative
// bound on the trained spread).
func TestExerciseL07E1_UnbalancedClasses(t *testing.T) {
	cfg := quickCfg()
	gs := DefaultGuidance(cfg)
	gs.ClassWeights = []float64{0.9, 0.1}
	tr, err := TrainConditional(context.Background(), cfg, gs, nil)
	if err != nil {
		t.Fatal(err)
	}
	rare := 0
	for _, y := range tr.Data.Labels {
		if y == 1 {
			rare++
		}
	}
	n := len(tr.Data.Labels)
	if p := float64(rare) / float64(n); math.Abs(p-0.1) > 3*math.Sqrt(0.1*0.9/float64(n)) {
		t.Errorf("share of class 1 in the training data %.4f, want 0.1", p)
	}
	r, err := Conditional(cfg, gs, tr)
	if err != nil {
		t.Fatal(err)
	}
	bayes, share := numOf(t, r, "class1/bayes"), numOf(t, r, "class1/trained_share")
	energy := numOf(t, r, "class1/exact_energy")
	spread, law := numOf(t, r, "class1/trained_spread"), numOf(t, r, "class1/law_spread")
	t.Logf("rare class: %d of %d training points; exact samples %.2f noise levels; trained share %.3f, Bayes accuracy %.3f; spread %.3f, law %.3f",
		rare, n, energy, share, bayes, spread, law)
	se := math.Sqrt(bayes * (1 - bayes) * (1/float64(gs.Samples) + 1/4000.0))
	if energy > 3 || math.Abs(share-bayes) > 3*se || math.Abs(spread/law-1) > 0.15 {
		t.Errorf("rare class: exact energy %.2f (want below 3), trained share %.3f (want %.3f within %.3f), spread ratio %.3f (want within 15%% of 1)", energy, share, bayes, 3*se, spread/law)
	}
}

// Exercise 2: class means moved together (setup.Spacing = 0.5). The hint:
// the classifier share of the data itself (the Bayes accuracy) and of the
// exact conditional samples fall together, and the samples are still
// correct: per class, the two shares agree within 3 binomial standard
// errors, both are below the well-separated Bayes accuracy by more than 3,
// and the samples match the class data (energy distance below 3 noise
// levels).
func TestExerciseL07E2_OverlappingClasses(t *testing.T) {
	cfg := quickCfg()
	gs := DefaultGuidance(cfg)
	run := func(spacing float64) *Result {
		g := gs
		g.Spacing = spacing
		r, err := Conditional(cfg, g, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	apart, near := run(1), run(0.5)
	for y := 0; y < 2; y++ {
		get := func(r *Result, k string) float64 { return numOf(t, r, fmt.Sprintf("class%d/%s", y, k)) }
		b1, b, s, e := get(apart, "bayes"), get(near, "bayes"), get(near, "exact_share"), get(near, "exact_energy")
		se := math.Sqrt(b * (1 - b) * (1/float64(gs.Samples) + 1/4000.0))
		t.Logf("class %d: Bayes accuracy %.3f apart, %.3f together; exact samples' share %.3f, energy %.2f noise levels", y, b1, b, s, e)
		if math.Abs(s-b) > 3*se || !(b < b1-3*se) || !(s < b1-3*se) || e > 3 {
			t.Errorf("class %d together: share %.3f and Bayes %.3f (want within %.3f of each other and below %.3f), energy %.2f", y, s, b, 3*se, b1-3*se, e)
		}
	}
}

// Exercise 4: the conditional network on three classes (setup.Dataset =
// "three-classes"). The hint: its one-hot label input separates them:
// each label's samples are assigned to their class above chance (1/3, by
// 3 binomial standard errors) and above 0.8 of the Bayes accuracy (the
// bound of claim 7).
func TestExerciseL07E4_ThreeClasses(t *testing.T) {
	cfg := quickCfg()
	gs := DefaultGuidance(cfg)
	gs.Dataset = "three-classes"
	tr, err := TrainConditional(context.Background(), cfg, gs, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Conditional(cfg, gs, tr)
	if err != nil {
		t.Fatal(err)
	}
	chance := 1.0 / 3
	se := math.Sqrt(chance * (1 - chance) / float64(gs.Samples))
	for y := 0; y < 3; y++ {
		bayes, share := numOf(t, r, fmt.Sprintf("class%d/bayes", y)), numOf(t, r, fmt.Sprintf("class%d/trained_share", y))
		t.Logf("class %d: trained share %.3f, Bayes accuracy %.3f", y, share, bayes)
		if !(share > chance+3*se && share > 0.8*bayes) {
			t.Errorf("class %d: trained share %.3f, want above %.3f and 0.8 x %.3f", y, share, chance+3*se, bayes)
		}
	}
}

func TestExercisesLesson07(t *testing.T) {
	// Exercise 5: the tower identity holds with q_t(y | x) and breaks with
	// q(y), most at small t.
	t.Run("5 tower identity", func(t *testing.T) {
		m := load("three-classes", 10, pcg(1)).Exact
		const n = 300
		broken := map[int]float64{}
		for _, k := range []int{50, 800} {
			a := toy.DDPM().Alpha(k)
			x := exactSample(m, n, a, pcg(uint64(20+k)))
			d := m.Denoise(nil, x, a, nil)
			cp := m.ClassPosterior(nil, x, a)
			tower, prior := make([]float64, 2*n), make([]float64, 2*n)
			for y := 0; y < 3; y++ {
				dy := m.Denoise(nil, x, a, labels(n, y))
				for i := range tower {
					tower[i] += cp[(i/2)*3+y] * dy[i]
					prior[i] += dy[i] / 3
				}
			}
			var e float64
			for i := range d {
				if math.Abs(tower[i]-d[i]) > 1e-12*(1+math.Abs(d[i])) {
					t.Fatalf("t = %d: tower %v, D* %v", k, tower[i], d[i])
				}
				e += (prior[i] - d[i]) * (prior[i] - d[i]) / n
			}
			broken[k] = e
		}
		t.Logf("E||sum_y q(y) D(x|y) - D*(x)||^2: t = 50 %.3g, t = 800 %.3g", broken[50], broken[800])
		if !(broken[50] > broken[800]) {
			t.Errorf("the broken tower is not worse at small t: %v", broken)
		}
	})
}

func TestExercisesLesson07More(t *testing.T) {
	// Exercise 3: conditional samples mixed in proportion q(y) = 1/3 are
	// samples of q_0: energy distance to the data within its noise level.
	m := load("three-classes", 10, pcg(1)).Exact
	const per = 200
	p, err := sample.Strided(toy.DDPM(), 200)
	if err != nil {
		t.Fatal(err)
	}
	var mix []float64
	for y := 0; y < 3; y++ {
		x, err := sample.DDPM(p, toy.PosteriorVariance).Sample(nil, gauss(per, pcg(80+uint64(y))), m, labels(per, y), pcg(90+uint64(y)))
		if err != nil {
			t.Fatal(err)
		}
		mix = append(mix, x...)
	}
	stream := uint64(100)
	ec := energyCheck(mix, func(k int) []float64 { stream++; return exactSample(m, k, 1, pcg(stream)) }, 10)
	if r := ec.Energy / ec.Noise; r > 3 {
		t.Errorf("conditional samples mixed by q(y): energy distance %.2f noise levels, want within 3", r)
	}
}
