package crypto

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
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

func (messageKeys) String() string { return "[redacted]" }

// deriveMessageKeys expands a chain's message key seed:
// HKDF(seed, salt = 32 zero bytes, "WhisperMessageKeys") gives 80 bytes,
// the cipher key, the MAC key and the IV.
func deriveMessageKeys(seed *messageKeySeed) messageKeys {
	var zeroSalt [32]byte
	var out [80]byte
	hkdfSHA256(out[:], seed[:], zeroSalt[:], labelMessageKeys)
	var k messageKeys
	copy(k.cipherKey[:], out[:32])
	copy(k.macKey[:], out[32:64])
	copy(k.iv[:], out[64:])
	return k
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
func (k *messageKeys) mac(sender, receiver *PublicKey, versionAndBody []byte) [macSize]byte {
	h := hmac.New(sha256.New, k.macKey[:])
	var id [PublicKeySize]byte
	id[0] = DjbType
	copy(id[1:], sender[:])
	h.Write(id[:])
	copy(id[1:], receiver[:])
	h.Write(id[:])
	h.Write(versionAndBody)
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	var m [macSize]byte
	copy(m[:], sum[:macSize])
	return m
}

// verifyMAC checks a received MAC in constant time.
func (k *messageKeys) verifyMAC(sender, receiver *PublicKey, versionAndBody, got []byte) bool {
	want := k.mac(sender, receiver, versionAndBody)
	return subtle.ConstantTimeCompare(want[:], got) == 1
}
