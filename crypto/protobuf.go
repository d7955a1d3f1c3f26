package crypto

import "errors"

// A minimal protobuf (proto2) reader and writer for the two message types of
// the Signal wire format; just enough to match libsignal's bytes exactly.

// Protobuf wire types.
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

var errProtobuf = errors.New("crypto: malformed protobuf")

// appendVarint appends v as a protobuf varint.
func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// varintSize is the length of v as a varint.
func varintSize(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// appendTag appends a field's key.
func appendTag(b []byte, field, wire int) []byte {
	return appendVarint(b, uint64(field)<<3|uint64(wire))
}

// appendBytesField appends a length-delimited field.
func appendBytesField(b []byte, field int, v []byte) []byte {
	b = appendTag(b, field, wireBytes)
	b = appendVarint(b, uint64(len(v)))
	return append(b, v...)
}

// appendKeyField appends a public key field in libsignal's 33-byte encoding.
func appendKeyField(b []byte, field int, k *PublicKey) []byte {
	b = appendTag(b, field, wireBytes)
	b = append(b, PublicKeySize, DjbType)
	return append(b, k[:]...)
}

// appendUint32Field appends a uint32 varint field.
func appendUint32Field(b []byte, field int, v uint32) []byte {
	b = appendTag(b, field, wireVarint)
	return appendVarint(b, uint64(v))
}

// bytesFieldSize is the encoded size of a length-delimited field of n bytes
// (field numbers here are all below 16, so the key is one byte).
func bytesFieldSize(n int) int { return 1 + varintSize(uint64(n)) + n }

// uint32FieldSize is the encoded size of a uint32 field.
func uint32FieldSize(v uint32) int { return 1 + varintSize(uint64(v)) }

// protoReader walks the fields of one message.
type protoReader struct {
	b []byte
}

// readVarint reads up to 10 bytes of varint, as protobuf allows.
func (r *protoReader) readVarint() (uint64, error) {
	var v uint64
	for i := 0; i < 10; i++ {
		if len(r.b) == 0 {
			return 0, errProtobuf
		}
		c := r.b[0]
		r.b = r.b[1:]
		if i == 9 && c > 1 {
			return 0, errProtobuf
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return v, nil
		}
	}
	return 0, errProtobuf
}

// next reads a field key. done is true at the end of the message.
func (r *protoReader) next() (field int, wire int, done bool, err error) {
	if len(r.b) == 0 {
		return 0, 0, true, nil
	}
	k, err := r.readVarint()
	if err != nil {
		return 0, 0, false, err
	}
	field = int(k >> 3)
	if field == 0 || k>>3 > 1<<29-1 {
		return 0, 0, false, errProtobuf
	}
	return field, int(k & 7), false, nil
}

// readFields reads every field of the message, in order, with read, which
// reads the value of each field it knows and skips the others. It fails
// when a field does not parse or one in required (a set of bits, 1<<field)
// is missing.
func (r *protoReader) readFields(required uint64, read func(field, wire int) error) error {
	var seen uint64
	for {
		field, wire, done, err := r.next()
		if err != nil {
			return err
		}
		if done {
			break
		}
		if err := read(field, wire); err != nil {
			return err
		}
		seen |= 1 << field // 0 beyond bit 63: no required field is that high
	}
	if seen&required != required {
		return errProtobuf
	}
	return nil
}

// uint32 reads a varint field's value, keeping the low 32 bits as protobuf
// does for uint32.
func (r *protoReader) uint32(wire int) (uint32, error) {
	if wire != wireVarint {
		return 0, errProtobuf
	}
	v, err := r.readVarint()
	return uint32(v), err
}

// bytes reads a length-delimited field's value; it aliases the input.
func (r *protoReader) bytes(wire int) ([]byte, error) {
	if wire != wireBytes {
		return nil, errProtobuf
	}
	n, err := r.readVarint()
	if err != nil || n > uint64(len(r.b)) {
		return nil, errProtobuf
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v, nil
}

// key reads a public key field in libsignal's 33-byte encoding.
func (r *protoReader) key(wire int) (PublicKey, error) {
	b, err := r.bytes(wire)
	if err != nil {
		return PublicKey{}, err
	}
	return ParsePublicKey(b)
}

// skip passes over a field this code does not know.
func (r *protoReader) skip(wire int) error {
	switch wire {
	case wireVarint:
		_, err := r.readVarint()
		return err
	case wireFixed64:
		if len(r.b) < 8 {
			return errProtobuf
		}
		r.b = r.b[8:]
	case wireBytes:
		_, err := r.bytes(wire)
		return err
	case wireFixed32:
		if len(r.b) < 4 {
			return errProtobuf
		}
		r.b = r.b[4:]
	default:
		return errProtobuf // groups are not used by Signal
	}
	return nil
}
