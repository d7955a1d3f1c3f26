//go:build !js

package client_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestWasmDependencies keeps the browser build of package client free of
// what would bloat the wasm module: a websocket library, Badger, and
// net/http (coder/websocket on js/wasm alone adds 1.6 MB).
//
// sambung/wire still imports net/http for its status constants; that is
// the one importer tolerated here until wire drops it (reported to its
// owner). Nothing in client or crypto may add another.
func TestWasmDependencies(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go tool")
	}
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	cmd := exec.Command(goTool, "list", "-deps", "-f", `{{.ImportPath}}:{{join .Imports " "}}`, "sambung/client")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	tolerated := map[string]bool{"sambung/wire": true}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, ":")
		for _, bad := range []string{"github.com/coder/websocket", "github.com/dgraph-io/badger"} {
			if strings.HasPrefix(pkg, bad) {
				t.Errorf("the wasm build of sambung/client links %s", pkg)
			}
		}
		if strings.HasPrefix(pkg, "sambung/") && !tolerated[pkg] {
			for _, imp := range strings.Fields(imports) {
				if imp == "net/http" {
					t.Errorf("%s imports net/http into the wasm build", pkg)
				}
			}
		}
	}
}
