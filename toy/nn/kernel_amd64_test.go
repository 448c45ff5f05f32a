//go:build amd64 && !purego

package nn

import (
	"testing"

	"golang.org/x/sys/cpu"
)

// TestKernelChoice: the kernels chosen at start-up are the widest the
// processor supports, and every narrower set is there for the tests.
func TestKernelChoice(t *testing.T) {
	want := []string{}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		want = []string{"avx2"}
		if cpu.X86.HasAVX512F {
			want = []string{"avx512", "avx2"}
		}
	}
	var got []string
	for _, k := range vectorKernels {
		got = append(got, k.name)
	}
	if len(got) != len(want) {
		t.Fatalf("vector kernel sets %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("vector kernel sets %v, want %v", got, want)
		}
	}
	name := "purego"
	if len(want) > 0 {
		name = want[0]
	}
	if Kernels() != name {
		t.Errorf("Kernels() = %q, want %q", Kernels(), name)
	}
	t.Logf("kernels in use: %s (sets %v)", Kernels(), got)
}
