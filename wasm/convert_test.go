//go:build js && wasm

package main

import (
	"errors"
	"syscall/js"
	"testing"

	"sambung/client"
	"sambung/wire"
)

func TestErrorValue(t *testing.T) {
	limited := wire.NewError(wire.CodeRateLimited)
	limited.RetryAfter = 30
	for _, tc := range []struct {
		err        error
		code, msg  string
		retryAfter int
	}{
		{limited, "rate_limited", limited.Message, 30},
		{client.ErrIdentityChanged, "identity_changed", client.ErrIdentityChanged.Message, 0},
		{&argError{method: "send", name: "text", want: "a string"}, "bad_argument", "send: argument text must be a string", 0},
		{&networkErr{errors.New("refused")}, "network", "the relay cannot be reached: refused", 0},
		{storageError(errors.New("QuotaExceededError")), "storage", "storage failed: QuotaExceededError", 0},
		{errors.New("something else"), "internal", "something else", 0},
	} {
		v := errorValue(tc.err)
		if got := v.Get("code").String(); got != tc.code {
			t.Errorf("%v: code %q, want %q", tc.err, got, tc.code)
		}
		if got := v.Get("message").String(); got != tc.msg {
			t.Errorf("%v: message %q, want %q", tc.err, got, tc.msg)
		}
		ra := v.Get("retryAfter")
		if tc.retryAfter == 0 && !ra.IsUndefined() || tc.retryAfter != 0 && (ra.Type() != js.TypeNumber || ra.Int() != tc.retryAfter) {
			t.Errorf("%v: retryAfter %v, want %d", tc.err, ra, tc.retryAfter)
		}
	}
}

// TestArgs: arguments of the wrong type or range are a bad_argument error
// naming the argument, never a panic inside syscall/js.
func TestArgs(t *testing.T) {
	list := js.ValueOf([]any{"s", 3, true, 2.5, nil, -1, map[string]any{}})
	a := &args{method: "m", list: list}
	if a.str(0, "a") != "s" || a.integer(1, "b", 1, 5, 0) != 3 || !a.boolean(2, "c") || a.optStr(4, "e") != "" || a.err != nil {
		t.Fatalf("good arguments: err %v", a.err)
	}
	if got := a.integer(9, "missing", 1, 5, 42); got != 42 || a.err != nil {
		t.Fatalf("missing number = %d %v, want the default", got, a.err)
	}
	for i, read := range []func(*args){
		func(a *args) { a.str(1, "x") },
		func(a *args) { a.str(9, "x") },
		func(a *args) { a.boolean(0, "x") },
		func(a *args) { a.integer(3, "x", 0, 10, 0) },
		func(a *args) { a.integer(5, "x", 0, 10, 0) },
		func(a *args) { a.integer(0, "x", 0, 10, 0) },
		func(a *args) { a.optStr(6, "x") },
	} {
		a := &args{method: "m", list: list}
		read(a)
		var ae *argError
		if !errors.As(a.err, &ae) || ae.name != "x" {
			t.Errorf("case %d: err %v, want an argError for x", i, a.err)
		}
	}
	none := &args{method: "m", list: js.Undefined()}
	if none.str(0, "x"); none.err == nil {
		t.Error("a string from no arguments at all was accepted")
	}
}

// TestConverters: the JavaScript shapes carry every field under its
// documented name, with bytes as a Uint8Array and null for no profile.
func TestConverters(t *testing.T) {
	m := client.Message{ID: "m1", ConversationID: "p", From: "q", Outgoing: true, Text: "<b>hi</b>",
		SentAt: 1700000000123, Order: "o1", Status: client.StatusDelivered}
	v := messageJS(m)
	if v.Get("id").String() != "m1" || v.Get("conversationId").String() != "p" || v.Get("from").String() != "q" ||
		!v.Get("outgoing").Bool() || v.Get("text").String() != "<b>hi</b>" || v.Get("sentAt").Float() != 1700000000123 ||
		v.Get("order").String() != "o1" || v.Get("status").String() != "delivered" || !v.Get("undecryptable").IsUndefined() {
		t.Errorf("messageJS: %s", js.Global().Get("JSON").Call("stringify", v).String())
	}
	m.Call = &client.CallRecord{Outcome: client.CallCompleted, Video: true, Duration: 42000}
	if c := messageJS(m).Get("call"); c.Get("outcome").String() != "completed" || !c.Get("video").Bool() || c.Get("duration").Float() != 42000 {
		t.Errorf("messageJS call: %s", js.Global().Get("JSON").Call("stringify", c).String())
	}
	if !profileJS(client.Profile{}).IsNull() {
		t.Error("a signed-out profile is not null")
	}
	p := profileJS(client.Profile{SignedIn: true, PersonID: "p", DeviceID: 3, Identities: []string{"account:alice"}})
	if p.Get("deviceId").Int() != 3 || p.Get("identities").Index(0).String() != "account:alice" {
		t.Errorf("profileJS: %s", js.Global().Get("JSON").Call("stringify", p).String())
	}
	sn := safetyNumberJS(client.SafetyNumber{Displayable: "123", Scannable: []byte{1, 2, 255}})
	sc := sn.Get("scannable")
	if !sc.InstanceOf(js.Global().Get("Uint8Array")) || sc.Length() != 3 || sc.Index(2).Int() != 255 {
		t.Errorf("safetyNumberJS scannable = %v", sc)
	}
	convs := conversationsJS([]client.Conversation{{ID: "p", Unread: 2}, {ID: "q", Last: &m}})
	if convs.Length() != 2 || !convs.Index(0).Get("last").IsNull() || convs.Index(1).Get("last").Get("id").String() != "m1" ||
		convs.Index(0).Get("unread").Int() != 2 {
		t.Errorf("conversationsJS: %s", js.Global().Get("JSON").Call("stringify", convs).String())
	}
	name, data := eventJS(client.ReceiptEvent{ConversationID: "p", MessageIDs: []string{"a", "b"}, Status: client.StatusRead})
	if name != "receipt" || data.Get("messageIds").Length() != 2 || data.Get("status").String() != "read" {
		t.Errorf("receipt event: %s %s", name, js.Global().Get("JSON").Call("stringify", data).String())
	}
}
