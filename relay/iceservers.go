//go:build !js

package relay

import (
	"fmt"
	"net/http"

	"sambung/relay/internal/httpjson"
	"sambung/relay/turn"
	"sambung/wire"
)

// startTURN checks the external ICE servers and starts the built-in TURN
// server if it is on.
func startTURN(cfg Config) (*turn.Server, error) {
	if len(cfg.ICEServers) > turn.MaxExternalICEServers {
		return nil, fmt.Errorf("relay: at most %d external ICE servers", turn.MaxExternalICEServers)
	}
	for i := range cfg.ICEServers {
		if err := cfg.ICEServers[i].Validate(); err != nil {
			return nil, fmt.Errorf("relay: ICE server %d: %w", i, err)
		}
	}
	if !cfg.TURN.Enabled {
		return nil, nil
	}
	return turn.New(cfg.TURN)
}

func (s *Server) closeTURN() error {
	if s.turn == nil {
		return nil
	}
	return s.turn.Close()
}

// handleICEServers answers GET /v1/ice-servers: a fresh credential for the
// built-in TURN server, if it runs, then the external servers. Only an
// authenticated device gets one, so the relay's bandwidth serves only
// its own users' calls, and at most ICERate of them: a call needs one or
// two, and a device minting thousands is handing them out.
func (s *Server) handleICEServers(w http.ResponseWriter, r *http.Request, d device) error {
	if ok, wait := s.iceLimit.allow(d.mailbox().String()); !ok {
		return limited(wait)
	}
	out := wire.ICEServers{ICEServers: make([]wire.ICEServer, 0, 1+len(s.cfg.ICEServers))}
	if s.turn != nil {
		entry, exp := s.turn.ICEServer()
		out.ICEServers = append(out.ICEServers, entry)
		out.Expires = exp.UnixMilli()
	}
	out.ICEServers = append(out.ICEServers, s.cfg.ICEServers...)
	// A credential must not sit in a shared cache.
	w.Header().Set("Cache-Control", "no-store")
	return httpjson.Write(w, http.StatusOK, &out)
}
