// Package jsonw writes and reads JSON without reflection, for the code that
// is linked into the browser's wasm module (client, wire). encoding/json
// and fmt pull reflect, sorting and formatting into the module, about a
// quarter of its compressed size; the types here instead encode and decode
// themselves with a Writer and a Decoder.
//
// Output is valid JSON that encoding/json decodes to the same values, and
// the Decoder accepts every valid JSON text and rejects every invalid one,
// with these deliberate differences from encoding/json: object keys match
// field names exactly (encoding/json also matches them case-insensitively),
// and nesting is capped at MaxDepth.
//
// This package must not import reflect, fmt or encoding/json: that is its
// reason to exist.
package jsonw
