package client

import (
	"strconv"
	"strings"

	"sambung/crypto"
)

// Storage keys. docs/CLIENT.md describes each; every key is one of these
// prefixes followed by ids that never contain "/".
const (
	keyAccount    = "account"    // account JSON: this device's registration and identity key
	prefixPreKey  = "prekey/"    // prekey/<id %08x>: one-time prekey private key
	prefixSigned  = "signed/"    // signed/<id %08x>: signed prekey private key
	prefixSession = "session/"   // session/<person>.<device>: crypto.SessionRecord bytes
	prefixContact = "contact/"   // contact/<person>: contact JSON (devices, keys, conversation state)
	prefixAddr    = "addr/"      // addr/<address>: person id of an address
	prefixMsg     = "msg/"       // msg/<conv>/<order>: Message JSON
	prefixMsgID   = "msgid/"     // msgid/<conv>/<message id>: the message's order
	prefixUnread  = "unread/"    // unread/<conv>/<order>: incoming message not read yet
	prefixSeen    = "seen/"      // seen/<person>.<device>/<envelope id>: envelope already stored
	prefixSeenAt  = "seenat/"    // seenat/<ms %015d>/<seen key>: seen/ entries by age, for pruning
	prefixOutbox  = "outbox/"    // outbox/<seq %016x>: outbox item JSON
	keyOutboxSeq  = "outbox-seq" // the last outbox seq used
)

// maxTimestamp is the largest sender timestamp an order key holds: 15
// decimal digits of milliseconds, 31,000 years; larger ones are refused so
// that order keys sort as numbers.
const maxTimestamp = 999_999_999_999_999

// orderKey is the sort key of a message in its conversation: the sender's
// timestamp, zero-padded, then the message id as a tie-breaker. Both come
// from the sender, so every device of both people computes the same key,
// and a message that arrives late slots in where its sender put it.
func orderKey(ts int64, id string) string {
	return pad(strconv.FormatInt(ts, 10), 15) + "." + id
}

func preKeyKey(id uint32) string         { return prefixPreKey + pad(strconv.FormatUint(uint64(id), 16), 8) }
func signedKey(id uint32) string         { return prefixSigned + pad(strconv.FormatUint(uint64(id), 16), 8) }
func sessionKey(a crypto.Address) string { return prefixSession + a.String() }
func contactKey(person string) string    { return prefixContact + person }
func addrKey(address string) string      { return prefixAddr + address }
func msgKey(conv, order string) string   { return prefixMsg + conv + "/" + order }
func msgIDKey(conv, id string) string    { return prefixMsgID + conv + "/" + id }
func unreadPrefix(conv string) string    { return prefixUnread + conv + "/" }
func unreadKey(conv, order string) string {
	return prefixUnread + conv + "/" + order
}
func seenKey(person string, device uint32, id string) string {
	return prefixSeen + person + "." + strconv.FormatUint(uint64(device), 10) + "/" + id
}
func seenAtKey(ms int64, seen string) string {
	return prefixSeenAt + pad(strconv.FormatInt(ms, 10), 15) + "/" + seen
}
func outboxKey(seq uint64) string { return prefixOutbox + pad(strconv.FormatUint(seq, 16), 16) }

// pad left-pads a number's digits with zeros to width, as %0*d does, so
// that keys sort as numbers. A negative number (never stored: timestamps
// are checked) keeps its sign first, as fmt would put it.
func pad(digits string, width int) string {
	neg := strings.HasPrefix(digits, "-")
	if neg {
		digits = digits[1:]
		width--
	}
	if len(digits) < width {
		digits = strings.Repeat("0", width-len(digits)) + digits
	}
	if neg {
		return "-" + digits
	}
	return digits
}
