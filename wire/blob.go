package wire

// The blob protocol (docs/BLOBS.md): resumable uploads of encrypted files
// in the style of tus, spoken by web/static/files/ and answered by
// relay/blob. Errors are the relay's JSON Error with the blob codes.

// PathBlobs takes POST; PathBlobs+"/{id}" takes HEAD, PATCH, GET and
// DELETE.
const PathBlobs = "/v1/blobs"

// Headers of the blob protocol.
const (
	// HeaderUploadOffset is the durable offset of an upload: sent with a
	// PATCH (where its body starts) and in every answer about an upload.
	HeaderUploadOffset = "Upload-Offset"
	// HeaderUploadLength is the blob's size in bytes.
	HeaderUploadLength = "Upload-Length"
	// HeaderBlobExpires is the expiry of a completed blob, Unix ms.
	HeaderBlobExpires = "Blob-Expires"
	// ContentTypeOffset is the Content-Type of a PATCH body, as in tus.
	ContentTypeOffset = "application/offset+octet-stream"
)

// CreateRequest is the body of POST /v1/blobs. It has no name, type or
// key: the relay must not learn them (unknown members are ignored).
type CreateRequest struct {
	Size int64 `json:"size"`
}

// CreateResponse answers POST /v1/blobs, with status 201 and the new
// blob's path in Location.
type CreateResponse struct {
	ID     string `json:"id"`
	Offset int64  `json:"offset"`
	Size   int64  `json:"size"`
}
