//go:build !js

package relay

import (
	"net/url"
	"slices"
	"testing"
	"time"

	"sambung/wire"
)

func identities(a []wire.Address) []string {
	var out []string
	for _, x := range a {
		out = append(out, x.String())
	}
	slices.Sort(out)
	return out
}

// TestSignUpBothKinds signs people up by phone (the code read from the
// log sender's output) and by account ID, then signs second devices in.
func TestSignUpBothKinds(t *testing.T) {
	r := startRelay(t)
	alice := r.signUpPhone("+62 812-3456-7890", 5)
	if !alice.Created || alice.DeviceID != 1 || !wire.ValidPersonID(alice.PersonID) || len(alice.Token) != wire.TokenSize {
		t.Fatalf("phone sign-up: %+v", alice)
	}
	bob := r.signUpAccount("Bob.Smith", "correct horse", 5)
	if !bob.Created || bob.DeviceID != 1 {
		t.Fatalf("account sign-up: %+v", bob)
	}
	var me wire.Me
	r.mustCall("GET", wire.PathMe, alice.Token, nil, &me)
	if me.PersonID != alice.PersonID || !slices.Equal(identities(me.Identities), []string{"phone:+6281234567890"}) {
		t.Fatalf("alice: %+v", me)
	}
	r.mustCall("GET", wire.PathMe, bob.Token, nil, &me)
	if !slices.Equal(identities(me.Identities), []string{"account:bob.smith"}) {
		t.Fatalf("bob: %+v", me)
	}

	// Signing in again by phone adds a device to the same person.
	alice2 := r.signUpPhone("+6281234567890", 5)
	if alice2.Created || alice2.PersonID != alice.PersonID || alice2.DeviceID != 2 {
		t.Fatalf("phone sign-in: %+v", alice2)
	}
	bob2 := r.signInAccount("BOB.SMITH", "correct horse", 5)
	if bob2.PersonID != bob.PersonID || bob2.DeviceID != 2 {
		t.Fatalf("account sign-in: %+v", bob2)
	}
	var devs wire.DeviceList
	r.mustCall("GET", wire.PathMeDevices, bob.Token, nil, &devs)
	if len(devs.Devices) != 2 || devs.Devices[1].ID != 2 {
		t.Fatalf("devices: %+v", devs)
	}

	r.wantCode(wire.CodeAccountTaken, "POST", wire.PathAccountSignUp, nil, wire.AccountRequest{AccountID: "bob.smith", Password: "another one", Device: keys(t, 0)})
	r.wantCode(wire.CodeBadCredentials, "POST", wire.PathAccountSignIn, nil, wire.AccountRequest{AccountID: "bob.smith", Password: "wrong horse", Device: keys(t, 0)})
	r.wantCode(wire.CodeBadCredentials, "POST", wire.PathAccountSignIn, nil, wire.AccountRequest{AccountID: "nobody", Password: "wrong horse", Device: keys(t, 0)})
	r.wantCode(wire.CodeBadPassword, "POST", wire.PathAccountSignUp, nil, wire.AccountRequest{AccountID: "carol", Password: "short", Device: keys(t, 0)})
	r.wantCode(wire.CodeBadAccountID, "POST", wire.PathAccountSignUp, nil, wire.AccountRequest{AccountID: "c", Password: "long enough", Device: keys(t, 0)})
	r.wantCode(wire.CodeBadPhone, "POST", wire.PathPhoneCode, nil, wire.PhoneCodeRequest{Phone: "0812 3456 7890"})

	// A person has at most MaxDevicesPerPerson devices.
	for i := 3; i <= wire.MaxDevicesPerPerson; i++ {
		r.signInAccount("bob.smith", "correct horse", 0)
	}
	r.wantCode(wire.CodeTooManyDevices, "POST", wire.PathAccountSignIn, nil, wire.AccountRequest{AccountID: "bob.smith", Password: "correct horse", Device: keys(t, 0)})
}

// TestLinkAndLookup links both identity kinds to both people and looks
// each up by either address.
func TestLinkAndLookup(t *testing.T) {
	r := startRelay(t)
	alice := r.signUpPhone("+6281111111111", 3)
	alice2 := r.signUpPhone("+6281111111111", 3)
	bob := r.signUpAccount("bob", "bob password", 3)

	// Alice adds an account ID, Bob verifies a phone.
	var me wire.Me
	r.mustCall("POST", wire.PathMeAccount, alice.Token, wire.LinkAccountRequest{AccountID: "Alice", Password: "alice password"}, &me)
	if !slices.Equal(identities(me.Identities), []string{"account:alice", "phone:+6281111111111"}) {
		t.Fatalf("alice after link: %+v", me)
	}
	r.mustCall("POST", wire.PathPhoneCode, nil, wire.PhoneCodeRequest{Phone: "+62 822 2222 2222"}, nil)
	r.mustCall("POST", wire.PathMePhone, bob.Token, wire.LinkPhoneRequest{Phone: "+6282222222222", Code: r.log.code(t, "+6282222222222")}, &me)
	if !slices.Equal(identities(me.Identities), []string{"account:bob", "phone:+6282222222222"}) {
		t.Fatalf("bob after link: %+v", me)
	}
	// Alice can now sign in with her account too: a third device.
	a3 := r.signInAccount("alice", "alice password", 0)
	if a3.PersonID != alice.PersonID || a3.DeviceID != 3 {
		t.Fatalf("sign-in by linked account: %+v", a3)
	}

	// Each finds the other by either address. A lookup says only that the
	// address exists (the person's other identities stay hidden from
	// someone they have not written to) and gives bundles without
	// one-time prekeys; those only a bundle fetch by person id takes.
	for _, addr := range []string{"phone:+6281111111111", "account:alice", "phone:+62 811-1111-1111", "ACCOUNT:ALICE"} {
		var l wire.Lookup
		r.mustCall("GET", "/v1/lookup/"+url.PathEscape(addr), bob.Token, nil, &l)
		want, _ := wire.ParseAddress(addr)
		if l.PersonID != alice.PersonID || len(l.Devices) != 3 || !slices.Equal(l.Identities, []wire.Address{want}) {
			t.Fatalf("lookup %s: %+v", addr, l)
		}
		if l.Devices[0].DeviceID != 1 || l.Devices[1].DeviceID != 2 || len(l.Devices[0].IdentityKey) != 33 {
			t.Fatalf("bundles: %+v", l.Devices)
		}
		for _, b := range l.Devices {
			if b.OneTimePreKey != nil {
				t.Fatalf("lookup %s took a one-time prekey of device %d", addr, b.DeviceID)
			}
		}
	}
	seen := map[uint32]bool{}
	for range 4 {
		var l wire.Lookup
		r.mustCall("GET", "/v1/people/"+alice.PersonID, bob.Token, nil, &l)
		if l.PersonID != alice.PersonID || len(l.Devices) != 3 || len(l.Identities) != 0 {
			t.Fatalf("bundle fetch: %+v", l)
		}
		if k := l.Devices[0].OneTimePreKey; k != nil {
			if seen[k.ID] {
				t.Fatalf("one-time prekey %d handed out twice", k.ID)
			}
			seen[k.ID] = true
		}
		if l.Devices[2].OneTimePreKey != nil {
			t.Fatal("device 3 registered no one-time prekeys")
		}
	}
	if len(seen) != 3 {
		t.Fatalf("device 1 had 3 one-time prekeys; handed out %d", len(seen))
	}
	// Once alice has written to bob, he may see all her identities: as
	// soon as her envelope reaches him, before her "sent" even comes.
	bw := r.dial(bob)
	r.dial(alice).send(&wire.SendFrame{ID: "r1", To: bob.PersonID,
		Envelopes: []wire.Envelope{{ID: "hi", Device: 1, Type: 1, Body: []byte("hi bob"), TS: 1}},
		Self:      []wire.Envelope{{ID: "hi", Device: 2, Type: 1, Body: []byte("x"), TS: 1}, {ID: "hi", Device: 3, Type: 1, Body: []byte("x"), TS: 1}}})
	bw.receive(1)
	var all wire.Lookup
	r.mustCall("GET", "/v1/people/"+alice.PersonID, bob.Token, nil, &all)
	if !slices.Equal(identities(all.Identities), []string{"account:alice", "phone:+6281111111111"}) {
		t.Fatalf("after alice wrote: %+v", all.Identities)
	}
	r.mustCall("GET", "/v1/lookup/account:alice", bob.Token, nil, &all)
	if len(all.Identities) != 2 {
		t.Fatalf("lookup after alice wrote: %+v", all.Identities)
	}
	for _, addr := range []string{"account:bob", "phone:+6282222222222"} {
		var l wire.Lookup
		r.mustCall("GET", "/v1/lookup/"+url.PathEscape(addr), alice2.Token, nil, &l)
		if l.PersonID != bob.PersonID {
			t.Fatalf("lookup %s: %+v", addr, l)
		}
	}
	// By person id, only some devices.
	var l wire.Lookup
	r.mustCall("GET", "/v1/people/"+alice.PersonID+"?devices=2", bob.Token, nil, &l)
	if len(l.Devices) != 1 || l.Devices[0].DeviceID != 2 {
		t.Fatalf("devices=2: %+v", l)
	}
	r.wantCode(wire.CodeUnknownDevice, "GET", "/v1/people/"+alice.PersonID+"?devices=9", bob.Token, nil)
	r.wantCode(wire.CodeUnknownPerson, "GET", "/v1/people/aaaaaaaaaaaaaaaaaaaaaaaaaa", bob.Token, nil)
	r.wantCode(wire.CodeUnknownPerson, "GET", "/v1/people/nope", bob.Token, nil)
	r.wantCode(wire.CodeBadRequest, "GET", "/v1/people/"+alice.PersonID+"?devices=x", bob.Token, nil)

	// Linking what is taken or already there.
	r.wantCode(wire.CodeAlreadyLinked, "POST", wire.PathMeAccount, alice.Token, wire.LinkAccountRequest{AccountID: "alice2", Password: "alice password"})
	r.wantCode(wire.CodeAccountTaken, "POST", wire.PathMeAccount, r.signUpPhone("+6283333333333", 0).Token, wire.LinkAccountRequest{AccountID: "bob", Password: "alice password"})
	r.wantCode(wire.CodeAlreadyLinked, "POST", wire.PathMePhone, alice.Token, wire.LinkPhoneRequest{Phone: "+6284444444444", Code: "000000"})
	carol := r.signUpAccount("carol", "carol password", 0)
	r.wantCode(wire.CodePhoneTaken, "POST", wire.PathMePhone, carol.Token, wire.LinkPhoneRequest{Phone: "+6281111111111", Code: "000000"})

	// Unlinking: the address stops resolving and becomes free; the last
	// identity cannot go.
	r.mustCall("DELETE", "/v1/me/identities/"+url.PathEscape("phone:+6281111111111"), alice.Token, nil, &me)
	if !slices.Equal(identities(me.Identities), []string{"account:alice"}) {
		t.Fatalf("after unlink: %+v", me)
	}
	r.wantCode(wire.CodeUnknownAddress, "GET", "/v1/lookup/phone:+6281111111111", bob.Token, nil)
	r.wantCode(wire.CodeLastIdentity, "DELETE", "/v1/me/identities/account:alice", alice.Token, nil)
	r.wantCode(wire.CodeNotLinked, "DELETE", "/v1/me/identities/account:bob", alice.Token, nil)
	r.wantCode(wire.CodeBadAddress, "DELETE", "/v1/me/identities/email:x", alice.Token, nil)
	r.mustCall("GET", "/v1/lookup/account:alice", bob.Token, nil, &l)
	if l.PersonID != alice.PersonID {
		t.Fatal("alice lost after unlinking her phone")
	}
	// The freed number signs up a new person.
	fresh := r.signUpPhone("+6281111111111", 0)
	if !fresh.Created || fresh.PersonID == alice.PersonID {
		t.Fatalf("freed number: %+v", fresh)
	}
}

// TestCodes covers the one-time code rules: wrong, expired, too many tries,
// throttled resends.
func TestCodes(t *testing.T) {
	r := startRelay(t)
	phone := "+6285555555555"
	var resp wire.PhoneCodeResponse
	r.mustCall("POST", wire.PathPhoneCode, nil, wire.PhoneCodeRequest{Phone: phone}, &resp)
	if resp.Phone != phone || resp.ExpiresIn != 600 || resp.ResendIn != 60 {
		t.Fatalf("%+v", resp)
	}
	code := r.log.code(t, phone)
	if len(code) != 6 {
		t.Fatalf("code %q", code)
	}
	e := r.wantCode(wire.CodeCodeThrottled, "POST", wire.PathPhoneCode, nil, wire.PhoneCodeRequest{Phone: phone})
	if e.RetryAfter < 1 || e.RetryAfter > 60 {
		t.Fatalf("retryAfter %d", e.RetryAfter)
	}
	wrong := "000000"
	if wrong == code {
		wrong = "111111"
	}
	verify := func(code string) wire.PhoneVerifyRequest {
		return wire.PhoneVerifyRequest{Phone: phone, Code: code, Device: keys(t, 0)}
	}
	r.wantCode(wire.CodeNoCode, "POST", wire.PathPhoneVerify, nil, wire.PhoneVerifyRequest{Phone: "+6286666666666", Code: code, Device: keys(t, 0)})
	for i := 1; i < 5; i++ {
		r.wantCode(wire.CodeWrongCode, "POST", wire.PathPhoneVerify, nil, verify(wrong))
	}
	r.wantCode(wire.CodeCodeTries, "POST", wire.PathPhoneVerify, nil, verify(wrong))
	// Past its tries, even the right code is refused.
	r.wantCode(wire.CodeCodeTries, "POST", wire.PathPhoneVerify, nil, verify(code))

	// Spending a code's tries locks the number for 15 minutes; then a new
	// code has tries of its own.
	r.clock.Advance(61 * time.Second)
	if e := r.wantCode(wire.CodeCodeLocked, "POST", wire.PathPhoneCode, nil, wire.PhoneCodeRequest{Phone: phone}); e.RetryAfter < 13*60 || e.RetryAfter > 15*60 {
		t.Fatalf("locked with retryAfter %d", e.RetryAfter)
	}
	r.clock.Advance(14 * time.Minute)
	r.mustCall("POST", wire.PathPhoneCode, nil, wire.PhoneCodeRequest{Phone: phone}, &resp)
	if resp.ResendIn != 120 {
		t.Fatalf("the second code's resend wait is %d s, want 120 (doubled)", resp.ResendIn)
	}
	code = r.log.code(t, phone)
	// It expires after ten minutes.
	r.clock.Advance(10*time.Minute + time.Second)
	r.wantCode(wire.CodeCodeExpired, "POST", wire.PathPhoneVerify, nil, verify(code))

	r.mustCall("POST", wire.PathPhoneCode, nil, wire.PhoneCodeRequest{Phone: phone}, nil)
	code = r.log.code(t, phone)
	r.clock.Advance(9 * time.Minute)
	// Bad keys do not spend the code.
	bad := verify(code)
	bad.Device.SignedPreKey.Signature[0] ^= 1
	r.wantCode(wire.CodeBadSignature, "POST", wire.PathPhoneVerify, nil, bad)
	var s wire.Session
	r.mustCall("POST", wire.PathPhoneVerify, nil, verify(code), &s)
	// A code works once.
	r.wantCode(wire.CodeNoCode, "POST", wire.PathPhoneVerify, nil, verify(code))

	// The log sender's line is the only place the code appears.
	found := 0
	for _, l := range r.log.all() {
		if l == "otp phone="+phone+" code="+code {
			found++
		}
	}
	if found != 1 {
		t.Fatalf("otp line for the code logged %d times", found)
	}
}
