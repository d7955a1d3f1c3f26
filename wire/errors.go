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

// Code names one kind of error a client can get, over HTTP or in an error
// frame. Clients switch on the code, never on the message.
type Code string

// The error codes. docs/PROTOCOL.md lists each with the requests that return
// it; TestProtocolDocListsEveryCode keeps the two in step.
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

type codeInfo struct {
	status  int
	message string
}

// codes is the one table of coded errors: HTTP status and default message.
var codes = map[Code]codeInfo{
	CodeBadRequest:       {statusBadRequest, "the request is not valid JSON of the expected shape"},
	CodeBodyTooLarge:     {statusRequestEntityTooLarge, "the request body is too large"},
	CodeNotFound:         {statusNotFound, "no such endpoint"},
	CodeMethodNotAllowed: {statusMethodNotAllowed, "method not allowed on this endpoint"},
	CodeInternal:         {statusInternalServerError, "internal error"},
	CodeUnavailable:      {statusServiceUnavailable, "the relay is shutting down or overloaded; retry later"},
	CodeRateLimited:      {statusTooManyRequests, "too many requests; retry after retryAfter seconds"},

	CodeUnauthorized: {statusUnauthorized, "missing or invalid device token"},

	CodeBadPhone:       {statusBadRequest, "a phone number must be E.164: '+' then 8 to 15 digits, the first not 0"},
	CodeBadAccountID:   {statusBadRequest, "an account ID is 3 to 32 of a-z 0-9 . _"},
	CodeBadAddress:     {statusBadRequest, "an address is phone:+<digits> or account:<id>"},
	CodeBadPassword:    {statusBadRequest, "a password is 8 to 1024 bytes of UTF-8 text"},
	CodeBadCredentials: {statusUnauthorized, "account ID or password is wrong"},
	CodeAccountTaken:   {statusConflict, "this account ID is taken"},
	CodePhoneTaken:     {statusConflict, "this phone number belongs to another person"},
	CodeAlreadyLinked:  {statusConflict, "this person already has an identity of that kind; unlink it first"},
	CodeNotLinked:      {statusNotFound, "this person has no such identity"},
	CodeLastIdentity:   {statusConflict, "the last identity of a person cannot be unlinked"},

	CodeNoCode:         {statusUnauthorized, "no code is pending for this number; request one"},
	CodeWrongCode:      {statusUnauthorized, "the code is wrong"},
	CodeCodeExpired:    {statusUnauthorized, "the code has expired; request a new one"},
	CodeCodeTries:      {statusForbidden, "too many wrong tries for this code; request a new one"},
	CodeCodeThrottled:  {statusTooManyRequests, "a code was sent moments ago; retry after retryAfter seconds"},
	CodeCodeSendFailed: {statusBadGateway, "the code could not be sent"},
	CodeCodeLocked:     {statusTooManyRequests, "too many wrong codes or codes for this number; retry after retryAfter seconds"},
	CodeCodeRefused:    {statusForbidden, "the relay's check refused to send a code to this number"},

	CodeBadKeys:        {statusBadRequest, "the key material is malformed"},
	CodeBadSignature:   {statusBadRequest, "the signed prekey's signature does not verify under the identity key"},
	CodeTooManyPreKeys: {statusBadRequest, "too many one-time prekeys in one upload, or stored for this device"},
	CodeTooManyDevices: {statusConflict, "this person has the most devices allowed; remove one first"},
	CodeUnknownDevice:  {statusNotFound, "this person has no such device"},

	CodeUnknownAddress: {statusNotFound, "no person has this address"},
	CodeUnknownPerson:  {statusNotFound, "no such person"},

	CodeAuthRequired:       {statusUnauthorized, "the first frame must be an auth frame"},
	CodeBadFrame:           {statusBadRequest, "the frame is malformed"},
	CodeDeviceMismatch:     {statusConflict, "the envelopes do not match the current devices; see missing, stale and devices"},
	CodeEnvelopeTooLarge:   {statusRequestEntityTooLarge, "an envelope body is larger than 256 KiB"},
	CodeTooManyEnvelopes:   {statusRequestEntityTooLarge, "too many envelopes in one send"},
	CodeMailboxFull:        {statusInsufficientStorage, "a recipient's mailbox is full; retry later"},
	CodeStorageFull:        {statusInsufficientStorage, "the relay is low on disk space and takes no new messages or files; reading, acknowledging and deleting still work; retry after retryAfter seconds"},
	CodeTooManyConnections: {statusTooManyRequests, "this device has the most connections allowed"},
	CodeDeviceRemoved:      {statusUnauthorized, "this device was removed"},
	CodeGoingAway:          {statusServiceUnavailable, "the relay is shutting down; reconnect later"},

	CodeUnknownBlob:         {statusNotFound, "no such blob"},
	CodeBlobExpired:         {statusGone, "the blob has expired"},
	CodeBlobTooLarge:        {statusRequestEntityTooLarge, "the blob is larger than the relay accepts"},
	CodeQuotaExceeded:       {statusForbidden, "this person's blobs would exceed their quota; delete some or wait for expiry"},
	CodeBlobIncomplete:      {statusConflict, "the blob's upload has not finished"},
	CodeOffsetMismatch:      {statusConflict, "Upload-Offset is not the blob's current offset; see the Upload-Offset header"},
	CodeUploadBusy:          {statusConflict, "another request is writing this upload; retry after retryAfter seconds"},
	CodeNotUploader:         {statusForbidden, "only the uploading device may write this blob"},
	CodeRangeNotSatisfiable: {statusRangeNotSatisfiable, "no range overlaps the blob"},
}

// Codes returns every error code, for documentation and tests.
func Codes() []Code {
	out := make([]Code, 0, len(codes))
	for c := range codes {
		out = append(out, c)
	}
	return out
}

// Status returns the HTTP status of c, 500 for an unknown code.
func (c Code) Status() int {
	if i, ok := codes[c]; ok {
		return i.status
	}
	return statusInternalServerError
}

// Message returns the default message of c.
func (c Code) Message() string {
	if i, ok := codes[c]; ok {
		return i.message
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
