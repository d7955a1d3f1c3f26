//go:build js && wasm

package main

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"syscall/js"

	"sambung/client"
	"sambung/wire"
)

// argError is a bad argument to a core method.
type argError struct {
	method, name, want string
}

func (e *argError) Error() string {
	return e.method + ": argument " + e.name + " must be " + e.want
}

// errorValue converts err to the {code, message} object that JavaScript
// receives as a rejection; sambung.js turns it into a SambungError. The
// message is for people; the code is what programs switch on.
func errorValue(err error) js.Value {
	code := client.ErrorCode(err)
	var ae *argError
	if errors.As(err, &ae) {
		code = string(wire.CodeBadArgument)
	}
	v := js.Global().Get("Object").New()
	v.Set("code", code)
	v.Set("message", humanMessage(err))
	var we *wire.Error
	if errors.As(err, &we) && we.RetryAfter > 0 {
		v.Set("retryAfter", we.RetryAfter)
	}
	return v
}

// humanMessage is err's text without the package prefixes that Go error
// strings carry ("client: ", "wire: rate_limited: "): the page shows it.
func humanMessage(err error) string {
	msg := strings.TrimPrefix(err.Error(), "client: ")
	var we *wire.Error
	if errors.As(err, &we) {
		msg = strings.Replace(msg, "wire: "+string(we.Code)+": ", "", 1)
	}
	return msg
}

// args reads the arguments of one core method call, remembering the first
// bad one; the method checks err once after reading them all.
type args struct {
	method string
	list   js.Value // an Array, or undefined for none
	err    error
}

func (a *args) at(i int) js.Value {
	if a.list.Type() != js.TypeObject || i >= a.list.Length() {
		return js.Undefined()
	}
	return a.list.Index(i)
}

func (a *args) fail(name, want string) {
	if a.err == nil {
		a.err = &argError{method: a.method, name: name, want: want}
	}
}

// str reads a required string.
func (a *args) str(i int, name string) string {
	v := a.at(i)
	if v.Type() != js.TypeString {
		a.fail(name, "a string")
		return ""
	}
	return v.String()
}

// optStr reads a string that may be undefined or null ("").
func (a *args) optStr(i int, name string) string {
	v := a.at(i)
	if v.IsUndefined() || v.IsNull() {
		return ""
	}
	return a.str(i, name)
}

// boolean reads a required boolean.
func (a *args) boolean(i int, name string) bool {
	v := a.at(i)
	if v.Type() != js.TypeBoolean {
		a.fail(name, "a boolean")
		return false
	}
	return v.Bool()
}

// integer reads a whole number in [lo, hi]; undefined or null gives def.
func (a *args) integer(i int, name string, lo, hi, def int) int {
	v := a.at(i)
	if v.IsUndefined() || v.IsNull() {
		return def
	}
	if v.Type() != js.TypeNumber {
		a.fail(name, "a number")
		return def
	}
	f := v.Float()
	if f != math.Trunc(f) || f < float64(lo) || f > float64(hi) {
		a.fail(name, "a whole number from "+strconv.Itoa(lo)+" to "+strconv.Itoa(hi))
		return def
	}
	return int(f)
}

// object returns a plain JavaScript object with fields set.
func object(fields map[string]any) js.Value {
	return js.ValueOf(fields)
}

func stringsJS(list []string) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}

// The converters below give the JavaScript shapes of docs/API.md and
// sambung.d.ts. They are written out, not reflected, so that a field renamed
// in Go does not silently rename it for every embedder.

func messageJS(m client.Message) js.Value {
	o := object(map[string]any{
		"id":             m.ID,
		"conversationId": m.ConversationID,
		"from":           m.From,
		"outgoing":       m.Outgoing,
		"text":           m.Text,
		"sentAt":         float64(m.SentAt),
		"order":          m.Order,
		"status":         string(m.Status),
	})
	if m.Undecryptable {
		o.Set("undecryptable", true)
	}
	if f := m.File; f != nil {
		fo := object(map[string]any{
			"name": f.Name, "mime": f.MIME, "size": float64(f.Size),
			"width": f.Width, "height": f.Height, "durationMs": f.DurationMs,
		})
		if f.Thumbnail != nil {
			fo.Set("thumbnail", bytesToJS(f.Thumbnail))
		}
		o.Set("file", fo)
	}
	if c := m.Call; c != nil {
		co := object(nil)
		co.Set("outcome", c.Outcome)
		co.Set("video", c.Video)
		co.Set("duration", c.Duration)
		o.Set("call", co)
	}
	return o
}

func messagesJS(list []client.Message) js.Value {
	out := make([]any, len(list))
	for i, m := range list {
		out[i] = messageJS(m)
	}
	return js.ValueOf(out)
}

func profileJS(p client.Profile) js.Value {
	if !p.SignedIn {
		return js.Null()
	}
	return object(map[string]any{
		"personId":   p.PersonID,
		"deviceId":   int(p.DeviceID),
		"identities": stringsJS(p.Identities),
	})
}

func contactJS(c client.Contact) js.Value {
	return object(map[string]any{
		"personId":        c.PersonID,
		"identities":      stringsJS(c.Identities),
		"kind":            c.Kind,
		"identityChanged": c.IdentityChanged,
	})
}

func conversationsJS(list []client.Conversation) js.Value {
	out := make([]any, len(list))
	for i, c := range list {
		var last any = js.Null()
		if c.Last != nil {
			last = messageJS(*c.Last)
		}
		out[i] = object(map[string]any{
			"id":              c.ID,
			"title":           c.Title,
			"kind":            c.Kind,
			"identities":      stringsJS(c.Identities),
			"unread":          c.Unread,
			"last":            last,
			"identityChanged": c.IdentityChanged,
		})
	}
	return js.ValueOf(out)
}

func devicesJS(list []client.Device) js.Value {
	out := make([]any, len(list))
	for i, d := range list {
		out[i] = object(map[string]any{
			"id":       int(d.ID),
			"name":     d.Name,
			"created":  float64(d.Created),
			"lastSeen": float64(d.LastSeen),
			"current":  d.Current,
		})
	}
	return js.ValueOf(out)
}

func safetyNumberJS(s client.SafetyNumber) js.Value {
	return object(map[string]any{
		"displayable": s.Displayable,
		"scannable":   bytesToJS(s.Scannable),
	})
}

// eventJS converts a client event to its JavaScript name and payload. The
// conversations event has no payload here: the core fetches the list (see
// core.conversationsChanged).
func eventJS(e client.Event) (string, js.Value) {
	switch e := e.(type) {
	case client.MessageEvent:
		return client.EventMessage, messageJS(e.Message)
	case client.ReceiptEvent:
		return client.EventReceipt, object(map[string]any{
			"conversationId": e.ConversationID,
			"messageIds":     stringsJS(e.MessageIDs),
			"status":         string(e.Status),
		})
	case client.TypingEvent:
		return client.EventTyping, object(map[string]any{
			"conversationId": e.ConversationID,
			"typing":         e.Typing,
		})
	case client.StatusEvent:
		o := object(map[string]any{"state": e.State})
		if e.Err != "" {
			o.Set("error", e.Err)
		}
		return client.EventStatus, o
	case client.IdentityChangedEvent:
		return client.EventIdentityChanged, object(map[string]any{"conversationId": e.ConversationID})
	case client.CallEvent:
		return client.EventCall, js.ValueOf(callEventJS(e))
	case client.ConversationEvent:
		return client.EventConversations, conversationsJS(e.Conversations)
	case client.AlertEvent:
		return client.EventAlert, object(map[string]any{"kind": e.Kind, "count": e.Count})
	}
	return e.EventType(), js.Undefined()
}
