// Package tempenv runs a package's tests with an environment variable
// pointing at a fresh temporary folder: the tests that train networks use it
// for the trained-model cache, so that they never read or write the user's.
package tempenv

import (
	"fmt"
	"os"
	"testing"
)

// Main is a TestMain body: it sets the variable name to a new temporary
// folder (inherited by the processes the tests start), runs the tests of m,
// removes the folder and exits with the tests' status.
func Main(m *testing.M, name string) {
	dir, err := os.MkdirTemp("", "difftoy-"+name+"-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv(name, dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
