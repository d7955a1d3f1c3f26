//go:build linux

package main

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// percentile returns the q-quantile (0 to 1) of sorted microsecond
// samples as milliseconds.
func percentile(sorted []uint32, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q * float64(len(sorted)-1))
	return float64(sorted[i]) / 1e3
}

// latencyLine summarises samples: p50, p99, p99.9 and the maximum.
func latencyLine(samples []uint32) string {
	slices.Sort(samples)
	return fmt.Sprintf("p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms (%s samples)",
		percentile(samples, 0.50), percentile(samples, 0.99), percentile(samples, 0.999), percentile(samples, 1), commas(int64(len(samples))))
}

// commas writes n with thousands separators.
func commas(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

// selfCPU is this process's user plus system CPU time.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadAverage is /proc/loadavg's first three fields: the machine is shared,
// and a busy neighbour changes every figure.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "n/a"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "n/a"
	}
	load := strings.Join(f[:3], " ")
	// CPU pressure: the share of time some runnable task waited for a CPU.
	if b, err := os.ReadFile("/proc/pressure/cpu"); err == nil {
		if _, after, ok := strings.Cut(string(b), "avg10="); ok {
			load += ", CPU pressure " + strings.Fields(after)[0] + "%"
		}
	}
	return load
}

// relayMetrics reads the counters of the relay's /metrics that explain a
// run: flushes, their time and size, envelopes in and out.
func relayMetrics(addr string) (map[string]float64, error) {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		l := sc.Text()
		if strings.HasPrefix(l, "#") || strings.Contains(l, "{") {
			continue
		}
		name, v, ok := strings.Cut(l, " ")
		if !ok {
			continue
		}
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			out[name] = f
		}
	}
	return out, sc.Err()
}
