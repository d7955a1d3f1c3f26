//go:build !js

package client_test

import (
	"context"
	"fmt"
	"log"

	"sambung/client"
	"sambung/client/native"
)

// A native client signs up with an account ID, stays connected in the
// background and sends a message; events report its ticks.
func Example() {
	ctx := context.Background()
	base := "http://localhost:8080"
	st, err := native.OpenFileStorage("sambung-state")
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	c, err := client.New(ctx, client.Config{
		HTTP:    native.NewHTTP(base),
		Dialer:  native.NewDialer(base),
		Storage: st,
		OnEvent: func(e client.Event) {
			if r, ok := e.(client.ReceiptEvent); ok {
				fmt.Println(r.MessageIDs, r.Status)
			}
		},
		DeviceName: "example",
	})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if p, _ := c.Me(ctx); !p.SignedIn {
		if err := c.SignUpAccount(ctx, "alice", "correct horse battery"); err != nil {
			log.Fatal(err)
		}
	}
	go c.Connect(ctx)
	m, err := c.Send(ctx, "phone:+6281234567890", "halo")
	if err != nil {
		log.Fatal(client.ErrorCode(err), err)
	}
	fmt.Println(m.Status) // "pending" until the relay has it
}

// Scans go in key order under a prefix; start is exclusive, so paging
// backwards passes the last key seen.
func ExampleMemoryStorage() {
	ctx := context.Background()
	s := client.NewMemoryStorage()
	s.Apply(ctx, []client.KV{
		{Key: "msg/c/001", Value: []byte("first")},
		{Key: "msg/c/002", Value: []byte("second")},
		{Key: "msg/c/003", Value: []byte("third")},
	}, nil)
	page, _ := s.Scan(ctx, "msg/c/", "", 2, true)
	for _, kv := range page {
		fmt.Println(kv.Key, string(kv.Value))
	}
	older, _ := s.Scan(ctx, "msg/c/", page[len(page)-1].Key, 2, true)
	fmt.Println(older[0].Key)
	// Output:
	// msg/c/003 third
	// msg/c/002 second
	// msg/c/001
}
