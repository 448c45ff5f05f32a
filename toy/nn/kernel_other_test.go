//go:build !amd64 || purego

package nn

import "testing"

// TestKernelChoice: without the amd64 assembly the pure-Go kernels run.
func TestKernelChoice(t *testing.T) {
	if Kernels() != "purego" || len(vectorKernels) != 0 {
		t.Fatalf("Kernels() = %q with %d vector sets, want \"purego\" and none", Kernels(), len(vectorKernels))
	}
}
