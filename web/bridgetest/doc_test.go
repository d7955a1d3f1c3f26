//go:build !js

package bridgetest

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"sambung/client"
	"sambung/wire"
)

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestAPIDocComplete keeps docs/API.md and sambung.d.ts in step with the
// code: every method and event of sambung.js, and every error code that
// can reach a page (the relay's, the core's, the bridge's and the
// worker's), is documented.
func TestAPIDocComplete(t *testing.T) {
	doc := readFile(t, "../../docs/API.md")
	dts := readFile(t, "../static/sambung.d.ts")
	js := readFile(t, "../static/sambung.js")

	class := js[strings.Index(js, "export class Sambung "):]
	methods := regexp.MustCompile(`(?m)^  ([a-z][A-Za-z]*)\(`).FindAllStringSubmatch(class, -1)
	if len(methods) < 15 {
		t.Fatalf("found only %d methods in sambung.js", len(methods))
	}
	for _, m := range methods {
		name := m[1]
		if name == "constructor" {
			continue
		}
		if !strings.Contains(doc, "`"+name+"(") {
			t.Errorf("docs/API.md does not document the method %s", name)
		}
		if !strings.Contains(dts, "  "+name+"(") && !strings.Contains(dts, "  "+name+"<") {
			t.Errorf("sambung.d.ts does not declare the method %s", name)
		}
	}

	events := regexp.MustCompile(`'([a-z]+)'`).FindAllStringSubmatch(regexp.MustCompile(`const EVENTS = new Set\(\[[^\]]*\]`).FindString(js), -1)
	if len(events) != 9 {
		t.Fatalf("found %d events in sambung.js, want 9", len(events))
	}
	for _, e := range events {
		if !strings.Contains(doc, "| `"+e[1]+"` |") {
			t.Errorf("docs/API.md has no row for the event %s", e[1])
		}
		if !strings.Contains(dts, "  "+e[1]+": ") {
			t.Errorf("sambung.d.ts has no EventMap entry for %s", e[1])
		}
	}

	var codes []string
	for _, c := range wire.Codes() {
		codes = append(codes, string(c))
	}
	for _, e := range []*client.Error{
		client.ErrNotSignedIn, client.ErrSignedIn, client.ErrIdentityChanged, client.ErrClosed,
		client.ErrNetwork, client.ErrOffline, client.ErrUnknownConversation, client.ErrUnknownMessage,
		client.ErrBadInput, client.ErrTextTooLong, client.ErrDeviceRemoved, client.ErrBadContent,
		client.ErrCorruptState, client.ErrStorage, client.ErrFileTampered, client.ErrFileIncomplete,
		client.ErrFileTooLarge, client.ErrTooManyTransfers, client.ErrNoTransfer, client.ErrBadArgument,
		client.ErrUnknownMethod, client.ErrInternal,
	} {
		codes = append(codes, e.Code)
	}
	codes = append(codes, "canceled", "timeout") // client.ErrorCode's own
	for _, file := range []string{"../static/worker.js", "../static/sambung.js", "../static/files.js"} {
		for _, m := range regexp.MustCompile(`(?:code: |SambungError\(|fail\()'([a-z_]+)'`).FindAllStringSubmatch(readFile(t, file), -1) {
			codes = append(codes, m[1])
		}
	}
	for _, c := range codes {
		if !strings.Contains(doc, "`"+c+"`") {
			t.Errorf("docs/API.md does not list the error code %s", c)
		}
	}
}
