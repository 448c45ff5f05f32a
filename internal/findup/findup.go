// Package findup finds a file of the module's checkout (the lesson texts)
// from wherever a program or test runs inside it.
package findup

import (
	"os"
	"path/filepath"
)

// Find looks for rel (a path relative to a folder) in the working
// directory, then in each parent up to and including the module root (the
// first folder holding go.mod), and returns the first such path that
// exists. ok is false when none does; err reports only a failure to read
// the working directory.
func Find(rel string) (path string, ok bool, err error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false, err
	}
	for {
		p := filepath.Join(dir, rel)
		if _, err := os.Stat(p); err == nil {
			return p, true, nil
		}
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return "", false, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false, nil
		}
		dir = parent
	}
}
