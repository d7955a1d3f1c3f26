package web

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// runModule runs script, an ES module, in Node; imports of "static/…"
// in it name the files here. It fails t when the script exits non-zero.
func runModule(t *testing.T, script string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("no node")
	}
	static, err := filepath.Abs("static")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, "--input-type=module", "-e", script)
	cmd.Env = append(cmd.Environ(), "STATIC=file://"+static)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}

// TestDisplayTextBidi runs the app's format.js in Node: bidirectional
// embeddings, overrides and isolates are dropped from message text before
// it is shown, in the chat and in previews; marks that reorder nothing stay.
func TestDisplayTextBidi(t *testing.T) {
	runModule(t, `
const { displayText, previewText } = await import(process.env.STATIC + '/app/format.js');
const cases = [
  [displayText('evil\u202Egpj.exe'), 'evilgpj.exe'],
  [displayText('\u202Dlro\u202C \u202Brle\u202C \u202Alre\u202C'), 'lro rle lre'],
  [displayText('\u2066iso\u2069 \u2067r\u2069 \u2068f\u2069'), 'iso r f'],
  [displayText('\u05E9\u05DC\u05D5\u05DD \u200F!\u200E \u061C'), '\u05E9\u05DC\u05D5\u05DD \u200F!\u200E \u061C'],
  [previewText({ text: 'pay \u202E0001\u202C now' }), 'pay 0001 now'],
  [previewText({ text: 'see \u202Eftp.exe', file: { mime: 'image/png', name: 'x' } }), '📷 Photo: see ftp.exe'],
  [displayText(undefined), undefined],
];
for (const [i, [got, want]] of cases.entries()) {
  if (got !== want) { console.error('case', i, JSON.stringify(got), '!=', JSON.stringify(want)); process.exit(1); }
}
`)
}
