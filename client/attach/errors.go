package attach

import "errors"

// Sentinel errors; test with errors.Is.
var (
	// ErrTampered reports ciphertext that does not authenticate: a chunk
	// whose GCM tag fails (a flipped bit, swapped chunks, a wrong key, a
	// size that does not match), bytes after the last chunk, or a digest
	// that does not match the pointer. It is one error for every
	// authentication failure, so an attacker learns nothing from which
	// check failed.
	ErrTampered = errors.New("attach: ciphertext tampered or wrong key")

	// ErrTruncated reports ciphertext that ends before the last chunk the
	// pointer's size calls for, as an interrupted download does.
	ErrTruncated = errors.New("attach: ciphertext truncated")

	// ErrTooLarge reports a plaintext over MaxSize.
	ErrTooLarge = errors.New("attach: file too large")

	// ErrRange reports a byte range that lies outside the file.
	ErrRange = errors.New("attach: range outside the file")

	// ErrOrder reports a Sealer or Opener used out of order: a chunk after
	// the last, or Finish before every chunk went past.
	ErrOrder = errors.New("attach: chunks used out of order")

	// ErrBadPointer reports a Pointer that does not decode or breaks a
	// bound; a *PointerError names the field.
	ErrBadPointer = errors.New("attach: malformed pointer")
)

// PointerError names the Pointer field that broke a bound. It unwraps to
// ErrBadPointer.
type PointerError struct {
	Field string
}

func (e *PointerError) Error() string { return "attach: malformed pointer field " + e.Field }

func (e *PointerError) Unwrap() error { return ErrBadPointer }
