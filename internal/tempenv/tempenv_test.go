package tempenv

import (
	"os"
	"testing"
)

const testVar = "DIFFTOY_TEMPENV_TEST"

func TestMain(m *testing.M) { Main(m, testVar) }

// TestFolder checks what the tests of a package see: the variable names an
// existing, empty, writable folder.
func TestFolder(t *testing.T) {
	dir := os.Getenv(testVar)
	if dir == "" {
		t.Fatalf("%s is not set", testVar)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 0 {
		t.Fatalf("ReadDir(%s) = %d entries, %v; want an empty folder", dir, len(entries), err)
	}
	if err := os.WriteFile(dir+"/probe", []byte("x"), 0o644); err != nil {
		t.Fatalf("folder not writable: %v", err)
	}
}
