#!/usr/bin/env bash
# Builds the browser module into web/static/, where package web embeds it:
#   sambung.wasm     the Go core and bridge (./wasm), GOOS=js GOARCH=wasm
#   sambung.wasm.br  its brotli copy at the best quality, served by the relay
#                    with Content-Encoding: br
#   wasm_exec.js     the Go runtime glue of the Go that built the module
# and prints the raw and brotli sizes. The budget is 900 KB brotli.
set -euo pipefail
cd "$(dirname "$0")/.."

out=web/static
budget=900000

GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w' -o "$out/sambung.wasm" ./wasm
cp "$(go env GOROOT)/lib/wasm/wasm_exec.js" "$out/wasm_exec.js"
go run ./cmd/precompress "$out/sambung.wasm"

packed=$(wc -c <"$out/sambung.wasm.br")
if [ "$packed" -gt "$budget" ]; then
	echo "web/build.sh: sambung.wasm.br is $packed bytes, over the budget of $budget" >&2
	echo "  to see what is big, build without -s -w and run: go tool nm -size -sort size FILE | head -40" >&2
fi
