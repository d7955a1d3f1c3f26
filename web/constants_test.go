package web

import (
	"strconv"
	"strings"
	"testing"

	"sambung/wire"
)

// TestConstantsModule loads the generated constants.js in Node, as the page
// and the worker do, and checks it against the Go table: every code under
// its key, and nothing else. It also runs the file engine's one piece of
// arithmetic on those sizes, plainBytes.
func TestConstantsModule(t *testing.T) {
	var want strings.Builder
	for _, c := range wire.Codes() {
		want.WriteString(strconv.Quote(string(c.Code)) + ",")
	}
	runModule(t, `
const { CODE, STATUS_RANK, CHUNK, TAG } = await import(process.env.STATIC + '/constants.js');
const { plainBytes, SEALED } = await import(process.env.STATIC + '/files/transfer.js');
const want = [`+want.String()+`];
const got = Object.values(CODE);
if (JSON.stringify(got) !== JSON.stringify(want) || !Object.isFrozen(CODE)) {
  console.error('CODE', got, 'want', want); process.exit(1);
}
if (CODE.wrongCode !== 'wrong_code' || CODE.cancelled !== 'cancelled' || STATUS_RANK.read <= STATUS_RANK.sent) {
  console.error('CODE or STATUS_RANK', CODE, STATUS_RANK); process.exit(1);
}
const cases = [[0, 0], [SEALED, CHUNK], [SEALED + TAG + 5, CHUNK + 5], [3 * SEALED, 2 * CHUNK + 7]];
for (const [n, plain] of cases) {
  const got = plainBytes(n, 2 * CHUNK + 7);
  if (got !== plain) { console.error('plainBytes', n, got, '!=', plain); process.exit(1); }
}
`)
}
