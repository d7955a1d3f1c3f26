package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGeneratedFilesCurrent fails when a checked-in jsonw_gen.go is not
// what the generator writes now: a struct changed without go generate.
func TestGeneratedFilesCurrent(t *testing.T) {
	for _, dir := range []string{"../../../wire", "../../../client", "../../../relay/blob"} {
		want, err := generate(dir, "jsonw_gen.go")
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		got, err := os.ReadFile(filepath.Join(dir, "jsonw_gen.go"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s/jsonw_gen.go is stale: run go generate there", dir)
		}
	}
}

// copyFile copies src to dst, creating dst's directory.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestAddField shows that adding a field is one edit plus go generate: in
// a copy of a small package, a field added to the struct round-trips
// once the generator has run again, and not before.
func TestAddField(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	root := t.TempDir()
	// A module named sambung of its own, holding a copy of jsonw, so that
	// the sample builds without the network or the repository's go.sum.
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module sambung\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	jsonwFiles, _ := filepath.Glob("../*.go")
	for _, f := range jsonwFiles {
		if !strings.HasSuffix(f, "_test.go") {
			copyFile(t, f, filepath.Join(root, "internal/jsonw", filepath.Base(f)))
		}
	}
	dir := filepath.Join(root, "sample")
	copyFile(t, "testdata/sample/sample.go.txt", filepath.Join(dir, "sample.go"))
	run := func() string {
		t.Helper()
		src, err := generate(dir, "jsonw_gen.go")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "jsonw_gen.go"), src, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("go", "run", ".")
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go run: %v\n%s", err, out)
		}
		return strings.TrimSpace(string(out))
	}
	if got, want := run(), `{"name":"a","inner":{"n":7},"tags":["x"]}`; got != want {
		t.Fatalf("before: %s, want %s", got, want)
	}
	path := filepath.Join(dir, "sample.go")
	src, _ := os.ReadFile(path)
	src = bytes.Replace(src, []byte("// ADD FIELD"), []byte("Extra int64 `json:\"extra\"`"), 1)
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, want := run(), `{"name":"a","inner":{"n":7},"tags":["x"],"extra":42}`; got != want {
		t.Fatalf("after adding Extra: %s, want %s", got, want)
	}
}

// TestRefusals checks that what the generator cannot match to
// encoding/json is an error naming the field, not wrong output.
func TestRefusals(t *testing.T) {
	cases := map[string]string{
		"float":      "type T struct { F float64 `json:\"f\"` }",
		"map":        "type T struct { M map[string]string `json:\"m\"` }",
		"string opt": "type T struct { N int `json:\"n,string\"` }",
		"no codec":   "type T struct { U U `json:\"u\"` }\ntype U struct{ A int }",
		"text form":  "type T struct { U U `json:\"u\"` }\ntype U int\nfunc (U) MarshalText() ([]byte, error) { return nil, nil }",
	}
	for name, decl := range cases {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module m\n\ngo 1.26\n"), 0o644)
		os.WriteFile(filepath.Join(dir, "t.go"), []byte("package m\n\n//jsonw:codec T\n"+decl+"\n"), 0o644)
		if _, err := generate(dir, "jsonw_gen.go"); err == nil {
			t.Errorf("%s: generated without an error", name)
		} else if !strings.Contains(err.Error(), "T") {
			t.Errorf("%s: error %q does not name the type", name, err)
		}
	}
}
