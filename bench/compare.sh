#!/usr/bin/env bash
# Compares two revisions side by side in one run: the wasm module's size,
# cold start and the send rates (bench/browser), and the native send
# benchmarks (client BenchmarkMessages), alternating old and new so that
# the machine's noise falls on both alike.
#
#	bench/compare.sh OLD [NEW]    # NEW defaults to the working tree
set -euo pipefail
old=${1:?usage: bench/compare.sh OLD [NEW]}
new=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$work/old" >/dev/null 2>&1 || true; [ -n "$new" ] && git -C "$root" worktree remove --force "$work/new" >/dev/null 2>&1; rm -rf "$work"' EXIT

prepare() { # dir -> builds web module, the browser bench and the client test binary
	(cd "$1" && web/build.sh >/dev/null && go build -o "$work/$2-browser" ./bench/browser && go test -c -o "$work/$2-client.test" ./client)
}
git -C "$root" worktree add -q --detach "$work/old" "$old"
prepare "$work/old" old
if [ -n "$new" ]; then
	git -C "$root" worktree add -q --detach "$work/new" "$new"
	prepare "$work/new" new
else
	prepare "$root" new
fi
for round in 1 2; do
	for side in old new; do
		echo "## $side ($round)"
		"$work/$side-browser" -runs 5 -msgs 300 -backlog 0 | grep -E 'brotli|cold start|messages/s|round trip'
		"$work/$side-client.test" -test.run '^$' -test.bench '^BenchmarkMessages$' -test.count 2 | grep -E '^Benchmark'
	done
done
