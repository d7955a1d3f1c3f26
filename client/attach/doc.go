// Package attach is Sambung's attachment format: the chunked AEAD that
// encrypts a file before it leaves the sender's device, the digest that
// commits to the ciphertext, and the Pointer that carries the file key,
// digest, size, type, name and thumbnail inside an end-to-end-encrypted
// message. docs/PROTOCOL.md ("Attachments") is the specification.
//
// It is pure code: streams in and out (io.Reader, io.Writer), randomness as
// an io.Reader, no network, no storage, no goroutines. It is compiled into
// the browser's wasm module, so it uses the standard library only and never
// fmt, encoding/json, reflect or net/url.
//
// The relay stores ciphertext only: it never sees a file key, a file name or
// a Pointer. The browser may run the bulk AES-GCM and the per-chunk SHA-256
// in WebCrypto (see Sealer and Opener); the key schedule, the nonces, the
// order of chunks and the digest stay here.
package attach
