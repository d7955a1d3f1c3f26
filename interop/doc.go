// Package interop proves that Sambung's Signal Protocol code speaks the same
// wire format as implementations nobody here wrote: libsignal@6.0.0
// (libsignal-node) for 1:1 sessions, and @signalapp/libsignal-client for
// XEdDSA signatures and safety numbers.
//
// The package holds tests only. They drive peer.js, a small Node module
// around those libraries (installed from package-lock.json in this folder),
// natively through `node cli.js` over stdio and, under GOOS=js GOARCH=wasm,
// in the same Node process through syscall/js, so both builds of the crypto
// package are checked against libsignal. It must never copy code from them:
// they are run, not read into ours.
package interop
