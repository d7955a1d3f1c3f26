package store

// The operations of a flush: append, delete and drop, each staged in the
// flush's transaction by the writer goroutine (writer.go).

import (
	"errors"

	"github.com/dgraph-io/badger/v4"

	"sambung/wire"
)

const (
	decideStore = iota
	decideDuplicate
	decideDrop
)

// part counts what one op adds to one sender's share of one mailbox.
type part struct {
	m    MailboxID
	from string
	n    int
}

// personAdd counts the bytes one op adds to one person's mailboxes.
type personAdd struct {
	person string
	bytes  int64
}

// append stores one send all or none: first it decides every envelope
// (store, duplicate, or drop for a removed device) and checks the limits
// (depth, shares, bytes), then it writes. A send has a few envelopes for
// one or two people, so its tallies are small slices on the stack.
func (f *flush) append(op *writeOp) {
	var decBuf [wire.MaxEnvelopesPerSend]uint8
	var valBuf [wire.MaxEnvelopesPerSend][]byte
	var partBuf [wire.MaxEnvelopesPerSend]part
	var peopleBuf [2]personAdd
	decisions, values := decBuf[:0], valBuf[:0]
	if len(op.batch) > len(decBuf) {
		decisions, values = make([]uint8, 0, len(op.batch)), make([][]byte, 0, len(op.batch))
	}
	decisions, values = decisions[:len(op.batch)], values[:len(op.batch)]
	parts, people := partBuf[:0], peopleBuf[:0]
	for i, a := range op.batch {
		decisions[i], values[i] = decideDrop, nil
		if !f.alive[a.To] || f.dropped[a.To] {
			continue
		}
		e := &a.Envelope
		_, err := f.txn.Get(seenKey(a.To, e.From, e.FromDevice, e.ID))
		switch {
		case err == nil:
			decisions[i] = decideDuplicate
		case errors.Is(err, badger.ErrKeyNotFound):
			decisions[i] = decideStore
			values[i] = encodeEnvelope(e)
			parts = addPart(parts, a.To, e.From)
			people = addBytes(people, a.To.Person, int64(len(values[i])))
		default:
			f.err = err
			return
		}
	}
	sh := &f.w.s.shares
	for _, p := range parts {
		st := f.state(p.m)
		if f.err != nil {
			return
		}
		depth := st.depth + mailboxAdds(parts, p.m)
		if depth > f.w.s.maxDepth {
			op.err = ErrMailboxFull
			return
		}
		if p.from == p.m.Person {
			continue // the person's own devices have no share
		}
		// Whether a sender is a stranger matters only near a stranger's
		// limits, so it is looked up only there: most sends never need it.
		share := sh.SenderShare
		deep := depth > sh.StrangerDepth
		if (deep || st.from[p.from]+p.n > sh.StrangerShare) && f.stranger(p.m.Person, p.from) {
			if deep {
				op.err = ErrMailboxFull
				return
			}
			share = sh.StrangerShare
		}
		if f.err != nil {
			return
		}
		if st.from[p.from]+p.n > share {
			op.err = ErrMailboxFull
			return
		}
	}
	for _, pa := range people {
		total := f.personBytes(pa.person) + pa.bytes
		if f.err != nil {
			return
		}
		if total > sh.PersonBytes {
			op.err = ErrMailboxFull
			return
		}
		if total > sh.StrangerBytes {
			for _, p := range parts {
				if p.m.Person == pa.person && p.from != pa.person && f.stranger(pa.person, p.from) {
					op.err = ErrMailboxFull
					return
				}
			}
		}
	}
	for i := range op.batch {
		a := &op.batch[i]
		switch decisions[i] {
		case decideDuplicate:
			op.res.Duplicates++
			continue
		case decideDrop:
			op.res.Dropped++
			continue
		}
		st := f.state(a.To)
		st.head++
		size := int64(len(values[i]))
		st.add(a.Envelope.From, size)
		st.headDirty = true
		a.Envelope.Seq = st.head
		seen := seenKey(a.To, a.Envelope.From, a.Envelope.FromDevice, a.Envelope.ID)
		f.set(badger.NewEntry(mailboxKey(a.To, st.head), values[i]))
		f.set(badger.NewEntry(seen, be64(st.head)))
		if f.w.seenCount < maxRememberedSeen {
			// Should the flush fail, forget drops this with the state.
			if st.seen == nil {
				st.seen = make(map[uint64]seenEntry)
			}
			st.seen[st.head] = seenEntry{key: seen, from: a.Envelope.From, size: size}
			f.w.seenCount++
		}
		if a.Wrote && a.Envelope.From != a.To.Person {
			// In the envelope's commit; setting it again is harmless.
			f.set(badger.NewEntry(writerKey(a.To.Person, a.Envelope.From), nil))
			delete(f.strangers, [2]string{a.Envelope.From, a.To.Person})
		}
		op.res.Stored++
		f.stored = append(f.stored, a)
		f.depthDelta++
		f.envelopes++
	}
}

// delete removes acknowledged envelopes and turns their dedupe records into
// tombstones that expire after SeenTTL.
func (f *flush) delete(op *writeOp) {
	if f.dropped[op.mbox] {
		return
	}
	st := f.state(op.mbox)
	for _, seq := range op.seqs {
		if f.err != nil {
			return
		}
		k := mailboxKey(op.mbox, seq)
		if seen, ok := st.seen[seq]; ok {
			delete(st.seen, seq)
			f.w.seenCount--
			f.del(k)
			f.set(badger.NewEntry(seen.key, be64(seq)).WithTTL(f.w.s.seenTTL))
			st.sub(seen.from, seen.size)
			op.n++
			f.depthDelta--
			continue
		}
		item, err := f.txn.Get(k)
		if errors.Is(err, badger.ErrKeyNotFound) {
			continue
		}
		if err != nil {
			f.err = err
			return
		}
		var seen []byte
		var from string
		var size int64
		if err := item.Value(func(v []byte) error {
			size = int64(len(v))
			f, dev, id, err := envelopeIDs(v)
			if err == nil {
				from = f
				seen = seenKey(op.mbox, f, dev, id)
			}
			return nil // an undecodable envelope is deleted all the same
		}); err != nil {
			f.err = err
			return
		}
		f.del(k)
		if seen != nil {
			f.set(badger.NewEntry(seen, be64(seq)).WithTTL(f.w.s.seenTTL))
		}
		st.sub(from, size)
		op.n++
		f.depthDelta--
	}
}

// stranger reports whether owner has never written to sender, as far as
// the store knows, this flush's records included.
func (f *flush) stranger(owner, sender string) bool {
	k := [2]string{owner, sender}
	if v, ok := f.strangers[k]; ok {
		return v
	}
	_, err := f.txn.Get(writerKey(sender, owner))
	if err != nil && !errors.Is(err, badger.ErrKeyNotFound) {
		f.err = err
		return false
	}
	if f.strangers == nil {
		f.strangers = make(map[[2]string]bool)
	}
	f.strangers[k] = err != nil
	return err != nil
}

func addPart(parts []part, m MailboxID, from string) []part {
	for i := range parts {
		if parts[i].m == m && parts[i].from == from {
			parts[i].n++
			return parts
		}
	}
	return append(parts, part{m, from, 1})
}

func addBytes(people []personAdd, person string, n int64) []personAdd {
	for i := range people {
		if people[i].person == person {
			people[i].bytes += n
			return people
		}
	}
	return append(people, personAdd{person, n})
}

// mailboxAdds is what parts add to m, all senders together.
func mailboxAdds(parts []part, m MailboxID) int {
	n := 0
	for _, p := range parts {
		if p.m == m {
			n += p.n
		}
	}
	return n
}

// personBytes is the stored bytes of all mailboxes of person's current
// devices: their states are loaded anyway, since a send to a person has an
// envelope for each of them.
func (f *flush) personBytes(person string) int64 {
	var n int64
	for _, d := range f.devices[person] {
		n += f.state(MailboxID{Person: person, Device: d}).bytes
	}
	return n
}

// drop deletes a mailbox: envelopes, head and dedupe records.
func (f *flush) drop(op *writeOp) {
	m := op.mbox
	var keys [][]byte
	envelopes := 0
	for _, prefix := range [][]byte{mailboxPrefix(m), seenPrefix(m)} {
		it := f.txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		for it.Rewind(); it.Valid(); it.Next() {
			keys = append(keys, it.Item().KeyCopy(nil))
			if prefix[0] == prefixMailbox {
				envelopes++
			}
		}
		it.Close()
	}
	keys = append(keys, headKey(m))
	for _, k := range keys {
		f.del(k)
	}
	f.depthDelta -= int64(envelopes)
	f.dropped[m] = true
	f.w.forget(m)
	delete(f.touched, m)
}
