//go:build !js

package turn

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// Credentials follow the "TURN REST API" scheme (draft-uberti-behave-
// turn-rest-00), the one coturn's use-auth-secret implements: the username
// is "<expiry Unix seconds>:<opaque id>" and the credential (the STUN
// long-term password) is base64 of an HMAC of the username under a secret
// only the relay holds. The TURN server needs no table of credentials: it
// recomputes the password from the username it is given and checks the
// expiry written in it.
//
// The draft's HMAC is SHA-1, for servers that share the secret with a web
// service. Here the relay both mints and checks, so it uses HMAC-SHA256.
//
// The opaque id is random per credential, not the device or person id:
// the username crosses the network in clear in every STUN request, and a
// random id tells an observer nothing and links no two calls.

// opaqueSize is the random bytes of a username's opaque id: 96 bits never
// repeat in practice, and encode to 16 base64url characters.
const opaqueSize = 12

// opaqueLen is the length of the opaque id in characters.
var opaqueLen = base64.RawURLEncoding.EncodedLen(opaqueSize)

// maxUsername bounds a username the server parses: 20 digits of expiry, a
// colon and the opaque id.
var maxUsername = 20 + 1 + opaqueLen

// secretSize is the HMAC key size: SHA-256's block-size-independent
// security level needs no more than 32 bytes.
const secretSize = 32

// secret is the credential HMAC key. It is made fresh when the server
// starts and lives only in memory (see New), and it prints as [redacted].
type secret [secretSize]byte

func (secret) String() string   { return "[redacted]" }
func (secret) GoString() string { return "[redacted]" }

func newSecret() *secret {
	s := new(secret)
	rand.Read(s[:])
	return s
}

// password is the long-term password of username: base64 of
// HMAC-SHA256(secret, username).
func (s *secret) password(username string) string {
	m := hmac.New(sha256.New, s[:])
	m.Write([]byte(username))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Credential is one minted TURN credential, as handed to a client.
type Credential struct {
	Username string
	Password string
	// Expires is when it stops starting allocations (whole seconds).
	Expires time.Time
}

// mint makes a credential that expires at exp.
func (s *secret) mint(exp time.Time) Credential {
	var id [opaqueSize]byte
	rand.Read(id[:])
	u := strconv.FormatInt(exp.Unix(), 10) + ":" + base64.RawURLEncoding.EncodeToString(id[:])
	return Credential{Username: u, Password: s.password(u), Expires: time.Unix(exp.Unix(), 0)}
}

// parseUsername reads the expiry of a username of the minted form. It
// checks the form only: a made-up username of the right form gets a
// password from the HMAC that its sender cannot know, so the request's
// MESSAGE-INTEGRITY fails.
func parseUsername(u string) (expiry time.Time, ok bool) {
	if len(u) > maxUsername {
		return time.Time{}, false
	}
	exp, id, found := strings.Cut(u, ":")
	if !found || len(id) != opaqueLen || exp == "" || exp[0] == '0' {
		return time.Time{}, false
	}
	for i := 0; i < len(exp); i++ {
		if exp[i] < '0' || exp[i] > '9' {
			return time.Time{}, false
		}
	}
	sec, err := strconv.ParseInt(exp, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	if _, err := base64.RawURLEncoding.Strict().DecodeString(id); err != nil {
		return time.Time{}, false
	}
	return time.Unix(sec, 0), true
}
