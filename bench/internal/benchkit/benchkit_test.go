//go:build !js

package benchkit

import (
	"os"
	"testing"

	"sambung/relay"
)

func TestRelayCloseRemovesData(t *testing.T) {
	r, err := StartRelay(nil)
	if err != nil {
		t.Fatal(err)
	}
	dirs := []string{r.dir, relay.DefaultBlobDir(r.dir)}
	for _, d := range dirs {
		if _, err := os.Stat(d); err != nil {
			t.Fatalf("the relay runs without %s: %v", d, err)
		}
	}
	r.Close()
	for _, d := range dirs {
		if _, err := os.Stat(d); !os.IsNotExist(err) {
			t.Errorf("%s is still there after Close: %v", d, err)
		}
	}
}
