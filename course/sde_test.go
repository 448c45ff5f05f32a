package course

import "testing"

func TestLesson13SDE(t *testing.T) {
	r := runLesson(t, "13-sde", false)
	allHold(t, "13-sde", "TestLesson13SDE", r)
}
