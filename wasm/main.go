//go:build js && wasm

// Command wasm is the browser half of Sambung: the sync core of package
// sambung/client, compiled to WebAssembly, with the browser's fetch,
// WebSocket and IndexedDB behind the client's HTTP, Dialer and Storage.
//
// It only converts between JavaScript and client/: strings, numbers and
// bytes (js.CopyBytesToGo, js.CopyBytesToJS) in and out, errors to
// {code, message}, and a Promise for everything that waits, settled from a
// goroutine so that no JavaScript callback blocks the event loop. It holds
// no protocol logic, and it must not import net/http (through it or
// coder/websocket the module would grow by about 1.6 MB).
//
// web/static/worker.js loads the module and calls the one global it
// defines:
//
//	__sambungCore.start({base, dbName, deviceName, onEvent}) -> Promise<core>
//	core.call(method, args) -> Promise<result>   // methods of docs/API.md
//	core.close() -> Promise<undefined>
//
// onEvent(type, data) receives the events of docs/API.md.
package main

import "syscall/js"

// globalName is the property of globalThis that worker.js reads.
const globalName = "__sambungCore"

func main() {
	start := js.FuncOf(func(_ js.Value, args []js.Value) any {
		config := arg(args, 0)
		return newPromise(func() (any, error) { return startCore(config) })
	})
	// start lives as long as the module, so it is never released.
	js.Global().Set(globalName, object(map[string]any{"start": start}))
	select {}
}
