package crypto_test

import (
	"context"
	"crypto/rand"
	"fmt"

	"sambung/crypto"
)

// A full exchange: Bob publishes a prekey bundle, Alice starts a session
// from it and writes first, Bob answers.
func ExampleEncrypt() {
	newKey := func() *crypto.PrivateKey {
		k, err := crypto.GenerateKey(rand.Reader)
		if err != nil {
			panic(err)
		}
		return k
	}
	aliceAddr := crypto.Address{Name: "alice", DeviceID: 1}
	bobAddr := crypto.Address{Name: "bob", DeviceID: 1}
	alice := crypto.NewMemoryStore(newKey(), 1234)
	bob := crypto.NewMemoryStore(newKey(), 5678)

	// Bob's prekeys, and the bundle the relay hands out for him.
	signed, oneTime := newKey(), newKey()
	bob.AddSignedPreKey(1, signed)
	bob.AddPreKey(42, oneTime)
	sig, err := bob.IdentityKeyPair(context.Background()).Sign(rand.Reader, signed.PublicKey().Bytes())
	if err != nil {
		panic(err)
	}
	pub := oneTime.PublicKey()
	bundle := &crypto.PreKeyBundle{
		RegistrationID:        bob.LocalRegistrationID(context.Background()),
		DeviceID:              bobAddr.DeviceID,
		IdentityKey:           bob.IdentityKeyPair(context.Background()).PublicKey(),
		SignedPreKeyID:        1,
		SignedPreKey:          signed.PublicKey(),
		SignedPreKeySignature: sig,
		PreKeyID:              42,
		PreKey:                &pub,
	}

	if err := crypto.ProcessPreKeyBundle(context.Background(), alice, bobAddr, bundle, rand.Reader); err != nil {
		panic(err)
	}
	t, msg, err := crypto.Encrypt(context.Background(), alice, bobAddr, []byte("hello Bob"))
	if err != nil {
		panic(err)
	}
	fmt.Println("Alice sends type", t)
	plain, err := crypto.Decrypt(context.Background(), bob, aliceAddr, t, msg, rand.Reader)
	if err != nil {
		panic(err)
	}
	fmt.Printf("Bob reads %q\n", plain)

	t, msg, err = crypto.Encrypt(context.Background(), bob, aliceAddr, []byte("hi Alice"))
	if err != nil {
		panic(err)
	}
	fmt.Println("Bob sends type", t)
	plain, err = crypto.Decrypt(context.Background(), alice, bobAddr, t, msg, rand.Reader)
	if err != nil {
		panic(err)
	}
	fmt.Printf("Alice reads %q\n", plain)

	// Output:
	// Alice sends type 3
	// Bob reads "hello Bob"
	// Bob sends type 2
	// Alice reads "hi Alice"
}
