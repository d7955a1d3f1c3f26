//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package native

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockDir takes the directory's lock: flock(2), exclusive and non-blocking,
// on the file lockName in dir. The kernel ties the lock to the open file,
// so it goes away with the process however that ends (a SIGKILL too); a
// lock file left on disk means nothing by itself. A second open of the
// file, in this process or another, is a second holder and is refused, so
// two FileStorages on one directory conflict even in one process.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s is open in another process, or in another FileStorage of this one", ErrLocked, dir)
		}
		return nil, err
	}
	return f, nil
}
