// Package floodtest proves that websockets which never authenticate cannot
// exhaust the relay's memory: it runs package relay's Server with its
// default limits in a child process, holds thousands of hostile sockets
// open against it from many loopback addresses, each sitting on an
// unfinished first frame as large as the relay lets it be, and reads the
// child's resident memory from /proc while a real client signs in and
// chats through the flood.
//
// The package has only tests (and this file). It must not be imported.
package floodtest
