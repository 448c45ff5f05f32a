package tests

import (
	"fmt"
	"os"
	"testing"

	"difftoy/toy/nn"
)

// TestMain points the trained-model cache at a temporary folder (also
// inherited by the processes the tests start), so that the tests never
// read or write the user's cache.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "difftoy-cache-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv(nn.CacheEnv, dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
