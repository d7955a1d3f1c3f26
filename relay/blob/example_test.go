//go:build !js

package blob_test

import (
	"fmt"
	"net/http"
	"os"

	"sambung/relay/blob"
	"sambung/wire"
)

// The relay mounts a Store's Serve on both blob paths, writes the errors it
// returns and hands it its own token check; here every request is one
// device.
func ExampleNew() {
	dir, _ := os.MkdirTemp("", "blobs")
	defer os.RemoveAll(dir)
	store, err := blob.New(blob.Config{
		Dir: dir,
		Authenticate: func(r *http.Request) (string, uint32, error) {
			if r.Header.Get("Authorization") == "" {
				return "", 0, wire.NewError(wire.CodeUnauthorized)
			}
			return "mfrggzdfmztwq2lknnwg23tpob", 1, nil
		},
		MaxSize: 2 << 30,
		Quota:   10 << 30,
	})
	if err != nil {
		panic(err)
	}
	defer store.Close()
	serve := func(w http.ResponseWriter, r *http.Request) {
		if err := store.Serve(w, r); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError) // the relay: handleError
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc(wire.PathBlobs, serve)
	mux.HandleFunc(wire.PathBlobs+"/", serve)
	fmt.Println(wire.CodeBlobExpired.Status(), wire.CodeQuotaExceeded.Status())
	// Output: 410 403
}
