package store

import (
	"encoding/binary"

	"sambung/wire"
)

// Key layout. One byte of prefix per record kind; person ids have a fixed
// length (26), so keys that continue after one need no separator.
const (
	prefixPerson   = 'P' // P person → Person (JSON)
	prefixIdentity = 'I' // I address → Identity (JSON)
	prefixDevice   = 'D' // D person device(4) → Device (JSON)
	prefixToken    = 'T' // T sha256(token) → person device(4)
	prefixPreKey   = 'K' // K person device(4) id(4) → 33-byte public key
	prefixCode     = 'C' // C phone → CodeRecord (JSON), with a TTL
	prefixSecret   = 'S' // S name → random bytes
	prefixMailbox  = 'M' // M person device(4) seq(8) → envelope (binary)
	prefixHead     = 'H' // H person device(4) → last seq assigned (8)
	prefixSeen     = 'X' // X person device(4) from fromDevice(4) id → seq (8): dedupe
	prefixWriter   = 'V' // V peer person → empty: person has sent to peer
	prefixThrottle = 'G' // G name → Throttle (JSON), with a TTL
)

const personIDLen = 26

func key(prefix byte, parts ...[]byte) []byte {
	n := 1
	for _, p := range parts {
		n += len(p)
	}
	k := make([]byte, 0, n)
	k = append(k, prefix)
	for _, p := range parts {
		k = append(k, p...)
	}
	return k
}

func be32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
func be64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func personKey(p string) []byte              { return key(prefixPerson, []byte(p)) }
func identityKey(a wire.Address) []byte      { return key(prefixIdentity, []byte(a.String())) }
func devicePrefix(p string) []byte           { return key(prefixDevice, []byte(p)) }
func deviceKey(p string, d uint32) []byte    { return key(prefixDevice, []byte(p), be32(d)) }
func tokenKey(h [32]byte) []byte             { return key(prefixToken, h[:]) }
func preKeyPrefix(p string, d uint32) []byte { return key(prefixPreKey, []byte(p), be32(d)) }
func preKeyKey(p string, d, id uint32) []byte {
	return key(prefixPreKey, []byte(p), be32(d), be32(id))
}
func codeKey(phone string) []byte    { return key(prefixCode, []byte(phone)) }
func secretKey(name string) []byte   { return key(prefixSecret, []byte(name)) }
func throttleKey(name string) []byte { return key(prefixThrottle, []byte(name)) }

func mailboxPrefix(m MailboxID) []byte { return key(prefixMailbox, []byte(m.Person), be32(m.Device)) }
func mailboxKey(m MailboxID, seq uint64) []byte {
	return key(prefixMailbox, []byte(m.Person), be32(m.Device), be64(seq))
}
func headKey(m MailboxID) []byte    { return key(prefixHead, []byte(m.Person), be32(m.Device)) }
func seenPrefix(m MailboxID) []byte { return key(prefixSeen, []byte(m.Person), be32(m.Device)) }
func seenKey(m MailboxID, from string, fromDevice uint32, id string) []byte {
	return key(prefixSeen, []byte(m.Person), be32(m.Device), []byte(from), be32(fromDevice), []byte(id))
}

// writerKey records that person has sent to peer. It is keyed by the
// recipient, so that one key answers both "has person written to peer"
// and "who has written to peer".
func writerKey(peer, person string) []byte { return key(prefixWriter, []byte(peer), []byte(person)) }
func writerPrefix(peer string) []byte      { return key(prefixWriter, []byte(peer)) }

// seqOf reads the seq at the end of a mailbox key.
func seqOf(k []byte) uint64 { return binary.BigEndian.Uint64(k[len(k)-8:]) }
