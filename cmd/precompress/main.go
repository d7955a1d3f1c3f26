// Command precompress writes a brotli copy of each file it is given, at the
// highest quality, next to the original as FILE.br, and prints the raw and
// compressed sizes.
//
// The relay serves FILE.br with Content-Encoding: br to browsers that accept
// it, so the web build compresses once, slowly and as small as brotli can,
// instead of the relay compressing on every request. It must not change the
// original file.
//
// Usage: precompress FILE...
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/andybalholm/brotli"
)

// window is brotli's largest standard window (16 MiB, lgwin 24): the module
// is a few MB, so a smaller window would miss long-range repeats, and every
// browser decodes the standard window sizes.
const window = 24

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: precompress FILE...")
		os.Exit(2)
	}
	for _, name := range os.Args[1:] {
		raw, packed, err := compressFile(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, "precompress:", err)
			os.Exit(1)
		}
		fmt.Printf("%s: %d bytes raw (%.1f KB), %d bytes brotli (%.1f KB)\n",
			name, raw, float64(raw)/1000, packed, float64(packed)/1000)
	}
}

// compressFile writes name+".br" and returns both sizes. It writes to a
// temporary file first, so a failed run never leaves a truncated .br behind
// for the relay to serve.
func compressFile(name string) (raw, packed int, err error) {
	in, err := os.ReadFile(name)
	if err != nil {
		return 0, 0, err
	}
	out, err := compress(in)
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w", name, err)
	}
	tmp := name + ".br.tmp"
	if err := os.WriteFile(tmp, out, 0o644); err != nil {
		return 0, 0, err
	}
	if err := os.Rename(tmp, name+".br"); err != nil {
		return 0, 0, errors.Join(err, os.Remove(tmp))
	}
	return len(in), len(out), nil
}

// compress returns data brotli-compressed at the best quality, and checks
// that it decompresses to data again.
func compress(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	w := brotli.NewWriterOptions(&buf, brotli.WriterOptions{Quality: brotli.BestCompression, LGWin: window})
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	back, err := io.ReadAll(brotli.NewReader(bytes.NewReader(buf.Bytes())))
	if err != nil {
		return nil, fmt.Errorf("round trip: %w", err)
	}
	if !bytes.Equal(back, data) {
		return nil, errors.New("round trip: decompressed bytes differ")
	}
	return buf.Bytes(), nil
}
