//go:build !js

package benchkit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/chromedp/chromedp"
)

var pageSize = int64(os.Getpagesize())

// BrowserPID is the process id of the Chromium that chromium.Start started
// for ctx.
func BrowserPID(ctx context.Context) (int, error) {
	c := chromedp.FromContext(ctx)
	if c == nil || c.Browser == nil || c.Browser.Process() == nil {
		return 0, errors.New("chromedp did not start a browser process of its own")
	}
	return c.Browser.Process().Pid, nil
}

// TabRenderers returns the resident set, in bytes, of every renderer below
// the browser process browserPID that runs web content (pages and their
// workers), by process id, read from /proc.
func TabRenderers(browserPID int) map[int]int64 {
	out := map[int]int64{}
	for _, pid := range Descendants(browserPID) {
		if pid != browserPID && IsTabRenderer(pid) {
			out[pid] = RSS(pid)
		}
	}
	return out
}

// Descendants returns root and every process below it, from /proc/*/stat.
func Descendants(root int) []int {
	entries, _ := filepath.Glob("/proc/[0-9]*/stat")
	children := map[int][]int{}
	for _, e := range entries {
		b, err := os.ReadFile(e)
		if err != nil {
			continue // the process ended
		}
		// pid (comm) state ppid ...: comm may hold spaces and parentheses.
		end := bytes.LastIndexByte(b, ')')
		if end < 0 {
			continue
		}
		f := strings.Fields(string(b[end+1:]))
		if len(f) < 2 {
			continue
		}
		pid, err1 := strconv.Atoi(filepath.Base(filepath.Dir(e)))
		ppid, err2 := strconv.Atoi(f[1])
		if err1 != nil || err2 != nil {
			continue
		}
		children[ppid] = append(children[ppid], pid)
	}
	out := []int{root}
	for i := 0; i < len(out); i++ {
		out = append(out, children[out[i]]...)
	}
	return out
}

// IsTabRenderer reports a renderer that runs web content: a page or a
// worker. Chromium's own interface (--top-chrome-webui, even headless) and
// extensions also run in renderers; they are not a tab.
func IsTabRenderer(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return err == nil && bytes.Contains(b, []byte("--type=renderer")) &&
		!bytes.Contains(b, []byte("--top-chrome-webui")) && !bytes.Contains(b, []byte("--extension-process"))
}

// RSS is a process's resident set in bytes, 0 if it is gone.
func RSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/statm", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	n, _ := strconv.ParseInt(f[1], 10, 64)
	return n * pageSize
}
