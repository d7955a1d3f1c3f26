package store

import (
	"encoding/binary"
	"errors"

	"sambung/wire"
)

// envelopeVersion is the first byte of every stored envelope, so the format
// can change without a migration of old records.
const envelopeVersion = 1

// envelopeHeader is version, ts, serverTs, fromDevice, type.
const envelopeHeader = 1 + 8 + 8 + 4 + 1

// errBadEnvelope reports a stored envelope that does not decode.
var errBadEnvelope = errors.New("store: bad stored envelope")

// encodeEnvelope writes e in the stored binary form, the codec of
// wire.Envelope on disk: the fixed header, then
// from, dest and id each with a one-byte length (all are at most 64 bytes),
// then the body. Seq lives in the key.
func encodeEnvelope(e *wire.Envelope) []byte {
	b := make([]byte, 0, envelopeHeader+3+len(e.From)+len(e.Dest)+len(e.ID)+len(e.Body))
	b = append(b, envelopeVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(e.TS))
	b = binary.BigEndian.AppendUint64(b, uint64(e.ServerTS))
	b = binary.BigEndian.AppendUint32(b, e.FromDevice)
	b = append(b, byte(e.Type))
	for _, s := range []string{e.From, e.Dest, e.ID} {
		b = append(b, byte(len(s)))
		b = append(b, s...)
	}
	return append(b, e.Body...)
}

// decodeEnvelope parses the stored form. The body is copied, so b may be
// reused by the caller.
func decodeEnvelope(b []byte, e *wire.Envelope) error {
	if len(b) < envelopeHeader || b[0] != envelopeVersion {
		return errBadEnvelope
	}
	e.TS = int64(binary.BigEndian.Uint64(b[1:]))
	e.ServerTS = int64(binary.BigEndian.Uint64(b[9:]))
	e.FromDevice = binary.BigEndian.Uint32(b[17:])
	e.Type = wire.MessageKind(b[21])
	rest := b[envelopeHeader:]
	var fields [3]string
	for i := range fields {
		if len(rest) < 1 || len(rest) < 1+int(rest[0]) {
			return errBadEnvelope
		}
		n := int(rest[0])
		fields[i] = string(rest[1 : 1+n])
		rest = rest[1+n:]
	}
	e.From, e.Dest, e.ID = fields[0], fields[1], fields[2]
	e.Body = append([]byte(nil), rest...)
	return nil
}

// envelopeIDs reads only the sender and id of a stored envelope: from,
// fromDevice and id, without copying the body.
func envelopeIDs(b []byte) (from string, fromDevice uint32, id string, err error) {
	if len(b) < envelopeHeader || b[0] != envelopeVersion {
		return "", 0, "", errBadEnvelope
	}
	fromDevice = binary.BigEndian.Uint32(b[17:])
	rest := b[envelopeHeader:]
	var fields [3]string
	for i := range fields {
		if len(rest) < 1 || len(rest) < 1+int(rest[0]) {
			return "", 0, "", errBadEnvelope
		}
		n := int(rest[0])
		fields[i] = string(rest[1 : 1+n])
		rest = rest[1+n:]
	}
	return fields[0], fromDevice, fields[2], nil
}
