//go:build !js

package relay

import (
	"crypto/rand"
	"crypto/subtle"

	"golang.org/x/crypto/argon2"

	"sambung/relay/store"
)

const (
	saltSize = 16 // RFC 9106 recommends 16 bytes of salt
	hashSize = 32 // RFC 9106's recommended tag length
)

// hashPassword hashes pw with argon2id under the configured costs and a
// fresh salt. At most cap(argonSem) run at once.
func (s *Server) hashPassword(pw string) store.PasswordHash {
	p := s.cfg.Argon2
	h := store.PasswordHash{Salt: make([]byte, saltSize), Memory: p.Memory, Time: p.Time, Threads: p.Threads}
	rand.Read(h.Salt)
	s.argonSem <- struct{}{}
	h.Hash = argon2.IDKey([]byte(pw), h.Salt, h.Time, h.Memory, h.Threads, hashSize)
	<-s.argonSem
	return h
}

// checkPassword recomputes pw's hash with h's own salt and costs.
func (s *Server) checkPassword(pw string, h *store.PasswordHash) bool {
	if h == nil || h.Threads == 0 || len(h.Hash) == 0 {
		return false
	}
	s.argonSem <- struct{}{}
	got := argon2.IDKey([]byte(pw), h.Salt, h.Time, h.Memory, h.Threads, uint32(len(h.Hash)))
	<-s.argonSem
	return subtle.ConstantTimeCompare(got, h.Hash) == 1
}
