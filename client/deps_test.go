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
// net/http (coder/websocket on js/wasm alone adds 1.6 MB; net/http by
// itself, 1.6 MB raw and 460 KB gzipped in the bridge's module).
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
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, ":")
		for _, bad := range []string{"net/http", "github.com/coder/websocket", "github.com/dgraph-io/badger"} {
			if pkg == bad || strings.HasPrefix(pkg, bad+"/") {
				t.Errorf("the wasm build of sambung/client links %s", pkg)
			}
			for _, imp := range strings.Fields(imports) {
				if imp == bad {
					t.Errorf("%s imports %s", pkg, bad)
				}
			}
		}
	}
}
