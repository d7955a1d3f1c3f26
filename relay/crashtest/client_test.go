//go:build !js

package crashtest

import (
	"crypto/sha256"

	"sambung/wire"
)

// password is every test account's password.
const password = "crash test password"

// bodyFor is the ciphertext sent under id: derived from the id, so that a
// receiver checks that what arrived is what was sent.
func bodyFor(id string) []byte {
	a := sha256.Sum256([]byte(id))
	b := sha256.Sum256(a[:])
	return append(a[:], b[:]...)
}

// message is one envelope the test sends: its id and the recipient's index.
type message struct {
	id        string
	recipient int
}

// sendFrame is the send of m from a one-device person to a one-device
// person: one envelope, no self copies. The request id is the envelope id.
func sendFrame(m message, to wire.Session) *wire.SendFrame {
	return &wire.SendFrame{ID: m.id, To: to.PersonID, Envelopes: []wire.Envelope{{
		ID: m.id, Device: to.DeviceID, Type: 1, Body: bodyFor(m.id), TS: 1_700_000_000_000,
	}}}
}
