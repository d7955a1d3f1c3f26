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
// what would bloat the wasm module: a websocket library, Badger and
// net/http (coder/websocket on js/wasm alone adds 1.6 MB; net/http by
// itself, 1.6 MB raw and 460 KB gzipped in the bridge's module), and, in
// Sambung's own packages, fmt, encoding/json and reflect (about 240 KB
// brotli together).
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
		bans := []string{"net/http", "github.com/coder/websocket", "github.com/dgraph-io/badger"}
		if strings.HasPrefix(pkg, "sambung/") {
			// Sambung's own packages must not bring reflection back: the
			// standard library imports fmt and reflect on its own
			// (crypto/rand via math/big), but their code stays unlinked
			// only while nothing of ours calls it. internal/jsonw,
			// strconv and errors do the work instead.
			bans = append(bans, "fmt", "encoding/json", "reflect", "net/url", "google.golang.org/protobuf/encoding/protowire")
		}
		for _, bad := range bans {
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
