package store

import (
	"context"
	"encoding/binary"

	"github.com/dgraph-io/badger/v4"

	"sambung/wire"
)

// AddPreKeys implements Directory. A key whose id the device already has
// replaces it. It returns the count afterwards.
func (s *Badger) AddPreKeys(ctx context.Context, person string, device uint32, keys []wire.PreKey) (int, error) {
	var count int
	err := s.update(ctx, func(txn *badger.Txn) error {
		if ok, err := exists(txn, deviceKey(person, device)); err != nil || !ok {
			if err == nil {
				err = ErrUnknownDevice
			}
			return err
		}
		have := make(map[uint32]bool)
		for _, k := range keysWithPrefix(txn, preKeyPrefix(person, device)) {
			have[binary.BigEndian.Uint32(k[len(k)-4:])] = true
		}
		count = len(have)
		for _, k := range keys {
			if !have[k.ID] {
				have[k.ID] = true
				count++
			}
		}
		if count > wire.MaxStoredPreKeys {
			return ErrTooManyPreKeys
		}
		for _, k := range keys {
			if err := txn.Set(preKeyKey(person, device, k.ID), k.PublicKey); err != nil {
				return err
			}
		}
		return nil
	})
	return count, err
}

// SetSignedPreKey implements Directory.
func (s *Badger) SetSignedPreKey(ctx context.Context, person string, device uint32, spk wire.SignedPreKey) error {
	return s.update(ctx, func(txn *badger.Txn) error {
		d, err := getDevice(txn, person, device)
		if err != nil {
			return err
		}
		d.SignedPreKey = spk
		return putJSON(txn, deviceKey(person, device), &d)
	})
}

// KeyStatus implements Directory.
func (s *Badger) KeyStatus(ctx context.Context, person string, device uint32) (int, uint32, error) {
	var count int
	var signed uint32
	err := s.view(ctx, func(txn *badger.Txn) error {
		d, err := getDevice(txn, person, device)
		if err != nil {
			return err
		}
		signed = d.SignedPreKey.ID
		count = len(keysWithPrefix(txn, preKeyPrefix(person, device)))
		return nil
	})
	return count, signed, err
}

// TakeBundles implements Directory. The take and the read are one
// transaction: two lookups racing for a device's last key conflict, and
// the loser retries and finds the next key (or none).
func (s *Badger) TakeBundles(ctx context.Context, person string, want []uint32, take func(device uint32) bool) ([]Bundle, error) {
	var out []Bundle
	err := s.update(ctx, func(txn *badger.Txn) error {
		out = out[:0]
		if ok, err := exists(txn, personKey(person)); err != nil || !ok {
			if err == nil {
				err = ErrNotFound
			}
			return err
		}
		all, err := devices(txn, person)
		if err != nil {
			return err
		}
		var devs []Device
		if want == nil {
			devs = all
		} else {
			for _, id := range want {
				i := -1
				for j := range all {
					if all[j].ID == id {
						i = j
					}
				}
				if i < 0 {
					return ErrUnknownDevice
				}
				devs = append(devs, all[i])
			}
		}
		for _, d := range devs {
			b := Bundle{PreKeyBundle: wire.PreKeyBundle{
				DeviceID:       d.ID,
				RegistrationID: d.RegistrationID,
				IdentityKey:    d.IdentityKey,
				SignedPreKey:   d.SignedPreKey,
			}}
			var first []byte
			taking := take != nil && take(d.ID)
			it := txn.NewIterator(badger.IteratorOptions{Prefix: preKeyPrefix(person, d.ID)})
			for it.Rewind(); it.Valid(); it.Next() {
				if first == nil && taking {
					item := it.Item()
					first = item.KeyCopy(nil)
					pub, err := item.ValueCopy(nil)
					if err != nil {
						it.Close()
						return err
					}
					b.OneTimePreKey = &wire.PreKey{ID: binary.BigEndian.Uint32(first[len(first)-4:]), PublicKey: pub}
					b.Taken = true
					continue
				}
				b.Left++
			}
			it.Close()
			if first != nil {
				if err := txn.Delete(first); err != nil {
					return err
				}
			}
			out = append(out, b)
		}
		return nil
	})
	return out, err
}
