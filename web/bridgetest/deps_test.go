//go:build !js

package bridgetest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestModuleLeavesOutServerPackages: the browser module reaches the
// relay through fetch and the browser's WebSocket (wasm/), so none of the
// native transports, the server's store or the test tools may be linked
// into it. net/http alone would add about 1.6 MB raw, 240 KB brotli.
func TestModuleLeavesOutServerPackages(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "./wasm")
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 20 {
		t.Fatalf("go list -deps ./wasm listed only %q", deps)
	}
	banned := []string{"net/http", "crypto/tls", "github.com/coder/websocket", "github.com/dgraph-io/badger/v4",
		"sambung/client/native", "sambung/relay", "github.com/chromedp/chromedp"}
	for _, d := range deps {
		for _, b := range banned {
			if d == b || strings.HasPrefix(d, b+"/") {
				t.Errorf("the wasm module links %s", d)
			}
		}
	}
}
