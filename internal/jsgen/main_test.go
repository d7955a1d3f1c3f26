package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sambung/client"
	"sambung/wire"
)

// TestGeneratedCurrent fails when a committed generated file is not what
// the generator writes now: a Go constant changed without a regeneration.
func TestGeneratedCurrent(t *testing.T) {
	files, err := generated("../..")
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range files {
		have, err := os.ReadFile(filepath.Join("../..", path))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(have, want) {
			t.Errorf("%s is stale: run go run ./internal/jsgen (or web/build.sh)", path)
		}
	}
}

// TestCodeKeys checks that every code has its own key in CODE, and that
// the module carries each code, op and status.
func TestCodeKeys(t *testing.T) {
	js := string(constantsJS())
	keys := map[string]wire.Code{}
	for _, c := range wire.Codes() {
		k := camel(c.Code)
		if other, ok := keys[k]; ok {
			t.Errorf("codes %s and %s share the key %s", other, c.Code, k)
		}
		keys[k] = c.Code
		if !strings.Contains(js, "\n  "+k+": '"+string(c.Code)+"',\n") {
			t.Errorf("constants.js has no member for %s", c.Code)
		}
	}
	if camel("too_many_prekeys") != "tooManyPrekeys" || camel("internal") != "internal" {
		t.Errorf("camel: %s %s", camel("too_many_prekeys"), camel("internal"))
	}
	for _, want := range []string{"  hangup: 'hangup',\n", "  cameraOff: 4,\n", "  read: 3,\n", "export const CHUNK = 65536;\n"} {
		if !strings.Contains(js, want) {
			t.Errorf("constants.js lacks %q", want)
		}
	}
	if len(client.Statuses()) != 5 {
		t.Errorf("client.Statuses() = %v", client.Statuses())
	}
}

// TestUnion checks the rewrite of sambung.d.ts: the section between the
// markers is replaced, the rest kept, and a file without markers refused.
func TestUnion(t *testing.T) {
	in := "before\n" + typesBegin + "old\n" + typesEnd + "after\n"
	out, err := withUnion([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	if !strings.HasPrefix(s, "before\n"+typesBegin) || !strings.HasSuffix(s, typesEnd+"after\n") ||
		strings.Contains(s, "old\n") || !strings.Contains(s, "  | 'file_tampered'\n") {
		t.Errorf("rewrite:\n%s", s)
	}
	if _, err := withUnion([]byte("no markers\n")); err == nil {
		t.Error("a file without markers was accepted")
	}
}
