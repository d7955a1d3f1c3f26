//go:build !js

// Command files measures a file's trip end to end through Sambung: a phone
// user's page in headless Chromium encrypts and uploads it (sendFile), an
// account user's page in another browser context downloads and decrypts it
// (downloadFile), through the real relay running as its own process on a
// loopback port. Next to that, in the same run, it moves the same number
// of ciphertext bytes through the relay's blob API from Go (the raw HTTP
// ceiling), and it samples the resident memory of Chromium's renderers
// (the pages and their SharedWorker cores) and of the relay every 100 ms.
// Each size runs in the same browsers and relay, so the table shows
// whether memory grows with the file. It prints a markdown table for
// docs/PERFORMANCE.md.
//
//	web/build.sh && go run ./bench/files [-size 200] [-small 20] [-runs 1]
//
// Sizes are in MB of 10^6 bytes; rates in MB/s of 10^6 bytes a second.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"runtime"
	"strings"
	"time"
)

func main() {
	size := flag.Int("size", 200, "size of the large file in MB")
	small := flag.Int("small", 20, "size of the small file in MB, sent in the same run to compare memory; 0 skips it")
	runs := flag.Int("runs", 1, "how many times each size is sent")
	chromium := flag.String("chromium", "/usr/bin/chromium", "the Chromium binary")
	flag.Parse()
	log.SetFlags(0)
	if *size <= 0 || *small < 0 || *runs <= 0 {
		log.Fatal("bench/files: -size and -runs must be positive, -small at least 0")
	}
	if err := run(int64(*size)*1e6, int64(*small)*1e6, *runs, *chromium); err != nil {
		log.Fatal("bench/files: ", err)
	}
}

func run(size, small int64, runs int, chromium string) error {
	r, err := startRelay()
	if err != nil {
		return err
	}
	defer r.close()
	b, err := startBrowser(chromium)
	if err != nil {
		return err
	}
	defer b.stop()
	sender, receiver, err := twoPeople(b, r)
	if err != nil {
		return fmt.Errorf("sign-up: %w", err)
	}
	token, err := signUpDevice(r.url, "bench_files_raw")
	if err != nil {
		return err
	}
	raw := newRawHTTP(r.url, token)
	dir, err := os.MkdirTemp("", "sambung-filebench-files-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	sm := newSampler(b.pid, r.pid())

	sizes := []int64{size}
	if small > 0 {
		sizes = []int64{small, size}
	}
	var results []result
	for i := range runs {
		for _, n := range sizes {
			res, err := oneFile(sender, receiver, sm, raw, dir, n, i)
			res.runs = runs
			if err != nil {
				return fmt.Errorf("%d MB, run %d: %w", n/1e6, i+1, err)
			}
			results = append(results, res)
			log.Printf("run %d, %d MB: upload %.0f MB/s, download %.0f MB/s, end to end %.0f MB/s",
				i+1, n/1e6, rate(n, res.upload), rate(n, res.download), res.e2e())
		}
	}
	// The steps alone, after the transfers, in a page of their own, with
	// the profile on disk as the receiver's.
	lab, err := b.plainPage(r.url, false)
	if err != nil {
		return err
	}
	alone := map[int64]map[string]step{}
	for _, n := range sizes {
		if alone[n], err = measureSteps(lab, sm, raw, dir, n); err != nil {
			return fmt.Errorf("%d MB: %w", n/1e6, err)
		}
	}
	printTable(b.version(), results, sizes, alone)
	return nil
}

func printTable(version string, results []result, sizes []int64, alone map[int64]map[string]step) {
	fmt.Printf("\nChromium headless %s, %d CPUs, %s; sizes in MB of 10^6 bytes, received files checked by SHA-256\n\n",
		version, runtime.NumCPU(), runtime.Version())
	fmt.Println("| size | encrypt+upload | download+decrypt | end to end | raw HTTP upload | raw HTTP download | peak tab RSS, all renderers (largest) | tab RSS over idle | peak relay RSS |")
	fmt.Println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, r := range results {
		var tab peaks
		tab.merge(r.upMem)
		tab.merge(r.downMem)
		fmt.Printf("| %s | %.0f MB/s | %.0f MB/s | %.0f MB/s | %.0f MB/s | %.0f MB/s | %s (%s) | +%s | %s |\n",
			r.label(), rate(r.size, r.upload), rate(r.size, r.download), r.e2e(),
			rate(cipherSize(r.size), r.rawUp), rate(cipherSize(r.size), r.rawDown),
			mb(tab.RendererSum), mb(tab.RendererMax), mb(tab.RendererSum-r.idle.RendererSum), mb(tab.Relay))
	}
	fmt.Println("\nBy phase (peaks of resident memory; idle: one second before the upload, the file picked):")
	fmt.Println()
	fmt.Println("| size | phase | time | tab renderers: sum (largest) | Chromium browser process: RSS (anon, shmem) | all Chromium | relay | note |")
	fmt.Println("| --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, r := range results {
		row := func(phase, took string, p peaks, note string) {
			fmt.Printf("| %s | %s | %s | %d: %s (%s) | %s (%s, %s) | %s | %s | %s |\n", r.label(), phase, took,
				p.Renderers, mb(p.RendererSum), mb(p.RendererMax), mb(p.Browser), mb(p.BrowserAnon), mb(p.BrowserShm), mb(p.Chromium), mb(p.Relay), note)
		}
		row("idle", "", r.idle, "")
		row("sendFile", ms(r.upload.Seconds()), r.upMem, r.upPhases)
		row("downloadFile", ms(r.download.Seconds()), r.downMem, r.downPhases)
		row("raw HTTP up+down", ms((r.rawUp + r.rawDown).Seconds()), r.rawMem, "")
	}
	fmt.Println("\nCPU time during each phase, in seconds, by process (busy/wall: how many of the cores were in use; the sampler's own reading of /proc is in the whole machine's):")
	fmt.Println()
	fmt.Println("| size | phase | wall | tab renderers | Chromium browser process | other Chromium (network, GPU) | relay | whole machine | busy/wall |")
	fmt.Println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, r := range results {
		for _, ph := range []struct {
			name string
			c    cpuUse
		}{{"sendFile", r.upMem.CPU}, {"downloadFile", r.downMem.CPU}, {"raw HTTP up+down", r.rawMem.CPU}} {
			c := ph.c
			fmt.Printf("| %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |\n", r.label(), ph.name, c.Wall.Seconds(),
				c.Renderers.Seconds(), c.Browser.Seconds(), c.OtherChromium.Seconds(), c.Relay.Seconds(), c.Machine.Seconds(),
				c.Machine.Seconds()/c.Wall.Seconds())
		}
	}
	fmt.Println("\nEach step of the file engine alone, after the transfers, in a page of its own, over the file's size (ciphertext size for hashing and HTTP); peaks during the step:")
	fmt.Println()
	fmt.Println("| size | step | time | rate | largest renderer | Chromium browser process: RSS (anon) | CPU s: renderers, browser, other Chromium, relay |")
	fmt.Println("| --- | --- | --- | --- | --- | --- | --- |")
	for _, n := range sizes {
		for _, st := range steps {
			p := alone[n][st.name]
			bytes := n
			switch st.name {
			case "hash", "patch", "get":
				bytes = cipherSize(n)
			}
			c := p.mem.CPU
			fmt.Printf("| %d MB | %s | %.0f ms | %.0f MB/s | %s | %s (%s) | %.2f, %.2f, %.2f, %.2f |\n", n/1e6, st.what, p.ms,
				rate(bytes, time.Duration(p.ms*float64(time.Millisecond))), mb(p.mem.RendererMax), mb(p.mem.Browser), mb(p.mem.BrowserAnon),
				c.Renderers.Seconds(), c.Browser.Seconds(), c.OtherChromium.Seconds(), c.Relay.Seconds())
		}
	}
}

// label names a row: its size, and its run where there are several.
func (r result) label() string {
	if r.runs > 1 {
		return fmt.Sprintf("%d MB, run %d", r.size/1e6, r.run)
	}
	return fmt.Sprintf("%d MB", r.size/1e6)
}

func ms(s float64) string { return strings.TrimSpace(fmt.Sprintf("%6.0f ms", s*1000)) }
