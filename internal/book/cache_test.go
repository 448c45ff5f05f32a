package book

import (
	"testing"

	"difftoy/internal/tempenv"
	"difftoy/toy/nn"
)

// TestMain points the trained-model cache at a temporary folder (also
// inherited by the processes the tests start), so that the tests never
// read or write the user's cache.
func TestMain(m *testing.M) { tempenv.Main(m, nn.CacheEnv) }
