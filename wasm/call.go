//go:build js && wasm

package main

import (
	"strconv"

	"sambung/client"
)

// Calls: a signal crosses the bridge as its JSON text, which the page
// writes and parses (sambung.js); the client decodes it to check it.
// That keeps the module small: WebRTC itself lives on the page.

// callEventJS is the payload of a 'call' event as JSON text, which
// sambung.js parses: {conversationId, fromDevice, self, signal}. Every
// part is safe to splice: a person id is base32, the signal JSON that
// the client checked.
func callEventJS(e client.CallEvent) string {
	return `{"conversationId":"` + e.ConversationID + `","fromDevice":` + strconv.FormatUint(uint64(e.FromDevice), 10) +
		`,"self":` + strconv.FormatBool(e.Self) + `,"signal":` + e.SignalJSON + `}`
}
