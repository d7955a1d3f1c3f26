// Package curve25519 is Curve25519 arithmetic tuned for js/wasm: a field in
// ten 25.5-bit limbs, whose products wasm multiplies natively where
// crypto/ecdh and filippo.io/edwards25519 emulate 64×64→128-bit ones. On it
// sit the X25519 Montgomery ladder (ScalarMult), fixed-base public keys from
// precomputed Edwards tables (ScalarBaseMult), and the variable-time
// double-scalar multiplication that checks an XEdDSA signature (Point).
//
// It is built and tested on every platform, against crypto/ecdh,
// filippo.io/edwards25519 and math/big, but package crypto calls it only
// under js/wasm: natively those packages are faster. Everything here is
// constant time except VarTimeDoubleScalarBaseMult, whose inputs are public.
// It must stay pure: no I/O.
package curve25519
