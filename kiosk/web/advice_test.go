package web

import (
	"context"
	"encoding/json"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"kiosk/kiosk/config"
	"kiosk/kiosk/source"
)

// TestAdviceFromWhatFailed makes a calendar's upstream fail in each way a
// home meets and checks the category /api/status reports and the advice
// /status words from it: the kind of failure comes from the error itself,
// never from its text, so a host named corporate.example.com that times
// out is not "rate limited", and a wrong port is not "check the Wi-Fi".
func TestAdviceFromWhatFailed(t *testing.T) {
	status := func(code int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(code) }
	}
	hang := func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	html := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<!doctype html><title>Rate card</title><p>not a calendar</p>"))
	}
	dialErr := func(err error) func(context.Context, string, string) (net.Conn, error) {
		return func(context.Context, string, string) (net.Conn, error) { return nil, err }
	}
	tests := []struct {
		name     string
		serve    http.HandlerFunc // nil: nothing listens
		tls      bool
		url      string // the feed's address; its host is dialled at the fake
		dial     func(context.Context, string, string) (net.Conn, error)
		category string
		advice   string // en
		not      []string
	}{
		{name: "timeout from a host with rate in its name", serve: hang, url: "http://corporate.example.com/a.ics",
			category: "timeout", advice: "did not answer in time", not: []string{"Too many"}},
		{name: "wrong port", url: "http://cal.example.com:9/a.ics",
			category: "refused", advice: "refused the connection", not: []string{"Wi-Fi"}},
		{name: "name not found", url: "http://calendar.example.invalid/a.ics",
			dial:     dialErr(&net.DNSError{Err: "no such host", Name: "calendar.example.invalid", IsNotFound: true}),
			category: "dns", advice: "name was not found", not: []string{"Wi-Fi"}},
		{name: "no network", url: "http://cal.example.com/a.ics",
			dial:     dialErr(&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ENETUNREACH)}),
			category: "offline", advice: "Wi-Fi"},
		{name: "untrusted certificate", serve: status(200), tls: true, url: "https://cal.example.com/a.ics",
			category: "tls", advice: "certificate"},
		{name: "401", serve: status(401), url: "http://cal.example.com/a.ics", category: "auth", advice: "Access denied"},
		{name: "403", serve: status(403), url: "http://cal.example.com/a.ics", category: "auth", advice: "Access denied"},
		{name: "404", serve: status(404), url: "http://cal.example.com/a.ics", category: "not_found", advice: "Check the address or file path"},
		{name: "429", serve: status(429), url: "http://ratelimit.example.com/a.ics", category: "rate_limited", advice: "Too many requests"},
		{name: "500", serve: status(500), url: "http://cal.example.com/a.ics", category: "server", advice: "on its side"},
		{name: "503", serve: status(503), url: "http://cal.example.com/a.ics", category: "server", advice: "on its side"},
		{name: "HTML where a calendar is expected", serve: html, url: "http://cal.example.com/a.ics",
			category: "bad_content", advice: "could not be read", not: []string{"Too many"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr := "127.0.0.1:1" // nothing listens: refused
			if tc.serve != nil {
				fake := httptest.NewUnstartedServer(tc.serve)
				fake.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake
				if tc.tls {
					fake.StartTLS()
				} else {
					fake.Start()
				}
				defer fake.Close()
				addr = fake.Listener.Addr().String()
			}
			dial := tc.dial
			if dial == nil {
				var d net.Dialer
				dial = func(ctx context.Context, network, _ string) (net.Conn, error) {
					return d.DialContext(ctx, network, addr)
				}
			}
			u := newUpSite(t, tc.url, nil, func(c *config.Config, hc *http.Client) {
				c.Locale = "en"
				hc.Transport = &http.Transport{DialContext: dial}
				if tc.category != "timeout" {
					hc.Timeout = time.Minute // a slow machine's TLS handshake is no timeout
				}
			})
			defer u.close()
			if err := u.board.RefreshCalendars(context.Background()); err == nil {
				t.Fatal("the refresh did not fail")
			}
			_, body := get(t, u.srv, "/api/status")
			var st struct {
				Sources []map[string]any `json:"sources"`
			}
			if err := json.Unmarshal([]byte(body), &st); err != nil || len(st.Sources) != 1 {
				t.Fatalf("/api/status: %v %.300s", err, body)
			}
			if got := st.Sources[0]["category"]; got != tc.category {
				t.Errorf("category %v, want %s (error %q)", got, tc.category, st.Sources[0]["error"])
			}
			_, page := get(t, u.srv, "/status")
			if !strings.Contains(page, tc.advice) {
				t.Errorf("/status lacks %q (error %q)", tc.advice, st.Sources[0]["error"])
			}
			for _, w := range tc.not {
				if strings.Contains(page, w) {
					t.Errorf("/status says %q (error %q)", w, st.Sources[0]["error"])
				}
			}
		})
	}
}

func TestAdvice(t *testing.T) {
	tests := []struct {
		st     source.Status
		locale string
		want   string
	}{
		{source.Status{Kind: "srt", Category: source.Auth, Error: "srt: login refused: wrong password"}, "en", "SRT refused the login"},
		{source.Status{Kind: "google", Category: source.Auth, Error: "google calendar Family: access denied (403)"}, "en", "calendar is shared"},
		{source.Status{Kind: "srt", Category: source.RateLimited, Error: "srt: ip address blocked by SR"}, "en", "SR blocked"},
		{source.Status{Kind: "ics", Category: source.RateLimited, Error: "ics: 429 Too Many Requests"}, "en", "Too many requests"},
		{source.Status{Kind: "ics", Category: source.Refused, Error: "connection refused"}, "ko", "주소와 포트"},
		{source.Status{Kind: "ics", Category: source.Offline, Error: "network is unreachable"}, "ko", "와이파이"},
		{source.Status{Kind: "ics", Category: source.Server, Error: "ics: 503"}, "fr", "상대 서버"}, // unknown locale: Korean
		{source.Status{Kind: "ics", Category: "", Error: "stored by an older version"}, "en", "Could not update"},
	}
	for _, tc := range tests {
		got := sourceAdvice(tc.st, tc.locale)
		if !strings.Contains(got, tc.want) || !strings.HasSuffix(got, "("+tc.st.Error+")") {
			t.Errorf("sourceAdvice(%s %s, %s) = %q, want %q and the detail", tc.st.Kind, tc.st.Category, tc.locale, got, tc.want)
		}
	}
	if got := sourceAdvice(source.Status{OK: true, Category: source.None}, "en"); got != "" {
		t.Errorf("advice for a well source: %q", got)
	}
	// Every category has words in every locale.
	for locale, texts := range adviceTexts {
		for _, c := range []source.Category{source.Offline, source.DNS, source.Refused, source.Timeout, source.TLS, source.Auth,
			source.NotFound, source.RateLimited, source.Server, source.BadContent, source.Other} {
			if texts[adviceKey{c, ""}] == "" {
				t.Errorf("%s: no advice for %s", locale, c)
			}
		}
	}
}
