//go:build js

package interop

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall/js"
)

// jsTransport calls peer.js inside the Node process that runs this wasm test
// binary. Go's wasm_exec_node.js sets globalThis.require.
type jsTransport struct{ peer js.Value }

func newTransport() (tr transport, err error) {
	req := js.Global().Get("require")
	if req.Type() != js.TypeFunction {
		return nil, errors.New("globalThis.require is missing: run the wasm tests with go_js_wasm_exec under Node")
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	// go test runs in the package folder; require wants an absolute path.
	path := filepath.Join(wd, "peer.js")
	defer func() {
		if r := recover(); r != nil {
			tr, err = nil, fmt.Errorf("require(%q): %v (%s)", path, r, installHint)
		}
	}()
	return &jsTransport{peer: req.Invoke(path)}, nil
}

const installHint = "run ./build.sh test or npm ci in interop/"

type jsResult struct {
	line string
	err  error
}

// roundTrip calls peer.handleJSON and waits for its Promise. Blocking here
// lets the Go scheduler hand control back to Node's event loop, which runs
// libsignal and then the callbacks below.
func (j *jsTransport) roundTrip(req []byte) ([]byte, error) {
	done := make(chan jsResult, 1)
	onOK := js.FuncOf(func(_ js.Value, args []js.Value) any {
		done <- jsResult{line: args[0].String()}
		return nil
	})
	defer onOK.Release()
	onErr := js.FuncOf(func(_ js.Value, args []js.Value) any {
		done <- jsResult{err: fmt.Errorf("peer.js rejected: %s", args[0].Call("toString").String())}
		return nil
	})
	defer onErr.Release()
	j.peer.Call("handleJSON", string(req)).Call("then", onOK, onErr)
	r := <-done
	return []byte(r.line), r.err
}
