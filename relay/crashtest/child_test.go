//go:build !js

package crashtest

import (
	"testing"

	"sambung/internal/relaytest"
	"sambung/internal/testkit"
	"sambung/relay"
)

// childEnv names the Badger directory of a child relay. The test binary
// re-executes itself with it set; TestMain then serves the relay instead of
// running tests, so the parent can SIGKILL a real process.
const childEnv = "SAMBUNG_CRASHTEST_DATA"

func TestMain(m *testing.M) {
	testkit.Main(m, childEnv, func(dir string) { relaytest.ServeChild(childConfig(dir)) })
}

// childConfig is the relay's default configuration but for the limits
// that would throttle the test, not the relay's durability
// (relaytest.Config).
func childConfig(dir string) relay.Config {
	cfg := relaytest.Config(dir)
	cfg.Logger = relaytest.ChildLogger()
	return cfg
}

// startRelay starts a child relay on dir and waits until it listens.
func startRelay(t *testing.T, dir string) *relaytest.Child {
	t.Helper()
	return relaytest.StartChild(t, childEnv+"="+dir)
}
