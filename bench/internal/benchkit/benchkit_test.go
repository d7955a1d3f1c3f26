//go:build !js

package benchkit

import (
	"context"
	"os"
	"strings"
	"testing"

	"sambung/relay"
)

// startRelay starts a relay for one test; the test closes it.
func startRelay(t *testing.T) *Relay {
	t.Helper()
	r, err := StartRelay(nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRelayCloseRemovesData(t *testing.T) {
	r := startRelay(t)
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

func TestMetric(t *testing.T) {
	r := startRelay(t)
	defer r.Close()
	ctx := context.Background()
	for _, name := range []string{"sambung_queue_depth", "sambung_connections"} {
		v, err := r.Metric(ctx, name)
		if err != nil || v != 0 {
			t.Errorf("Metric(%s) = %v, %v; want 0 on a new relay", name, v, err)
		}
	}
	// A name that is a prefix of others must not match them.
	if v, err := r.Metric(ctx, "sambung_envelopes"); err == nil || !strings.Contains(err.Error(), "no metric") {
		t.Errorf("Metric(sambung_envelopes) = %v, %v; want an error naming the missing metric", v, err)
	}
}
