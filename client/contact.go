package client

import (
	"slices"
	"sort"
	"strings"

	"sambung/crypto"
	"sambung/internal/jsonw"
	"sambung/wire"
)

// contactRecord is what this device keeps about one person (a contact, or
// this device's own person for its other devices): their identities, the
// devices they have as far as this device knows with each device's
// identity key, and the conversation's state. It is stored as JSON under
// contact/<person>.
type contactRecord struct {
	PersonID   string   `json:"personId"`
	Identities []string `json:"identities,omitempty"`
	Kind       string   `json:"kind,omitempty"`
	// Known is set once the device list came from the relay (a lookup or a
	// device_mismatch); before, only devices that wrote to us are known.
	// Devices found on the first list are trusted on first use.
	Known   bool           `json:"known,omitempty"`
	Devices []deviceRecord `json:"devices,omitempty"` // by id

	// Conversation state.
	LastOrder string `json:"lastOrder,omitempty"` // order of the newest message
	Unread    int    `json:"unread,omitempty"`
}

// deviceRecord is one device of a contact. Key is nil until this device
// has the device's bundle or a message from it.
type deviceRecord struct {
	ID       uint32 `json:"id"`
	Key      []byte `json:"key,omitempty"` // 33-byte libsignal encoding
	Accepted bool   `json:"accepted,omitempty"`
}

func (d *deviceRecord) hasKey(k crypto.PublicKey) bool {
	if d.Key == nil {
		return false
	}
	pk, err := crypto.ParsePublicKey(d.Key)
	return err == nil && pk.Equal(k)
}

func (cr *contactRecord) device(id uint32) *deviceRecord {
	for i := range cr.Devices {
		if cr.Devices[i].ID == id {
			return &cr.Devices[i]
		}
	}
	return nil
}

// setDevice records key for device id.
func (cr *contactRecord) setDevice(id uint32, key crypto.PublicKey, accepted bool) {
	d := cr.device(id)
	if d == nil {
		cr.Devices = append(cr.Devices, deviceRecord{ID: id})
		sort.Slice(cr.Devices, func(i, j int) bool { return cr.Devices[i].ID < cr.Devices[j].ID })
		d = cr.device(id)
	}
	d.Key = key.Bytes()
	d.Accepted = accepted
}

// addDevice records that device id exists, key unknown.
func (cr *contactRecord) addDevice(id uint32) {
	if cr.device(id) != nil {
		return
	}
	cr.Devices = append(cr.Devices, deviceRecord{ID: id})
	sort.Slice(cr.Devices, func(i, j int) bool { return cr.Devices[i].ID < cr.Devices[j].ID })
}

func (cr *contactRecord) removeDevice(id uint32) {
	cr.Devices = slices.DeleteFunc(cr.Devices, func(d deviceRecord) bool { return d.ID == id })
}

// identityChanged reports whether a device key is waiting for the user.
func (cr *contactRecord) identityChanged() bool {
	for _, d := range cr.Devices {
		if d.Key != nil && !d.Accepted {
			return true
		}
	}
	return false
}

func (cr *contactRecord) clone() *contactRecord {
	n := *cr
	n.Identities = slices.Clone(cr.Identities)
	n.Devices = slices.Clone(cr.Devices)
	return &n
}

// public returns the Contact the API shows.
func (cr *contactRecord) public() Contact {
	return Contact{
		PersonID:        cr.PersonID,
		Identities:      nonNil(cr.Identities),
		Kind:            cr.kind(),
		IdentityChanged: cr.identityChanged(),
	}
}

// kind is the kind of address the person was found by, or for someone who
// wrote first, the kind of their first address.
func (cr *contactRecord) kind() string {
	if cr.Kind != "" || len(cr.Identities) == 0 {
		return cr.Kind
	}
	k, _, _ := strings.Cut(cr.Identities[0], ":")
	return k
}

// title is how the conversation list names the person: the address of
// the kind they were found by, else any address, else their person id.
func (cr *contactRecord) title() string {
	for _, a := range cr.Identities {
		if cr.Kind != "" && strings.HasPrefix(a, cr.Kind+":") {
			return a
		}
	}
	if len(cr.Identities) > 0 {
		return cr.Identities[0]
	}
	return cr.PersonID
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// contact returns person's contact record as this tx sees it (a record
// with only the person id when there is none). Do not change it: use
// editContact.
func (t *tx) contact(person string) (*contactRecord, error) {
	if cr := t.contacts[person]; cr != nil {
		return cr, nil
	}
	if cr := t.c.contacts[person]; cr != nil {
		return cr, nil
	}
	b, ok, err := t.get(contactKey(person))
	if err != nil {
		return nil, err
	}
	cr := &contactRecord{PersonID: person}
	if ok {
		if err := jsonw.Unmarshal(b, cr); err != nil || cr.PersonID != person {
			return nil, ErrCorruptState.with(err)
		}
		t.c.contacts[person] = cr
	}
	return cr, nil
}

// editContact returns a working copy of person's contact record that is
// written when the tx is staged.
func (t *tx) editContact(person string) (*contactRecord, error) {
	if cr := t.contacts[person]; cr != nil {
		return cr, nil
	}
	cr, err := t.contact(person)
	if err != nil {
		return nil, err
	}
	cr = cr.clone()
	t.contacts[person] = cr
	return cr, nil
}

// applyLookup merges a lookup's identities and device list into person's
// record: devices not on the list are gone, devices on it exist. The
// bundles themselves go through processBundles.
func (t *tx) applyLookup(lk *wire.Lookup, kind string, full bool) (*contactRecord, error) {
	cr, err := t.editContact(lk.PersonID)
	if err != nil {
		return nil, err
	}
	if len(lk.Identities) > 0 {
		// A lookup by address names only that address: it adds to what is
		// known. A fetch of the person lists all they show this person.
		if full {
			cr.Identities = cr.Identities[:0]
		}
		for _, a := range lk.Identities {
			if slices.Contains(cr.Identities, a.String()) {
				continue
			}
			cr.Identities = append(cr.Identities, a.String())
			t.put(addrKey(a.String()), []byte(lk.PersonID))
			t.staged = append(t.staged, func() { t.c.addrs[a.String()] = lk.PersonID })
		}
	}
	if kind != "" {
		cr.Kind = kind
	}
	if full {
		// A full list: remove devices that are gone.
		present := make(map[uint32]bool, len(lk.Devices))
		for _, b := range lk.Devices {
			present[b.DeviceID] = true
		}
		for _, d := range slices.Clone(cr.Devices) {
			if !present[d.ID] {
				cr.removeDevice(d.ID)
				t.dropSession(crypto.Address{Name: lk.PersonID, DeviceID: d.ID})
			}
		}
	}
	for _, b := range lk.Devices {
		cr.addDevice(b.DeviceID)
	}
	return cr, nil
}

// processBundles starts a session with every device of the lookup that
// has none. The first device list of a person is trusted on first use.
func (t *tx) processBundles(lk *wire.Lookup) error {
	cr, err := t.contact(lk.PersonID)
	if err != nil {
		return err
	}
	if !cr.Known {
		t.trustAll[lk.PersonID] = true
	}
	for i := range lk.Devices {
		b := &lk.Devices[i]
		addr := crypto.Address{Name: lk.PersonID, DeviceID: b.DeviceID}
		if lk.PersonID == t.c.acct.PersonID && b.DeviceID == t.c.acct.DeviceID {
			continue
		}
		ok, err := t.hasSession(addr)
		if err != nil {
			return err
		}
		if ok {
			continue
		}
		bundle, err := cryptoBundle(b)
		if err != nil {
			return err
		}
		if err := crypto.ProcessPreKeyBundle(noIO, t.store(), addr, bundle, t.c.cfg.Rand); err != nil {
			return err
		}
	}
	cr, err = t.editContact(lk.PersonID)
	if err != nil {
		return err
	}
	cr.Known = true
	return nil
}

// cryptoBundle converts a relay bundle to package crypto's form.
func cryptoBundle(b *wire.PreKeyBundle) (*crypto.PreKeyBundle, error) {
	ik, err := crypto.ParsePublicKey(b.IdentityKey)
	if err != nil {
		return nil, err
	}
	spk, err := crypto.ParsePublicKey(b.SignedPreKey.PublicKey)
	if err != nil {
		return nil, err
	}
	out := &crypto.PreKeyBundle{
		RegistrationID:        b.RegistrationID,
		DeviceID:              b.DeviceID,
		IdentityKey:           ik,
		SignedPreKeyID:        b.SignedPreKey.ID,
		SignedPreKey:          spk,
		SignedPreKeySignature: b.SignedPreKey.Signature,
	}
	if b.OneTimePreKey != nil {
		pk, err := crypto.ParsePublicKey(b.OneTimePreKey.PublicKey)
		if err != nil {
			return nil, err
		}
		out.PreKeyID = b.OneTimePreKey.ID
		out.PreKey = &pk
	}
	return out, nil
}
