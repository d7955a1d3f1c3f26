//go:build js && wasm

package main

import (
	"context"
	"errors"
	"sambung/client"
	"syscall/js"
)

// errJS reports an exception or a rejection from a browser API; the
// message carries the JavaScript error's name and message.
var errJS = errors.New("wasm: javascript error")

// jsError is an error thrown or rejected by JavaScript.
type jsError struct {
	name, message string
}

func (e *jsError) Error() string { return "wasm: " + e.name + ": " + e.message }

// Unwrap makes errors.Is(err, errJS) true for every JavaScript error.
func (e *jsError) Unwrap() error { return errJS }

// toError turns a thrown or rejected JavaScript value into a Go error.
func toError(v js.Value) error {
	if v.Type() == js.TypeObject {
		name, msg := v.Get("name"), v.Get("message")
		if name.Type() == js.TypeString || msg.Type() == js.TypeString {
			return &jsError{name: stringOr(name, "Error"), message: stringOr(msg, "")}
		}
	}
	return &jsError{name: "Error", message: describe(v)}
}

// stringOr returns v as a string when it is one, else def.
func stringOr(v js.Value, def string) string {
	if v.Type() == js.TypeString {
		return v.String()
	}
	return def
}

// describe renders any JavaScript value for an error message.
func describe(v js.Value) string {
	if v.Type() == js.TypeString {
		return v.String()
	}
	return js.Global().Call("String", v).String()
}

// catch runs fn and returns what it throws as an error. syscall/js panics
// with a js.Error when a called function throws; every call into a browser
// API that may throw (invalid key, closed socket, quota) goes through here.
func catch(fn func()) (err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if je, ok := r.(js.Error); ok {
			err = toError(je.Value)
			return
		}
		panic(r)
	}()
	fn()
	return nil
}

// await waits for a JavaScript promise to settle, or for ctx to end. It must
// be called from a goroutine, never from a JavaScript callback: the promise
// settles only once control returns to the event loop.
func await(ctx context.Context, promise js.Value) (js.Value, error) {
	type settled struct {
		v  js.Value
		ok bool
	}
	ch := make(chan settled, 1)
	onOK := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- settled{arg(args, 0), true}
		return nil
	})
	onErr := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- settled{arg(args, 0), false}
		return nil
	})
	// The functions stay alive until the promise settles, even when ctx
	// ends first, because the promise still calls one of them.
	release := func() { onOK.Release(); onErr.Release() }
	if err := catch(func() { promise.Call("then", onOK, onErr) }); err != nil {
		release()
		return js.Undefined(), err
	}
	select {
	case s := <-ch:
		release()
		if !s.ok {
			return js.Undefined(), toError(s.v)
		}
		return s.v, nil
	case <-ctx.Done():
		go func() { <-ch; release() }()
		return js.Undefined(), ctx.Err()
	}
}

// arg returns args[i], or undefined when JavaScript passed fewer.
func arg(args []js.Value, i int) js.Value {
	if i < len(args) {
		return args[i]
	}
	return js.Undefined()
}

// newPromise returns a JavaScript promise settled by run, which runs in its
// own goroutine so that the calling JavaScript callback returns at once. A
// panic in run rejects the promise with code "internal" instead of stopping
// the module.
func newPromise(run func() (any, error)) js.Value {
	var resolve, reject js.Value
	executor := js.FuncOf(func(_ js.Value, args []js.Value) any {
		resolve, reject = args[0], args[1]
		return nil
	})
	// The executor runs synchronously inside the Promise constructor.
	p := js.Global().Get("Promise").New(executor)
	executor.Release()
	go func() {
		var (
			result any
			err    error
		)
		func() {
			defer func() {
				if r := recover(); r != nil {
					err = client.ErrInternal
				}
			}()
			result, err = run()
		}()
		if err != nil {
			reject.Invoke(errorValue(err))
			return
		}
		resolve.Invoke(result)
	}()
	return p
}

// bytesToJS copies b into a new Uint8Array.
func bytesToJS(b []byte) js.Value {
	a := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(a, b)
	return a
}

// bytesFromJS copies a Uint8Array or an ArrayBuffer into Go.
func bytesFromJS(v js.Value) ([]byte, error) {
	if !v.InstanceOf(js.Global().Get("Uint8Array")) {
		if !v.InstanceOf(js.Global().Get("ArrayBuffer")) {
			return nil, errNotBytes
		}
		v = js.Global().Get("Uint8Array").New(v)
	}
	b := make([]byte, v.Length())
	js.CopyBytesToGo(b, v)
	return b, nil
}

// errNotBytes reports a value that should have been bytes.
var errNotBytes = errors.New("wasm: value is not a Uint8Array or ArrayBuffer")
