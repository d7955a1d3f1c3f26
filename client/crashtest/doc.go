// Package crashtest proves the client's durability contract across real
// crashes: it runs the native sync core (sambung/client over
// native.FileStorage) in a child process against a real relay on loopback,
// kills it with SIGKILL at random moments while it receives a burst and
// while it sends one, restarts it on the same directory, and counts, by
// message id and text, that every message is in the history exactly once
// and that every send the core accepted reached the peer exactly once.
//
// The contract under test: Send returns only once the message is durable
// in the outbox, and an incoming envelope is acknowledged to the relay only
// after its message is stored. SIGKILL ends the process but not the
// kernel, so this proves the ordering of those steps, not fsync against
// power loss (FileStorage's own tests cover torn writes).
//
// TestReceiptsAfterRestart is the receive-after-restart step alone, in one
// process and without a kill: a client reopened on its directory takes in
// delivery receipts for messages it has not read back into memory yet.
//
// The package has only tests (and this file). It must not be imported.
package crashtest
