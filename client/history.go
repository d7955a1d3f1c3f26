package client

import (
	"context"
	"errors"
	"sort"
	"strings"

	"sambung/internal/jsonw"
)

const (
	// defaultHistory and maxHistory bound one History page: a screenful,
	// and a cap so one call cannot pull a whole archive across the bridge.
	defaultHistory = 50
	maxHistory     = 500
)

// addMessage stores m as storeMessage does and, when it was new, tells
// the UI of it and of the changed conversation list.
func (t *tx) addMessage(m *Message) (bool, error) {
	stored, err := t.storeMessage(m)
	if err == nil && stored {
		t.emit(MessageEvent{Message: *m}, ConversationEvent{})
	}
	return stored, err
}

// storeMessage writes m with its id index and moves the conversation's
// last message. It reports false, writing nothing, when the conversation
// already has a message with m's id (a redelivery).
func (t *tx) storeMessage(m *Message) (bool, error) {
	_, dup, err := t.get(msgIDKey(m.ConversationID, m.ID))
	if err != nil || dup {
		return false, err
	}
	return true, t.putMessage(m)
}

// putMessage writes m as storeMessage does, without looking for a message
// with its id first: for a message this device just made, whose id is
// 128 random bits, so that the look-up (a storage read, a round trip to
// IndexedDB in a browser) is saved.
func (t *tx) putMessage(m *Message) error {
	t.putJSON(msgKey(m.ConversationID, m.Order), m)
	t.put(msgIDKey(m.ConversationID, m.ID), []byte(m.Order))
	cr, err := t.editContact(m.ConversationID)
	if err != nil {
		return err
	}
	if m.Order > cr.LastOrder {
		cr.LastOrder = m.Order
	}
	if !m.Outgoing && m.Status != StatusRead {
		t.put(unreadKey(m.ConversationID, m.Order), nil)
		cr.Unread++
	}
	return nil
}

// message loads the message of conv with id; nil when there is none.
func (t *tx) message(conv, id string) (*Message, error) {
	order, ok, err := t.get(msgIDKey(conv, id))
	if err != nil || !ok {
		return nil, err
	}
	return t.messageAt(conv, string(order))
}

func (t *tx) messageAt(conv, order string) (*Message, error) {
	b, ok, err := t.get(msgKey(conv, order))
	if err != nil || !ok {
		return nil, err
	}
	var m Message
	if err := jsonw.Unmarshal(b, &m); err != nil {
		return nil, ErrCorruptState.with(err)
	}
	return &m, nil
}

// advanceStatus moves outgoing messages of conv forward to status and
// reports the ones that moved in a ReceiptEvent. Statuses never go back.
func (t *tx) advanceStatus(conv string, ids []string, status Status) error {
	return t.advanceStatusAt(conv, ids, nil, status)
}

// advanceStatusAt is advanceStatus with the order key of each message
// when the caller knows it (orders[i] for ids[i]): the message is read
// with one storage read instead of two, and by id when the order was
// wrong.
func (t *tx) advanceStatusAt(conv string, ids, orders []string, status Status) error {
	var moved []string
	missed := false
	for i, id := range ids {
		var m *Message
		var err error
		if i < len(orders) {
			m, err = t.messageAt(conv, orders[i])
			if m != nil && m.ID != id {
				m = nil
			}
		}
		if m == nil && err == nil {
			m, err = t.message(conv, id)
		}
		if errors.Is(err, errMiss) {
			missed = true // gather every miss, so one fetch brings them all
			continue
		}
		if err != nil {
			return err
		}
		// Statuses only move forward; failed only replaces pending.
		failed := status == StatusFailed && m != nil && m.Status == StatusPending
		if m == nil || !m.Outgoing || status.Rank() <= m.Status.Rank() && !failed {
			continue
		}
		m.Status = status
		t.putJSON(msgKey(conv, m.Order), m)
		moved = append(moved, id)
	}
	if missed {
		return errMiss
	}
	if len(moved) > 0 {
		t.emit(ReceiptEvent{ConversationID: conv, MessageIDs: moved, Status: status})
	}
	return nil
}

// markRead marks incoming messages of conv read: those with the given
// ids, or (ids nil) those of the unread orders up to order upTo ("" for
// all). It returns the ids it marked.
func (t *tx) markRead(conv string, ids, unread []string, upTo string) ([]string, error) {
	var orders []string
	if ids != nil {
		for _, id := range ids {
			o, ok, err := t.get(msgIDKey(conv, id))
			if err != nil {
				return nil, err
			}
			if ok {
				if _, unread, err := t.get(unreadKey(conv, string(o))); err != nil {
					return nil, err
				} else if unread {
					orders = append(orders, string(o))
				}
			}
		}
	} else {
		for _, o := range unread {
			if upTo != "" && o > upTo {
				break
			}
			// Still unread? Another operation may have read it since
			// the scan.
			if _, ok, err := t.get(unreadKey(conv, o)); err != nil {
				return nil, err
			} else if ok {
				orders = append(orders, o)
			}
		}
	}
	var marked []string
	for _, o := range orders {
		m, err := t.messageAt(conv, o)
		if errors.Is(err, errMiss) {
			continue // one fetch brings every message's
		}
		if err != nil {
			return nil, err
		}
		t.del(unreadKey(conv, o))
		if m == nil {
			continue
		}
		m.Status = StatusRead
		t.putJSON(msgKey(conv, o), m)
		marked = append(marked, m.ID)
	}
	if len(marked) > 0 {
		cr, err := t.editContact(conv)
		if err != nil {
			return nil, err
		}
		cr.Unread = max(0, cr.Unread-len(marked))
		t.emit(ReceiptEvent{ConversationID: conv, MessageIDs: marked, Status: StatusRead},
			ConversationEvent{})
	}
	return marked, nil
}

// MarkRead marks the incoming messages of a conversation read, up to and
// including the message upTo ("" for all of them), and sends the sender a
// read receipt (and this person's other devices a copy, so they clear
// their unread count too).
func (c *Client) MarkRead(ctx context.Context, conversationID, upTo string) error {
	// The unread messages, read first and checked again in the tx.
	prefix := unreadPrefix(conversationID)
	kvs, err := c.scan(ctx, prefix, "", 0, false)
	if err != nil {
		return err
	}
	unread := make([]string, len(kvs))
	keys := make([]string, 0, 2*len(kvs)+1)
	for i, kv := range kvs {
		unread[i] = strings.TrimPrefix(kv.Key, prefix)
		keys = append(keys, kv.Key, msgKey(conversationID, unread[i]))
	}
	if upTo != "" {
		keys = append(keys, msgIDKey(conversationID, upTo))
	}
	return c.commit(ctx, keys, func(t *tx) error {
		if _, err := c.signedIn(); err != nil {
			return err
		}
		order := ""
		if upTo != "" {
			m, err := t.message(conversationID, upTo)
			if err != nil {
				return err
			}
			if m == nil {
				return ErrUnknownMessage
			}
			order = m.Order
		}
		ids, err := t.markRead(conversationID, nil, unread, order)
		if err != nil {
			return err
		}
		return t.enqueueReceipts(conversationID, StatusRead, ids)
	})
}

// History returns up to limit messages of a conversation, oldest first,
// that come before before (a message id or an Order; "" for the newest).
func (c *Client) History(ctx context.Context, conversationID, before string, limit int) ([]Message, error) {
	if limit <= 0 {
		limit = defaultHistory
	}
	limit = min(limit, maxHistory)
	c.mu.Lock()
	_, err := c.signedIn()
	c.mu.Unlock()
	if err != nil {
		return nil, err
	}
	prefix := prefixMsg + conversationID + "/"
	start := ""
	if before != "" {
		start = prefix + before
		key := msgIDKey(conversationID, before)
		err := c.view(ctx, []string{key}, func(t *tx) error {
			o, ok, err := t.get(key)
			if ok {
				start = prefix + string(o)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	kvs, err := c.scan(ctx, prefix, start, limit, true)
	if err != nil {
		return nil, err
	}
	out := make([]Message, len(kvs))
	for i, kv := range kvs {
		if err := jsonw.Unmarshal(kv.Value, &out[len(kvs)-1-i]); err != nil {
			return nil, ErrCorruptState.with(err)
		}
	}
	return out, nil
}

// Conversations lists the conversations that have messages, newest first,
// with their unread counts and last message.
func (c *Client) Conversations(ctx context.Context) ([]Conversation, error) {
	if err := c.loadContacts(ctx); err != nil {
		return nil, err
	}
	out := []Conversation{}
	orders := map[string]string{}
	err := c.view(ctx, nil, func(t *tx) error {
		if _, err := c.signedIn(); err != nil {
			return err
		}
		out = out[:0]
		for _, cr := range c.contacts {
			if cr.LastOrder == "" {
				continue
			}
			last, err := t.messageAt(cr.PersonID, cr.LastOrder)
			if errors.Is(err, errMiss) {
				continue // one fetch brings every conversation's
			}
			if err != nil {
				return err
			}
			out = append(out, Conversation{
				ID:              cr.PersonID,
				Title:           cr.title(),
				Kind:            cr.kind(),
				Identities:      nonNil(cr.Identities),
				Unread:          cr.Unread,
				Last:            last,
				IdentityChanged: cr.identityChanged(),
			})
			orders[cr.PersonID] = cr.LastOrder
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool {
		if oi, oj := orders[out[i].ID], orders[out[j].ID]; oi != oj {
			return oi > oj
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// loadContacts reads every contact record into the cache once: from then
// on the cache is complete, as every later change goes through it, and
// the conversation list needs no storage read but its last messages'.
func (c *Client) loadContacts(ctx context.Context) error {
	c.mu.Lock()
	complete, resets := c.contactsComplete, c.resets
	c.mu.Unlock()
	if complete {
		return nil
	}
	kvs, err := c.scan(ctx, prefixContact, "", 0, false)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.resets != resets {
		return nil // the caches were dropped meanwhile: try again next time
	}
	for _, kv := range kvs {
		cr := new(contactRecord)
		if err := jsonw.Unmarshal(kv.Value, cr); err != nil || contactKey(cr.PersonID) != kv.Key {
			return ErrCorruptState.with(err)
		}
		// A record in the cache is as new as the scan's, or newer: it
		// came from a tx staged since.
		if c.contacts[cr.PersonID] == nil {
			c.contacts[cr.PersonID] = cr
		}
	}
	c.contactsComplete = true
	return nil
}
