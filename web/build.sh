#!/usr/bin/env bash
# Builds the browser module into web/static/, where package web embeds it:
#   sambung.wasm     the Go core and bridge (./wasm), GOOS=js GOARCH=wasm
#   sambung.wasm.br  its brotli copy at the best quality, served by the relay
#                    with Content-Encoding: br
#   wasm_exec.js     the Go runtime glue of the Go that built the module
# and prints the raw and brotli sizes. The budget is 885 KB (885,000 bytes) brotli.
# First it brings the page's copies of Go constants up to date (constants.js
# and the error codes in sambung.d.ts): they are committed, so that the
# page's source reads whole without a build, and a test fails when stale.
set -euo pipefail
cd "$(dirname "$0")/.."

out=web/static
budget=885000

# net/http (and so coder/websocket) must stay out of the module: wasm/
# reaches the relay through fetch and the browser's WebSocket instead.
if GOOS=js GOARCH=wasm go list -deps ./wasm | grep -qx net/http; then
	echo "web/build.sh: net/http is linked into the wasm module; see: GOOS=js GOARCH=wasm go list -deps ./wasm" >&2
	exit 1
fi
go run ./internal/jsgen

# Inlining is off in Sambung's own packages but crypto/: inlined copies of
# JSON, storage and bridge code cost 29 KB brotli (904.3 KB with it, 875.3
# KB without, measured when file sharing came in), and that code waits on
# IndexedDB and the network, not on the CPU. The Signal protocol in
# crypto/ keeps inlining: it is the hot path.
GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w' \
	-gcflags='sambung/...=-l' -gcflags='sambung/crypto/...=' \
	-o "$out/sambung.wasm" ./wasm
cp "$(go env GOROOT)/lib/wasm/wasm_exec.js" "$out/wasm_exec.js"
go run ./cmd/precompress "$out/sambung.wasm"

packed=$(wc -c <"$out/sambung.wasm.br")
if [ "$packed" -gt "$budget" ]; then
	echo "web/build.sh: sambung.wasm.br is $packed bytes, over the budget of $budget" >&2
	echo "  why a package is linked: GOOS=js GOARCH=wasm go build -ldflags=-dumpdep -o /dev/null ./wasm 2>&1 | grep PKG" >&2
fi
