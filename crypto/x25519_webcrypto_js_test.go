package crypto

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"errors"
	"syscall/js"
	"testing"
	"time"

	"filippo.io/edwards25519"

	"sambung/crypto/internal/curve25519"
)

// WebCrypto's X25519 from Go through syscall/js, waiting on each Promise: the
// candidate the architecture brief offers against the pure Go ladder. These
// tests and benchmarks exist to measure it (docs/PERFORMANCE.md, "X25519
// under wasm"); the package itself does not use it, because the ladder wins.

// pkcs8X25519Prefix is the DER of a PKCS #8 PrivateKeyInfo for X25519 (RFC
// 8410) up to the 32 key bytes: WebCrypto imports X25519 private keys only as
// PKCS #8 or JWK, not raw.
var pkcs8X25519Prefix = []byte{
	0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20,
}

// await blocks the calling goroutine until p settles; the JavaScript event
// loop runs meanwhile.
func await(p js.Value) (js.Value, error) {
	type settled struct {
		v   js.Value
		err error
	}
	ch := make(chan settled, 1)
	then := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- settled{v: args[0]}
		return nil
	})
	defer then.Release()
	catch := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- settled{err: errors.New(args[0].Call("toString").String())}
		return nil
	})
	defer catch.Release()
	p.Call("then", then, catch)
	s := <-ch
	return s.v, s.err
}

func jsBytes(b []byte) js.Value {
	a := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(a, b)
	return a
}

// webCrypto is crypto.subtle and the X25519 algorithm object.
type webCrypto struct{ subtle, alg js.Value }

func newWebCrypto(tb testing.TB) webCrypto {
	subtle := js.Global().Get("crypto").Get("subtle")
	if subtle.IsUndefined() {
		tb.Skip("no crypto.subtle")
	}
	alg := js.Global().Get("Object").New()
	alg.Set("name", "X25519")
	return webCrypto{subtle: subtle, alg: alg}
}

func (w webCrypto) importPrivate(scalar []byte) (js.Value, error) {
	der := append(append([]byte{}, pkcs8X25519Prefix...), scalar...)
	return await(w.subtle.Call("importKey", "pkcs8", jsBytes(der), w.alg, false, js.ValueOf([]any{"deriveBits"})))
}

func (w webCrypto) importPublic(pub PublicKey) (js.Value, error) {
	return await(w.subtle.Call("importKey", "raw", jsBytes(pub[:]), w.alg, true, js.ValueOf([]any{})))
}

func (w webCrypto) deriveBits(priv, pub js.Value) ([32]byte, error) {
	var out [32]byte
	params := js.Global().Get("Object").New()
	params.Set("name", "X25519")
	params.Set("public", pub)
	bits, err := await(w.subtle.Call("deriveBits", params, priv, 256))
	if err != nil {
		return out, err
	}
	js.CopyBytesToGo(out[:], js.Global().Get("Uint8Array").New(bits))
	return out, nil
}

// dh is X25519 as a Go caller holding raw keys would get it: two imports
// and deriveBits, three promises.
func (w webCrypto) dh(scalar []byte, pub PublicKey) ([32]byte, error) {
	priv, err := w.importPrivate(scalar)
	if err != nil {
		return [32]byte{}, err
	}
	pk, err := w.importPublic(pub)
	if err != nil {
		return [32]byte{}, err
	}
	return w.deriveBits(priv, pk)
}

// fusedDH is one JavaScript async function doing both imports and
// deriveBits, so Go waits on a single promise: the least promise overhead a
// WebCrypto X25519 can have here.
var fusedDH = js.Global().Get("Function").New("pkcs8", "pub", `
	const alg = {name: "X25519"};
	return Promise.all([
		crypto.subtle.importKey("pkcs8", pkcs8, alg, false, ["deriveBits"]),
		crypto.subtle.importKey("raw", pub, alg, true, []),
	]).then(([priv, pk]) => crypto.subtle.deriveBits({name: "X25519", public: pk}, priv, 256))
	  .then((bits) => new Uint8Array(bits));`)

func webCryptoFusedDH(scalar []byte, pub PublicKey) ([32]byte, error) {
	var out [32]byte
	der := append(append([]byte{}, pkcs8X25519Prefix...), scalar...)
	v, err := await(fusedDH.Invoke(jsBytes(der), jsBytes(pub[:])))
	if err != nil {
		return out, err
	}
	js.CopyBytesToGo(out[:], v)
	return out, nil
}

// TestWebCryptoX25519 checks that what the benchmarks measure computes the
// same X25519 as this package.
func TestWebCryptoX25519(t *testing.T) {
	w := newWebCrypto(t)
	for range 5 {
		a, b := mustKey(t), mustKey(t)
		want, err := a.DH(b.PublicKey())
		if err != nil {
			t.Fatal(err)
		}
		got, err := w.dh(a.Bytes(), b.PublicKey())
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("WebCrypto %x, ours %x", got, want)
		}
		got, err = webCryptoFusedDH(a.Bytes(), b.PublicKey())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got[:], want[:]) {
			t.Fatalf("fused WebCrypto %x, ours %x", got, want)
		}
	}
}

func webCryptoPair(b *testing.B) (*PrivateKey, PublicKey) {
	return mustKey(b), mustKey(b).PublicKey()
}

// importedPair is webCryptoPair, ours and the peer's public key, each also
// imported into WebCrypto once.
func (w webCrypto) importedPair(b *testing.B) (ours *PrivateKey, priv js.Value, peerPub PublicKey, peer js.Value) {
	ours, peerPub = webCryptoPair(b)
	priv, err := w.importPrivate(ours.Bytes())
	if err != nil {
		b.Fatal(err)
	}
	peer, err = w.importPublic(peerPub)
	if err != nil {
		b.Fatal(err)
	}
	return ours, priv, peerPub, peer
}

// benchOp runs op once per iteration, failing on its error, and reports
// operations per second.
func benchOp(b *testing.B, op func() error) {
	for b.Loop() {
		if err := op(); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, "ops/s")
}

// BenchmarkX25519WebCryptoDH: raw keys in, shared secret out, three awaited
// promises (import private, import public, deriveBits).
func BenchmarkX25519WebCryptoDH(b *testing.B) {
	w := newWebCrypto(b)
	k, pub := webCryptoPair(b)
	benchOp(b, func() error { _, err := w.dh(k.Bytes(), pub); return err })
}

// BenchmarkX25519WebCryptoFusedDH: the same in one awaited promise.
func BenchmarkX25519WebCryptoFusedDH(b *testing.B) {
	newWebCrypto(b)
	k, pub := webCryptoPair(b)
	benchOp(b, func() error { _, err := webCryptoFusedDH(k.Bytes(), pub); return err })
}

// BenchmarkX25519WebCryptoDeriveBits: deriveBits alone on keys imported
// once, the floor if CryptoKey handles were kept beside every key.
func BenchmarkX25519WebCryptoDeriveBits(b *testing.B) {
	w := newWebCrypto(b)
	_, priv, _, peer := w.importedPair(b)
	benchOp(b, func() error { _, err := w.deriveBits(priv, peer); return err })
}

// BenchmarkX25519WebCryptoGenerateKey: generateKey, then export of both
// halves (the private key as PKCS #8, to keep its bytes in Go; the public
// key raw).
func BenchmarkX25519WebCryptoGenerateKey(b *testing.B) {
	w := newWebCrypto(b)
	usages := js.ValueOf([]any{"deriveBits"})
	benchOp(b, func() error {
		pair, err := await(w.subtle.Call("generateKey", w.alg, true, usages))
		if err != nil {
			return err
		}
		if _, err := await(w.subtle.Call("exportKey", "pkcs8", pair.Get("privateKey"))); err != nil {
			return err
		}
		_, err = await(w.subtle.Call("exportKey", "raw", pair.Get("publicKey")))
		return err
	})
}

// cachedPrivateDH imports the peer's public key and derives, in one awaited
// promise, with our private key already imported.
var cachedPrivateDH = js.Global().Get("Function").New("priv", "pub", `
	return crypto.subtle.importKey("raw", pub, {name: "X25519"}, true, [])
		.then((pk) => crypto.subtle.deriveBits({name: "X25519", public: pk}, priv, 256))
		.then((bits) => new Uint8Array(bits));`)

// BenchmarkX25519WebCryptoCachedPrivateDH: the private key imported once
// (as if every PrivateKey kept a CryptoKey beside its bytes); each op imports
// the peer's public key and derives, in one awaited promise.
func BenchmarkX25519WebCryptoCachedPrivateDH(b *testing.B) {
	w := newWebCrypto(b)
	_, priv, pub, _ := w.importedPair(b)
	var out [32]byte
	benchOp(b, func() error {
		v, err := await(cachedPrivateDH.Invoke(priv, jsBytes(pub[:])))
		if err == nil {
			js.CopyBytesToGo(out[:], v)
		}
		return err
	})
}

// BenchmarkX25519WebCryptoImportPrivate: importKey of a PKCS #8 X25519 key.
func BenchmarkX25519WebCryptoImportPrivate(b *testing.B) {
	w := newWebCrypto(b)
	k, _ := webCryptoPair(b)
	benchOp(b, func() error { _, err := w.importPrivate(k.Bytes()); return err })
}

// BenchmarkX25519WebCryptoImportPublic: importKey of a raw X25519 public key.
func BenchmarkX25519WebCryptoImportPublic(b *testing.B) {
	w := newWebCrypto(b)
	_, pub := webCryptoPair(b)
	benchOp(b, func() error { _, err := w.importPublic(pub); return err })
}

// BenchmarkX25519PromiseRoundTrip is the cost of awaiting one already
// resolved Promise from Go, the overhead every WebCrypto call pays on top of
// its work.
func BenchmarkX25519PromiseRoundTrip(b *testing.B) {
	resolve := js.Global().Get("Promise")
	benchOp(b, func() error { _, err := await(resolve.Call("resolve", 1)); return err })
}

// BenchmarkX25519Interleaved runs every candidate in turn, 25 operations
// each per round, and reports each one's best round in µs per operation:
// on a shared machine the ratios between them hold even when the absolute
// numbers of separate benchmarks swing. docs/PERFORMANCE.md quotes it.
func BenchmarkX25519Interleaved(b *testing.B) {
	w := newWebCrypto(b)
	var k, u, out [32]byte
	rand.Read(k[:])
	rand.Read(u[:])
	ref, err := ecdh.X25519().NewPrivateKey(k[:])
	if err != nil {
		b.Fatal(err)
	}
	refPeer, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	sc, err := edwards25519.NewScalar().SetBytesWithClamping(k[:])
	if err != nil {
		b.Fatal(err)
	}
	ours, priv, peer, peerKey := w.importedPair(b)
	usages := js.ValueOf([]any{"deriveBits"})
	promise := js.Global().Get("Promise")
	curve25519.ScalarBaseMult(&out, &k) // builds the tables outside the timing
	signerKey := mustKey(b)
	signer, signed := signerKey.PublicKey(), []byte("signed prekey")
	sig, err := signerKey.Sign(rand.Reader, signed)
	if err != nil {
		b.Fatal(err)
	}
	sigS, err := edwards25519.NewScalar().SetCanonicalBytes(sig[32:])
	if err != nil {
		b.Fatal(err)
	}
	must := func(_ any, err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	candidates := []struct {
		metric string
		op     func()
	}{
		{"us/ecdh-DH", func() { must(ref.ECDH(refPeer.PublicKey())) }},
		{"us/PrivateKey.DH", func() { must(ours.DH(peer)) }},
		{"us/ladder", func() { curve25519.ScalarMult(&out, &k, &u) }},
		{"us/ecdh-pubkey", func() { must(ecdh.X25519().NewPrivateKey(k[:])) }},
		{"us/edwards25519-base", func() { new(edwards25519.Point).ScalarBaseMult(sc).BytesMontgomery() }},
		{"us/table-base", func() { curve25519.ScalarBaseMult(&out, &k) }},
		{"us/GenerateKey", func() { must(GenerateKey(rand.Reader)) }},
		{"us/wc-DH-3-awaits", func() { must(w.dh(ours.Bytes(), peer)) }},
		{"us/wc-DH-fused", func() { must(webCryptoFusedDH(ours.Bytes(), peer)) }},
		{"us/wc-DH-kept-private", func() { must(await(cachedPrivateDH.Invoke(priv, jsBytes(peer[:])))) }},
		{"us/wc-deriveBits", func() { must(w.deriveBits(priv, peerKey)) }},
		{"us/wc-import-private", func() { must(w.importPrivate(ours.Bytes())) }},
		{"us/wc-import-public", func() { must(w.importPublic(peer)) }},
		{"us/wc-generate-export", func() {
			pair, err := await(w.subtle.Call("generateKey", w.alg, true, usages))
			must(pair, err)
			must(await(w.subtle.Call("exportKey", "pkcs8", pair.Get("privateKey"))))
			must(await(w.subtle.Call("exportKey", "raw", pair.Get("publicKey"))))
		}},
		{"us/promise-await", func() { must(await(promise.Call("resolve", 1))) }},
		{"us/Verify", func() {
			if !signer.Verify(signed, sig) {
				b.Fatal("Verify rejected")
			}
		}},
		{"us/edwards25519-verify", func() {
			if !signer.verifyEquationEdwards25519(signed, sig[:32], 0, sigS) {
				b.Fatal("verifyEquationEdwards25519 rejected")
			}
		}},
	}
	const perRound = 25
	best := make([]time.Duration, len(candidates))
	for b.Loop() {
		for i, c := range candidates {
			start := time.Now()
			for range perRound {
				c.op()
			}
			if d := time.Since(start) / perRound; best[i] == 0 || d < best[i] {
				best[i] = d
			}
		}
	}
	for i, c := range candidates {
		b.ReportMetric(float64(best[i].Nanoseconds())/1e3, c.metric)
	}
}
