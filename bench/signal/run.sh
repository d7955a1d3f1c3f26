#!/usr/bin/env bash
# Side-by-side Signal benchmark: our Go crypto package compiled to wasm and run
# under Node, libsignal-node (libsignal@6.0.0) and libsignal-client
# (@signalapp/libsignal-client, native), one after another, same workloads.
#
# Workloads (identical in wasm/main.go and workloads.js):
#   steady_alternating  a session already set up both ways; per message one
#                       encrypt + one decrypt of a 100-byte plaintext; the
#                       direction flips every 10 messages.             msgs/s
#   steady_one_way      the same, always alice -> bob.                  msgs/s
#   session_setup       the initiator processes a prepared bundle (signed
#                       prekey + one-time prekey; libsignal-client also a Kyber
#                       prekey, which it requires), encrypts the first 100-byte
#                       message, the responder decrypts it. Keys and bundles
#                       are made outside the timed loop.                setups/s
# Each workload: one warm-up run of a fifth of the count, then RUNS timed runs
# of the full count, best kept. Counts: MSGS messages, SETUPS setups.
#
# Usage: bench/signal/run.sh            (or ./build.sh bench)
#        MSGS=5000 SETUPS=500 RUNS=5 bench/signal/run.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

MSGS=${MSGS:-2000}
SETUPS=${SETUPS:-200}
RUNS=${RUNS:-3}
args=(--msgs "$MSGS" --setups "$SETUPS" --runs "$RUNS")

if [ ! -d "$root/interop/node_modules/libsignal" ]; then
	(cd "$root/interop" && npm ci --no-audit --no-fund --loglevel=error)
fi

goroot=$(go env GOROOT)
wasm_exec="$goroot/lib/wasm/go_js_wasm_exec"
[ -x "$wasm_exec" ] || wasm_exec="$goroot/misc/wasm/go_js_wasm_exec"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "building bench/signal/wasm for GOOS=js GOARCH=wasm" >&2
(cd "$root" && GOOS=js GOARCH=wasm go build -o "$out/bench.wasm" ./bench/signal/wasm)

echo "running ours (Go wasm in Node)" >&2
"$wasm_exec" "$out/bench.wasm" "${args[@]}" >"$out/ours.json"
echo "running libsignal-node" >&2
node "$here/libsignal-node.js" "${args[@]}" >"$out/node.json"
echo "running libsignal-client" >&2
node "$here/libsignal-client.js" "${args[@]}" >"$out/client.json"

echo
echo "msgs=$MSGS setups=$SETUPS runs=$RUNS, best of $RUNS after a warm-up; $(nproc) cores; $(node --version); $(go version | cut -d' ' -f3)"
echo
node "$here/table.js" "$out/ours.json" "$out/node.json" "$out/client.json"
