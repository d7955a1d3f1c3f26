//go:build !js

package attach_test

import (
	"testing"

	"sambung/internal/testkit"
)

// TestWasmImports keeps the package's browser build on a diet: the wasm
// module is near its 885 KB brotli budget, and fmt, encoding/json, reflect
// and net/url cost about 240 KB brotli together (see client/deps_test.go).
// The standard library may use them internally; this package must not.
// crypto/hkdf is out too: it links crypto/sha3 and FIPS self-tests (about
// 6 KB brotli), so chunk_cipher.go writes HKDF out on crypto/sha256.
func TestWasmImports(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go tool")
	}
	allowed := map[string]bool{
		"crypto/aes": true, "crypto/cipher": true, "crypto/sha256": true,
		"crypto/subtle": true, "encoding/binary": true, "errors": true, "hash": true, "io": true,
		"unicode/utf8": true,
	}
	for _, imp := range testkit.WasmDeps(t, "sambung/client/attach")["sambung/client/attach"] {
		if !allowed[imp] {
			t.Errorf("sambung/client/attach imports %s", imp)
		}
	}
}
