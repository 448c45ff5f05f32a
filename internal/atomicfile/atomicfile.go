// Package atomicfile writes a file so that readers see either its old
// content or the whole new one, never a part: the bytes go to a temporary
// file in the same folder, which is synced and then renamed over the path.
// A failed write (a full disk, a file size limit, an error of the writer)
// removes the temporary file and leaves the old file as it was.
package atomicfile

import (
	"io"
	"os"
	"path/filepath"
)

// Write calls write with a temporary file in path's folder and, when it
// succeeds, renames that file to path with mode 0644 (an ordinary
// document, as os.WriteFile would create it).
func Write(path string, write func(w io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	// CreateTemp makes the file private (0600).
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = write(f); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
