//go:build !js

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// The browser's file format and upload batching (web/static/files.js,
// client/attach): 64 KiB chunks, each sealed with a 16-byte GCM tag, 128
// sealed chunks per PATCH.
const (
	chunkSize  = 64 << 10
	tagSize    = 16
	sealedSize = chunkSize + tagSize
	batch      = 128
	patchSize  = batch * sealedSize
)

// cipherSize is the blob size of a plaintext of size bytes.
func cipherSize(size int64) int64 {
	chunks := (size + chunkSize - 1) / chunkSize
	return size + chunks*tagSize
}

// rawHTTP is the relay's blob API driven from Go, with no encryption: the
// ceiling the browser's numbers are compared with.
type rawHTTP struct {
	base, token string
	client      *http.Client
	body        []byte // one PATCH of random bytes, sent again and again
}

func newRawHTTP(base, token string) *rawHTTP {
	body := make([]byte, patchSize)
	rand.NewChaCha8([32]byte{1}).Read(body)
	return &rawHTTP{base: base, token: token, client: &http.Client{}, body: body}
}

func (h *rawHTTP) do(method, path string, body io.Reader, header map[string]string) (*http.Response, error) {
	req, err := http.NewRequest(method, h.base+path, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+h.token)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return h.client.Do(req)
}

// upload creates a blob of n bytes and PATCHes it in patchSize requests,
// one after another as the browser does. It returns the blob id and the
// time from the POST to the last answer.
func (h *rawHTTP) upload(n int64) (string, time.Duration, error) {
	start := time.Now()
	post, _ := json.Marshal(map[string]int64{"size": n})
	resp, err := h.do(http.MethodPost, "/v1/blobs", bytes.NewReader(post), map[string]string{"Content-Type": "application/json"})
	if err != nil {
		return "", 0, err
	}
	var created struct {
		ID string `json:"id"`
	}
	err = json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || err != nil {
		return "", 0, fmt.Errorf("POST /v1/blobs: %s %v", resp.Status, err)
	}
	for off := int64(0); off < n; {
		part := min(int64(len(h.body)), n-off)
		resp, err := h.do(http.MethodPatch, "/v1/blobs/"+created.ID, bytes.NewReader(h.body[:part]), map[string]string{
			"Content-Type":  "application/offset+octet-stream",
			"Upload-Offset": strconv.FormatInt(off, 10),
		})
		if err != nil {
			return "", 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			return "", 0, fmt.Errorf("PATCH at %d: %s", off, resp.Status)
		}
		off += part
	}
	return created.ID, time.Since(start), nil
}

// download GETs the blob and reads it to the end.
func (h *rawHTTP) download(id string, n int64) (time.Duration, error) {
	start := time.Now()
	resp, err := h.do(http.MethodGet, "/v1/blobs/"+id, nil, nil)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	got, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK || got != n {
		return 0, fmt.Errorf("GET: %s, %d of %d bytes", resp.Status, got, n)
	}
	return time.Since(start), nil
}

// remove deletes the blob, freeing the quota and the disk.
func (h *rawHTTP) remove(id string) error {
	resp, err := h.do(http.MethodDelete, "/v1/blobs/"+id, nil, nil)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("DELETE: %s", resp.Status)
	}
	return nil
}
