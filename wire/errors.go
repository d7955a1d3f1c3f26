package wire

import "strconv"

// HTTP status codes, spelled out here because importing net/http for its
// constants would link all of net/http into the browser's wasm module
// (about 500 KB brotli): package wire is compiled into it.
const (
	statusBadGateway            = 502
	statusBadRequest            = 400
	statusConflict              = 409
	statusForbidden             = 403
	statusGone                  = 410
	statusInsufficientStorage   = 507
	statusInternalServerError   = 500
	statusMethodNotAllowed      = 405
	statusNotFound              = 404
	statusRequestEntityTooLarge = 413
	statusRangeNotSatisfiable   = 416
	statusServiceUnavailable    = 503
	statusTooManyRequests       = 429
	statusUnauthorized          = 401
)

// Code names one kind of error that reaches a client or a page: the
// relay's, over HTTP or in an error frame, and those the browser's side
// adds (see Origin). Programs switch on the code, never on the message.
type Code string

// The relay's codes. docs/PROTOCOL.md lists each with the requests that
// return it; TestProtocolDocListsEveryCode keeps the two in step.
const (
	CodeBadRequest       Code = "bad_request"
	CodeBodyTooLarge     Code = "body_too_large"
	CodeNotFound         Code = "not_found"
	CodeMethodNotAllowed Code = "method_not_allowed"
	CodeInternal         Code = "internal"
	CodeUnavailable      Code = "unavailable"
	CodeRateLimited      Code = "rate_limited"

	CodeUnauthorized Code = "unauthorized"

	CodeBadPhone       Code = "bad_phone"
	CodeBadAccountID   Code = "bad_account_id"
	CodeBadAddress     Code = "bad_address"
	CodeBadPassword    Code = "bad_password"
	CodeBadCredentials Code = "bad_credentials"
	CodeAccountTaken   Code = "account_taken"
	CodePhoneTaken     Code = "phone_taken"
	CodeAlreadyLinked  Code = "already_linked"
	CodeNotLinked      Code = "not_linked"
	CodeLastIdentity   Code = "last_identity"

	CodeNoCode         Code = "no_code"
	CodeWrongCode      Code = "wrong_code"
	CodeCodeExpired    Code = "code_expired"
	CodeCodeTries      Code = "code_tries"
	CodeCodeThrottled  Code = "code_throttled"
	CodeCodeSendFailed Code = "code_send_failed"
	CodeCodeLocked     Code = "code_locked"
	CodeCodeRefused    Code = "code_refused"

	CodeBadKeys        Code = "bad_keys"
	CodeBadSignature   Code = "bad_signature"
	CodeTooManyPreKeys Code = "too_many_prekeys"
	CodeTooManyDevices Code = "too_many_devices"
	CodeUnknownDevice  Code = "unknown_device"

	CodeUnknownAddress Code = "unknown_address"
	CodeUnknownPerson  Code = "unknown_person"

	CodeAuthRequired       Code = "auth_required"
	CodeBadFrame           Code = "bad_frame"
	CodeDeviceMismatch     Code = "device_mismatch"
	CodeEnvelopeTooLarge   Code = "envelope_too_large"
	CodeTooManyEnvelopes   Code = "too_many_envelopes"
	CodeMailboxFull        Code = "mailbox_full"
	CodeStorageFull        Code = "storage_full"
	CodeTooManyConnections Code = "too_many_connections"
	CodeDeviceRemoved      Code = "device_removed"
	CodeGoingAway          Code = "going_away"

	// The blob store's codes (docs/BLOBS.md).
	CodeUnknownBlob         Code = "unknown_blob"
	CodeBlobExpired         Code = "blob_expired"
	CodeBlobTooLarge        Code = "blob_too_large"
	CodeQuotaExceeded       Code = "quota_exceeded"
	CodeBlobIncomplete      Code = "blob_incomplete"
	CodeOffsetMismatch      Code = "offset_mismatch"
	CodeUploadBusy          Code = "upload_busy"
	CodeNotUploader         Code = "not_uploader"
	CodeRangeNotSatisfiable Code = "range_not_satisfiable"
)

// The codes of the sync core (package client). They never cross the
// network: the core gives them to the page (docs/API.md).
const (
	CodeNotSignedIn         Code = "not_signed_in"
	CodeSignedIn            Code = "signed_in"
	CodeIdentityChanged     Code = "identity_changed"
	CodeClosed              Code = "closed"
	CodeNetwork             Code = "network"
	CodeOffline             Code = "offline"
	CodeUnknownConversation Code = "unknown_conversation"
	CodeUnknownMessage      Code = "unknown_message"
	CodeTextTooLong         Code = "text_too_long"
	CodeBadContent          Code = "bad_content"
	CodeCorruptState        Code = "corrupt_state"
	CodeStorage             Code = "storage"
	CodeCanceled            Code = "canceled"
	CodeTimeout             Code = "timeout"
)

// The file engine's codes: the core's file methods and web/static/files.
const (
	CodeFileTampered     Code = "file_tampered"
	CodeFileIncomplete   Code = "file_incomplete"
	CodeFileTooLarge     Code = "file_too_large"
	CodeTooManyTransfers Code = "too_many_transfers"
	CodeNotAFile         Code = "not_a_file"
	// CodeTransferCancelled is spelled as docs/API.md has always had it,
	// unlike CodeCanceled (a context's end).
	CodeTransferCancelled Code = "cancelled"
)

// The codes of the page's side: the wasm bridge, the worker and sambung.js.
const (
	CodeBadArgument   Code = "bad_argument"
	CodeUnknownMethod Code = "unknown_method"
	CodeLoadFailed    Code = "load_failed"
	CodeUnsupported   Code = "unsupported"
	CodeBaseMismatch  Code = "base_mismatch"
	CodeCoreStopped   Code = "core_stopped"
	CodeCallBusy      Code = "busy"
)

// Origin says which part of Sambung gives a code.
type Origin string

// The origins of codes, one table each in docs/API.md.
const (
	OriginRelay  Origin = "relay"  // the relay, over HTTP or in an error frame
	OriginClient Origin = "client" // the sync core in the browser
	OriginFile   Origin = "file"   // the file engine
	OriginPage   Origin = "page"   // the bridge, the worker and sambung.js
)

// CodeInfo describes one code. Status is its HTTP status, for the relay's
// codes only; Message is its default message.
type CodeInfo struct {
	Code    Code
	Origin  Origin
	Status  int
	Message string
}

// table is the one table of coded errors, in the order the docs list them.
// A slice, not a map: lookups are rare (an error is being made), and a map
// literal costs the wasm module its initialisation code.
var table = []CodeInfo{
	{CodeBadRequest, OriginRelay, statusBadRequest, "the request is not valid JSON of the expected shape"},
	{CodeBodyTooLarge, OriginRelay, statusRequestEntityTooLarge, "the request body is too large"},
	{CodeNotFound, OriginRelay, statusNotFound, "no such endpoint"},
	{CodeMethodNotAllowed, OriginRelay, statusMethodNotAllowed, "method not allowed on this endpoint"},
	{CodeInternal, OriginRelay, statusInternalServerError, "internal error"},
	{CodeUnavailable, OriginRelay, statusServiceUnavailable, "the relay is shutting down or overloaded; retry later"},
	{CodeRateLimited, OriginRelay, statusTooManyRequests, "too many requests; retry after retryAfter seconds"},

	{CodeUnauthorized, OriginRelay, statusUnauthorized, "missing or invalid device token"},

	{CodeBadPhone, OriginRelay, statusBadRequest, "a phone number must be E.164: '+' then 8 to 15 digits, the first not 0"},
	{CodeBadAccountID, OriginRelay, statusBadRequest, "an account ID is 3 to 32 of a-z 0-9 . _"},
	{CodeBadAddress, OriginRelay, statusBadRequest, "an address is phone:+<digits> or account:<id>"},
	{CodeBadPassword, OriginRelay, statusBadRequest, "a password is 8 to 1024 bytes of UTF-8 text"},
	{CodeBadCredentials, OriginRelay, statusUnauthorized, "account ID or password is wrong"},
	{CodeAccountTaken, OriginRelay, statusConflict, "this account ID is taken"},
	{CodePhoneTaken, OriginRelay, statusConflict, "this phone number belongs to another person"},
	{CodeAlreadyLinked, OriginRelay, statusConflict, "this person already has an identity of that kind; unlink it first"},
	{CodeNotLinked, OriginRelay, statusNotFound, "this person has no such identity"},
	{CodeLastIdentity, OriginRelay, statusConflict, "the last identity of a person cannot be unlinked"},

	{CodeNoCode, OriginRelay, statusUnauthorized, "no code is pending for this number; request one"},
	{CodeWrongCode, OriginRelay, statusUnauthorized, "the code is wrong"},
	{CodeCodeExpired, OriginRelay, statusUnauthorized, "the code has expired; request a new one"},
	{CodeCodeTries, OriginRelay, statusForbidden, "too many wrong tries for this code; request a new one"},
	{CodeCodeThrottled, OriginRelay, statusTooManyRequests, "a code was sent moments ago; retry after retryAfter seconds"},
	{CodeCodeSendFailed, OriginRelay, statusBadGateway, "the code could not be sent"},
	{CodeCodeLocked, OriginRelay, statusTooManyRequests, "too many wrong codes or codes for this number; retry after retryAfter seconds"},
	{CodeCodeRefused, OriginRelay, statusForbidden, "the relay's check refused to send a code to this number"},

	{CodeBadKeys, OriginRelay, statusBadRequest, "the key material is malformed"},
	{CodeBadSignature, OriginRelay, statusBadRequest, "the signed prekey's signature does not verify under the identity key"},
	{CodeTooManyPreKeys, OriginRelay, statusBadRequest, "too many one-time prekeys in one upload, or stored for this device"},
	{CodeTooManyDevices, OriginRelay, statusConflict, "this person has the most devices allowed; remove one first"},
	{CodeUnknownDevice, OriginRelay, statusNotFound, "this person has no such device"},

	{CodeUnknownAddress, OriginRelay, statusNotFound, "no person has this address"},
	{CodeUnknownPerson, OriginRelay, statusNotFound, "no such person"},

	{CodeAuthRequired, OriginRelay, statusUnauthorized, "the first frame must be an auth frame"},
	{CodeBadFrame, OriginRelay, statusBadRequest, "the frame is malformed"},
	{CodeDeviceMismatch, OriginRelay, statusConflict, "the envelopes do not match the current devices; see missing, stale and devices"},
	{CodeEnvelopeTooLarge, OriginRelay, statusRequestEntityTooLarge, "an envelope body is larger than 256 KiB"},
	{CodeTooManyEnvelopes, OriginRelay, statusRequestEntityTooLarge, "too many envelopes in one send"},
	{CodeMailboxFull, OriginRelay, statusInsufficientStorage, "a recipient's mailbox is full; retry later"},
	{CodeStorageFull, OriginRelay, statusInsufficientStorage, "the relay is low on disk space and takes no new messages or files; reading, acknowledging and deleting still work; retry after retryAfter seconds"},
	{CodeTooManyConnections, OriginRelay, statusTooManyRequests, "this device has the most connections allowed"},
	{CodeDeviceRemoved, OriginRelay, statusUnauthorized, "this device was removed"},
	{CodeGoingAway, OriginRelay, statusServiceUnavailable, "the relay is shutting down; reconnect later"},

	{CodeUnknownBlob, OriginRelay, statusNotFound, "no such blob"},
	{CodeBlobExpired, OriginRelay, statusGone, "the blob has expired"},
	{CodeBlobTooLarge, OriginRelay, statusRequestEntityTooLarge, "the blob is larger than the relay accepts"},
	{CodeQuotaExceeded, OriginRelay, statusForbidden, "this person's blobs would exceed their quota; delete some or wait for expiry"},
	{CodeBlobIncomplete, OriginRelay, statusConflict, "the blob's upload has not finished"},
	{CodeOffsetMismatch, OriginRelay, statusConflict, "Upload-Offset is not the blob's current offset; see the Upload-Offset header"},
	{CodeUploadBusy, OriginRelay, statusConflict, "another request is writing this upload; retry after retryAfter seconds"},
	{CodeNotUploader, OriginRelay, statusForbidden, "only the uploading device may write this blob"},
	{CodeRangeNotSatisfiable, OriginRelay, statusRangeNotSatisfiable, "no range overlaps the blob"},

	{CodeNotSignedIn, OriginClient, 0, "not signed in"},
	{CodeSignedIn, OriginClient, 0, "already signed in; sign out first"},
	{CodeIdentityChanged, OriginClient, 0, "the contact's keys changed; sending waits until the user accepts them"},
	{CodeClosed, OriginClient, 0, "client closed"},
	{CodeNetwork, OriginClient, 0, "the relay cannot be reached"},
	{CodeOffline, OriginClient, 0, "not connected to the relay"},
	{CodeUnknownConversation, OriginClient, 0, "no such conversation"},
	{CodeUnknownMessage, OriginClient, 0, "no such message"},
	{CodeTextTooLong, OriginClient, 0, "message text is too long"},
	{CodeBadContent, OriginClient, 0, "message content does not decode"},
	{CodeCorruptState, OriginClient, 0, "stored state does not decode"},
	{CodeStorage, OriginClient, 0, "storage failed"},
	{CodeCanceled, OriginClient, 0, "the operation was canceled"},
	{CodeTimeout, OriginClient, 0, "the operation timed out"},

	{CodeFileTampered, OriginFile, 0, "the file does not match what the sender sent: it was altered or damaged"},
	{CodeFileIncomplete, OriginFile, 0, "the file ended early; try the download again"},
	{CodeFileTooLarge, OriginFile, 0, "the file is larger than 2 GiB"},
	{CodeTooManyTransfers, OriginFile, 0, "too many file transfers at once"},
	{CodeNotAFile, OriginFile, 0, "the message has no file"},
	{CodeTransferCancelled, OriginFile, 0, "the transfer was cancelled"},

	{CodeBadArgument, OriginPage, 0, "bad argument"},
	{CodeUnknownMethod, OriginPage, 0, "no such method"},
	{CodeLoadFailed, OriginPage, 0, "the worker or sambung.wasm could not be loaded"},
	{CodeUnsupported, OriginPage, 0, "this browser has neither SharedWorker nor Web Locks"},
	{CodeBaseMismatch, OriginPage, 0, "the core of this browser profile talks to another relay"},
	{CodeCoreStopped, OriginPage, 0, "the core stopped"},
	{CodeCallBusy, OriginPage, 0, "already in a call"},
}

// Codes returns every code, in the table's order: what docs, generators
// and tests read.
func Codes() []CodeInfo { return table }

func lookup(c Code) (CodeInfo, bool) {
	for _, i := range table {
		if i.Code == c {
			return i, true
		}
	}
	return CodeInfo{}, false
}

// Status returns the HTTP status of c, 500 for an unknown code or one the
// relay never sends.
func (c Code) Status() int {
	if i, ok := lookup(c); ok && i.Status != 0 {
		return i.Status
	}
	return statusInternalServerError
}

// Message returns the default message of c.
func (c Code) Message() string {
	if i, ok := lookup(c); ok {
		return i.Message
	}
	return string(c)
}

// DeviceRef names one device of one person.
type DeviceRef struct {
	Person string `json:"person"`
	Device uint32 `json:"device"`
}

// PersonDevices lists the current device ids of one person.
type PersonDevices struct {
	Person  string   `json:"person"`
	Devices []uint32 `json:"devices"`
}

// Error is the JSON body of every HTTP error response and the payload of an
// error frame. Code is the one thing to switch on.
type Error struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
	// RetryAfter is in seconds; set for rate_limited, code_throttled,
	// code_locked, upload_busy and storage_full, and for unavailable when the relay
	// turns a websocket away before it authenticates.
	RetryAfter int `json:"retryAfter,omitempty"`
	// Missing, Stale and Devices are set for device_mismatch: the devices a
	// send left out, the ones it named that do not exist (any more), and the
	// current device ids of each person involved.
	Missing []DeviceRef     `json:"missing,omitempty"`
	Stale   []DeviceRef     `json:"stale,omitempty"`
	Devices []PersonDevices `json:"devices,omitempty"`
}

// NewError returns an Error with c's default message.
func NewError(c Code) *Error { return &Error{Code: c, Message: c.Message()} }

// ErrorWith returns an Error with code c and a message of its own. The
// message goes to the client: never put a secret in it.
func ErrorWith(c Code, message string) *Error {
	return &Error{Code: c, Message: message}
}

// Errorf is ErrorWith under its old name, kept for the relay's callers. It
// formats nothing: package wire is linked into the browser's wasm module,
// which must not carry fmt.
//
// Deprecated: use ErrorWith.
func Errorf(c Code, message string) *Error { return ErrorWith(c, message) }

// utoa formats an id for a message.
func utoa(n uint32) string { return strconv.FormatUint(uint64(n), 10) }

// Error implements error.
func (e *Error) Error() string { return "wire: " + string(e.Code) + ": " + e.Message }

// Is makes errors.Is match any *Error with the same code, so the sentinels
// below work however the message was worded.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Sentinels for the checks this package makes itself.
var (
	ErrBadAddress       = NewError(CodeBadAddress)
	ErrBadPhone         = NewError(CodeBadPhone)
	ErrBadAccountID     = NewError(CodeBadAccountID)
	ErrBadPassword      = NewError(CodeBadPassword)
	ErrBadKeys          = NewError(CodeBadKeys)
	ErrBadFrame         = NewError(CodeBadFrame)
	ErrTooManyPreKeys   = NewError(CodeTooManyPreKeys)
	ErrEnvelopeTooLarge = NewError(CodeEnvelopeTooLarge)
	ErrTooManyEnvelopes = NewError(CodeTooManyEnvelopes)
)
