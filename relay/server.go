//go:build !js

package relay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"sambung/relay/blob"
	"sambung/relay/internal/httpjson"
	"sambung/relay/store"
	"sambung/relay/turn"
	"sambung/wire"
)

// contentSecurityPolicy is sent on every response: the page may load only
// its own scripts (and compile its own wasm), talk only to its own origin,
// and never be framed.
const contentSecurityPolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; " +
	"img-src 'self' blob: data:; media-src 'self' blob:; style-src 'self'; object-src 'none'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'; worker-src 'self'"

// Server is the relay: an http.Handler for the API, the websocket and the
// web page, over one store.
type Server struct {
	cfg     Config
	log     *slog.Logger
	st      *store.Badger
	blobs   *blob.Store
	mux     *http.ServeMux
	hub     *hub
	metrics *metrics
	turn    *turn.Server // nil when the built-in TURN server is off
	disk    *diskGuard
	contact *contacts

	lookupLimit     *limiter
	lookupAddrLimit *limiter
	lookupDays      *allowances
	misses          *missCounter
	preKeyFetch     *limiter
	preKeyTarget    *limiter
	drainAlerts     *limiter
	authLimit       *limiter
	iceLimit        *limiter
	preauth         *gate
	codeBudget      *codeBudgets
	otpKey          []byte
	argonSem        chan struct{}
	dummyHash       store.PasswordHash

	ctx     context.Context // cancelled by Close: ends every websocket
	cancel  context.CancelFunc
	closing atomic.Bool
	conns   sync.WaitGroup

	etags sync.Map // static file name -> ETag, see etag
}

// New opens the store in cfg.DataDir and the blob store in cfg.BlobDir and
// returns a ready Server.
func New(cfg Config) (*Server, error) {
	cfg.setDefaults()
	s := &Server{
		cfg:             cfg,
		log:             cfg.Logger,
		metrics:         newMetrics(),
		lookupLimit:     newLimiter(cfg.LookupRate, cfg.Now),
		lookupAddrLimit: newLimiter(cfg.LookupAddrRate, cfg.Now),
		lookupDays:      &allowances{m: make(map[string]*allowanceDay)},
		misses:          &missCounter{},
		preKeyFetch:     newLimiter(cfg.PreKeyFetchRate, cfg.Now),
		preKeyTarget:    newLimiter(cfg.PreKeyTargetRate, cfg.Now),
		drainAlerts:     newLimiter(Rate{Count: 1, Per: cfg.PreKeyTargetRate.Per, Burst: 1}, cfg.Now),
		authLimit:       newLimiter(cfg.AuthRate, cfg.Now),
		iceLimit:        newLimiter(cfg.ICERate, cfg.Now),
		// argon2id takes Memory KiB per call: at most 4 at once bounds the
		// relay's password memory to 4 x 19 MiB.
		argonSem: make(chan struct{}, 4),
	}
	s.hub = newHub(cfg.MaxConnsPerDevice, s.metrics)
	s.preauth = newGate(cfg.MaxUnauthenticated, cfg.MaxUnauthenticatedPerAddr, s.metrics)
	s.codeBudget = newCodeBudgets(cfg.CodeBudget, cfg.CountryCodeBudget, cfg.Now, cfg.Logger.Warn, s.metrics)
	st, err := store.Open(store.Options{
		Dir:          cfg.DataDir,
		Logger:       cfg.Logger,
		MaxDepth:     cfg.MaxDepth,
		Shares:       cfg.Shares,
		SeenTTL:      cfg.SeenTTL,
		MemTableSize: cfg.MemTableSize,
		OnFlush:      s.metrics.observeFlush,
		OnCommit:     s.hub.deliver,
	})
	if err != nil {
		return nil, err
	}
	s.st = st
	s.contact = newContacts(st)
	if s.otpKey, err = st.Secret(context.Background(), "otp-hmac", 32); err != nil {
		st.Close()
		return nil, fmt.Errorf("relay: otp key: %w", err)
	}
	if s.blobs, err = s.openBlobs(); err != nil {
		st.Close()
		return nil, err
	}
	s.disk = newDiskGuard(cfg.DiskReserve, cfg.DiskCheckEvery, cfg.Logger, cfg.DataDir, cfg.BlobDir)
	if s.turn, err = startTURN(cfg); err != nil {
		s.blobs.Close()
		st.Close()
		return nil, err
	}
	s.dummyHash = s.hashPassword("dummy password for unknown accounts")
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.routes()
	return s, nil
}

// Close ends every websocket with going_away, waits for their handlers,
// stops the blob sweeper, flushes the mailbox writer and closes the store.
// Stop the http.Server (Shutdown) first so that no new request arrives.
func (s *Server) Close() error {
	if !s.closing.CompareAndSwap(false, true) {
		return nil
	}
	s.hub.closeAll(wire.CodeGoingAway)
	s.cancel()
	s.conns.Wait()
	return errors.Join(s.closeTURN(), s.blobs.Close(), s.st.Close())
}

// ServeHTTP sets the security headers on every response and dispatches.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	s.mux.ServeHTTP(w, r)
}

// MaxHeaderBytes bounds the request headers the relay's http.Server
// reads: the API sends a bearer token and a few standard headers, and a
// client that has not authenticated must not make the relay buffer the
// 1 MiB net/http allows by default.
const MaxHeaderBytes = 16 << 10

// HTTPServer returns the http.Server the relay should be served with: h
// (a Server) with the header limits above. It has no ReadTimeout or
// WriteTimeout: they bound a whole request or response, and a blob PATCH
// or GET of up to 2 GiB on a slow phone link takes far longer than any
// fixed bound (an hour at 5 Mbit/s). A stalled blob upload keeps what
// arrived and resumes from HEAD; websockets have the relay's pings.
// ReadHeaderTimeout drops clients that never finish their headers, and
// IdleTimeout runs only between requests.
func HTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    MaxHeaderBytes,
	}
}

// handlerFunc is an API handler: it returns an error for handleError.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// route registers path for one method; other methods get
// method_not_allowed.
func (s *Server) route(method, path string, h handlerFunc) {
	s.mux.HandleFunc(path, s.handle(func(w http.ResponseWriter, r *http.Request) error {
		if r.Method != method {
			return wire.NewError(wire.CodeMethodNotAllowed)
		}
		return h(w, r)
	}))
}

// authedRoute registers path for one method of a signed-in device, which
// the request's bearer token names.
func (s *Server) authedRoute(method, path string, h authedFunc) {
	s.route(method, path, s.authed(h))
}

// handle serves h, writing its error with handleError.
func (s *Server) handle(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.handleError(w, r, err)
		}
	}
}

func (s *Server) routes() {
	s.mux = http.NewServeMux()
	s.route("POST", wire.PathPhoneCode, s.handlePhoneCode)
	s.route("POST", wire.PathPhoneVerify, s.handlePhoneVerify)
	s.route("POST", wire.PathAccountSignUp, s.handleAccountSignUp)
	s.route("POST", wire.PathAccountSignIn, s.handleAccountSignIn)
	s.authedRoute("GET", wire.PathMe, s.handleMe)
	s.authedRoute("POST", wire.PathMePhone, s.handleLinkPhone)
	s.authedRoute("POST", wire.PathMeAccount, s.handleLinkAccount)
	s.authedRoute("DELETE", wire.PathMeIdentity, s.handleUnlink)
	s.authedRoute("GET", wire.PathMeDevices, s.handleDevices)
	s.authedRoute("DELETE", wire.PathMeDevice, s.handleRemoveDevice)
	s.authedRoute("GET", wire.PathKeys, s.handleKeyStatus)
	s.authedRoute("POST", wire.PathKeysPreKeys, s.handleAddPreKeys)
	s.authedRoute("PUT", wire.PathKeysSigned, s.handleSignedPreKey)
	s.authedRoute("GET", wire.PathLookup, s.handleLookup)
	s.authedRoute("GET", wire.PathPerson, s.handlePerson)
	s.authedRoute("GET", wire.PathICEServers, s.handleICEServers)
	s.route("GET", wire.PathWebSocket, s.handleWebSocket)
	s.route("GET", wire.PathHealth, s.handleHealth)
	s.route("GET", wire.PathMetrics, s.handleMetrics)
	// The blob store answers its own methods; its errors go to handleError.
	s.mux.HandleFunc(wire.PathBlobs, s.handle(s.blobs.Serve))
	s.mux.HandleFunc(wire.PathBlobs+"/", s.handle(s.blobs.Serve))
	s.mux.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) { s.handleError(w, r, errNotFound) })
	s.mux.HandleFunc("/", s.handleStatic)
}

// decodeJSON reads a request body of at most wire.MaxRequestBody into v,
// with the same generated codec the client encodes it with.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	return httpjson.Read(w, r, wire.MaxRequestBody, v, "the body is not valid JSON of the expected shape")
}

// reply answers with v as JSON, or returns err for handleError.
func reply(w http.ResponseWriter, v any, err error) error {
	if err != nil {
		return err
	}
	return httpjson.Write(w, http.StatusOK, v)
}

// limitAuth applies the per-address limit of unauthenticated requests.
func (s *Server) limitAuth(r *http.Request) error {
	if ok, wait := s.authLimit.allow(addrKey(r)); !ok {
		e := wire.NewError(wire.CodeRateLimited)
		e.RetryAfter = retrySeconds(wait)
		return e
	}
	return nil
}

// alert sends f to every connected device of person.
func (s *Server) alert(ctx context.Context, person string, f *wire.AlertFrame) {
	ids, err := s.st.DeviceIDs(ctx, person)
	if err != nil {
		s.log.Warn("alert", "err", err)
		return
	}
	for _, id := range ids {
		s.hub.send(store.MailboxID{Person: person, Device: id}, f)
	}
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err := w.Write([]byte("ok\n"))
	return err
}
