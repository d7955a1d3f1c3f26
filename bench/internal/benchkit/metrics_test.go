//go:build !js

package benchkit

import (
	"context"
	"strings"
	"testing"
)

func TestMetric(t *testing.T) {
	r, err := StartRelay(nil)
	if err != nil {
		t.Fatal(err)
	}
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
