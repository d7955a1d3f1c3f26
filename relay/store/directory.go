package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"

	"sambung/wire"
)

// touchInterval limits lastSeen writes to one a minute per device: every
// connect would otherwise be a synced write.
const touchInterval = time.Minute

var errPersonExists = errors.New("store: person id already exists")

func getJSON(txn *badger.Txn, k []byte, v any) error {
	item, err := txn.Get(k)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	return item.Value(func(b []byte) error { return json.Unmarshal(b, v) })
}

func putJSON(txn *badger.Txn, k []byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return txn.Set(k, b)
}

func exists(txn *badger.Txn, k []byte) (bool, error) {
	_, err := txn.Get(k)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	return err == nil, err
}

// keysWithPrefix returns copies of every key under prefix.
func keysWithPrefix(txn *badger.Txn, prefix []byte) [][]byte {
	var keys [][]byte
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		keys = append(keys, it.Item().KeyCopy(nil))
	}
	return keys
}

// putDevice writes a device record, its token and its first prekeys.
func putDevice(txn *badger.Txn, person string, dev *NewDevice) error {
	if len(dev.PreKeys) > wire.MaxStoredPreKeys {
		return ErrTooManyPreKeys
	}
	d := &dev.Device
	if err := putJSON(txn, deviceKey(person, d.ID), d); err != nil {
		return err
	}
	if err := txn.Set(tokenKey(d.TokenHash), append([]byte(person), be32(d.ID)...)); err != nil {
		return err
	}
	for _, k := range dev.PreKeys {
		if err := txn.Set(preKeyKey(person, d.ID, k.ID), k.PublicKey); err != nil {
			return err
		}
	}
	return nil
}

// CreatePerson implements Directory.
func (s *Badger) CreatePerson(ctx context.Context, id string, addr wire.Address, ident Identity, dev NewDevice, now time.Time) (uint32, error) {
	ident.Person = id
	dev.Device.ID = 1
	dev.Device.Created = now.UnixMilli()
	dev.Device.LastSeen = now.UnixMilli()
	err := s.update(ctx, func(txn *badger.Txn) error {
		if ok, err := exists(txn, identityKey(addr)); err != nil || ok {
			if ok {
				return ErrTaken
			}
			return err
		}
		if ok, err := exists(txn, personKey(id)); err != nil || ok {
			if ok {
				return errPersonExists
			}
			return err
		}
		p := Person{ID: id, Identities: []wire.Address{addr}, Created: now.UnixMilli(), NextDevice: 2}
		if err := putJSON(txn, personKey(id), &p); err != nil {
			return err
		}
		if err := putJSON(txn, identityKey(addr), &ident); err != nil {
			return err
		}
		return putDevice(txn, id, &dev)
	})
	return 1, err
}

// AddDevice implements Directory.
func (s *Badger) AddDevice(ctx context.Context, person string, dev NewDevice, now time.Time) (uint32, error) {
	defer s.devices.invalidate(person)
	var id uint32
	err := s.update(ctx, func(txn *badger.Txn) error {
		var p Person
		if err := getJSON(txn, personKey(person), &p); err != nil {
			return err
		}
		if len(keysWithPrefix(txn, devicePrefix(person))) >= wire.MaxDevicesPerPerson {
			return ErrTooManyDevices
		}
		id = p.NextDevice
		p.NextDevice++
		if err := putJSON(txn, personKey(person), &p); err != nil {
			return err
		}
		d := dev
		d.Device.ID = id
		d.Device.Created = now.UnixMilli()
		d.Device.LastSeen = now.UnixMilli()
		return putDevice(txn, person, &d)
	})
	return id, err
}

// Identity implements Directory.
func (s *Badger) Identity(ctx context.Context, addr wire.Address) (Identity, error) {
	var ident Identity
	err := s.view(ctx, func(txn *badger.Txn) error { return getJSON(txn, identityKey(addr), &ident) })
	return ident, err
}

// Link implements Directory.
func (s *Badger) Link(ctx context.Context, person string, addr wire.Address, ident Identity) error {
	ident.Person = person
	return s.update(ctx, func(txn *badger.Txn) error {
		var p Person
		if err := getJSON(txn, personKey(person), &p); err != nil {
			return err
		}
		for _, a := range p.Identities {
			if a.Kind == addr.Kind {
				return ErrAlreadyLinked
			}
		}
		if ok, err := exists(txn, identityKey(addr)); err != nil || ok {
			if ok {
				return ErrTaken
			}
			return err
		}
		p.Identities = append(p.Identities, addr)
		if err := putJSON(txn, personKey(person), &p); err != nil {
			return err
		}
		return putJSON(txn, identityKey(addr), &ident)
	})
}

// Unlink implements Directory.
func (s *Badger) Unlink(ctx context.Context, person string, addr wire.Address) error {
	return s.update(ctx, func(txn *badger.Txn) error {
		var p Person
		if err := getJSON(txn, personKey(person), &p); err != nil {
			return err
		}
		i := slices.Index(p.Identities, addr)
		if i < 0 {
			return ErrNotLinked
		}
		if len(p.Identities) == 1 {
			return ErrLastIdentity
		}
		p.Identities = slices.Delete(p.Identities, i, i+1)
		if err := putJSON(txn, personKey(person), &p); err != nil {
			return err
		}
		return txn.Delete(identityKey(addr))
	})
}

// devices reads every device record of a person, in id order.
func devices(txn *badger.Txn, person string) ([]Device, error) {
	var out []Device
	it := txn.NewIterator(badger.IteratorOptions{Prefix: devicePrefix(person), PrefetchValues: true, PrefetchSize: wire.MaxDevicesPerPerson})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		var d Device
		if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &d) }); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// Person implements Directory.
func (s *Badger) Person(ctx context.Context, person string) (Person, []Device, error) {
	var p Person
	var devs []Device
	err := s.view(ctx, func(txn *badger.Txn) error {
		if err := getJSON(txn, personKey(person), &p); err != nil {
			return err
		}
		var err error
		devs, err = devices(txn, person)
		return err
	})
	return p, devs, err
}

// DeviceIDs implements Directory. It reads keys only.
// The ids are cached until a device of the person is added or removed.
func (s *Badger) DeviceIDs(ctx context.Context, person string) ([]uint32, error) {
	ids, gen, ok := s.devices.get(person)
	if ok {
		return ids, nil
	}
	err := s.view(ctx, func(txn *badger.Txn) error {
		for _, k := range keysWithPrefix(txn, devicePrefix(person)) {
			ids = append(ids, binary.BigEndian.Uint32(k[len(k)-4:]))
		}
		if len(ids) == 0 {
			if ok, err := exists(txn, personKey(person)); err != nil || !ok {
				if err == nil {
					err = ErrNotFound
				}
				return err
			}
		}
		return nil
	})
	if err == nil {
		s.devices.put(person, ids, gen)
	}
	return ids, err
}

// Authenticate implements Directory.
func (s *Badger) Authenticate(ctx context.Context, tokenHash [32]byte) (string, uint32, error) {
	var person string
	var device uint32
	err := s.view(ctx, func(txn *badger.Txn) error {
		item, err := txn.Get(tokenKey(tokenHash))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error {
			if len(v) != personIDLen+4 {
				return ErrNotFound
			}
			person = string(v[:personIDLen])
			device = binary.BigEndian.Uint32(v[personIDLen:])
			return nil
		})
	})
	return person, device, err
}

// TouchDevice implements Directory: it records lastSeen, at most once a
// minute.
func (s *Badger) TouchDevice(ctx context.Context, person string, device uint32, now time.Time) error {
	return s.update(ctx, func(txn *badger.Txn) error {
		var d Device
		if err := getJSON(txn, deviceKey(person, device), &d); err != nil {
			return err
		}
		if now.UnixMilli()-d.LastSeen < touchInterval.Milliseconds() {
			return nil
		}
		d.LastSeen = now.UnixMilli()
		return putJSON(txn, deviceKey(person, device), &d)
	})
}

// getDevice reads a device's record; ErrUnknownDevice when it has none.
func getDevice(txn *badger.Txn, person string, device uint32) (Device, error) {
	var d Device
	err := getJSON(txn, deviceKey(person, device), &d)
	if errors.Is(err, ErrNotFound) {
		err = ErrUnknownDevice
	}
	return d, err
}

// RemoveDevice implements Directory.
func (s *Badger) RemoveDevice(ctx context.Context, person string, device uint32) error {
	defer s.devices.invalidate(person)
	return s.update(ctx, func(txn *badger.Txn) error {
		d, err := getDevice(txn, person, device)
		if err != nil {
			return err
		}
		for _, k := range keysWithPrefix(txn, preKeyPrefix(person, device)) {
			if err := txn.Delete(k); err != nil {
				return err
			}
		}
		if err := txn.Delete(tokenKey(d.TokenHash)); err != nil {
			return err
		}
		return txn.Delete(deviceKey(person, device))
	})
}
