package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/andybalholm/brotli"
)

func TestCompressFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "module.wasm")
	data := bytes.Repeat([]byte("sambung wasm module "), 5000)
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
	raw, packed, err := compressFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if raw != len(data) {
		t.Errorf("raw = %d, want %d", raw, len(data))
	}
	br, err := os.ReadFile(name + ".br")
	if err != nil {
		t.Fatal(err)
	}
	if packed != len(br) || packed >= raw/10 {
		t.Errorf("packed = %d (file %d), want the file size and far below %d", packed, len(br), raw)
	}
	back, err := io.ReadAll(brotli.NewReader(bytes.NewReader(br)))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back, data) {
		t.Error("the .br file does not decompress to the original")
	}
	if _, err := os.Stat(name + ".br.tmp"); !os.IsNotExist(err) {
		t.Errorf("temporary file left behind: %v", err)
	}
}

func TestCompressFileMissing(t *testing.T) {
	name := filepath.Join(t.TempDir(), "absent.wasm")
	if _, _, err := compressFile(name); err == nil {
		t.Fatal("compressFile of a missing file succeeded")
	}
	if _, err := os.Stat(name + ".br"); !os.IsNotExist(err) {
		t.Errorf("a .br was written for a missing file: %v", err)
	}
}
