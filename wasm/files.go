//go:build js && wasm

package main

import (
	"context"
	"crypto/rand"
	"syscall/js"

	"sambung/client"
	"sambung/client/attach"
)

// The worker's file engine (web/static/files/) moves attachment bytes:
// it reads the file, runs AES-256-GCM and SHA-256 in WebCrypto, which is
// about ten times faster than Go in wasm here, and talks to the relay's
// blob endpoints. The format stays here: a sealer or opener handle gives
// it the derived AES key and each chunk's nonce, takes each sealed chunk's
// hash in order, and builds or checks the digest. The file key itself
// never leaves Go.

// maxTransfers bounds the handles open at once: each holds a few hundred
// bytes, and a page that leaks them should hit an error, not the heap.
const maxTransfers = 64

// chunkState is what a sealer and an opener share.
type chunkState interface {
	AESKey() attach.AESKey
	NumChunks() uint64
	Nonce(i uint64) ([attach.NonceSize]byte, error)
	AddSealedHash(h [attach.HashSize]byte) error
}

// transfers holds the open handles of the core.
type transfers struct {
	next int
	open map[int]chunkState
}

// addTransfer keeps s under a new handle.
func (k *core) addTransfer(s chunkState) (int, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.files.add(s)
}

func (t *transfers) add(s chunkState) (int, error) {
	if len(t.open) >= maxTransfers {
		return 0, client.ErrTooManyTransfers
	}
	if t.open == nil {
		t.open = make(map[int]chunkState)
	}
	t.next++
	t.open[t.next] = s
	return t.next, nil
}

// handleJS describes a new handle to the engine.
func handleJS(h int, s chunkState) js.Value {
	k := s.AESKey()
	return object(map[string]any{
		"h":      h,
		"aesKey": bytesToJS(k[:]),
		"chunks": float64(s.NumChunks()),
	})
}

// maxBatch bounds the chunks of one nonces or hashes call: the engine
// asks for a batch of 128 chunks at a time, and a bigger request should
// get an error, not a large allocation.
const maxBatch = 1024

// fileFuncs are the synchronous per-batch functions of the core object:
// nonces(h, first, count) returns the nonces of chunks [first,
// first+count) joined, 12 bytes each; hashes(h, sha256s) adds the SHA-256
// of the next sealed chunks, 32 bytes each, in order; drop(h) forgets the
// handle. They run on the worker's thread between WebCrypto calls, so
// they must not block. A batch costs one crossing into Go instead of one
// per 64 KiB chunk.
func (k *core) fileFuncs() map[string]any {
	get := func(a []js.Value) (chunkState, error) {
		h := arg(a, 0)
		if h.Type() != js.TypeNumber {
			return nil, client.ErrNoTransfer
		}
		k.mu.Lock()
		s := k.files.open[h.Int()]
		k.mu.Unlock()
		if s == nil {
			return nil, client.ErrNoTransfer
		}
		return s, nil
	}
	return map[string]any{
		"nonces": js.FuncOf(func(_ js.Value, a []js.Value) any {
			s, err := get(a)
			first, count := arg(a, 1), arg(a, 2)
			if err != nil || first.Type() != js.TypeNumber || count.Type() != js.TypeNumber ||
				first.Float() < 0 || count.Int() < 1 || count.Int() > maxBatch {
				return errorValue(client.ErrNoTransfer)
			}
			out := make([]byte, 0, count.Int()*attach.NonceSize)
			for i := range uint64(count.Int()) {
				n, err := s.Nonce(uint64(first.Float()) + i)
				if err != nil {
					return errorValue(client.Public(err))
				}
				out = append(out, n[:]...)
			}
			return bytesToJS(out)
		}),
		"hashes": js.FuncOf(func(_ js.Value, a []js.Value) any {
			s, err := get(a)
			if err != nil {
				return errorValue(err)
			}
			b, err := bytesFromJS(arg(a, 1))
			if err != nil || len(b) == 0 || len(b)%attach.HashSize != 0 || len(b) > maxBatch*attach.HashSize {
				return errorValue(client.ErrNoTransfer)
			}
			for ; len(b) > 0; b = b[attach.HashSize:] {
				if err := s.AddSealedHash([attach.HashSize]byte(b)); err != nil {
					return errorValue(client.Public(err))
				}
			}
			return js.Null()
		}),
		"drop": js.FuncOf(func(_ js.Value, a []js.Value) any {
			if h := arg(a, 0); h.Type() == js.TypeNumber {
				k.mu.Lock()
				delete(k.files.open, h.Int())
				k.mu.Unlock()
			}
			return js.Null()
		}),
	}
}

// take removes and returns handle h.
func (k *core) take(h int) chunkState {
	k.mu.Lock()
	defer k.mu.Unlock()
	s := k.files.open[h]
	delete(k.files.open, h)
	return s
}

// newSealer implements the internal method _sealFile(size).
func (k *core) newSealer(size int) (js.Value, error) {
	if size < 0 || size > attach.MaxSize {
		return js.Undefined(), client.ErrFileTooLarge
	}
	s, err := attach.NewSealer(rand.Reader, uint64(size))
	if err != nil {
		return js.Undefined(), client.Public(err)
	}
	h, err := k.addTransfer(s)
	if err != nil {
		return js.Undefined(), err
	}
	return handleJS(h, s), nil
}

// sendSealed implements _sendFile(to, h, blobId, meta, caption): it
// finishes sealer h and sends its pointer.
func (k *core) sendSealed(ctx context.Context, to string, h int, p *attach.Pointer, caption string) (js.Value, error) {
	s, ok := k.take(h).(*attach.Sealer)
	if !ok {
		return js.Undefined(), client.ErrNoTransfer
	}
	d, err := s.Finish()
	if err != nil {
		return js.Undefined(), client.Public(err)
	}
	p.Key, p.Digest, p.Size = s.Key(), d, s.Size()
	m, err := k.c.SendFile(ctx, to, p, caption)
	if err != nil {
		return js.Undefined(), err
	}
	return messageJS(m), nil
}

// newOpener implements _openFile(conversationId, messageId).
func (k *core) newOpener(ctx context.Context, conv, id string) (js.Value, error) {
	p, err := k.c.FilePointer(ctx, conv, id)
	if err != nil {
		return js.Undefined(), err
	}
	o, err := attach.NewOpener(p.Key, p.Size, p.Digest)
	if err != nil {
		return js.Undefined(), client.Public(err)
	}
	h, err := k.addTransfer(o)
	if err != nil {
		return js.Undefined(), err
	}
	v := handleJS(h, o)
	v.Set("blobId", p.BlobID)
	v.Set("size", float64(p.Size))
	v.Set("cipherSize", float64(attach.CiphertextSize(p.Size)))
	v.Set("name", p.FileName)
	v.Set("mime", p.MIME)
	return v, nil
}

// finishOpener implements _finishFile(h): nil once every chunk went past
// and the digest matches.
func (k *core) finishOpener(h int) error {
	o, ok := k.take(h).(*attach.Opener)
	if !ok {
		return client.ErrNoTransfer
	}
	return client.Public(o.Finish())
}

// pointerMeta reads the engine's description of a file.
func pointerMeta(a *args, i int, blobID string) *attach.Pointer {
	m := a.at(i)
	if m.Type() != js.TypeObject {
		a.fail("meta", "an object")
		return nil
	}
	p := &attach.Pointer{BlobID: blobID}
	if v := m.Get("mime"); v.Type() == js.TypeString {
		p.MIME = v.String()
	}
	if v := m.Get("name"); v.Type() == js.TypeString {
		p.FileName = v.String()
	}
	for _, f := range []struct {
		key string
		dst *uint32
	}{{"width", &p.Width}, {"height", &p.Height}, {"durationMs", &p.DurationMs}} {
		if v := m.Get(f.key); v.Type() == js.TypeNumber && v.Float() >= 0 && v.Float() < 1<<32 {
			*f.dst = uint32(v.Float())
		}
	}
	if v := m.Get("thumbnail"); v.Type() == js.TypeObject {
		b, err := bytesFromJS(v)
		if err != nil || len(b) > attach.MaxThumbnailLen {
			a.fail("meta.thumbnail", "a Uint8Array of at most 16 KiB")
			return nil
		}
		p.Thumbnail = b
	}
	return p
}
