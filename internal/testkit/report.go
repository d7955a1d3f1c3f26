//go:build !js

package testkit

import (
	"fmt"
	"testing"
)

// Report logs a result line and, in verbose mode, prints it as a plain
// line too, so that measurements stand out in `go test -v` output.
func Report(t testing.TB, format string, args ...any) {
	t.Helper()
	line := fmt.Sprintf(format, args...)
	t.Log(line)
	if testing.Verbose() {
		fmt.Println(line)
	}
}
