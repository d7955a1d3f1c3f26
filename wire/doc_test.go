package wire

import (
	"os"
	"strings"
	"testing"
)

// TestProtocolDocListsEveryCode keeps docs/PROTOCOL.md's error table in step
// with the relay's codes.
func TestProtocolDocListsEveryCode(t *testing.T) {
	doc, err := os.ReadFile("../docs/PROTOCOL.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range Codes() {
		if c.Origin == OriginRelay && !strings.Contains(string(doc), "| `"+string(c.Code)+"` |") {
			t.Errorf("docs/PROTOCOL.md has no table row for %s", c.Code)
		}
	}
}
