package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// pageResult is what one cold load of the dashboard page costs.
type pageResult struct {
	requests int
	bytes    float64       // on the wire, headers included
	urls     []string      // what was requested, in order
	fcp      time.Duration // first contentful paint, from navigation start
	visible  time.Duration // Go side: Navigate until an event is visible (includes DevTools round trips)
	events   int           // event rows in the DOM
}

// perf is read from the page after the load.
type perf struct {
	FCP    float64 `json:"fcp"` // ms since navigation start; -1 if none
	Events int     `json:"events"`
	Shown  bool    `json:"shown"` // the first event row has a box on screen
}

const perfJS = `(() => {
  const p = performance.getEntriesByName("first-contentful-paint")[0];
  const rows = document.querySelectorAll("li.event");
  const r = rows.length ? rows[0].getBoundingClientRect() : null;
  return {fcp: p ? p.startTime : -1, events: rows.length,
          shown: !!r && r.width > 0 && r.height > 0 && r.top < innerHeight};
})()`

// browser is one headless Chromium with a fresh profile and one tab.
type browser struct {
	tab   context.Context
	pid   int // the browser process, root of the process tree
	close func()
}

// startBrowser starts Chromium with a fresh profile and a 1920×1080 window
// plus opts, and opens a blank tab.
func startBrowser(ctx context.Context, chromium string, opts ...chromedp.ExecAllocatorOption) (*browser, error) {
	profile, err := os.MkdirTemp("", "kiosk-bench-chromium-")
	if err != nil {
		return nil, err
	}
	opts = append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1920, 1080),
	}, opts...)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	tab, cancelTab := chromedp.NewContext(actx)
	b := &browser{tab: tab, close: func() {
		chromedp.Cancel(tab)
		cancelTab()
		cancelAlloc()
		os.RemoveAll(profile)
	}}
	if err := chromedp.Do(tab, chromedp.Navigate("about:blank")); err != nil { // starts the browser
		b.close()
		return nil, fmt.Errorf("chromium: %w", err)
	}
	b.pid = chromedp.FromContext(tab).Browser.Process().Pid
	return b, nil
}

// loadPage loads url in headless Chromium runs times with the cache off
// (after one warm-up load that starts the browser) and returns each run.
// settle is how long each run keeps counting requests after the event
// rows are visible: the page's first poll and its chime load then.
func loadPage(ctx context.Context, chromium, url string, runs int, settle time.Duration) ([]pageResult, error) {
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
	)
	b, err := startBrowser(ctx, chromium, opts...)
	if err != nil {
		return nil, err
	}
	defer b.close()
	tab := b.tab
	if _, err := chromedp.Call(tab, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
		return nil, fmt.Errorf("chromium: disable cache: %w", err)
	}
	var out []pageResult
	for i := range runs + 1 {
		r, err := loadOnce(tab, url, settle)
		if err != nil {
			return nil, err
		}
		if i > 0 { // the first load warms the browser's own start-up
			out = append(out, r)
		}
		if err := chromedp.Do(tab, chromedp.Navigate("about:blank")); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func loadOnce(tab context.Context, url string, settle time.Duration) (pageResult, error) {
	var (
		mu    sync.Mutex
		r     pageResult
		sizes = map[network.RequestID]float64{}
		base  = strings.TrimSuffix(url, "/")
	)
	lctx, stop := context.WithCancel(tab)
	defer stop()
	err := chromedp.Listen(lctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			if ev.Request != nil && strings.HasPrefix(ev.Request.URL, base+"/") {
				r.urls = append(r.urls, strings.TrimPrefix(ev.Request.URL, base))
				sizes[ev.RequestID] = 0
			}
		case *network.EventLoadingFinished:
			if _, ok := sizes[ev.RequestID]; ok {
				sizes[ev.RequestID] = ev.EncodedDataLength
			}
		}
	})
	if err != nil {
		return r, err
	}
	t0 := time.Now()
	if err := chromedp.Do(tab, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("li.event"))); err != nil {
		return r, fmt.Errorf("chromium: load %s: %w", url, err)
	}
	r.visible = time.Since(t0)
	time.Sleep(settle)
	p, err := chromedp.Run(tab, chromedp.Evaluate[perf](perfJS))
	if err != nil {
		return r, fmt.Errorf("chromium: read timings: %w", err)
	}
	stop()
	mu.Lock()
	defer mu.Unlock()
	r.requests = len(sizes)
	for _, n := range sizes {
		r.bytes += n
	}
	r.fcp = time.Duration(p.FCP * float64(time.Millisecond))
	r.events = p.Events
	if !p.Shown {
		r.events = 0
	}
	return r, nil
}
