//go:build !js

package main

import (
	"bytes"
	"fmt"
	"os"
	"sambung/bench/internal/benchkit"
	"strconv"
	"strings"
	"time"
)

// clockTick is USER_HZ, the unit of the CPU times in /proc: 100 on Linux
// for every architecture Go runs on.
const clockTick = 100

// cpuUse is the CPU time processes spent during one phase, by kind, with
// the machine's wall time, so that busy/wall says how many of the cores
// the transfer kept busy.
type cpuUse struct {
	Wall                                     time.Duration
	Renderers, Browser, OtherChromium, Relay time.Duration
	Machine                                  time.Duration // every process on the machine, from /proc/stat
}

func (c cpuUse) String() string {
	s := func(d time.Duration) string { return fmt.Sprintf("%.2f", d.Seconds()) }
	return fmt.Sprintf("renderers %s, browser %s, other Chromium %s, relay %s, whole machine %s s of CPU in %s s",
		s(c.Renderers), s(c.Browser), s(c.OtherChromium), s(c.Relay), s(c.Machine), s(c.Wall))
}

// cpuSnap is the CPU time so far of each process of interest and of the
// whole machine.
type cpuSnap struct {
	at      time.Time
	procs   map[int]time.Duration
	kind    map[int]string
	machine time.Duration
}

func snapCPU(browserPID, relayPID int) cpuSnap {
	s := cpuSnap{at: time.Now(), procs: map[int]time.Duration{}, kind: map[int]string{}, machine: machineBusy()}
	for _, pid := range benchkit.Descendants(browserPID) {
		s.procs[pid] = procCPU(pid)
		switch {
		case pid == browserPID:
			s.kind[pid] = "browser"
		case benchkit.IsTabRenderer(pid):
			s.kind[pid] = "renderer"
		default:
			s.kind[pid] = "other"
		}
	}
	s.procs[relayPID] = procCPU(relayPID)
	s.kind[relayPID] = "relay"
	return s
}

// since is the CPU spent between then and s. A process that started in
// between counts from zero.
func (s cpuSnap) since(then cpuSnap) cpuUse {
	u := cpuUse{Wall: s.at.Sub(then.at), Machine: s.machine - then.machine}
	for pid, t := range s.procs {
		d := t - then.procs[pid]
		switch s.kind[pid] {
		case "browser":
			u.Browser += d
		case "renderer":
			u.Renderers += d
		case "relay":
			u.Relay += d
		default:
			u.OtherChromium += d
		}
	}
	return u
}

// procCPU is a process's user plus system time, 0 if it is gone.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	end := bytes.LastIndexByte(b, ')')
	if end < 0 {
		return 0
	}
	// After "pid (comm)": state is field 3, utime 14 and stime 15.
	f := strings.Fields(string(b[end+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / clockTick
}

// machineBusy is the CPU time every core spent outside idle and iowait
// since boot, from the first line of /proc/stat.
func machineBusy() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	f := strings.Fields(string(line))
	var busy int64
	for i, v := range f[1:] {
		n, _ := strconv.ParseInt(v, 10, 64)
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		if i >= 7 { // steal counts, guest and guest_nice are inside user already
			if i == 7 {
				busy += n
			}
			continue
		}
		busy += n
	}
	return time.Duration(busy) * time.Second / clockTick
}
