package wire

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// HTTP endpoints. Paths with a {name} take a path parameter.
const (
	PathPhoneCode     = "/v1/phone/code"              // POST PhoneCodeRequest → PhoneCodeResponse
	PathPhoneVerify   = "/v1/phone/verify"            // POST PhoneVerifyRequest → Session
	PathAccountSignUp = "/v1/account/signup"          // POST AccountRequest → Session
	PathAccountSignIn = "/v1/account/signin"          // POST AccountRequest → Session
	PathMe            = "/v1/me"                      // GET → Me
	PathMePhone       = "/v1/me/phone"                // POST LinkPhoneRequest → Me
	PathMeAccount     = "/v1/me/account"              // POST LinkAccountRequest → Me
	PathMeIdentity    = "/v1/me/identities/{address}" // DELETE → Me
	PathMeDevices     = "/v1/me/devices"              // GET → DeviceList
	PathMeDevice      = "/v1/me/devices/{id}"         // DELETE → DeviceList
	PathKeys          = "/v1/keys"                    // GET → KeyStatus
	PathKeysPreKeys   = "/v1/keys/prekeys"            // POST PreKeyUpload → KeyStatus
	PathKeysSigned    = "/v1/keys/signed"             // PUT SignedPreKeyUpload → KeyStatus
	PathLookup        = "/v1/lookup/{address}"        // GET → Lookup
	PathPerson        = "/v1/people/{id}"             // GET [?devices=1,2] → Lookup
	PathWebSocket     = "/v1/ws"                      // GET, websocket upgrade
	PathHealth        = "/healthz"                    // GET → "ok"
	PathMetrics       = "/metrics"                    // GET → Prometheus text
)

// AuthScheme is the Authorization scheme: "Bearer " + base64(token).
const AuthScheme = "Bearer"

// TokenSize is the length of a device token in bytes.
const TokenSize = 32

// PersonIDSize is the number of random bytes in a person id; the id is
// their lowercase base32 without padding (26 characters).
const PersonIDSize = 16

// personIDAlphabet is RFC 4648 base32 in lowercase. Written out here,
// not encoding/base32, whose package costs the wasm module 10 KB for two
// 16-byte ids.
const personIDAlphabet = "abcdefghijklmnopqrstuvwxyz234567"

// EncodePersonID renders PersonIDSize random bytes as a person id: their
// lowercase base32 without padding.
func EncodePersonID(b [PersonIDSize]byte) string {
	out := make([]byte, 0, 26)
	var acc uint32 // bits not yet written, in the low bits
	var n uint     // how many
	for _, c := range b {
		acc = acc<<8 | uint32(c)
		for n += 8; n >= 5; n -= 5 {
			out = append(out, personIDAlphabet[acc>>(n-5)&31])
		}
	}
	return string(append(out, personIDAlphabet[acc<<(5-n)&31])) // 128 = 25×5 + 3
}

// ValidPersonID reports whether s has the form of a person id: 26
// characters of the alphabet. Like encoding/base32, it does not ask that
// the two bits the last character carries beyond the 128 be zero.
func ValidPersonID(s string) bool {
	if len(s) != 26 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(personIDAlphabet, s[i]) < 0 {
			return false
		}
	}
	return true
}

// PreKey is a one-time prekey: an id and a 33-byte public key.
type PreKey struct {
	ID        uint32 `json:"id"`
	PublicKey []byte `json:"publicKey"`
}

// SignedPreKey is a medium-term prekey with the XEdDSA signature of its
// 33-byte public key made with the device's identity key.
type SignedPreKey struct {
	ID        uint32 `json:"id"`
	PublicKey []byte `json:"publicKey"`
	Signature []byte `json:"signature"`
}

// DeviceKeys registers a new device: every sign-up and sign-in carries one.
type DeviceKeys struct {
	RegistrationID uint32       `json:"registrationId"`
	IdentityKey    []byte       `json:"identityKey"`
	SignedPreKey   SignedPreKey `json:"signedPreKey"`
	OneTimePreKeys []PreKey     `json:"oneTimePreKeys"`
	Name           string       `json:"name,omitempty"`
}

const (
	publicKeySize = 33   // libsignal: type byte 0x05 then 32 bytes
	djbType       = 0x05 // libsignal's Curve25519 key type byte
	signatureSize = 64   // XEdDSA
)

func validPublicKey(b []byte) bool { return len(b) == publicKeySize && b[0] == djbType }

// Validate checks the shape of a signed prekey (not its signature).
func (k *SignedPreKey) Validate() error {
	if !validPublicKey(k.PublicKey) || len(k.Signature) != signatureSize {
		return ErrorWith(CodeBadKeys, "signed prekey: public key must be 33 bytes starting 0x05 and signature 64 bytes")
	}
	return nil
}

// ValidatePreKeys checks a batch of one-time prekeys: count, key shape and
// distinct ids.
func ValidatePreKeys(keys []PreKey) error {
	if len(keys) > MaxPreKeysPerUpload {
		return ErrorWith(CodeTooManyPreKeys, "at most "+strconv.Itoa(MaxPreKeysPerUpload)+" one-time prekeys per upload")
	}
	seen := make(map[uint32]bool, len(keys))
	for _, k := range keys {
		if !validPublicKey(k.PublicKey) {
			return ErrorWith(CodeBadKeys, "one-time prekey "+utoa(k.ID)+": public key must be 33 bytes starting 0x05")
		}
		if seen[k.ID] {
			return ErrorWith(CodeBadKeys, "one-time prekey id "+utoa(k.ID)+" appears twice")
		}
		seen[k.ID] = true
	}
	return nil
}

// Validate checks the shape of a device registration. The relay verifies
// the signature on top of this.
func (d *DeviceKeys) Validate() error {
	if d.RegistrationID > MaxRegistrationID {
		return ErrorWith(CodeBadKeys, "registrationId must be at most "+strconv.Itoa(MaxRegistrationID))
	}
	if !validPublicKey(d.IdentityKey) {
		return ErrorWith(CodeBadKeys, "identityKey must be 33 bytes starting 0x05")
	}
	if len(d.Name) > MaxDeviceName {
		return ErrorWith(CodeBadKeys, "device name is longer than "+strconv.Itoa(MaxDeviceName)+" bytes")
	}
	if err := d.SignedPreKey.Validate(); err != nil {
		return err
	}
	return ValidatePreKeys(d.OneTimePreKeys)
}

// ValidatePassword checks a password's length and that it is text: valid
// UTF-8 without U+FFFD, which is what a JSON decoder makes of invalid
// bytes, so that two different byte strings never become one password.
// The relay hashes the NFC form, so that "é" typed as one code point or
// as "e" and a combining accent is the same password.
func ValidatePassword(p string) error {
	if len(p) < MinPassword || len(p) > MaxPassword {
		return ErrBadPassword
	}
	if !utf8.ValidString(p) || strings.ContainsRune(p, utf8.RuneError) {
		return ErrorWith(CodeBadPassword, "a password must be valid UTF-8 text")
	}
	return nil
}

// PhoneCodeRequest asks the relay to send a one-time code to a phone.
// Proof is for a relay that checks requests before sending (a captcha
// answer, say): opaque to the relay, handed to its CodeCheck.
type PhoneCodeRequest struct {
	Phone string `json:"phone"`
	Proof string `json:"proof,omitempty"`
}

// PhoneCodeResponse says where the code went and for how long it holds.
type PhoneCodeResponse struct {
	Phone     string `json:"phone"`     // normalised
	ExpiresIn int    `json:"expiresIn"` // seconds until the code expires
	ResendIn  int    `json:"resendIn"`  // seconds until another code may be requested
}

// PhoneVerifyRequest proves a phone and signs in a new device: it creates
// the person when the number is new.
type PhoneVerifyRequest struct {
	Phone  string     `json:"phone"`
	Code   string     `json:"code"`
	Device DeviceKeys `json:"device"`
}

// AccountRequest signs up or signs in with an account ID and password.
type AccountRequest struct {
	AccountID string     `json:"accountId"`
	Password  string     `json:"password"`
	Device    DeviceKeys `json:"device"`
}

// Session is what a sign-up or sign-in returns. The token is shown once; the
// relay keeps only its hash.
type Session struct {
	PersonID string `json:"personId"`
	DeviceID uint32 `json:"deviceId"`
	Token    []byte `json:"token"`
	// Created is true when this request created the person.
	Created bool `json:"created"`
}

// LinkPhoneRequest adds a verified phone to the signed-in person.
type LinkPhoneRequest struct {
	Phone string `json:"phone"`
	Code  string `json:"code"`
}

// LinkAccountRequest adds an account ID and password to the signed-in person.
type LinkAccountRequest struct {
	AccountID string `json:"accountId"`
	Password  string `json:"password"`
}

// DeviceInfo describes one device of a person. Times are Unix milliseconds.
type DeviceInfo struct {
	ID       uint32 `json:"id"`
	Name     string `json:"name,omitempty"`
	Created  int64  `json:"created"`
	LastSeen int64  `json:"lastSeen,omitempty"`
}

// Me is the signed-in person as their own device sees it.
type Me struct {
	PersonID   string       `json:"personId"`
	DeviceID   uint32       `json:"deviceId"`
	Identities []Address    `json:"identities"`
	Devices    []DeviceInfo `json:"devices"`
}

// DeviceList lists a person's devices.
type DeviceList struct {
	Devices []DeviceInfo `json:"devices"`
}

// PreKeyUpload tops up one-time prekeys.
type PreKeyUpload struct {
	OneTimePreKeys []PreKey `json:"oneTimePreKeys"`
}

// SignedPreKeyUpload rotates the signed prekey.
type SignedPreKeyUpload struct {
	SignedPreKey SignedPreKey `json:"signedPreKey"`
}

// KeyStatus reports a device's prekeys. Low is true below PreKeysLow.
type KeyStatus struct {
	OneTimePreKeys int    `json:"oneTimePreKeys"`
	Low            bool   `json:"low"`
	SignedPreKeyID uint32 `json:"signedPreKeyId"`
}

// PreKeyBundle is what a sender needs to start a session with one device.
// OneTimePreKey is nil when the device has run out.
type PreKeyBundle struct {
	DeviceID       uint32       `json:"deviceId"`
	RegistrationID uint32       `json:"registrationId"`
	IdentityKey    []byte       `json:"identityKey"`
	SignedPreKey   SignedPreKey `json:"signedPreKey"`
	OneTimePreKey  *PreKey      `json:"oneTimePreKey,omitempty"`
}

// Lookup is a person found by address or id: their identities and one
// bundle per device, in device order.
type Lookup struct {
	PersonID   string         `json:"personId"`
	Identities []Address      `json:"identities"`
	Devices    []PreKeyBundle `json:"devices"`
}

// ParseDeviceList parses the devices query parameter of PathPerson:
// comma-separated device ids, e.g. "1,3".
func ParseDeviceList(s string) ([]uint32, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) > MaxDevicesPerPerson {
		return nil, ErrorWith(CodeBadRequest, "at most "+strconv.Itoa(MaxDevicesPerPerson)+" devices")
	}
	out := make([]uint32, 0, len(parts))
	for _, p := range parts {
		n, err := strconv.ParseUint(p, 10, 32)
		if err != nil || n == 0 {
			return nil, ErrorWith(CodeBadRequest, "devices must be comma-separated ids from 1")
		}
		out = append(out, uint32(n))
	}
	return out, nil
}
