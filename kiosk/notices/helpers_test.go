package notices

import (
	"context"
	"encoding/xml"
	"fmt"
	"kiosk/kiosk/clock"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata"

	"kiosk/cache"
	"kiosk/kiosk/config"
	"kiosk/kiosk/source"
)

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// openStore opens a store in dir ("" for memory); closing is idempotent
// and also done at cleanup.
func openStore(t testing.TB, dir string, c *clock.Fake) (*cache.Store, func()) {
	t.Helper()
	s, err := cache.Open(dir, c.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	closeFn := func() {
		once.Do(func() {
			if err := s.Close(); err != nil {
				t.Error(err)
			}
		})
	}
	t.Cleanup(closeFn)
	return s, closeFn
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

func notice(name, url string, keywords ...string) config.Notice {
	return config.Notice{Name: name, URL: url, RefreshMinutes: 30, Keep: 5, KeepDays: 7, PopupKeywords: keywords}
}

// newFeeds builds Feeds as main would, with a fresh runner: a restart
// keeps only the store.
func newFeeds(store *cache.Store, q Queue, loc *time.Location, feeds ...config.Notice) *Feeds {
	return New(Options{
		Feeds:     feeds,
		Store:     store,
		Runner:    source.NewRunner(store, discard(), nil, nil),
		Queue:     q,
		Loc:       loc,
		Log:       discard(),
		UserAgent: "kiosk-test/1",
	})
}

// push is one call of Queue.Push.
type push struct{ id, kind, message string }

// fakeQueue is idempotent by id, as the real queue is.
type fakeQueue struct {
	mu     sync.Mutex
	queued map[string]push
	calls  []push
	fail   error
	die    bool // end the pushing goroutine after the push, as if the process died there
}

func newQueue() *fakeQueue { return &fakeQueue{queued: map[string]push{}} }

func (q *fakeQueue) Push(_ context.Context, id, kind, message string) error {
	q.mu.Lock()
	if q.fail != nil {
		q.mu.Unlock()
		return q.fail
	}
	p := push{id, kind, message}
	q.calls = append(q.calls, p)
	q.queued[id] = p
	die := q.die
	q.die = false
	q.mu.Unlock()
	if die {
		runtime.Goexit() // deferred calls run, nothing after the push does
	}
	return nil
}

// messages lists the distinct queued messages, sorted.
func (q *fakeQueue) messages() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []string
	for _, p := range q.queued {
		out = append(out, p.message)
	}
	slices.Sort(out)
	return out
}

func (q *fakeQueue) callCount() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.calls)
}

// upstream is a fake board. It answers 304 to a matching If-None-Match or
// If-Modified-Since.
type upstream struct {
	mu       sync.Mutex
	body     string
	ctype    string
	etag     string
	modified string
	status   int    // if set, answered instead of the feed
	retry    string // Retry-After with status
	hits     int
	notMod   int
	reqs     []http.Header
}

func newUpstream(t testing.TB, body string) (*upstream, *httptest.Server) {
	u := &upstream{body: body, ctype: "application/rss+xml; charset=utf-8"}
	srv := httptest.NewServer(u)
	t.Cleanup(srv.Close)
	return u, srv
}

func (u *upstream) set(body, etag, modified string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.body, u.etag, u.modified = body, etag, modified
}

func (u *upstream) fail(status int, retry string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.status, u.retry = status, retry
}

func (u *upstream) counts() (hits, notModified int) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.hits, u.notMod
}

func (u *upstream) lastRequest() http.Header {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.reqs[len(u.reqs)-1]
}

func (u *upstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.hits++
	u.reqs = append(u.reqs, r.Header.Clone())
	if u.status != 0 {
		if u.retry != "" {
			w.Header().Set("Retry-After", u.retry)
		}
		http.Error(w, "busy", u.status)
		return
	}
	if u.etag != "" {
		w.Header().Set("ETag", u.etag)
	}
	if u.modified != "" {
		w.Header().Set("Last-Modified", u.modified)
	}
	if (u.etag != "" && r.Header.Get("If-None-Match") == u.etag) ||
		(u.etag == "" && u.modified != "" && r.Header.Get("If-Modified-Since") == u.modified) {
		u.notMod++
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", u.ctype)
	fmt.Fprint(w, u.body)
}

// ti is an item of a generated RSS feed; an empty guid or date is left out.
type ti struct{ guid, title, date string }

func rss(items ...ti) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<rss version=\"2.0\"><channel><title>게시판</title><link>https://example.ac.kr/</link><description>fake</description>\n")
	for _, it := range items {
		b.WriteString("<item><title>")
		xml.EscapeText(&b, []byte(it.title))
		b.WriteString("</title>")
		if it.guid != "" {
			fmt.Fprintf(&b, "<link>https://example.ac.kr/bbs/view?no=%s</link><guid>%s</guid>", it.guid, it.guid)
		}
		if it.date != "" {
			fmt.Fprintf(&b, "<pubDate>%s</pubDate>", it.date)
		}
		b.WriteString("</item>\n")
	}
	b.WriteString("</channel></rss>\n")
	return b.String()
}

// titles lists the board's "source: title" lines.
func titles(items []Item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Source+": "+it.Title)
	}
	return out
}

func refresh(t testing.TB, f *Feeds) {
	t.Helper()
	if err := f.Refresh(context.Background()); err != nil {
		t.Fatalf("Refresh: %v", err)
	}
}
