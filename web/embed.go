// Package web holds the browser side of Sambung as files: the public ES
// module sambung.js with its types, the worker that runs the one core per
// browser profile, the wasm module built from ../wasm, and the web app.
//
// The relay embeds these files and serves them, so one binary serves the
// page, the module and the API. build.sh must run before the relay is built:
// it writes sambung.wasm, its brotli copy and wasm_exec.js into static/,
// which git ignores. This package holds no logic.
package web

import (
	"embed"
	"io/fs"
)

//go:embed static
var files embed.FS

// Static is the static/ folder, with paths relative to it ("sambung.js",
// "sambung.wasm"). The relay's Config.Static is set to it.
var Static fs.FS = mustSub(files, "static")

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		// fs.Sub fails only for an invalid path, and "static" is a constant.
		panic(err)
	}
	return sub
}
