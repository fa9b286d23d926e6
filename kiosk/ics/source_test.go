package ics

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const weeklyFeed = `BEGIN:VCALENDAR
VERSION:2.0
BEGIN:VEVENT
UID:piano@example.test
DTSTART;TZID=Asia/Seoul:20260302T160000
DTEND;TZID=Asia/Seoul:20260302T170000
RRULE:FREQ=WEEKLY
SUMMARY:Piano
END:VEVENT
END:VCALENDAR
`

var (
	srcFrom = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	srcTo   = time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC)
)

func newTestSource(t *testing.T, o Options) *Source {
	t.Helper()
	if o.Name == "" {
		o.Name = "Kids"
	}
	o.Loc = mustZone(t, "Asia/Seoul")
	return New(o)
}

// The second fetch is conditional; a 304 reuses the parsed feed, which is
// expanded again for the new window.
func TestSourceConditionalGet(t *testing.T) {
	const lastMod = "Mon, 02 Mar 2026 08:00:00 GMT"
	var calls atomic.Int32
	body := weeklyFeed
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		switch n {
		case 1:
			if r.Header.Get("If-None-Match") != "" || r.Header.Get("If-Modified-Since") != "" {
				t.Errorf("first request is conditional: %v", r.Header)
			}
		case 2, 3:
			if got := r.Header.Get("If-None-Match"); got != `"v1"` {
				t.Errorf("request %d: If-None-Match %q, want %q", n, got, `"v1"`)
			}
			if got := r.Header.Get("If-Modified-Since"); got != lastMod {
				t.Errorf("request %d: If-Modified-Since %q, want %q", n, got, lastMod)
			}
			if n == 2 {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			body = strings.Replace(weeklyFeed, "Piano", "Piano (new teacher)", 1)
			w.Header().Set("ETag", `"v2"`)
			w.Header().Set("Content-Type", "text/calendar")
			fmt.Fprint(w, body)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", lastMod)
		w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
		fmt.Fprint(w, body)
	}))
	defer srv.Close()
	src := newTestSource(t, Options{URL: srv.URL + "/kids.ics", Color: "#f80"})

	first, err := src.Events(context.Background(), srcFrom, srcTo)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 1 || first[0].Summary != "Piano" || first[0].Calendar != "Kids" || first[0].Color != "#f80" {
		t.Fatalf("first fetch: %+v", first)
	}
	parsed := src.feed

	next, err := src.Events(context.Background(), srcTo, srcTo.AddDate(0, 0, 7))
	if err != nil {
		t.Fatal(err)
	}
	if src.feed != parsed {
		t.Error("304: feed parsed again")
	}
	if want := time.Date(2026, 3, 9, 7, 0, 0, 0, time.UTC); len(next) != 1 || !next[0].Start.Equal(want) {
		t.Errorf("304, next week: %+v, want one event at %s", next, want)
	}

	changed, err := src.Events(context.Background(), srcFrom, srcTo)
	if err != nil {
		t.Fatal(err)
	}
	if len(changed) != 1 || changed[0].Summary != "Piano (new teacher)" || src.validators.ETag != `"v2"` {
		t.Errorf("after change: %+v, etag %q", changed, src.validators.ETag)
	}
	if calls.Load() != 3 {
		t.Errorf("%d requests, want 3", calls.Load())
	}
}

func TestSourceBasicAuthAndWebcal(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user != "family" || pass != "fake-pass-123" {
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		if r.URL.Path != "/remote.php/dav/public-calendars/fake-token" || r.URL.RawQuery != "export" {
			t.Errorf("path %q query %q", r.URL.Path, r.URL.RawQuery)
		}
		fmt.Fprint(w, weeklyFeed)
	}))
	defer srv.Close()
	webcal := strings.Replace(srv.URL, "https://", "webcal://", 1) + "/remote.php/dav/public-calendars/fake-token?export"

	src := newTestSource(t, Options{URL: webcal, Username: "family", Password: "fake-pass-123", HTTPClient: srv.Client()})
	events, err := src.Events(context.Background(), srcFrom, srcTo)
	if err != nil || len(events) != 1 {
		t.Fatalf("events %v, err %v", events, err)
	}

	wrong := newTestSource(t, Options{URL: webcal, Username: "family", Password: "wrong-pass-456", HTTPClient: srv.Client()})
	_, err = wrong.Events(context.Background(), srcFrom, srcTo)
	if err == nil || !strings.Contains(err.Error(), "401 Unauthorized") {
		t.Fatalf("wrong password: err %v, want 401", err)
	}
	checkNoSecrets(t, err, "wrong-pass-456", "fake-token", "export", "family")
}

func checkNoSecrets(t *testing.T, err error, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error %q contains %q", err, s)
		}
	}
}

func TestSourceHTTPErrors(t *testing.T) {
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		max     int64
		want    string        // in the error
		is      error         // errors.Is, if set
		after   time.Duration // RetryAfterError.After; -1 if not one
	}{
		{"500", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "boom", http.StatusInternalServerError)
		}, 0, "500 Internal Server Error", nil, -1},
		{"404", func(w http.ResponseWriter, r *http.Request) {
			http.NotFound(w, r)
		}, 0, "404 Not Found", nil, -1},
		{"429 seconds", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusTooManyRequests)
		}, 0, "429 Too Many Requests", nil, 2 * time.Minute},
		{"503 date", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", now.Add(90*time.Second).Format(http.TimeFormat))
			w.WriteHeader(http.StatusServiceUnavailable)
		}, 0, "503 Service Unavailable", nil, 90 * time.Second},
		{"503 no header", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
		}, 0, "503 Service Unavailable", nil, 0},
		{"html page", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "<!DOCTYPE html><html><body>Please sign in</body></html>")
		}, 0, "not an iCalendar feed", ErrNotCalendar, -1},
		{"too large with length", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, weeklyFeed)
		}, 100, "feed larger than 100 bytes", ErrTooLarge, -1},
		{"too large chunked", func(w http.ResponseWriter, r *http.Request) {
			for range 3 {
				fmt.Fprint(w, weeklyFeed)
				w.(http.Flusher).Flush()
			}
		}, int64(len(weeklyFeed)) + 10, fmt.Sprintf("feed larger than %d bytes", len(weeklyFeed)+10), ErrTooLarge, -1},
		{"cut short", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, weeklyFeed[:len(weeklyFeed)/2])
		}, 0, "", nil, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			u := strings.Replace(srv.URL, "http://", "http://alice:url-pass-789@", 1) + "/private-abc123/basic.ics?token=q-secret"
			src := newTestSource(t, Options{URL: u, Password: "fake-pass-123", MaxBytes: tc.max, Now: func() time.Time { return now }})
			_, err := src.Events(context.Background(), srcFrom, srcTo)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), `ics "Kids": GET http://127.0.0.1:`) {
				t.Errorf("error %q, want %q after the calendar and host", err, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v is not %v", err, tc.is)
			}
			var ra *RetryAfterError
			if got := errors.As(err, &ra); got != (tc.after >= 0) || (got && ra.After != tc.after) {
				t.Errorf("RetryAfterError %v (%+v), want after %v", got, ra, tc.after)
			}
			checkNoSecrets(t, err, "url-pass-789", "alice", "fake-pass-123", "private-abc123", "q-secret", "basic.ics")
		})
	}
}

func TestSourceTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)

	src := newTestSource(t, Options{URL: srv.URL + "/slow.ics?key=fake-key"})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := src.Events(ctx, srcFrom, srcTo)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("context deadline: err %v", err)
	}
	checkNoSecrets(t, err, "fake-key", "slow.ics")

	short := newTestSource(t, Options{URL: srv.URL + "/slow.ics", HTTPClient: &http.Client{Timeout: 50 * time.Millisecond}})
	_, err = short.Events(context.Background(), srcFrom, srcTo)
	if err == nil || !strings.Contains(err.Error(), "Timeout") {
		t.Errorf("client timeout: err %v", err)
	}
}

func TestSourceUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := strings.Replace(srv.URL, "http://", "http://alice:url-pass-789@", 1) + "/private-abc123/basic.ics?token=q-secret"
	srv.Close()
	_, err := newTestSource(t, Options{URL: u}).Events(context.Background(), srcFrom, srcTo)
	if err == nil {
		t.Fatal("no error")
	}
	checkNoSecrets(t, err, "url-pass-789", "alice", "private-abc123", "q-secret")
}

func TestSourceFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kids.ics")
	if err := os.WriteFile(path, []byte(weeklyFeed), 0o600); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	src := newTestSource(t, Options{File: path, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	events, err := src.Events(context.Background(), srcFrom, srcTo)
	if err != nil || len(events) != 1 || events[0].Summary != "Piano" {
		t.Fatalf("events %+v, err %v", events, err)
	}
	parsed := src.feed
	if _, err := src.Events(context.Background(), srcFrom, srcTo); err != nil || src.feed != parsed {
		t.Errorf("unchanged file parsed again (err %v)", err)
	}

	changed := strings.Replace(weeklyFeed, "TZID=Asia/Seoul", "TZID=Nowhere/Land", 2)
	changed = strings.Replace(changed, "Piano", "Piano lesson", 1)
	if err := os.WriteFile(path, []byte(changed), 0o600); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	events, err = src.Events(context.Background(), srcFrom, srcTo)
	if err != nil || len(events) != 1 || events[0].Summary != "Piano lesson" {
		t.Fatalf("after change: %+v, err %v", events, err)
	}
	if !strings.Contains(logs.String(), "calendar=Kids") || !strings.Contains(logs.String(), "Nowhere/Land") {
		t.Errorf("log %q, want the zone warning with the calendar", logs.String())
	}
	if strings.Contains(logs.String(), "Piano") {
		t.Errorf("log %q names an event", logs.String())
	}

	big := newTestSource(t, Options{File: path, MaxBytes: 10})
	if _, err := big.Events(context.Background(), srcFrom, srcTo); !errors.Is(err, ErrTooLarge) {
		t.Errorf("MaxBytes 10: err %v", err)
	}
	missing := newTestSource(t, Options{File: path + ".gone"})
	if _, err := missing.Events(context.Background(), srcFrom, srcTo); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err %v", err)
	}
}

func TestSourceOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    Options
		want string
	}{
		{"neither", Options{}, `ics "Kids": no url or file`},
		{"both", Options{URL: "https://example.test/a.ics", File: "a.ics"}, `ics "Kids": set url or file, not both`},
		{"ftp", Options{URL: "ftp://example.test/a.ics"}, `ics "Kids": url must be http, https or webcal with a host`},
		{"no host", Options{URL: "https:///a.ics?token=fake"}, `ics "Kids": url must be http, https or webcal with a host`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newTestSource(t, tc.o).Events(context.Background(), srcFrom, srcTo)
			if err == nil || err.Error() != tc.want {
				t.Errorf("err %v, want %q", err, tc.want)
			}
		})
	}
}
