package attach_test

import (
	"bytes"
	"crypto/rand"
	"fmt"

	"sambung/client/attach"
)

// Encrypt a file, describe it in a Pointer for the end-to-end-encrypted
// message, and decrypt the blob on the other side.
func Example() {
	file := []byte("%PDF-1.7 a small document")
	var blob bytes.Buffer // what is uploaded to the relay
	sealed, err := attach.Encrypt(&blob, bytes.NewReader(file), rand.Reader)
	if err != nil {
		panic(err)
	}
	ptr := &attach.Pointer{
		BlobID: "b7Qx2", Key: sealed.Key, Digest: sealed.Digest, Size: sealed.Size,
		MIME: "application/pdf", FileName: "../Laporan Q3.pdf",
	}
	msg, err := ptr.Marshal() // goes inside the Signal message
	if err != nil {
		panic(err)
	}

	got, err := attach.UnmarshalPointer(msg)
	if err != nil {
		panic(err)
	}
	var plain bytes.Buffer // provisional until Decrypt returns nil
	if err := attach.Decrypt(&plain, &blob, got.Key, got.Size, got.Digest); err != nil {
		panic(err)
	}
	fmt.Println(got.FileName, got.MIME, got.Size, "bytes")
	fmt.Println(attach.CiphertextSize(got.Size), "bytes on the relay")
	fmt.Println(bytes.Equal(plain.Bytes(), file))
	// Output:
	// _Laporan Q3.pdf application/pdf 25 bytes
	// 41 bytes on the relay
	// true
}
