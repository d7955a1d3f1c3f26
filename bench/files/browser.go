//go:build !js

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/chromedp/chromedp"

	"sambung/internal/chromium"
	"sambung/wire"
)

// waitTimeout bounds one wait for a page outside the transfers: sign-up
// makes keys in wasm on two shared cores.
const waitTimeout = 60 * time.Second

// browser is one headless Chromium with a fresh profile.
type browser struct {
	root context.Context
	pid  int
	stop func()
}

func startBrowser(path string) (*browser, error) {
	ctx, stop, err := chromium.StartAt(path)
	if err != nil {
		return nil, err
	}
	proc := chromedp.FromContext(ctx).Browser.Process()
	if proc == nil {
		stop()
		return nil, errors.New("chromedp did not start a browser process of its own")
	}
	return &browser{root: ctx, pid: proc.Pid, stop: stop}, nil
}

func (b *browser) version() string {
	v, err := chromedp.Run(b.root, chromedp.Evaluate[string](`navigator.userAgent.match(/Chrom(e|ium)\/[\d.]+/)?.[0] ?? ''`))
	if err != nil || v == "" {
		return "unknown version"
	}
	return v
}

// apiPage opens a tab on a plain page of the relay's origin with the API
// and no app, so that nothing but the bench touches the core, and a file
// input to pick the file in. See plainPage for ownProfile.
func (b *browser) apiPage(base string, ownProfile bool) (context.Context, error) {
	ctx, err := b.plainPage(base, ownProfile)
	if err != nil {
		return nil, err
	}
	_, err = eval[chromedp.Void](ctx, `(async () => {
		window.__s = await (await import('/sambung.js')).open();
	})()`, waitTimeout)
	return ctx, err
}

// plainPage opens a tab on a plain page of the relay's origin that holds a
// file input, #bench-file. With ownProfile the tab is in a new browser
// context: its own storage and SharedWorker, but, like an incognito
// window, it keeps storage in memory, the origin-private file system too.
// Without, it is in the browser's default context, whose profile is on
// disk as a person's is.
func (b *browser) plainPage(base string, ownProfile bool) (context.Context, error) {
	var opts []chromedp.ContextOption
	if ownProfile {
		opts = append(opts, chromedp.WithNewBrowserContext())
	}
	// The first action on a new context opens its tab, which lives as long
	// as the context of that action: not one with a timeout.
	ctx, _ := chromedp.NewContext(b.root, opts...)
	if err := chromedp.Do(ctx); err != nil {
		return nil, err
	}
	if err := do(ctx, chromedp.Navigate(base+wire.PathHealth)); err != nil {
		return nil, err
	}
	_, err := eval[chromedp.Void](ctx, `(() => {
		const input = document.createElement('input');
		input.type = 'file';
		input.id = 'bench-file';
		document.body.append(input);
	})()`, waitTimeout)
	return ctx, err
}

func do(ctx context.Context, actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(ctx, waitTimeout)
	defer cancel()
	return chromedp.Do(ctx, actions...)
}

func eval[T any](ctx context.Context, expr string, timeout time.Duration) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

func poll(ctx context.Context, expr string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout+5*time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(timeout)))
	if err != nil {
		return fmt.Errorf("waiting for %s: %w", expr, err)
	}
	return nil
}

// js quotes s as a JavaScript string literal.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

const (
	senderPhone     = "+6281299990001"
	receiverAccount = "bench_files_b"
)

// twoPeople signs up a phone user (the sender) and an account user (the
// receiver) in two browser contexts; the sender says hello so both have
// the chat, and the receiver's page keeps every incoming file message in
// __files. The receiver is in the default context, whose file system is
// on disk: in a new context the downloaded files would stay in the
// browser process's memory. The sender's storage holds no file.
func twoPeople(b *browser, r *relayProc) (sender, receiver context.Context, err error) {
	if sender, err = b.apiPage(r.url, true); err != nil {
		return nil, nil, fmt.Errorf("sender's page: %w", err)
	}
	if receiver, err = b.apiPage(r.url, false); err != nil {
		return nil, nil, fmt.Errorf("receiver's page: %w", err)
	}
	if _, err = eval[chromedp.Void](sender, `__s.requestPhoneCode(`+js(senderPhone)+`)`, waitTimeout); err != nil {
		return nil, nil, fmt.Errorf("phone code: %w", err)
	}
	code, err := r.code(senderPhone)
	if err != nil {
		return nil, nil, err
	}
	if _, err = eval[chromedp.Void](sender, `__s.verifyPhone(`+js(senderPhone)+`, `+js(code)+`)`, waitTimeout); err != nil {
		return nil, nil, fmt.Errorf("phone sign-up: %w", err)
	}
	if _, err = eval[chromedp.Void](receiver, `(async () => {
		window.__files = [];
		window.__hello = null;
		__s.on('message', (m) => {
			if (m.outgoing) return;
			if (m.file) __files.push(m);
			else if (m.text === 'hello') __hello = m;
		});
		await __s.signUp({account: `+js(receiverAccount)+`, password: 'bench files password'});
	})()`, waitTimeout); err != nil {
		return nil, nil, fmt.Errorf("account sign-up: %w", err)
	}
	if _, err = eval[chromedp.Void](sender, `(async () => {
		await __s.lookup('account:`+receiverAccount+`');
		await __s.send('account:`+receiverAccount+`', 'hello');
	})()`, waitTimeout); err != nil {
		return nil, nil, fmt.Errorf("first message: %w", err)
	}
	if err := poll(receiver, `!!__hello`, waitTimeout); err != nil {
		return nil, nil, err
	}
	return sender, receiver, nil
}
