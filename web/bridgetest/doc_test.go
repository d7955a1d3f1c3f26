//go:build !js

package bridgetest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

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

	checkErrorCodes(t, doc)
}

// errorSections are the headings of docs/API.md's error tables, by the
// origin of the codes each lists.
var errorSections = []struct {
	origin  wire.Origin
	heading string
}{
	{wire.OriginPage, "**From the browser side**"},
	{wire.OriginFile, "**From the file engine**"},
	{wire.OriginClient, "**From the core**"},
	{wire.OriginRelay, "**From the relay**"},
}

// checkErrorCodes keeps docs/API.md's "Errors" equal to wire.Codes, the
// one table: each code is listed under its origin's heading, and every
// code the section names is in the table.
func checkErrorCodes(t *testing.T, doc string) {
	t.Helper()
	start := strings.Index(doc, "\n## Errors\n")
	end := strings.Index(doc, "\n## Calls\n")
	if start < 0 || end < start {
		t.Fatal("docs/API.md has no Errors section before Calls")
	}
	section := doc[start:end]
	origins := map[wire.Code]wire.Origin{}
	for _, c := range wire.Codes() {
		origins[c.Code] = c.Origin
	}
	listed := map[wire.Code]bool{}
	for i, s := range errorSections {
		from := strings.Index(section, s.heading)
		if from < 0 {
			t.Fatalf("docs/API.md has no %s under Errors", s.heading)
		}
		part := section[from:]
		if i+1 < len(errorSections) {
			if to := strings.Index(part, errorSections[i+1].heading); to >= 0 {
				part = part[:to]
			}
		}
		named := map[wire.Code]bool{}
		for _, m := range regexp.MustCompile("`([a-z_]+)`").FindAllStringSubmatch(part, -1) {
			named[wire.Code(m[1])] = true
		}
		for _, c := range wire.Codes() {
			if c.Origin == s.origin && !named[c.Code] {
				t.Errorf("docs/API.md does not list the code %s under %s", c.Code, s.heading)
			}
		}
		for c := range named {
			listed[c] = true
		}
	}
	for c := range listed {
		if _, ok := origins[c]; !ok {
			t.Errorf("docs/API.md lists %s as an error code; wire.Codes has no such code", c)
		}
	}
}

// TestJSCodesKnown checks the codes the page's scripts use: each CODE.key
// is a key of the generated CODE (a misspelt one would be undefined), and
// each code written out where an error is made is in wire.Codes.
func TestJSCodesKnown(t *testing.T) {
	object := regexp.MustCompile(`(?s)export const CODE = Object.freeze\(\{\n(.*?)\}\);`).FindStringSubmatch(readFile(t, "../static/constants.js"))
	if object == nil {
		t.Fatal("constants.js has no CODE")
	}
	keys := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^  ([A-Za-z]+): '`).FindAllStringSubmatch(object[1], -1) {
		keys[m[1]] = true
	}
	codes := map[string]bool{}
	for _, c := range wire.Codes() {
		codes[string(c.Code)] = true
	}
	var files []string
	for _, glob := range []string{"../static/*.js", "../static/*/*.js"} {
		m, err := filepath.Glob(glob)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 15 {
		t.Fatalf("found only %d scripts", len(files))
	}
	uses := regexp.MustCompile(`\bCODE\.([A-Za-z]+)`)
	literals := regexp.MustCompile(`(?:code: |SambungError\(|fail\()'([a-z_]+)'`)
	for _, f := range files {
		js := readFile(t, f)
		for _, m := range uses.FindAllStringSubmatch(js, -1) {
			if !keys[m[1]] {
				t.Errorf("%s uses CODE.%s, which constants.js does not define", f, m[1])
			}
		}
		for _, m := range literals.FindAllStringSubmatch(js, -1) {
			if !codes[m[1]] && !appCodes[m[1]] {
				t.Errorf("%s makes an error with the code %s, which wire.Codes does not list", f, m[1])
			}
		}
	}
}

// appCodes are codes the web app makes for its own messages (format.js
// words them); they never reach a program through sambung.js.
var appCodes = map[string]bool{"bad_code": true, "microphone": true}
