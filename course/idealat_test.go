package course

import (
	"bytes"
	"strings"
	"testing"
)

// TestIdealAt checks that the notebook's slider over t draws, at each
// step, the very charts the lesson's run draws when given that one step,
// and that a step outside the schedule is refused by name.
func TestIdealAt(t *testing.T) {
	cfg := Config{Seed: 1, Quick: true}
	setup := DefaultIdeal(cfg)
	for _, step := range []int{1, 300, 1000} {
		got, err := IdealAt(cfg, setup, step)
		if err != nil {
			t.Fatal(err)
		}
		one := setup
		one.Steps = []int{step}
		res, err := Ideal(cfg, one)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(res.Charts) {
			t.Fatalf("t = %d: %d charts, the lesson's run draws %d", step, len(got), len(res.Charts))
		}
		for i := range got {
			a, err := got[i].JSON()
			if err != nil {
				t.Fatal(err)
			}
			b, err := res.Charts[i].JSON()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a, b) {
				t.Errorf("t = %d: chart %q differs from the lesson's run", step, got[i].Title)
			}
		}
	}
	for _, bad := range []int{0, 1001} {
		if _, err := IdealAt(cfg, setup, bad); err == nil || !strings.Contains(err.Error(), "outside 1..1000") {
			t.Errorf("IdealAt(t = %d) = %v, want an error naming the range", bad, err)
		}
	}
	bad := setup
	bad.Dataset = "no-such-data"
	if _, err := IdealAt(cfg, bad, 10); err == nil || !strings.Contains(err.Error(), "no-such-data") {
		t.Errorf("IdealAt on an unknown dataset = %v, want an error naming it", err)
	}
}
