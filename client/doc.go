// Package client is Sambung's sync core: accounts and keys, sessions with
// every device of a contact, the outbox, receipts, history and the
// websocket loop to the relay. It runs in the browser (compiled to wasm,
// inside a SharedWorker) and natively (tests, tools).
//
// It is platform neutral: it reaches the relay only through the HTTP and
// Dialer interfaces and stores everything through Storage, so the browser
// supplies fetch, WebSocket and IndexedDB and native code supplies net/http,
// coder/websocket and files (package sambung/client/native). It must not
// import net/http, a websocket library or a database: they would bloat the
// wasm module.
//
// Durability: a message is written to the outbox before it is encrypted,
// and a session record is written in the same Storage.Apply batch as the
// message it was used for, so a crash never leaves a ratchet ahead of or
// behind the stored messages. An incoming envelope is acknowledged to the
// relay only after its message is stored. docs/CLIENT.md describes the
// storage keys and the decisions behind them.
package client
