#!/usr/bin/env bash
# Sambung's one entry point: ./build.sh build|run|test|bench|fuzz
set -euo pipefail
cd "$(dirname "$0")"

GOROOT_DIR=$(go env GOROOT)
WASM_EXEC="$GOROOT_DIR/lib/wasm/go_js_wasm_exec"
[ -x "$WASM_EXEC" ] || WASM_EXEC="$GOROOT_DIR/misc/wasm/go_js_wasm_exec"

say() { printf '==> %s\n' "$*"; }

# npm_deps installs a folder's node packages from its committed lockfile when
# they are missing or older than the lockfile.
npm_deps() {
	local dir=$1
	if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
		say "npm ci in $dir"
		(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
	fi
}

build() {
	mkdir -p bin
	if [ -d cmd/sambung-relay ] && ls cmd/sambung-relay/*.go >/dev/null 2>&1; then
		if [ -x web/build.sh ]; then web/build.sh; fi
		say "go build ./cmd/sambung-relay -> bin/sambung-relay"
		go build -o bin/sambung-relay ./cmd/sambung-relay
	else
		say "no relay yet (cmd/sambung-relay): nothing to build beyond the packages"
		go build ./...
	fi
}

run() {
	build
	if [ -x bin/sambung-relay ]; then
		say "relay on http://localhost:8080, data in ./data"
		exec bin/sambung-relay -addr "${SAMBUNG_ADDR:-:8080}" -data "${SAMBUNG_DATA:-./data}" "$@"
	fi
	echo "The relay does not exist yet: ./build.sh test runs the protocol core and its interop tests."
}

run_test() {
	say "gofmt"
	local unformatted
	unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*'))
	if [ -n "$unformatted" ]; then echo "gofmt would change: $unformatted"; exit 1; fi

	say "go vet (native, js/wasm)"
	go vet ./...
	GOOS=js GOARCH=wasm go vet ./...

	npm_deps interop

	say "build the wasm module (web/build.sh): the relay and the e2e tests embed it"
	web/build.sh
	local packed budget=885000
	packed=$(wc -c <web/static/sambung.wasm.br)
	if [ "$packed" -gt "$budget" ]; then
		echo "sambung.wasm is $packed bytes brotli, over the budget of $budget" >&2
		exit 1
	fi

	say "go test ./... (native; includes the Chromium end-to-end tests in e2e/)"
	go test -count=1 ./...

	say "go test under wasm in Node (crypto, interop)"
	GOOS=js GOARCH=wasm go test -count=1 -exec "$WASM_EXEC" ./crypto/... ./interop/...

	say "all tests passed"
}

bench() {
	npm_deps interop
	say "native benchmarks"
	go test -run '^$' -bench . -benchmem ./crypto/...
	say "wasm benchmarks (Node)"
	GOOS=js GOARCH=wasm go test -run '^$' -bench . -exec "$WASM_EXEC" ./crypto/...
	say "side by side: our wasm vs libsignal-node vs libsignal-client"
	bench/signal/run.sh
	say "relay: 1,000 clients closed loop, then the raw coder/websocket echo baseline"
	go run ./bench/relayload -clients 1000 -duration 10s
	say "relay: 10,000 idle connections, relay RSS"
	go run ./bench/relayload -idle 10000 -echo=false
	say "browser: wasm size, cold start, messages/s between two Chromium contexts"
	web/build.sh
	go run ./bench/browser
	go run ./bench/files
	say "calls: setup time, direct against TURN"
	go run ./bench/calls
}

fuzz() {
	local t=${FUZZTIME:-30s}
	for pkg in $(go list ./...); do
		for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
			say "fuzz $pkg $target for $t"
			go test -run '^$' -fuzz "^${target}\$" -fuzztime "$t" "$pkg"
		done
	done
}

cmd=${1:-}
shift || true
case "$cmd" in
build) build ;;
run) run "$@" ;;
test) run_test ;;
bench) bench ;;
fuzz) fuzz ;;
*)
	echo "usage: ./build.sh build|run|test|bench|fuzz" >&2
	exit 2
	;;
esac
