package crypto

import (
	"crypto/sha512"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"strconv"
)

// Safety numbers as libsignal's NumericFingerprintGenerator makes them: each
// side's identity key and stable identifier are hashed many times; the first
// 30 bytes become 30 digits to read out, the first 32 bytes go into a
// protobuf for a QR code.

const (
	// fingerprintHashVersion is libsignal's FINGERPRINT_VERSION, the 2-byte
	// big-endian short that starts the hash input. It is 0 for every
	// scannable version: the version parameter changes only the protobuf.
	fingerprintHashVersion = 0

	// minFingerprintIterations and maxFingerprintIterations are the bounds
	// libsignal enforces (it refuses iterations <= 1 or > 1,000,000): one
	// round adds no stretching, and a million already takes seconds in wasm.
	minFingerprintIterations = 2
	maxFingerprintIterations = 1_000_000

	// displayChunks 5-byte chunks, each read big-endian modulo
	// displayChunkModulus, give one side's 30 digits.
	displayChunks       = 6
	displayChunkSize    = 5
	displayChunkModulus = 100_000
	displayChunkDigits  = 5

	// scannableSize is how much of each side's hash goes into the QR code.
	scannableSize = 32
)

// Field numbers of libsignal's fingerprint.proto:
//
//	message LogicalFingerprint { optional bytes content = 1; }
//	message CombinedFingerprints {
//	  optional uint32 version = 1;
//	  optional LogicalFingerprint localFingerprint = 2;
//	  optional LogicalFingerprint remoteFingerprint = 3;
//	}
const (
	fieldCombinedVersion = 1
	fieldCombinedLocal   = 2
	fieldCombinedRemote  = 3
	fieldLogicalContent  = 1
)

// The group wire types, which Signal never writes but prost skips, and the
// largest field number protobuf allows.
const (
	wireStartGroup = 3
	wireEndGroup   = 4
	maxFieldNumber = 1<<29 - 1
)

// protobufRecursionLimit is prost's default nesting limit, which libsignal
// decodes scannable fingerprints with; each nested message or group uses one
// level. Keeping the same number makes CompareScannable accept and refuse
// exactly what libsignal does, and bounds the decoder's recursion.
const protobufRecursionLimit = 100

var (
	// ErrBadFingerprint reports scannable fingerprint bytes that do not
	// decode, or lack a field libsignal requires.
	ErrBadFingerprint = errors.New("crypto: bad scannable fingerprint")
	// ErrFingerprintVersion is what a *FingerprintVersionError matches.
	ErrFingerprintVersion = errors.New("crypto: fingerprint version mismatch")
)

// FingerprintVersionError reports a scannable fingerprint made with another
// version, so the user can be told to update rather than that the keys
// differ. errors.Is(err, ErrFingerprintVersion) holds.
type FingerprintVersionError struct {
	Theirs, Ours uint32
}

func (e *FingerprintVersionError) Error() string {
	return ErrFingerprintVersion.Error() + ": theirs " + strconv.FormatUint(uint64(e.Theirs), 10) +
		", ours " + strconv.FormatUint(uint64(e.Ours), 10)
}

func (e *FingerprintVersionError) Unwrap() error { return ErrFingerprintVersion }

// Fingerprint is the safety number of a conversation between two identities,
// as seen from the local side.
type Fingerprint struct {
	version       uint32
	local, remote [scannableSize]byte
	display       string
}

// NewFingerprint computes the safety number for the local identity (localID,
// localKey) talking to the remote one, with libsignal's parameters: Signal
// uses iterations 5200 and version 2. The stable identifiers are the bytes
// both sides agree on for each identity (libsignal: the phone number in
// E.164 or the service ID).
//
// iterations must be 2 to 1,000,000, as libsignal requires; it is a
// protocol constant, so a value outside that range panics.
func NewFingerprint(iterations int, version uint32, localID []byte, localKey PublicKey,
	remoteID []byte, remoteKey PublicKey) *Fingerprint {
	if iterations < minFingerprintIterations || iterations > maxFingerprintIterations {
		panic("crypto: fingerprint iterations " + strconv.Itoa(iterations) + " outside 2..1000000")
	}
	local := fingerprintHash(iterations, localID, localKey)
	remote := fingerprintHash(iterations, remoteID, remoteKey)
	f := &Fingerprint{version: version}
	copy(f.local[:], local[:])
	copy(f.remote[:], remote[:])

	// Both sides must show the same 60 digits, so the two halves go in
	// sorted order rather than local first.
	l, r := displayDigits(&local), displayDigits(&remote)
	if l < r {
		f.display = l + r
	} else {
		f.display = r + l
	}
	return f
}

// fingerprintHash is libsignal's per-side hash: SHA-512 of version || key ||
// id || key, then iterations-1 more rounds of SHA-512(hash || key), where
// key is the 33-byte serialised public key.
func fingerprintHash(iterations int, id []byte, key PublicKey) [sha512.Size]byte {
	var keyBytes [PublicKeySize]byte
	keyBytes[0] = DjbType
	copy(keyBytes[1:], key[:])

	var hash [sha512.Size]byte
	d := sha512.New()
	d.Write(binary.BigEndian.AppendUint16(nil, fingerprintHashVersion))
	d.Write(keyBytes[:])
	d.Write(id)
	d.Write(keyBytes[:])
	d.Sum(hash[:0])
	for i := 1; i < iterations; i++ {
		d.Reset()
		d.Write(hash[:])
		d.Write(keyBytes[:])
		d.Sum(hash[:0])
	}
	return hash
}

// displayDigits turns one side's hash into its 30 digits.
func displayDigits(hash *[sha512.Size]byte) string {
	b := make([]byte, 0, displayChunks*displayChunkDigits)
	for i := 0; i < displayChunks; i++ {
		var chunk [8]byte
		copy(chunk[8-displayChunkSize:], hash[i*displayChunkSize:(i+1)*displayChunkSize])
		n := binary.BigEndian.Uint64(chunk[:]) % displayChunkModulus
		s := strconv.FormatUint(n, 10)
		for j := len(s); j < displayChunkDigits; j++ {
			b = append(b, '0')
		}
		b = append(b, s...)
	}
	return string(b)
}

// Displayable returns the 60-digit safety number, the same on both sides.
func (f *Fingerprint) Displayable() string { return f.display }

// Scannable returns libsignal's CombinedFingerprints protobuf for a QR code:
// the version, our 32 bytes as localFingerprint, theirs as remoteFingerprint.
func (f *Fingerprint) Scannable() []byte {
	const logicalSize = 2 + scannableSize // content tag, length, 32 bytes
	b := make([]byte, 0, uint32FieldSize(f.version)+2*(2+logicalSize))
	b = appendUint32Field(b, fieldCombinedVersion, f.version)
	for _, fp := range []struct {
		num     int
		content []byte
	}{{fieldCombinedLocal, f.local[:]}, {fieldCombinedRemote, f.remote[:]}} {
		b = appendTag(b, fp.num, wireBytes)
		b = appendVarint(b, logicalSize)
		b = appendBytesField(b, fieldLogicalContent, fp.content)
	}
	return b
}

// CompareScannable reports whether theirs, scanned from the other device, is
// the mirror of ours (our Scannable()): their local fingerprint equals our
// remote one and the other way round, compared in constant time. As in
// libsignal, an absent version counts as 0, a version other than ours is a
// *FingerprintVersionError, and bytes that do not decode or lack a
// fingerprint are ErrBadFingerprint.
func CompareScannable(ours, theirs []byte) (bool, error) {
	o, err := parseScannable(ours)
	if err != nil {
		return false, withDetail(ErrBadFingerprint, "ours: "+err.Error())
	}
	if !o.hasVersion || !o.hasLocal || !o.hasRemote {
		return false, withDetail(ErrBadFingerprint, "ours lacks a field")
	}
	t, err := parseScannable(theirs)
	if err != nil {
		return false, withDetail(ErrBadFingerprint, "theirs: "+err.Error())
	}
	if t.version != o.version {
		return false, &FingerprintVersionError{Theirs: t.version, Ours: o.version}
	}
	if !t.hasLocal {
		return false, withDetail(ErrBadFingerprint, "theirs lacks the local fingerprint")
	}
	if !t.hasRemote {
		return false, withDetail(ErrBadFingerprint, "theirs lacks the remote fingerprint")
	}
	same := subtle.ConstantTimeCompare(t.local, o.remote) & subtle.ConstantTimeCompare(t.remote, o.local)
	return same == 1, nil
}

// scannable is a decoded CombinedFingerprints. The byte slices alias the
// input.
type scannable struct {
	version             uint32
	local, remote       []byte
	hasVersion          bool
	hasLocal, hasRemote bool
}

// Decoding errors. They stay inside ErrBadFingerprint; the text says which
// rule the bytes broke.
var (
	errWireType       = errors.New("wrong wire type for a known field")
	errFieldNumber    = errors.New("field number out of range")
	errEndGroup       = errors.New("end group without its start")
	errRecursionLimit = errors.New("nested deeper than the recursion limit")
)

// parseScannable decodes CombinedFingerprints the way prost does for
// libsignal: the last value of a repeated scalar wins, repeated messages
// merge, unknown fields are skipped, a known field with the wrong wire type
// is an error, and a uint32 keeps the low 32 bits of its varint.
func parseScannable(b []byte) (scannable, error) {
	var s scannable
	budget := protobufRecursionLimit
	for len(b) > 0 {
		num, typ, n, err := consumeTag(b)
		if err != nil {
			return s, err
		}
		b = b[n:]
		switch num {
		case fieldCombinedVersion:
			r := protoReader{b}
			v, err := r.uint32(typ)
			if err != nil {
				return s, err
			}
			b = r.b
			s.version, s.hasVersion = v, true
		case fieldCombinedLocal, fieldCombinedRemote:
			r := protoReader{b}
			msg, err := r.bytes(typ)
			if err != nil {
				return s, err
			}
			b = r.b
			dst, has := &s.local, &s.hasLocal
			if num == fieldCombinedRemote {
				dst, has = &s.remote, &s.hasRemote
			}
			if err := parseLogical(msg, budget-1, dst, has); err != nil {
				return s, err
			}
		default:
			n, err := skipField(b, num, typ, budget)
			if err != nil {
				return s, err
			}
			b = b[n:]
		}
	}
	return s, nil
}

// parseLogical merges one LogicalFingerprint into *content; *has records
// that content was present, as prost's Option does.
func parseLogical(b []byte, budget int, content *[]byte, has *bool) error {
	for len(b) > 0 {
		num, typ, n, err := consumeTag(b)
		if err != nil {
			return err
		}
		b = b[n:]
		if num == fieldLogicalContent {
			r := protoReader{b}
			v, err := r.bytes(typ)
			if err != nil {
				return err
			}
			b = r.b
			*content, *has = v, true
			continue
		}
		n, err = skipField(b, num, typ, budget)
		if err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

// consumeTag reads a field key, refusing what prost refuses: field number 0,
// numbers above 2^29-1 (a key beyond 32 bits) and wire types 6 and 7.
func consumeTag(b []byte) (int, int, int, error) {
	r := protoReader{b}
	k, err := r.readVarint()
	if err != nil {
		return 0, 0, 0, err
	}
	n := len(b) - len(r.b)
	if k>>3 == 0 || k>>3 > maxFieldNumber {
		return 0, 0, 0, errFieldNumber
	}
	num, typ := int(k>>3), int(k&7)
	switch typ {
	case wireVarint, wireFixed32, wireFixed64, wireBytes, wireStartGroup:
		return num, typ, n, nil
	case wireEndGroup:
		return num, typ, n, nil // the caller decides if it closes a group
	}
	return 0, 0, 0, errWireType
}

// skipField skips the value of an unknown field and returns its length.
// budget is the recursion allowance left, counted as prost counts it.
func skipField(b []byte, num, typ, budget int) (int, error) {
	if budget <= 0 {
		return 0, errRecursionLimit
	}
	switch typ {
	case wireEndGroup:
		return 0, errEndGroup
	case wireStartGroup:
		total := 0
		for {
			inner, innerTyp, n, err := consumeTag(b[total:])
			if err != nil {
				return 0, err
			}
			total += n
			if innerTyp == wireEndGroup {
				if inner != num {
					return 0, errEndGroup
				}
				return total, nil
			}
			n, err = skipField(b[total:], inner, innerTyp, budget-1)
			if err != nil {
				return 0, err
			}
			total += n
		}
	}
	r := protoReader{b}
	if err := r.skip(typ); err != nil {
		return 0, err
	}
	return len(b) - len(r.b), nil
}
