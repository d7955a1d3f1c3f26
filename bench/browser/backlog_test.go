//go:build !js

package main

import (
	"testing"
	"time"
)

func TestBacklogTexts(t *testing.T) {
	texts := backlogTexts(25, 10)
	seen := map[string]bool{}
	for i, ts := range texts {
		want := 2
		if i < 5 {
			want = 3
		}
		if len(ts) != want {
			t.Errorf("sender %d sends %d messages, want %d", i, len(ts), want)
		}
		for _, s := range ts {
			if seen[s] {
				t.Errorf("%q twice", s)
			}
			seen[s] = true
		}
	}
	if len(seen) != 25 {
		t.Errorf("%d distinct messages, want 25", len(seen))
	}
}

func TestCheckFlags(t *testing.T) {
	ok := backlogOptions{messages: 10000, senders: 10, page: pageApp, timeout: time.Minute}
	if err := checkFlags("", 100, ok); err != nil {
		t.Errorf("defaults: %v", err)
	}
	if err := checkFlags("backlog", 100, ok); err != nil {
		t.Errorf("-only backlog: %v", err)
	}
	bad := map[string]func(*backlogOptions, *string){
		"unknown measure":     func(_ *backlogOptions, only *string) { *only = "throughput" },
		"backlog alone, 0":    func(o *backlogOptions, only *string) { *only, o.messages = "backlog", 0 },
		"negative backlog":    func(o *backlogOptions, _ *string) { o.messages = -1 },
		"no senders":          func(o *backlogOptions, _ *string) { o.senders = 0 },
		"unknown page":        func(o *backlogOptions, _ *string) { o.page = "chat" },
		"no time to catch up": func(o *backlogOptions, _ *string) { o.timeout = 0 },
	}
	for name, change := range bad {
		o, only := ok, ""
		change(&o, &only)
		if err := checkFlags(only, 100, o); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	for _, n := range []int{0, -1} {
		if err := checkFlags("", n, ok); err == nil {
			t.Errorf("-inflight %d: no error", n)
		}
	}
}
