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
// # Generated codecs
//
// Struct types do not write their codecs by hand: internal/jsonw/gen
// writes them from the json struct tags into the package's jsonw_gen.go,
// when go generate runs this line in one of the package's files:
//
//	//go:generate go run sambung/internal/jsonw/gen
//
// A directive comment in any file of the package names the types to
// generate; alone in a type's doc comment, it names that type:
//
//	//jsonw:codec A B
//
// Each named type gets one method, JSONMembers, that lists its members
// once, as one chain of Members calls, for writing and reading alike (see
// Object). Marshal, Unmarshal, Writer.Value, Decoder.Value and
// Members.Value take such an Object as they take a Marshaler and
// Unmarshaler written by hand (wire.Address's text form, client.Message),
// with a type switch, not reflection; a value of any other type is a
// programming error and panics. A type that must read an older stored form
// keeps a hand-written ReadJSON that reads those members itself and hands
// the rest to ReadMember. A slice member goes through Array and a pointer
// through Nullable, with Members.Optional in place of Value for
// omitempty; the output follows the order the package declares its types.
//
// Adding a field is one edit to the struct and go generate. Fields follow
// encoding/json's rules: the tag's name or the field's, "-", omitempty,
// embedded structs promoted. A field's type must be a string, bool,
// integer or []byte (or a named type over one), []string, []uint32,
// []uint64, or a struct, slice of structs or pointer to a struct that is
// generated or writes and reads itself. Anything else is an error of the
// generator, not a silent difference from encoding/json.
//
// This package must not import reflect, fmt or encoding/json: that is its
// reason to exist.
package jsonw
