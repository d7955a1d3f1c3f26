//go:build !js

// Command sambung-relay runs the Sambung relay: the HTTP API, the websocket
// and the web page on one port, with its data in a Badger directory.
//
// Attachment blobs are files in their own directory, by default beside the
// Badger directory (./data-blobs for ./data).
//
// Every flag has an environment variable equivalent (SAMBUNG_ plus the flag
// name in capitals, dashes as underscores); a flag given on the command line
// wins. It logs "listening addr=HOST:PORT" once it accepts connections, and
// on SIGINT or SIGTERM stops accepting, closes websockets with going_away,
// flushes the mailbox writer and closes Badger before it exits.
//
// It also runs a STUN/TURN server for calls (UDP and TCP on -turn-addr,
// default :3478), advertised at -turn-relay-ip (default 127.0.0.1, for
// development: set the public IP in production); -turn=false turns it off.
// Devices get short-lived credentials for it, and any -ice-servers, from
// GET /v1/ice-servers (docs/PROTOCOL.md).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"sambung/relay"
	"sambung/relay/blob"
	"sambung/relay/store"
	"sambung/relay/turn"
	"sambung/web"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "sambung-relay:", err)
		os.Exit(1)
	}
}

// shutdownTimeout bounds how long in-flight HTTP requests get on shutdown.
const shutdownTimeout = 10 * time.Second

// run is the relay's whole life: it returns when ctx ends and everything is
// flushed and closed. ready, if set, learns the address it listens on.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer, ready func(addr string)) error {
	fl := flag.NewFlagSet("sambung-relay", flag.ContinueOnError)
	fl.SetOutput(stderr)
	str := func(name, def, usage string) *string {
		if v := getenv(envName(name)); v != "" {
			def = v
		}
		return fl.String(name, def, usage+" (env "+envName(name)+")")
	}
	num := func(name string, def int, usage string) *int {
		v := fl.Int(name, def, usage+" (env "+envName(name)+")")
		if e := getenv(envName(name)); e != "" {
			fl.Set(name, e)
		}
		return v
	}
	var envErr error // a bad boolean must not silently keep its default
	boolean := func(name string, def bool, usage string) *bool {
		v := fl.Bool(name, def, usage+" (env "+envName(name)+")")
		if e := getenv(envName(name)); e != "" {
			if err := fl.Set(name, e); err != nil {
				envErr = fmt.Errorf("bad %s %q: true or false", envName(name), e)
			}
		}
		return v
	}
	dur := func(name string, def time.Duration, usage string) *time.Duration {
		v := fl.Duration(name, def, usage+" (env "+envName(name)+")")
		if e := getenv(envName(name)); e != "" {
			fl.Set(name, e)
		}
		return v
	}
	addr := str("addr", ":8080", "listen address")
	data := str("data", "./data", "Badger data directory")
	blobDir := str("blob-dir", "", "attachment blob directory (default: the -data directory's name plus -blobs)")
	blobMaxMiB := num("blob-max-mib", blob.DefaultMaxSize>>20, "largest attachment blob in MiB")
	blobQuotaMiB := num("blob-quota-mib", blob.DefaultQuota>>20, "attachment bytes per person in MiB")
	blobTTL := dur("blob-ttl", blob.DefaultTTL, "how long a completed blob is kept")
	blobTotalMiB := num("blob-total-mib", 0, "attachment bytes of all people together in MiB (0: no cap but the disk reserve)")
	diskReserveMiB := num("disk-reserve-mib", 512, "free space kept on the data and blob filesystems in MiB: below it sends and uploads get storage_full")
	webDir := str("web", "", "serve the web page from this directory instead of the copy built into the binary (for editing the page without rebuilding)")
	logLevel := str("log-level", "info", "debug, info, warn or error")
	sender := str("otp-sender", "log", "how one-time codes are sent: log (development) or webhook")
	webhook := str("otp-webhook", "", "URL the webhook sender POSTs {phone, code} to")
	lookups := num("lookups-per-minute", 30, "lookups per person per minute")
	lookupBurst := num("lookup-burst", 10, "lookup burst per person")
	lookupAddr := num("lookup-addr-per-minute", 60, "lookups per client address per minute")
	lookupAddrBurst := num("lookup-addr-burst", 30, "lookup burst per client address")
	lookupsNew := num("lookups-new", 20, "lookups by address a new account gets a day")
	lookupsAge := num("lookups-per-day-of-age", 10, "more lookups a day for each day of an account's age")
	lookupsWriter := num("lookups-per-writer", 10, "more lookups a day for each person who has written to the account")
	lookupsMax := num("lookups-daily-max", 500, "most lookups by address an account gets a day")
	missAlarm := num("lookup-miss-alarm", 1000, "lookups finding nobody per minute, relay-wide, that log an anomaly warning")
	fetchHour := num("prekeys-per-requester-hour", 60, "one-time prekeys one person may take per hour with bundle fetches")
	fetchBurst := num("prekeys-per-requester-burst", 40, "burst of one-time prekeys one person may take")
	targetHour := num("prekeys-per-device-hour", 20, "one-time prekeys others may take from one device per hour")
	targetBurst := num("prekeys-per-device-burst", 20, "burst of one-time prekeys others may take from one device")
	iceHour := num("ice-per-hour", 30, "TURN credentials (GET /v1/ice-servers) one device may fetch per hour")
	iceBurst := num("ice-burst", 10, "burst of TURN credentials one device may fetch")
	auths := num("auth-per-minute", 20, "code requests and sign-ins per client IP per minute")
	authBurst := num("auth-burst", 10, "sign-in burst per client IP")
	codeDaily := num("code-daily-cap", 10, "codes one phone number gets in 24 hours")
	codeGuesses := num("code-guess-cap", 10, "wrong codes one phone number may be tried with in 24 hours, across codes")
	codeLockout := dur("code-lockout", 15*time.Minute, "first lockout of a number whose code's tries are spent; doubles with each")
	codeResendMax := dur("code-resend-max", time.Hour, "longest wait between two codes to one number (the wait doubles from 60 s)")
	codesHour := num("codes-per-hour", 1000, "codes sent to all numbers together per hour")
	codeBurst := num("code-burst", 200, "burst of codes sent to all numbers together")
	countryHour := num("country-codes-per-hour", 200, "codes sent to one country calling code per hour")
	countryBurst := num("country-code-burst", 50, "burst of codes sent to one country calling code")
	pwFree := num("password-free-fails", 5, "wrong passwords in a row an account takes before sign-in slows down")
	pwMaxDelay := dur("password-max-delay", time.Hour, "longest lock after a wrong password, before -password-max-fails")
	pwMaxFails := num("password-max-fails", 100, "wrong passwords in a row after which each locks the account for -password-lockout")
	pwLockout := dur("password-lockout", 24*time.Hour, "lock after each wrong password past -password-max-fails")
	frames := num("frames-per-second", 200, "websocket frames per connection per second")
	frameBurst := num("frame-burst", 400, "websocket frame burst per connection")
	maxDepth := num("max-depth", 10_000, "envelopes a mailbox holds at most")
	senderShare := num("sender-share", 0, "envelopes one sender may queue in one mailbox (0: half of -max-depth)")
	strangerShare := num("stranger-share", 200, "envelopes a sender the owner has never written to may queue in one mailbox")
	strangerDepth := num("stranger-depth", 0, "mailbox depth past which strangers' envelopes are refused (0: 80% of -max-depth)")
	personMiB := num("mailbox-mib", store.DefaultPersonBytes>>20, "MiB all mailboxes of one person hold at most")
	strangerMiB := num("stranger-mib", 0, "MiB of a person's mailboxes past which strangers' envelopes are refused (0: 75% of -mailbox-mib)")
	conns := num("conns-per-device", 2, "websockets per device at most")
	authTimeout := dur("auth-timeout", 5*time.Second, "how long a websocket may take to send its auth frame")
	maxUnauth := num("max-unauthenticated", 8192, "websockets waiting to authenticate, in all")
	unauthPerAddr := num("unauthenticated-per-addr", 128, "websockets waiting to authenticate per client address (IPv4, or IPv6 /64)")
	pingEvery := dur("ping-interval", 25*time.Second, "how often the relay pings every websocket")
	pingTimeout := dur("ping-timeout", 20*time.Second, "how long a websocket may take to answer a ping before it is closed")
	turnOn := boolean("turn", true, "run the built-in STUN/TURN server for calls (-turn=false turns it off)")
	turnAddr := str("turn-addr", turn.DefaultListen, "STUN/TURN listen address, UDP and TCP on one port")
	turnTCP := boolean("turn-tcp", true, "also accept TURN over TCP, for networks that block UDP")
	turnIP := str("turn-relay-ip", "127.0.0.1", "IPv4 address clients and peers reach the TURN server at: the relay's public IP in production")
	turnRealm := str("turn-realm", turn.DefaultRealm, "TURN credential realm")
	turnTTL := dur("turn-ttl", turn.DefaultTTL, "how long a TURN credential may start allocations")
	iceServers := str("ice-servers", "", `external ICE servers added to every /v1/ice-servers answer, as a JSON array of RTCIceServer, e.g. [{"urls":["stun:stun.example.org:3478"]}]`)
	if err := fl.Parse(args); err != nil {
		return err
	}
	if envErr != nil {
		return envErr
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("bad -log-level %q", *logLevel)
	}
	handler := slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})
	log := slog.New(handler)

	if *blobMaxMiB <= 0 || *blobQuotaMiB <= 0 || *blobTTL <= 0 {
		return errors.New("-blob-max-mib, -blob-quota-mib and -blob-ttl must be positive")
	}
	if *blobDir == "" {
		*blobDir = relay.DefaultBlobDir(*data)
	}
	if *senderShare < 0 || *strangerShare <= 0 || *strangerDepth < 0 || *personMiB <= 0 || *strangerMiB < 0 {
		return errors.New("-stranger-share and -mailbox-mib must be positive; -sender-share, -stranger-depth and -stranger-mib must not be negative")
	}
	if *blobTotalMiB < 0 || *diskReserveMiB <= 0 || *authTimeout <= 0 || *maxUnauth <= 0 || *unauthPerAddr <= 0 ||
		*pingEvery <= 0 || *pingTimeout <= 0 {
		return errors.New("-blob-total-mib must not be negative; -disk-reserve-mib, -auth-timeout, -max-unauthenticated, -unauthenticated-per-addr, -ping-interval and -ping-timeout must be positive")
	}

	cfg := relay.Config{
		DataDir:          *data,
		BlobDir:          *blobDir,
		BlobMaxSize:      int64(*blobMaxMiB) << 20,
		BlobQuota:        int64(*blobQuotaMiB) << 20,
		BlobTTL:          *blobTTL,
		BlobTotalQuota:   int64(*blobTotalMiB) << 20,
		DiskReserve:      int64(*diskReserveMiB) << 20,
		Logger:           log,
		LookupRate:       relay.Rate{Count: *lookups, Per: time.Minute, Burst: *lookupBurst},
		LookupAddrRate:   relay.Rate{Count: *lookupAddr, Per: time.Minute, Burst: *lookupAddrBurst},
		ICERate:          relay.Rate{Count: *iceHour, Per: time.Hour, Burst: *iceBurst},
		LookupAllowance:  relay.Allowance{New: *lookupsNew, PerDay: *lookupsAge, PerWriter: *lookupsWriter, Max: *lookupsMax},
		LookupMissAlarm:  *missAlarm,
		PreKeyFetchRate:  relay.Rate{Count: *fetchHour, Per: time.Hour, Burst: *fetchBurst},
		PreKeyTargetRate: relay.Rate{Count: *targetHour, Per: time.Hour, Burst: *targetBurst},
		AuthRate:         relay.Rate{Count: *auths, Per: time.Minute, Burst: *authBurst},
		FrameRate:        relay.Rate{Count: *frames, Per: time.Second, Burst: *frameBurst},
		MaxDepth:         *maxDepth,
		Shares: store.Shares{
			SenderShare:   *senderShare,
			StrangerShare: *strangerShare,
			StrangerDepth: *strangerDepth,
			PersonBytes:   int64(*personMiB) << 20,
			StrangerBytes: int64(*strangerMiB) << 20,
		},
		MaxConnsPerDevice:         *conns,
		CodeDailyCap:              *codeDaily,
		CodeGuessCap:              *codeGuesses,
		CodeLockout:               *codeLockout,
		CodeResendMax:             *codeResendMax,
		CodeBudget:                relay.Rate{Count: *codesHour, Per: time.Hour, Burst: *codeBurst},
		CountryCodeBudget:         relay.Rate{Count: *countryHour, Per: time.Hour, Burst: *countryBurst},
		PasswordFreeFails:         *pwFree,
		PasswordMaxDelay:          *pwMaxDelay,
		PasswordMaxFails:          *pwMaxFails,
		PasswordLockout:           *pwLockout,
		AuthTimeout:               *authTimeout,
		MaxUnauthenticated:        *maxUnauth,
		MaxUnauthenticatedPerAddr: *unauthPerAddr,
		PingInterval:              *pingEvery,
		PingTimeout:               *pingTimeout,
	}
	if *turnOn {
		if *turnTTL <= 0 {
			return errors.New("-turn-ttl must be positive")
		}
		cfg.TURN = turn.Config{Enabled: true, Listen: *turnAddr, NoTCP: !*turnTCP, RelayIP: *turnIP, Realm: *turnRealm, TTL: *turnTTL}
	}
	ice, err := turn.ParseICEServers(*iceServers)
	if err != nil {
		return fmt.Errorf("-ice-servers: %w", err)
	}
	cfg.ICEServers = ice
	if *codeDaily <= 0 || *codeGuesses <= 0 || *codeLockout <= 0 || *codeResendMax <= 0 || *pwFree <= 0 ||
		*pwMaxDelay <= 0 || *pwMaxFails <= *pwFree || *pwLockout <= 0 {
		return errors.New("code and password limits must be positive, and -password-max-fails above -password-free-fails")
	}
	if *lookupsNew <= 0 || *lookupsAge < 0 || *lookupsWriter < 0 || *lookupsMax < *lookupsNew || *missAlarm <= 0 {
		return errors.New("-lookups-new and -lookup-miss-alarm must be positive, -lookups-per-day-of-age and -lookups-per-writer not negative, -lookups-daily-max at least -lookups-new")
	}
	for _, r := range []relay.Rate{cfg.LookupRate, cfg.LookupAddrRate, cfg.AuthRate, cfg.FrameRate, cfg.CodeBudget, cfg.CountryCodeBudget,
		cfg.PreKeyFetchRate, cfg.PreKeyTargetRate, cfg.ICERate} {
		if r.Count <= 0 || r.Burst <= 0 {
			return errors.New("rates and bursts must be positive")
		}
	}
	switch *sender {
	case "log":
		cfg.CodeSender = relay.LogSender{Logger: log}
	case "webhook":
		if *webhook == "" {
			return errors.New("-otp-sender webhook needs -otp-webhook URL")
		}
		cfg.CodeSender = relay.WebhookSender{URL: *webhook}
	default:
		return fmt.Errorf("bad -otp-sender %q: log or webhook", *sender)
	}
	cfg.Static = web.Static
	if *webDir != "" {
		st, err := os.Stat(*webDir)
		if err != nil || !st.IsDir() {
			return fmt.Errorf("-web %q is not a directory", *webDir)
		}
		cfg.Static = os.DirFS(*webDir)
	}
	if _, err := fs.Stat(cfg.Static, "sambung.wasm"); err != nil {
		log.Warn("the page has no sambung.wasm: build with ./build.sh build")
	}

	srv, err := relay.New(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		srv.Close()
		return err
	}
	hs := relay.HTTPServer(srv)
	hs.ErrorLog = slog.NewLogLogger(handler, slog.LevelWarn)
	log.Info("listening", "addr", ln.Addr().String(), "data", *data, "blobs", *blobDir, "otp_sender", *sender)
	if ready != nil {
		ready(ln.Addr().String())
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()

	select {
	case <-ctx.Done():
	case err := <-served:
		srv.Close()
		return err
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		log.Warn("http shutdown", "err", err)
	}
	if err := srv.Close(); err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}

// envName is the environment variable of a flag: -otp-sender is
// SAMBUNG_OTP_SENDER.
func envName(flag string) string {
	return "SAMBUNG_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}
