package client

import "sync"

// emitter delivers events to Config.OnEvent in order from one goroutine,
// so a slow handler never holds the client's lock and a handler may call
// the client. It coalesces "the conversation list changed": after the
// events that were queued together, it reads the list once (list) and
// delivers it in one ConversationEvent.
type emitter struct {
	fn     func(Event)
	list   func() ([]Conversation, error)
	mu     sync.Mutex
	cond   *sync.Cond
	queue  []Event
	closed bool
}

func newEmitter(fn func(Event), list func() ([]Conversation, error)) *emitter {
	e := &emitter{fn: fn, list: list}
	e.cond = sync.NewCond(&e.mu)
	if fn != nil {
		go e.run()
	}
	return e
}

func (e *emitter) push(evs ...Event) {
	if e.fn == nil || len(evs) == 0 {
		return
	}
	e.mu.Lock()
	if !e.closed {
		e.queue = append(e.queue, evs...)
		e.cond.Signal()
	}
	e.mu.Unlock()
}

// close stops delivery after the events already queued.
func (e *emitter) close() {
	e.mu.Lock()
	e.closed = true
	e.cond.Signal()
	e.mu.Unlock()
}

func (e *emitter) run() {
	for {
		e.mu.Lock()
		for len(e.queue) == 0 && !e.closed {
			e.cond.Wait()
		}
		q := e.queue
		e.queue = nil
		done := e.closed
		e.mu.Unlock()
		changed := false
		for _, ev := range q {
			if ev.EventType() == EventConversations {
				changed = true
				continue
			}
			e.fn(ev)
		}
		if changed {
			// Signed out, or the storage failed: an empty list says so.
			list, err := e.list()
			if err != nil {
				list = nil
			}
			e.fn(ConversationEvent{Conversations: nonNil(list)})
		}
		if done && len(q) == 0 {
			return
		}
	}
}
