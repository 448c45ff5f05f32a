package course

import (
	"math"
	"testing"

	"difftoy/toy"
)

// Lesson 1, claim 1.
func TestLesson01ScheduleMonotone(t *testing.T) {
	for _, s := range []*toy.Schedule{toy.DDPM(), cosineSchedule(t)} {
		for k := 1; k <= s.T(); k++ {
			a := s.Alpha(k)
			if !(a > 0 && a < 1) || !(a < s.Alpha(k-1)) {
				t.Fatalf("%s: alpha_%d = %v, alpha_%d = %v: not decreasing in (0, 1)", s.Name, k, a, k-1, s.Alpha(k-1))
			}
			if k > 1 && !(s.SNR(k) < s.SNR(k-1) && s.Sigma(k) > s.Sigma(k-1)) {
				t.Fatalf("%s: SNR or sigma not monotone at t = %d", s.Name, k)
			}
			// Both come from log alpha through a handful of roundings.
			if e := math.Abs(s.Sigma(k)*math.Sqrt(s.SNR(k)) - 1); e > 1e-12 {
				t.Fatalf("%s: sigma_%d sqrt(SNR_%d) - 1 = %v", s.Name, k, k, e)
			}
		}
	}
}
