//go:build !js

package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/profiler"
	cdpruntime "github.com/chromedp/cdproto/runtime"
)

func TestSummarize(t *testing.T) {
	node := func(id int64, name, url string) *profiler.ProfileNode {
		return &profiler.ProfileNode{ID: id, CallFrame: &cdpruntime.CallFrame{FunctionName: name, URL: url}}
	}
	p := &profiler.Profile{
		Nodes: []*profiler.ProfileNode{
			node(1, "(root)", ""), node(2, "(idle)", ""), node(3, "put", ""),
			node(4, "sambung_client.__tx_.stage", "http://127.0.0.1:1/sambung.wasm"),
		},
		// Each sample lasts until the next: 600 µs idle, 300 µs in put,
		// 100 µs in stage; the last sample has no end and counts nothing.
		Samples:    []int64{2, 3, 4, 2},
		TimeDeltas: []int64{0, 600, 300, 100},
	}
	got := strings.Join(summarize(p, 2, "message"), "\n")
	wantLines(t, "summary", got,
		"0.00 s sampled: busy  40.0% (0 ms, 0.20 ms/message), idle  60.0%",
		"by script: (native)  30.0%, sambung.wasm  10.0%",
		" 30.0%     0.3 ms  put (native)",
		" 10.0%     0.1 ms  sambung_client.__tx_.stage sambung.wasm",
	)
	if s := summarize(&profiler.Profile{}, 1, "message"); len(s) != 1 || s[0] != "no samples" {
		t.Errorf("empty profile: %q", s)
	}
}

func TestCPUReport(t *testing.T) {
	ms := time.Millisecond
	before := map[int]procCPU{
		10: {kind: "chromium browser", threads: map[int]threadCPU{11: {"ThreadPoolForeg", 100 * ms, 0}, 12: {"old", 50 * ms, 0}}},
	}
	after := map[int]procCPU{
		10: {kind: "chromium browser", threads: map[int]threadCPU{
			11: {"ThreadPoolForeg", 300 * ms, 40 * ms},
			12: {"reused", 30 * ms, 0}, // a new thread with 12's id: counts from 0
		}},
		20: {kind: "idle", threads: map[int]threadCPU{21: {"x", 0, 0}}},
	}
	got := strings.Join(cpuReport(before, after, time.Second, 100, "message"), "\n")
	wantLines(t, "report", got,
		"230 ms CPU   23%, 2.30 ms/message,     40 ms waiting for a CPU, RSS 0 → 0 MB: chromium browser (pid 10)",
		"200 ms CPU   20%, 2.00 ms/message,     40 ms waiting: thread ThreadPoolForeg",
		"30 ms CPU    3%, 0.30 ms/message,      0 ms waiting: thread reused",
		"230 ms CPU   23%, 2.30 ms/message,     40 ms waiting for a CPU: all of them",
	)
	if strings.Contains(got, "idle") {
		t.Errorf("a process that used no CPU is listed:\n%s", got)
	}
}

func TestCallReport(t *testing.T) {
	got := callReport(map[string]int{"idb put": 10, "idb get": 5}, 4, "message")
	if want := "idb get 5 (1.25/message), idb put 10 (2.50/message)"; got != want {
		t.Errorf("callReport = %q, want %q", got, want)
	}
	if got := callReport(nil, 4, "message"); got != "no calls counted" {
		t.Errorf("no counts: %q", got)
	}
}

// wantLines fails t for each of want that the text got (a summary or a
// report, what) lacks.
func wantLines(t *testing.T, what, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, got)
		}
	}
}
