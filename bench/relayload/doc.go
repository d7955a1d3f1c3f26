// Command relayload is the relay's load generator. It starts package
// relay's Server in a child process on loopback (so its memory and CPU are
// measured apart from the generator's), signs up N one-device people,
// connects them over real websockets and makes them send ~200-byte opaque
// bodies to each other, acking what they receive. It prints delivered
// msgs/s, sends durably acked per second, end-to-end latency (send to
// receipt, one process clock) and the relay's RSS; then, in the same run, a
// raw coder/websocket echo baseline over the same number of connections
// (another child process) and the ratio of the two.
//
// Modes:
//
//	go run ./bench/relayload -clients 1000 -duration 10s   # closed loop: max rate
//	go run ./bench/relayload -clients 1000 -rate 10000     # open loop at a fixed rate
//	go run ./bench/relayload -idle 10000                   # idle authenticated sockets, relay RSS
//
// The relay runs with its defaults but for the limits a mass sign-up from
// one address needs; the program prints every deviation. Loopback only;
// every loop is bounded by -duration and fixed timeouts. Linux only: it
// reads /proc for RSS and CPU time.
//
// docs/PERFORMANCE.md ("Relay") records the figures measured here.
package main
