//go:build !js

package client_test

import (
	"testing"

	"sambung/internal/testkit"
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
	// Sambung's own packages must not bring reflection back: the standard
	// library imports fmt and reflect on its own (crypto/rand via
	// math/big), but their code stays unlinked only while nothing of ours
	// calls it. internal/jsonw, strconv and errors do the work instead.
	testkit.CheckWasmDeps(t, "sambung/client",
		[]string{"net/http", "github.com/coder/websocket", "github.com/dgraph-io/badger"},
		[]string{"fmt", "encoding/json", "reflect", "net/url", "google.golang.org/protobuf/encoding/protowire"})
}
