package store

// Shares divide a person's mailboxes among senders, so that no sender, and
// no crowd of throwaway accounts, can fill them and lock out the people
// the owner talks to. A sender is a stranger to a person who has never
// written to them (Contacts, which the relay fills with Append.Wrote from
// the sends it carries); a person's own devices count only against
// MaxDepth and PersonBytes. The writer looks a sender up only near a
// stranger's limits, so most appends need no lookup.
//
// Strangers together stop at StrangerDepth envelopes in a mailbox and at
// StrangerBytes in all the person's mailboxes, so the rest, MaxDepth -
// StrangerDepth envelopes and PersonBytes - StrangerBytes bytes, is always
// left for contacts and the owner's own devices, however many strangers
// write.
type Shares struct {
	// SenderShare caps one sender's envelopes in one mailbox (default
	// half of MaxDepth, 5,000).
	SenderShare int
	// StrangerShare caps one stranger's envelopes in one mailbox
	// (default 200: a first conversation, not a flood).
	StrangerShare int
	// StrangerDepth is the depth past which a mailbox takes no envelope
	// from a stranger (default 80% of MaxDepth, 8,000).
	StrangerDepth int
	// PersonBytes caps the stored bytes of all of one person's mailboxes
	// (default 512 MiB: 8 devices offline for weeks in busy groups stay
	// far below it, while 256 KiB envelopes could make 2.5 GiB a device).
	PersonBytes int64
	// StrangerBytes is the total past which a person's mailboxes take no
	// envelope from a stranger (default 75% of PersonBytes, 384 MiB).
	StrangerBytes int64
}

// DefaultPersonBytes is Shares.PersonBytes's default.
const DefaultPersonBytes = 512 << 20

func (sh Shares) withDefaults(maxDepth int) Shares {
	if sh.SenderShare <= 0 {
		sh.SenderShare = maxDepth / 2
	}
	if sh.StrangerShare <= 0 {
		sh.StrangerShare = 200
	}
	if sh.StrangerDepth <= 0 {
		sh.StrangerDepth = maxDepth * 8 / 10
	}
	if sh.PersonBytes <= 0 {
		sh.PersonBytes = DefaultPersonBytes
	}
	if sh.StrangerBytes <= 0 {
		sh.StrangerBytes = sh.PersonBytes * 3 / 4
	}
	return sh
}
