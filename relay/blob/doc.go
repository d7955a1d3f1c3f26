// Package blob is the relay's store of encrypted attachments: resumable
// uploads (a small tus-like protocol over POST, PATCH and HEAD), range
// downloads, a size cap per blob, a byte quota per person and expiry.
//
// Blobs are ciphertext. The key, the digest and the file name travel only
// inside the end-to-end-encrypted pointer message, so the store must never
// ask for, accept or keep a file name, a MIME type or a key: a blob is an
// unguessable 128-bit id, an owner, a size and its bytes.
//
// Each blob is two files in one directory: <id>.blob holds the bytes and
// <id>.meta the owner, size, durable offset and times, replaced atomically.
// docs/BLOBS.md describes the endpoints, errors and limits, and why the
// bytes live in files and not in Badger (bench_test.go measures it).
package blob
