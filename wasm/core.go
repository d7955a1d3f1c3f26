//go:build js && wasm

package main

import (
	"context"
	"errors"
	"sync"
	"syscall/js"

	"sambung/client"
	"sambung/client/attach"
)

// defaultDB is the IndexedDB database of the core when the worker names
// none.
const defaultDB = "sambung"

// maxHistory bounds one history page: the UI shows a screenful at a time,
// and one Promise should not carry an unbounded conversation.
const maxHistory = 500

// core is one client.Client with its browser platform, as JavaScript sees
// it: call(method, args) and close(). The worker holds exactly one.
type core struct {
	c       *client.Client
	st      *idbStorage
	ctx     context.Context // ends with close
	cancel  context.CancelFunc
	onEvent js.Value // function(type, data)

	mu    sync.Mutex
	files transfers // sealer and opener handles of the file engine, under mu
}

// startCore implements __sambungCore.start(config): it opens the storage,
// creates the client, starts syncing when this device is signed in, and
// returns the JavaScript core object.
func startCore(config js.Value) (any, error) {
	if config.Type() != js.TypeObject {
		return nil, &argError{method: "start", name: "config", want: "an object"}
	}
	cfg := &args{method: "start", list: js.ValueOf([]any{
		config.Get("base"), config.Get("dbName"), config.Get("deviceName"),
	})}
	base := cfg.str(0, "base")
	dbName := cfg.optStr(1, "dbName")
	deviceName := cfg.optStr(2, "deviceName")
	onEvent := config.Get("onEvent")
	if onEvent.Type() != js.TypeFunction {
		cfg.fail("onEvent", "a function")
	}
	if cfg.err != nil {
		return nil, cfg.err
	}
	if dbName == "" {
		dbName = defaultDB
	}

	ctx, cancel := context.WithCancel(context.Background())
	st, err := openIDB(ctx, dbName)
	if err != nil {
		cancel()
		return nil, err
	}
	k := &core{st: st, ctx: ctx, cancel: cancel, onEvent: onEvent}
	k.c, err = client.New(ctx, client.Config{
		HTTP:       fetchHTTP{base: base},
		Dialer:     wsDialer{url: wsURL(base)},
		Storage:    st,
		OnEvent:    k.event,
		DeviceName: deviceName,
	})
	if err != nil {
		cancel()
		st.close()
		return nil, err
	}
	// The client connects whenever this device is signed in, now and after
	// each sign-in, and reconnects by itself; its StatusEvents tell the page.
	k.c.Start(ctx)
	return k.jsObject(), nil
}

// jsObject returns the object the worker talks to. Its two functions live
// as long as the module: the worker keeps one core for its lifetime.
func (k *core) jsObject() js.Value {
	call := js.FuncOf(func(_ js.Value, a []js.Value) any {
		method := arg(a, 0)
		list := arg(a, 1)
		return newPromise(func() (any, error) {
			if method.Type() != js.TypeString {
				return nil, &argError{method: "call", name: "method", want: "a string"}
			}
			return k.call(method.String(), list)
		})
	})
	closeFn := js.FuncOf(func(_ js.Value, _ []js.Value) any {
		return newPromise(func() (any, error) { return js.Undefined(), k.close() })
	})
	fns := k.fileFuncs()
	fns["call"], fns["close"] = call, closeFn
	return object(fns)
}

// event forwards a client event to JavaScript. It runs in the client's
// event goroutine and returns at once.
func (k *core) event(e client.Event) {
	name, data := eventJS(e)
	k.onEvent.Invoke(name, data)
}

// close ends the core: the client and the database connection.
func (k *core) close() error {
	err := k.c.Close()
	k.cancel()
	k.st.close()
	return err
}

// profile returns the signed-in profile, or null before sign-in.
func (k *core) profile(ctx context.Context) (js.Value, error) {
	p, err := k.c.Me(ctx)
	if errors.Is(err, client.ErrNotSignedIn) {
		return js.Null(), nil
	}
	if err != nil {
		return js.Undefined(), err
	}
	return profileJS(p), nil
}

// signedIn finishes a sign-in or sign-up: it returns the profile (the
// client starts syncing by itself).
func (k *core) signedIn(ctx context.Context, err error) (js.Value, error) {
	if err != nil {
		return js.Undefined(), err
	}
	return k.profile(ctx)
}

// done converts a method that returns only an error.
func done(err error) (js.Value, error) { return js.Undefined(), err }

// call runs one method of the JavaScript API. Each case only reads the
// arguments, calls the client and converts the result; docs/API.md
// documents them.
func (k *core) call(method string, list js.Value) (any, error) {
	ctx := k.ctx
	c := k.c
	a := &args{method: method, list: list}
	var run func() (js.Value, error)
	switch method {
	case "me":
		run = func() (js.Value, error) { return k.profile(ctx) }
	case "requestPhoneCode":
		phone := a.str(0, "phone")
		run = func() (js.Value, error) { return done(c.RequestPhoneCode(ctx, phone)) }
	case "verifyPhone":
		phone, code := a.str(0, "phone"), a.str(1, "code")
		run = func() (js.Value, error) { return k.signedIn(ctx, c.VerifyPhone(ctx, phone, code)) }
	case "signUp":
		account, password := a.str(0, "account"), a.str(1, "password")
		run = func() (js.Value, error) { return k.signedIn(ctx, c.SignUpAccount(ctx, account, password)) }
	case "signIn":
		account, password := a.str(0, "account"), a.str(1, "password")
		run = func() (js.Value, error) { return k.signedIn(ctx, c.SignInAccount(ctx, account, password)) }
	case "linkPhoneCode":
		phone := a.str(0, "phone")
		run = func() (js.Value, error) { return done(c.LinkPhoneCode(ctx, phone)) }
	case "linkPhone":
		phone, code := a.str(0, "phone"), a.str(1, "code")
		run = func() (js.Value, error) {
			if err := c.LinkPhone(ctx, phone, code); err != nil {
				return js.Undefined(), err
			}
			return k.profile(ctx)
		}
	case "linkAccount":
		account, password := a.str(0, "account"), a.str(1, "password")
		run = func() (js.Value, error) {
			if err := c.LinkAccount(ctx, account, password); err != nil {
				return js.Undefined(), err
			}
			return k.profile(ctx)
		}
	case "lookup":
		address := a.str(0, "address")
		run = func() (js.Value, error) {
			ct, err := c.Lookup(ctx, address)
			if err != nil {
				return js.Undefined(), err
			}
			return contactJS(ct), nil
		}
	case "send":
		to, text := a.str(0, "to"), a.str(1, "text")
		run = func() (js.Value, error) {
			m, err := c.Send(ctx, to, text)
			if err != nil {
				return js.Undefined(), err
			}
			return messageJS(m), nil
		}
	case "markRead":
		conv, upTo := a.str(0, "conversationId"), a.str(1, "messageId")
		run = func() (js.Value, error) { return done(c.MarkRead(ctx, conv, upTo)) }
	case "typing":
		conv, typing := a.str(0, "conversationId"), a.boolean(1, "typing")
		run = func() (js.Value, error) { return done(c.Typing(ctx, conv, typing)) }
	case "conversations":
		run = func() (js.Value, error) {
			list, err := c.Conversations(ctx)
			if err != nil {
				return js.Undefined(), err
			}
			return conversationsJS(list), nil
		}
	case "history":
		conv, before := a.str(0, "conversationId"), a.optStr(1, "before")
		limit := a.integer(2, "limit", 1, maxHistory, 50)
		run = func() (js.Value, error) {
			list, err := c.History(ctx, conv, before, limit)
			if err != nil {
				return js.Undefined(), err
			}
			return messagesJS(list), nil
		}
	case "safetyNumber":
		conv := a.str(0, "conversationId")
		run = func() (js.Value, error) {
			sn, err := c.SafetyNumber(ctx, conv)
			if err != nil {
				return js.Undefined(), err
			}
			return safetyNumberJS(sn), nil
		}
	case "acceptIdentity":
		conv := a.str(0, "conversationId")
		run = func() (js.Value, error) { return done(c.AcceptIdentity(ctx, conv)) }
	case "devices":
		run = func() (js.Value, error) {
			list, err := c.Devices(ctx)
			if err != nil {
				return js.Undefined(), err
			}
			return devicesJS(list), nil
		}
	case "removeDevice":
		// Device ids are uint32 on the wire; JavaScript numbers hold them exactly.
		id := a.integer(0, "id", 1, 1<<32-1, -1)
		if id < 0 {
			a.fail("id", "a device id")
		}
		run = func() (js.Value, error) { return done(c.RemoveDevice(ctx, uint32(id))) }
	case "_blobAuth":
		// Internal methods (a leading _) serve the worker's file engine;
		// the worker refuses them from pages.
		run = func() (js.Value, error) {
			tok, err := c.Token()
			return js.ValueOf(tok), err
		}
	case "_sealFile":
		size := a.integer(0, "size", 0, attach.MaxSize, -1)
		run = func() (js.Value, error) { return k.newSealer(size) }
	case "_sendFile":
		to, h, blobID := a.str(0, "to"), a.integer(1, "h", 1, 1<<31-1, 0), a.str(2, "blobId")
		p := pointerMeta(a, 3, blobID)
		caption := a.optStr(4, "caption")
		run = func() (js.Value, error) { return k.sendSealed(ctx, to, h, p, caption) }
	case "_openFile":
		conv, id := a.str(0, "conversationId"), a.str(1, "messageId")
		run = func() (js.Value, error) { return k.newOpener(ctx, conv, id) }
	case "_finishFile":
		h := a.integer(0, "h", 1, 1<<31-1, 0)
		run = func() (js.Value, error) { return done(k.finishOpener(h)) }
	case "signOut":
		run = func() (js.Value, error) { return done(c.SignOut(ctx)) }
	case "callSignal":
		conv, signal := a.str(0, "conversationId"), a.str(1, "signal")
		run = func() (js.Value, error) { return done(c.SendCallJSON(ctx, conv, signal)) }
	case "iceServers":
		run = func() (js.Value, error) {
			s, err := c.ICEServers(ctx)
			return js.ValueOf(s), err
		}
	default:
		return nil, &client.Error{Code: client.ErrUnknownMethod.Code, Message: "no method " + method}
	}
	if a.err != nil {
		return nil, a.err
	}
	return run()
}
