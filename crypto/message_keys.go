package crypto

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"crypto/subtle"
)

// macSize is how much of the HMAC-SHA256 a SignalMessage carries.
const macSize = 8

// messageKeys are the keys of one message: AES-256-CBC key, HMAC-SHA256
// key and CBC IV.
type messageKeys struct {
	cipherKey [32]byte
	macKey    [32]byte
	iv        [16]byte
}

func (messageKeys) String() string   { return "[redacted]" }
func (messageKeys) GoString() string { return "[redacted]" }

// deriveMessageKeys expands a chain's message key seed:
// HKDF(seed, salt = 32 zero bytes, "WhisperMessageKeys") gives 80 bytes,
// the cipher key, the MAC key and the IV.
func deriveMessageKeys(k *kdf, seed *messageKeySeed) messageKeys {
	var out [80]byte
	k.hkdf(out[:], seed[:], nil, labelMessageKeys)
	var mk messageKeys
	copy(mk.cipherKey[:], out[:32])
	copy(mk.macKey[:], out[32:64])
	copy(mk.iv[:], out[64:])
	return mk
}

// ciphertextSize is the AES-CBC output size for n bytes of plaintext with
// PKCS#7 padding (always at least one byte of padding).
func ciphertextSize(n int) int { return n + aes.BlockSize - n%aes.BlockSize }

// encrypt appends AES-256-CBC(plaintext, PKCS#7) to dst.
func (k *messageKeys) encrypt(dst, plaintext []byte) []byte {
	block, err := aes.NewCipher(k.cipherKey[:])
	if err != nil {
		panic("crypto: AES-256 key of 32 bytes refused") // cannot happen
	}
	n := ciphertextSize(len(plaintext))
	start := len(dst)
	dst = append(dst, make([]byte, n)...)
	out := dst[start:]
	copy(out, plaintext)
	pad := byte(n - len(plaintext))
	for i := len(plaintext); i < n; i++ {
		out[i] = pad
	}
	cipher.NewCBCEncrypter(block, k.iv[:]).CryptBlocks(out, out)
	return dst
}

// decrypt reverses encrypt. It is called only after the MAC verified, so a
// padding error means a peer that encrypted wrongly; it still reports only
// ErrInvalidMessage.
func (k *messageKeys) decrypt(ciphertext []byte) ([]byte, error) {
	if len(ciphertext) == 0 || len(ciphertext)%aes.BlockSize != 0 {
		return nil, ErrInvalidMessage
	}
	block, err := aes.NewCipher(k.cipherKey[:])
	if err != nil {
		panic("crypto: AES-256 key of 32 bytes refused") // cannot happen
	}
	out := make([]byte, len(ciphertext))
	cipher.NewCBCDecrypter(block, k.iv[:]).CryptBlocks(out, ciphertext)
	pad := int(out[len(out)-1])
	if pad == 0 || pad > aes.BlockSize {
		return nil, ErrInvalidMessage
	}
	for _, b := range out[len(out)-pad:] {
		if int(b) != pad {
			return nil, ErrInvalidMessage
		}
	}
	return out[:len(out)-pad], nil
}

// mac is libsignal's SignalMessage MAC: HMAC-SHA256(macKey, sender identity
// (33 bytes) || receiver identity (33 bytes) || version byte and protobuf),
// truncated to macSize bytes.
func (mk *messageKeys) mac(k *kdf, sender, receiver *PublicKey, versionAndBody []byte) [macSize]byte {
	k.h.setKey(mk.macKey[:])
	k.h.begin()
	var ids [2 * PublicKeySize]byte
	ids[0] = DjbType
	copy(ids[1:], sender[:])
	ids[PublicKeySize] = DjbType
	copy(ids[PublicKeySize+1:], receiver[:])
	k.h.write(ids[:])
	k.h.write(versionAndBody)
	var sum [sha256.Size]byte
	k.h.finish(&sum)
	var m [macSize]byte
	copy(m[:], sum[:macSize])
	return m
}

// verifyMAC checks a received MAC in constant time.
func (mk *messageKeys) verifyMAC(k *kdf, sender, receiver *PublicKey, versionAndBody, got []byte) bool {
	want := mk.mac(k, sender, receiver, versionAndBody)
	return subtle.ConstantTimeCompare(want[:], got) == 1
}
