//go:build !js

package relay

import (
	"errors"
	"net/http"

	"sambung/relay/internal/httpjson"
	"sambung/relay/store"
	"sambung/wire"
)

func (s *Server) handlePhoneCode(w http.ResponseWriter, r *http.Request) error {
	if err := s.limitAuth(r); err != nil {
		return err
	}
	var req wire.PhoneCodeRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	phone, err := wire.NormalizePhone(req.Phone)
	if err != nil {
		return err
	}
	next, err := s.issueCode(r.Context(), CodeCheckRequest{Phone: phone, Country: countryCode(phone), Addr: addrKey(r), Proof: req.Proof})
	if err != nil {
		return err
	}
	return httpjson.Write(w, http.StatusOK, &wire.PhoneCodeResponse{
		Phone:     phone,
		ExpiresIn: int(s.cfg.CodeTTL.Seconds()),
		ResendIn:  int(next.Seconds()),
	})
}

// handlePhoneVerify signs in with a phone: a new number makes a new person,
// a known one gets a new device.
func (s *Server) handlePhoneVerify(w http.ResponseWriter, r *http.Request) error {
	if err := s.limitAuth(r); err != nil {
		return err
	}
	var req wire.PhoneVerifyRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	phone, err := wire.NormalizePhone(req.Phone)
	if err != nil {
		return err
	}
	// Check the keys before spending the code on them.
	dev, tok, err := newDevice(&req.Device)
	if err != nil {
		return err
	}
	if err := s.checkCode(r.Context(), phone, req.Code); err != nil {
		return err
	}
	addr := wire.PhoneAddress(phone)
	ctx := r.Context()
	// Two tries: a first sign-in racing with another for the same new
	// number loses CreatePerson and then finds the winner's person.
	for range 2 {
		ident, err := s.st.Identity(ctx, addr)
		switch {
		case err == nil:
			id, err := s.st.AddDevice(ctx, ident.Person, dev, s.cfg.Now())
			if err != nil {
				return err
			}
			return httpjson.Write(w, http.StatusOK, &wire.Session{PersonID: ident.Person, DeviceID: id, Token: tok})
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		person := newPersonID()
		id, err := s.st.CreatePerson(ctx, person, addr, store.Identity{}, dev, s.cfg.Now())
		if errors.Is(err, store.ErrTaken) {
			continue
		}
		if err != nil {
			return err
		}
		s.log.Info("person created", "person", person, "kind", wire.KindPhone)
		return httpjson.Write(w, http.StatusOK, &wire.Session{PersonID: person, DeviceID: id, Token: tok, Created: true})
	}
	return wire.NewError(wire.CodeUnavailable)
}

// accountRequest decodes and checks an account sign-up or sign-in.
func (s *Server) accountRequest(w http.ResponseWriter, r *http.Request) (wire.Address, *wire.AccountRequest, store.NewDevice, []byte, error) {
	var req wire.AccountRequest
	if err := s.limitAuth(r); err != nil {
		return wire.Address{}, nil, store.NewDevice{}, nil, err
	}
	if err := decodeJSON(w, r, &req); err != nil {
		return wire.Address{}, nil, store.NewDevice{}, nil, err
	}
	id, err := wire.NormalizeAccountID(req.AccountID)
	if err != nil {
		return wire.Address{}, nil, store.NewDevice{}, nil, err
	}
	if err := wire.ValidatePassword(req.Password); err != nil {
		return wire.Address{}, nil, store.NewDevice{}, nil, err
	}
	dev, tok, err := newDevice(&req.Device)
	return wire.AccountAddress(id), &req, dev, tok, err
}

func (s *Server) handleAccountSignUp(w http.ResponseWriter, r *http.Request) error {
	addr, req, dev, tok, err := s.accountRequest(w, r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	// A cheap check first, so a taken ID costs no argon2id run.
	if _, err := s.st.Identity(ctx, addr); err == nil {
		return wire.NewError(wire.CodeAccountTaken)
	}
	hash := s.hashPassword(req.Password)
	person := newPersonID()
	id, err := s.st.CreatePerson(ctx, person, addr, store.Identity{Password: &hash}, dev, s.cfg.Now())
	if errors.Is(err, store.ErrTaken) {
		return wire.NewError(wire.CodeAccountTaken)
	}
	if err != nil {
		return err
	}
	s.log.Info("person created", "person", person, "kind", wire.KindAccount)
	return httpjson.Write(w, http.StatusCreated, &wire.Session{PersonID: person, DeviceID: id, Token: tok, Created: true})
}

func (s *Server) handleAccountSignIn(w http.ResponseWriter, r *http.Request) error {
	addr, req, dev, tok, err := s.accountRequest(w, r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	ident, err := s.st.Identity(ctx, addr)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err != nil || ident.Password == nil {
		// Spend the same work as a real check: an unknown account must not
		// answer faster than a wrong password.
		s.checkPassword(req.Password, &s.dummyHash)
		return wire.NewError(wire.CodeBadCredentials)
	}
	fails, err := s.chargePassword(ctx, addr)
	if err != nil {
		return err
	}
	if !s.checkPassword(req.Password, ident.Password) {
		s.passwordWrong(ctx, ident.Person, fails)
		return wire.NewError(wire.CodeBadCredentials)
	}
	s.passwordRight(ctx, addr)
	id, err := s.st.AddDevice(ctx, ident.Person, dev, s.cfg.Now())
	if err != nil {
		return err
	}
	return httpjson.Write(w, http.StatusOK, &wire.Session{PersonID: ident.Person, DeviceID: id, Token: tok})
}

// me builds the Me view of a device's person.
func (s *Server) me(r *http.Request, d device) (wire.Me, error) {
	p, devs, err := s.st.Person(r.Context(), d.person)
	if err != nil {
		return wire.Me{}, err
	}
	return wire.Me{PersonID: p.ID, DeviceID: d.id, Identities: p.Identities, Devices: deviceInfos(devs)}, nil
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request, d device) error {
	m, err := s.me(r, d)
	return reply(w, &m, err)
}

// canLink refuses what must fail before a link spends a code or a
// password hash: the person has an identity of addr's kind already, or
// addr is someone's (taken).
func (s *Server) canLink(r *http.Request, d device, addr wire.Address, taken wire.Code) error {
	p, _, err := s.st.Person(r.Context(), d.person)
	if err != nil {
		return err
	}
	for _, a := range p.Identities {
		if a.Kind == addr.Kind {
			return wire.NewError(wire.CodeAlreadyLinked)
		}
	}
	if _, err := s.st.Identity(r.Context(), addr); err == nil {
		return wire.NewError(taken)
	}
	return nil
}

func (s *Server) handleLinkPhone(w http.ResponseWriter, r *http.Request, d device) error {
	var req wire.LinkPhoneRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	phone, err := wire.NormalizePhone(req.Phone)
	if err != nil {
		return err
	}
	addr := wire.PhoneAddress(phone)
	if err := s.canLink(r, d, addr, wire.CodePhoneTaken); err != nil {
		return err
	}
	if err := s.checkCode(r.Context(), phone, req.Code); err != nil {
		return err
	}
	err = s.st.Link(r.Context(), d.person, addr, store.Identity{})
	if errors.Is(err, store.ErrTaken) {
		return wire.NewError(wire.CodePhoneTaken)
	}
	if err != nil {
		return err
	}
	return s.handleMe(w, r, d)
}

func (s *Server) handleLinkAccount(w http.ResponseWriter, r *http.Request, d device) error {
	var req wire.LinkAccountRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	id, err := wire.NormalizeAccountID(req.AccountID)
	if err != nil {
		return err
	}
	if err := wire.ValidatePassword(req.Password); err != nil {
		return err
	}
	addr := wire.AccountAddress(id)
	if err := s.canLink(r, d, addr, wire.CodeAccountTaken); err != nil {
		return err
	}
	hash := s.hashPassword(req.Password)
	err = s.st.Link(r.Context(), d.person, addr, store.Identity{Password: &hash})
	if errors.Is(err, store.ErrTaken) {
		return wire.NewError(wire.CodeAccountTaken)
	}
	if err != nil {
		return err
	}
	return s.handleMe(w, r, d)
}

func (s *Server) handleUnlink(w http.ResponseWriter, r *http.Request, d device) error {
	addr, err := wire.ParseAddress(r.PathValue("address"))
	if err != nil {
		return err
	}
	if err := s.st.Unlink(r.Context(), d.person, addr); err != nil {
		return err
	}
	return s.handleMe(w, r, d)
}
