//go:build !js && !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package native

import (
	"os"
	"path/filepath"
)

// lockDir only opens the lock file where there is no flock(2) (Windows,
// Plan 9, Solaris): there FileStorage does not guard its directory, and
// one process per directory is the caller's to ensure.
func lockDir(dir string) (*os.File, error) {
	return os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
}
