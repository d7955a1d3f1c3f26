//go:build !js

package client_test

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"sambung/client"
)

// TestFirstContactLearnsAddresses: when the first messages of a
// conversation come from the other side while this device is offline, it
// knows the sender only by person id and device key. It must learn their
// phone number or account ID, and tell the UI: a page redraws its list
// from the conversations event only, as sambung.js does, so the list this
// test keeps is the one that event carries.
func TestFirstContactLearnsAddresses(t *testing.T) {
	r := startRelay(t)
	ayu := newPhone(t, r, nil, "+62 812-0000-1111")
	budi := newAccount(t, r, nil, "budi")
	var mu sync.Mutex
	var shown []client.Conversation // what a page would show
	budi.mu.Lock()
	budi.onEvent = func(e client.Event) {
		if ce, ok := e.(client.ConversationEvent); ok {
			mu.Lock()
			shown = ce.Conversations
			mu.Unlock()
		}
	}
	budi.mu.Unlock()
	ayu.connect()
	ap := ayu.me()

	// Budi is offline when Ayu writes: her messages wait in his mailbox.
	ayu.send("account:budi", "halo budi")
	ayu.send("account:budi", "are you there?")
	budi.connect()
	budi.waitText(ap.PersonID, "are you there?")
	var conv client.Conversation
	eventually(t, "budi's list shows ayu's phone number", func() bool {
		mu.Lock()
		defer mu.Unlock()
		if len(shown) != 1 {
			return false
		}
		conv = shown[0]
		return slices.Contains(conv.Identities, "phone:+6281200001111")
	})
	if conv.ID != ap.PersonID || conv.Kind != "phone" || !strings.Contains(conv.Title, "+6281200001111") {
		t.Fatalf("budi's conversation with ayu: %+v", conv)
	}
	reply := budi.send(ap.PersonID, "halo ayu")
	ayu.waitText(budi.me().PersonID, "halo ayu")
	budi.waitStatus(ap.PersonID, reply.ID, client.StatusDelivered)
}
