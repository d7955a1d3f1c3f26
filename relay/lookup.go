//go:build !js

package relay

import (
	"context"
	"errors"
	"net/http"

	"sambung/relay/store"
	"sambung/wire"
)

// limitLookup applies the per-person lookup limit that keeps phone numbers
// from being enumerated. It runs before the address is even parsed.
func (s *Server) limitLookup(d device) error {
	if ok, wait := s.lookupLimit.allow(d.person); !ok {
		e := wire.NewError(wire.CodeRateLimited)
		e.RetryAfter = retrySeconds(wait)
		return e
	}
	return nil
}

func (s *Server) handleLookup(w http.ResponseWriter, r *http.Request, d device) error {
	if err := s.limitLookup(d); err != nil {
		return err
	}
	addr, err := wire.ParseAddress(r.PathValue("address"))
	if err != nil {
		return err
	}
	ident, err := s.st.Identity(r.Context(), addr)
	if errors.Is(err, store.ErrNotFound) {
		return wire.NewError(wire.CodeUnknownAddress)
	}
	if err != nil {
		return err
	}
	return s.writeLookup(w, r.Context(), ident.Person, nil)
}

func (s *Server) handlePerson(w http.ResponseWriter, r *http.Request, d device) error {
	if err := s.limitLookup(d); err != nil {
		return err
	}
	id := r.PathValue("id")
	if !wire.ValidPersonID(id) {
		return wire.NewError(wire.CodeUnknownPerson)
	}
	devs, err := wire.ParseDeviceList(r.URL.Query().Get("devices"))
	if err != nil {
		return err
	}
	return s.writeLookup(w, r.Context(), id, devs)
}

// writeLookup answers with a person's identities and bundles, taking one
// one-time prekey per device, and tells devices running low.
func (s *Server) writeLookup(w http.ResponseWriter, ctx context.Context, person string, devs []uint32) error {
	p, _, err := s.st.Person(ctx, person)
	if errors.Is(err, store.ErrNotFound) {
		return wire.NewError(wire.CodeUnknownPerson)
	}
	if err != nil {
		return err
	}
	bundles, err := s.st.TakeBundles(ctx, person, devs)
	if errors.Is(err, store.ErrNotFound) {
		return wire.NewError(wire.CodeUnknownPerson)
	}
	if err != nil {
		return err
	}
	out := wire.Lookup{PersonID: person, Identities: p.Identities, Devices: []wire.PreKeyBundle{}}
	for _, b := range bundles {
		out.Devices = append(out.Devices, b.PreKeyBundle)
		if b.Left < wire.PreKeysLow {
			s.hub.keysLow(store.MailboxID{Person: person, Device: b.DeviceID}, b.Left)
		}
	}
	return writeJSON(w, http.StatusOK, out)
}
