//go:build !js

package main

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"sambung/bench/internal/benchkit"
)

// clockTick is the unit of the times in /proc/<pid>/stat: USER_HZ, 100 on
// every Linux that Go supports.
const clockTick = 10 * time.Millisecond

// topThreads is how many threads the CPU report names per process.
const topThreads = 4

// threadCPU is what one thread used so far: time on a CPU, and time it
// was ready to run but waited for one (the run queue).
type threadCPU struct {
	name      string // comm: Chromium names its threads
	cpu, wait time.Duration
}

// procCPU is one process's threads, by thread id, and its resident set.
type procCPU struct {
	kind    string
	threads map[int]threadCPU
	rss     int64
}

// cpuTimes reads the threads of this process (the relay and the bench)
// and of every process of the browser, from /proc.
func cpuTimes(browserPID int) map[int]procCPU {
	out := map[int]procCPU{}
	self := os.Getpid()
	out[self] = procCPU{"bench and relay (this process)", threadTimes(self), benchkit.RSS(self)}
	for _, pid := range benchkit.Descendants(browserPID) {
		out[pid] = procCPU{chromiumKind(pid, browserPID), threadTimes(pid), benchkit.RSS(pid)}
	}
	return out
}

// threadTimes reads each thread of pid: CPU time from its stat, and run
// queue wait from its schedstat (0 where the kernel keeps none).
func threadTimes(pid int) map[int]threadCPU {
	out := map[int]threadCPU{}
	dirs, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/[0-9]*", pid))
	for _, d := range dirs {
		tid, err := strconv.Atoi(filepath.Base(d))
		if err != nil {
			continue
		}
		b, err := os.ReadFile(d + "/stat")
		if err != nil {
			continue // the thread ended
		}
		open, end := strings.IndexByte(string(b), '('), strings.LastIndexByte(string(b), ')')
		if open < 0 || end < open {
			continue
		}
		// After comm: state ppid pgrp session tty tpgid flags minflt
		// cminflt majflt cmajflt utime stime: utime is the 12th.
		f := strings.Fields(string(b[end+1:]))
		if len(f) < 13 {
			continue
		}
		u, err1 := strconv.ParseInt(f[11], 10, 64)
		s, err2 := strconv.ParseInt(f[12], 10, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		t := threadCPU{name: string(b[open+1 : end]), cpu: time.Duration(u+s) * clockTick}
		if ss, err := os.ReadFile(d + "/schedstat"); err == nil {
			if f := strings.Fields(string(ss)); len(f) >= 2 {
				if w, err := strconv.ParseInt(f[1], 10, 64); err == nil {
					t.wait = time.Duration(w)
				}
			}
		}
		out[tid] = t
	}
	return out
}

// chromiumKind names a Chromium process by its --type and, for a utility
// process, its service. Chromium rewrites the command line of the
// processes its zygote starts into one space-separated string.
func chromiumKind(pid, browserPID int) string {
	if pid == browserPID {
		return "chromium browser"
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return "chromium (gone)"
	}
	kind, service := "", ""
	for _, arg := range strings.FieldsFunc(string(b), func(r rune) bool { return r == 0 || r == ' ' }) {
		if v, ok := strings.CutPrefix(arg, "--type="); ok {
			kind = v
		}
		if v, ok := strings.CutPrefix(arg, "--utility-sub-type="); ok {
			service = v
		}
	}
	switch {
	case kind == "":
		return "chromium (no --type)"
	case service != "":
		return "chromium " + kind + " " + service
	case benchkit.IsTabRenderer(pid):
		return "chromium renderer (web content)"
	}
	return "chromium " + kind
}

// cpuReport lists each process that used CPU between before and after:
// its CPU time, its share of the wall clock (100% is one core), the time
// its threads waited for a CPU, its resident set before and after, and
// its busiest threads (by name, threads of one name summed), each with
// its CPU time per unit when units > 0.
func cpuReport(before, after map[int]procCPU, wall time.Duration, units int, unit string) []string {
	type row struct {
		pid       int
		kind      string
		cpu, wait time.Duration
		rss       [2]int64
		threads   []threadCPU
	}
	var rows []row
	var sum, sumWait time.Duration
	for pid, a := range after {
		r := row{pid: pid, kind: a.kind, rss: [2]int64{before[pid].rss, a.rss}}
		byName := map[string]threadCPU{}
		for tid, t := range a.threads {
			b := before[pid].threads[tid]
			if b.name != t.name { // a new thread with a reused id
				b = threadCPU{}
			}
			d := threadCPU{name: t.name, cpu: t.cpu - b.cpu, wait: t.wait - b.wait}
			if d.cpu <= 0 && d.wait <= 0 {
				continue
			}
			r.cpu += d.cpu
			r.wait += d.wait
			n := byName[t.name]
			byName[t.name] = threadCPU{name: t.name, cpu: n.cpu + d.cpu, wait: n.wait + d.wait}
		}
		if r.cpu <= 0 {
			continue
		}
		for _, t := range byName {
			r.threads = append(r.threads, t)
		}
		slices.SortFunc(r.threads, func(a, b threadCPU) int { return cmp.Or(cmp.Compare(b.cpu, a.cpu), strings.Compare(a.name, b.name)) })
		rows = append(rows, r)
		sum += r.cpu
		sumWait += r.wait
	}
	slices.SortFunc(rows, func(a, b row) int { return cmp.Or(cmp.Compare(b.cpu, a.cpu), cmp.Compare(a.pid, b.pid)) })
	per := func(d time.Duration) string {
		if units <= 0 {
			return ""
		}
		return fmt.Sprintf(", %.2f ms/%s", float64(d)/1e6/float64(units), unit)
	}
	pct := func(d time.Duration) float64 { return 100 * d.Seconds() / wall.Seconds() }
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprintf("%6.0f ms CPU %4.0f%%%s, %6.0f ms waiting for a CPU, RSS %.0f → %.0f MB: %s (pid %d)",
			float64(r.cpu)/1e6, pct(r.cpu), per(r.cpu), float64(r.wait)/1e6, float64(r.rss[0])/1e6, float64(r.rss[1])/1e6, r.kind, r.pid))
		for i, t := range r.threads {
			if i == topThreads || t.cpu <= 0 {
				break
			}
			out = append(out, fmt.Sprintf("    %6.0f ms CPU %4.0f%%%s, %6.0f ms waiting: thread %s", float64(t.cpu)/1e6, pct(t.cpu), per(t.cpu), float64(t.wait)/1e6, t.name))
		}
	}
	return append(out, fmt.Sprintf("%6.0f ms CPU %4.0f%%%s, %6.0f ms waiting for a CPU: all of them (%d CPUs = %d%%)",
		float64(sum)/1e6, pct(sum), per(sum), float64(sumWait)/1e6, runtime.NumCPU(), 100*runtime.NumCPU()))
}
