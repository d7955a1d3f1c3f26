//go:build !js

package relay

import (
	"net/http"

	"sambung/wire"
)

func (s *Server) keyStatus(r *http.Request, d device) (wire.KeyStatus, error) {
	n, signed, err := s.st.KeyStatus(r.Context(), d.person, d.id)
	if err != nil {
		return wire.KeyStatus{}, err
	}
	return wire.KeyStatus{OneTimePreKeys: n, Low: n < wire.PreKeysLow, SignedPreKeyID: signed}, nil
}

func (s *Server) handleKeyStatus(w http.ResponseWriter, r *http.Request, d device) error {
	st, err := s.keyStatus(r, d)
	return reply(w, &st, err)
}

func (s *Server) handleAddPreKeys(w http.ResponseWriter, r *http.Request, d device) error {
	var req wire.PreKeyUpload
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if err := wire.ValidatePreKeys(req.OneTimePreKeys); err != nil {
		return err
	}
	if _, err := s.st.AddPreKeys(r.Context(), d.person, d.id, req.OneTimePreKeys); err != nil {
		return err
	}
	return s.handleKeyStatus(w, r, d)
}

// handleSignedPreKey rotates the signed prekey after checking its
// signature under the device's registered identity key.
func (s *Server) handleSignedPreKey(w http.ResponseWriter, r *http.Request, d device) error {
	var req wire.SignedPreKeyUpload
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if err := req.SignedPreKey.Validate(); err != nil {
		return err
	}
	_, devs, err := s.st.Person(r.Context(), d.person)
	if err != nil {
		return err
	}
	var ik []byte
	for i := range devs {
		if devs[i].ID == d.id {
			ik = devs[i].IdentityKey
		}
	}
	if ik == nil {
		return errUnauthorized // removed between authentication and here
	}
	if err := verifySignedPreKey(ik, &req.SignedPreKey); err != nil {
		return err
	}
	if err := s.st.SetSignedPreKey(r.Context(), d.person, d.id, req.SignedPreKey); err != nil {
		return err
	}
	return s.handleKeyStatus(w, r, d)
}
