//go:build !js

package relay

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

	"sambung/crypto"
	"sambung/relay/store"
	"sambung/wire"
)

// device is the authenticated caller of a request or websocket.
type device struct {
	person string
	id     uint32
}

func (d device) mailbox() store.MailboxID { return store.MailboxID{Person: d.person, Device: d.id} }

// authedFunc is a handler for an authenticated device.
type authedFunc func(w http.ResponseWriter, r *http.Request, d device) error

// authed wraps h with bearer-token authentication.
func (s *Server) authed(h authedFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		d, err := s.bearer(r)
		if err != nil {
			return err
		}
		return h(w, r, d)
	}
}

// bearer finds the device of a request's "Authorization: Bearer <base64
// token>" header: every authenticated HTTP endpoint, the blob store's too.
func (s *Server) bearer(r *http.Request) (device, error) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, wire.AuthScheme) {
		return device{}, errUnauthorized
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(tok))
	if err != nil {
		return device{}, errUnauthorized
	}
	return s.authenticate(r.Context(), raw)
}

// authenticate finds the device a raw token belongs to. Only the token's
// SHA-256 is stored, so a copy of the database signs nobody in.
func (s *Server) authenticate(ctx context.Context, token []byte) (device, error) {
	if len(token) != wire.TokenSize {
		return device{}, errUnauthorized
	}
	person, id, err := s.st.Authenticate(ctx, sha256.Sum256(token))
	if errors.Is(err, store.ErrNotFound) {
		return device{}, errUnauthorized
	}
	if err != nil {
		return device{}, err
	}
	return device{person, id}, nil
}

// newToken makes a device token and the hash the store keeps.
func newToken() ([]byte, [32]byte) {
	tok := make([]byte, wire.TokenSize)
	rand.Read(tok)
	return tok, sha256.Sum256(tok)
}

// newPersonID makes a random person id.
func newPersonID() string {
	var b [wire.PersonIDSize]byte
	rand.Read(b[:])
	return wire.EncodePersonID(b)
}

// verifySignedPreKey checks the XEdDSA signature of a signed prekey's
// 33-byte public key under the device's identity key.
func verifySignedPreKey(identityKey []byte, spk *wire.SignedPreKey) error {
	ik, err := crypto.ParsePublicKey(identityKey)
	if err != nil {
		return wire.Errorf(wire.CodeBadKeys, "identityKey is not a Curve25519 public key")
	}
	if !ik.Verify(spk.PublicKey, spk.Signature) {
		return wire.NewError(wire.CodeBadSignature)
	}
	return nil
}

// newDevice checks a device registration and turns it into a store record
// and the token to give back.
func newDevice(keys *wire.DeviceKeys) (store.NewDevice, []byte, error) {
	if err := keys.Validate(); err != nil {
		return store.NewDevice{}, nil, err
	}
	if err := verifySignedPreKey(keys.IdentityKey, &keys.SignedPreKey); err != nil {
		return store.NewDevice{}, nil, err
	}
	tok, hash := newToken()
	return store.NewDevice{
		Device: store.Device{
			Name:           keys.Name,
			RegistrationID: keys.RegistrationID,
			IdentityKey:    keys.IdentityKey,
			SignedPreKey:   keys.SignedPreKey,
			TokenHash:      hash,
		},
		PreKeys: keys.OneTimePreKeys,
	}, tok, nil
}
