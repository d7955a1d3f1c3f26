package wire

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

var addressCases = []struct {
	in   string
	want string // "" means an error
	err  error
}{
	{"phone:+6281234567890", "phone:+6281234567890", nil},
	{"phone:+62 812-3456-7890", "phone:+6281234567890", nil},
	{"phone:+1 (415) 555-0100", "phone:+14155550100", nil},
	{"PHONE:+49 30 1234567", "phone:+49301234567", nil},
	{"phone:+12345678", "phone:+12345678", nil},               // 8 digits: shortest allowed
	{"phone:+123456789012345", "phone:+123456789012345", nil}, // 15 digits: longest allowed
	{"phone:+1234567", "", ErrBadPhone},                       // 7 digits
	{"phone:+1234567890123456", "", ErrBadPhone},              // 16 digits
	{"phone:081234567890", "", ErrBadPhone},                   // no +
	{"phone:+0812345678", "", ErrBadPhone},                    // first digit 0
	{"phone:++6281234567", "", ErrBadPhone},
	{"phone:+62 812.3456.7890", "", ErrBadPhone}, // dots are not stripped
	{"phone:+6281234567a", "", ErrBadPhone},
	{"phone:+62812345678\t", "", ErrBadPhone},
	{"phone:", "", ErrBadPhone},
	{"account:alice", "account:alice", nil},
	{"account:Alice.Smith_2", "account:alice.smith_2", nil},
	{"ACCOUNT:BOB", "account:bob", nil},
	{"account:ab", "", ErrBadAccountID},
	{"account:" + "a23456789012345678901234567890123", "", ErrBadAccountID}, // 33
	{"account:" + "a2345678901234567890123456789012", "account:a2345678901234567890123456789012", nil},
	{"account:al ice", "", ErrBadAccountID},
	{"account:al-ice", "", ErrBadAccountID},
	{"account:\u212aelvin", "", ErrBadAccountID}, // Kelvin sign must not fold to k
	{"account:", "", ErrBadAccountID},
	{"email:a@b.c", "", ErrBadAddress},
	{"alice", "", ErrBadAddress},
	{"", "", ErrBadAddress},
}

func TestParseAddress(t *testing.T) {
	for _, c := range addressCases {
		a, err := ParseAddress(c.in)
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("ParseAddress(%q) = %v, %v; want error %v", c.in, a, err, c.err)
			}
			continue
		}
		if err != nil || a.String() != c.want {
			t.Errorf("ParseAddress(%q) = %q, %v; want %q", c.in, a, err, c.want)
		}
	}
}

func TestAddressJSON(t *testing.T) {
	var v struct{ A []Address }
	if err := json.Unmarshal([]byte(`{"A":["phone:+62 812 3456 7890","account:Alice"]}`), &v); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(v)
	if string(b) != `{"A":["phone:+6281234567890","account:alice"]}` {
		t.Fatalf("round trip: %s", b)
	}
	if err := json.Unmarshal([]byte(`{"A":["phone:12"]}`), &v); !errors.Is(err, ErrBadPhone) {
		t.Fatalf("bad phone in JSON: %v", err)
	}
}

func TestPersonID(t *testing.T) {
	var b [PersonIDSize]byte
	for i := range b {
		b[i] = byte(i * 37)
	}
	id := EncodePersonID(b)
	if !ValidPersonID(id) || len(id) != 26 {
		t.Fatalf("EncodePersonID = %q, not valid", id)
	}
	for _, bad := range []string{"", id[:25], id + "a", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxy1"} {
		if ValidPersonID(bad) {
			t.Errorf("ValidPersonID(%q) = true", bad)
		}
	}
}

// TestPersonIDIsBase32 checks the hand-written encoder against
// encoding/base32 over random ids, and that ValidPersonID takes an id
// exactly when base32 decodes it.
func TestPersonIDIsBase32(t *testing.T) {
	enc := base32.StdEncoding.WithPadding(base32.NoPadding)
	for range 1000 {
		var b [PersonIDSize]byte
		rand.Read(b[:])
		id := EncodePersonID(b)
		if want := strings.ToLower(enc.EncodeToString(b[:])); id != want {
			t.Fatalf("EncodePersonID(%x) = %q, want %q", b, id, want)
		}
		for _, c := range personIDAlphabet {
			s := id[:25] + string(c)
			_, err := enc.DecodeString(strings.ToUpper(s))
			if got := ValidPersonID(s); got != (err == nil) {
				t.Fatalf("ValidPersonID(%q) = %v; encoding/base32 says %v", s, got, err)
			}
		}
	}
}

func FuzzParseAddress(f *testing.F) {
	for _, c := range addressCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAddress(s)
		if err != nil {
			var we *Error
			if !errors.As(err, &we) {
				t.Fatalf("error %v is not a *wire.Error", err)
			}
			return
		}
		// A normalised address parses to itself.
		b, err := ParseAddress(a.String())
		if err != nil || b != a {
			t.Fatalf("%q normalised to %q, which parses to %q, %v", s, a, b, err)
		}
	})
}
