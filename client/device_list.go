package client

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"sambung/crypto"
	"sambung/wire"
)

// fetchBundles fetches the bundles n names and starts sessions with them.
func (c *Client) fetchBundles(ctx context.Context, n need) error {
	for person, devices := range n {
		path := pathParam(wire.PathPerson, person)
		if len(devices) > 0 {
			ids := make([]string, len(devices))
			for i, d := range devices {
				ids[i] = strconv.FormatUint(uint64(d), 10)
			}
			path += "?devices=" + strings.Join(ids, ",")
		}
		var lk wire.Lookup
		if err := c.call(ctx, "GET", path, true, nil, &lk); err != nil {
			return err
		}
		if lk.PersonID != person {
			return &wire.Error{Code: wire.CodeInternal, Message: "lookup answered for another person"}
		}
		err := c.applyLookup(ctx, &lk, "", len(devices) == 0)
		if err != nil {
			return err
		}
	}
	return nil
}

// applyLookup merges a lookup into the contact and starts sessions with
// its devices, in one commit.
func (c *Client) applyLookup(ctx context.Context, lk *wire.Lookup, kind string, full bool) error {
	return c.commit(ctx, []string{contactKey(lk.PersonID)}, func(t *tx) error {
		if _, err := c.signedIn(); err != nil {
			return err
		}
		before, err := t.contact(lk.PersonID)
		if err != nil {
			return err
		}
		was := slices.Clone(before.Identities)
		cr, err := t.applyLookup(lk, kind, full)
		if err != nil {
			return err
		}
		// A lookup can be how this device first learns a person's phone
		// number or account ID (they wrote first, and a receipt to them
		// fetched their devices), or that they linked another: the list
		// shows addresses, so it is redrawn.
		if !slices.Equal(was, cr.Identities) {
			t.emit(ConversationEvent{})
		}
		if len(lk.Devices) == 0 && !full {
			return nil // names only: the device list is not known yet
		}
		return t.processBundles(lk)
	})
}

// resolveMismatch brings the device lists in line with a device_mismatch
// answer and fetches the bundles of the devices that were missing.
func (c *Client) resolveMismatch(ctx context.Context, e *wire.Error) error {
	var n need
	err := c.commit(ctx, nil, func(t *tx) error {
		if _, err := c.signedIn(); err != nil {
			return err
		}
		for _, pd := range e.Devices {
			cr, err := t.editContact(pd.Person)
			if err != nil {
				return err
			}
			for _, d := range slices.Clone(cr.Devices) {
				if !slices.Contains(pd.Devices, d.ID) {
					cr.removeDevice(d.ID)
					t.dropSession(crypto.Address{Name: pd.Person, DeviceID: d.ID})
				}
			}
		}
		for _, s := range e.Stale {
			cr, err := t.editContact(s.Person)
			if err != nil {
				return err
			}
			cr.removeDevice(s.Device)
			t.dropSession(crypto.Address{Name: s.Person, DeviceID: s.Device})
		}
		n = need{}
		for _, m := range e.Missing {
			cr, err := t.editContact(m.Person)
			if err != nil {
				return err
			}
			cr.addDevice(m.Device)
			n[m.Person] = append(n[m.Person], m.Device)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return c.fetchBundles(ctx, n)
}
