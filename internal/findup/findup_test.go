package findup

import (
	"os"
	"path/filepath"
	"testing"
)

// TestFind builds root/go.mod, root/a/asset and root/a/b/c, and looks from
// root/a/b/c: the asset one level up is found, a file above the module root
// is not (the walk stops at go.mod), and a missing one is reported as such.
func TestFind(t *testing.T) {
	top := t.TempDir()
	root := filepath.Join(top, "root")
	deep := filepath.Join(root, "a", "b", "c")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{filepath.Join(root, "go.mod"), filepath.Join(root, "a", "asset"), filepath.Join(top, "outside")} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(deep)
	for _, tc := range []struct {
		rel  string
		want string
	}{
		{"asset", filepath.Join(root, "a", "asset")},
		{"go.mod", filepath.Join(root, "go.mod")},
		{"outside", ""},
		{"missing", ""},
	} {
		got, ok, err := Find(tc.rel)
		if err != nil {
			t.Fatal(err)
		}
		if ok != (tc.want != "") || got != tc.want {
			t.Errorf("Find(%q) = %q, %v, want %q", tc.rel, got, ok, tc.want)
		}
	}
}
