package client_test

import (
	"testing"

	"sambung/client"
	"sambung/client/storagetest"
)

func TestMemoryStorage(t *testing.T) { storagetest.Run(t, client.NewMemoryStorage()) }
