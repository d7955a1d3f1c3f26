//go:build !js

package bridgetest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"sambung/internal/testkit"
)

// TestModuleLeavesOutServerPackages: the browser module reaches the
// relay through fetch and the browser's WebSocket (wasm/), so none of the
// native transports, the server's store or the test tools may be linked
// into it. net/http alone would add about 1.6 MB raw, 240 KB brotli.
func TestModuleLeavesOutServerPackages(t *testing.T) {
	testkit.CheckWasmDeps(t, "sambung/wasm",
		[]string{"net/http", "crypto/tls", "github.com/coder/websocket", "github.com/dgraph-io/badger/v4",
			"sambung/client/native", "sambung/relay", "github.com/chromedp/chromedp"},
		reflective)
}

// reflective are the packages Sambung's own code in the wasm module must
// not import: encoding/json, fmt and net/url bring reflect and sorting with
// them, about 240 KB of the module's brotli size; the protobuf module's
// protowire brings fmt. internal/jsonw, strconv and crypto's own protobuf
// code do the work instead.
var reflective = []string{"fmt", "encoding/json", "reflect", "net/url", "google.golang.org/protobuf"}

// TestModuleLinksNoReflection checks the linked module itself: the
// standard library still imports fmt and reflect (crypto/rand imports
// math/big, which imports fmt), but no function of fmt, encoding/json,
// math/big or net/url, and none of reflect but its package init, may be
// reachable.
func TestModuleLinksNoReflection(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the module")
	}
	wasm := filepath.Join(t.TempDir(), "m.wasm")
	cmd := exec.Command("go", "build", "-trimpath", "-o", wasm, "./wasm")
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	b, err := os.ReadFile(wasm)
	if err != nil {
		t.Fatal(err)
	}
	names, err := functionNames(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 1000 {
		t.Fatalf("the name section lists only %d functions", len(names))
	}
	found := map[string]int{}
	for _, n := range names {
		for _, p := range []string{"fmt.", "encoding/json.", "reflect.", "math/big.", "net/url."} {
			if strings.HasPrefix(n, p) && n != "reflect.init" {
				if found[p]++; found[p] <= 3 {
					t.Errorf("the wasm module links %s", n)
				}
			}
		}
	}
}

// functionNames reads the function names of a wasm module's name section.
func functionNames(b []byte) ([]string, error) {
	if !bytes.HasPrefix(b, []byte("\x00asm")) || len(b) < 8 {
		return nil, errors.New("not a wasm module")
	}
	for b = b[8:]; len(b) > 0; {
		id, sec, rest, err := nextSection(b)
		if err != nil {
			return nil, err
		}
		b = rest
		if id != 0 {
			continue
		}
		custom, sec, err := readName(sec)
		if err != nil || custom != "name" {
			continue
		}
		for len(sec) > 0 {
			sub, body, rest, err := nextSection(sec)
			if err != nil {
				return nil, err
			}
			sec = rest
			if sub == 1 {
				return nameMap(body)
			}
		}
	}
	return nil, errors.New("the module has no function names")
}

var errMalformed = errors.New("malformed wasm module")

// nextSection splits b, sections of an id byte and a uvarint-sized body
// (the module's, or the name section's subsections), into the first one
// and the rest.
func nextSection(b []byte) (id byte, body, rest []byte, err error) {
	size, n := binary.Uvarint(b[1:])
	if n <= 0 || uint64(len(b)-1-n) < size {
		return 0, nil, nil, errMalformed
	}
	return b[0], b[1+n : 1+n+int(size)], b[1+n+int(size):], nil
}

// nameMap reads the function names of a name map: a count, then each
// function's index and name.
func nameMap(b []byte) ([]string, error) {
	count, n := binary.Uvarint(b)
	if n <= 0 {
		return nil, errMalformed
	}
	b = b[n:]
	var names []string
	for i := uint64(0); i < count; i++ {
		_, n := binary.Uvarint(b) // the function's index
		if n <= 0 {
			return nil, errMalformed
		}
		name, rest, err := readName(b[n:])
		if err != nil {
			return nil, err
		}
		names = append(names, name)
		b = rest
	}
	return names, nil
}

// readName reads a uvarint-length-prefixed name.
func readName(b []byte) (string, []byte, error) {
	l, n := binary.Uvarint(b)
	if n <= 0 || uint64(len(b)-n) < l {
		return "", nil, errMalformed
	}
	return string(b[n : n+int(l)]), b[n+int(l):], nil
}
