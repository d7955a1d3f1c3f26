// Package store keeps the relay's state: people, their identities and
// devices, the devices' public keys, one-time phone codes, and one mailbox of
// ciphertext envelopes per device.
//
// It is split into small context-first interfaces (Directory, Codes,
// Mailboxes) composed into Store, with one implementation on Badger v4. The
// Mailboxes seam is shaped so that a NATS JetStream implementation can
// replace the Badger one to run several relays.
//
// The store never sees plaintext, passwords or tokens: it keeps only what the
// relay hands it, which is ciphertext, public keys and hashes.
package store
