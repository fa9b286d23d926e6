package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// get fetches url with a timeout and returns the error as the feed sources
// wrap it.
func get(url string, timeout time.Duration) error {
	c := &http.Client{Timeout: timeout}
	resp, err := c.Get(url)
	if err != nil {
		return fmt.Errorf("ics %q: GET %s: %w", "Home", url, TransportError(err))
	}
	resp.Body.Close()
	if resp.StatusCode > 299 {
		return fmt.Errorf("ics %q: GET %s: %w", "Home", url, StatusError(resp))
	}
	return nil
}

func TestClassify(t *testing.T) {
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer hang.Close()
	tlsSrv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0)
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	_, noFile := os.Open(filepath.Join(t.TempDir(), "missing.ics"))
	status := func(code int) error {
		return fmt.Errorf("notices %q: GET x: %w", "School", &HTTPError{Code: code, Status: fmt.Sprint(code, " ", http.StatusText(code))})
	}
	tests := []struct {
		name string
		err  error
		want Category
	}{
		{"no error", nil, None},
		{"timeout", get(hang.URL, 200*time.Millisecond), Timeout},
		{"refused", get(closedURL, time.Minute), Refused},
		{"untrusted certificate", get(tlsSrv.URL, time.Minute), TLS},
		{"name not found", fmt.Errorf("x: %w", &net.DNSError{Err: "no such host", Name: "cal.example", IsNotFound: true}), DNS},
		{"no resolver", fmt.Errorf("x: %w", &net.DNSError{Err: "server misbehaving", Name: "cal.example"}), Offline},
		{"no route", fmt.Errorf("x: %w", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ENETUNREACH)}), Offline},
		{"401", status(401), Auth},
		{"403", status(403), Auth},
		{"404", status(404), NotFound},
		{"410", status(410), NotFound},
		{"429 with Retry-After", &RetryAfterError{After: time.Minute, Err: status(429)}, RateLimited},
		{"503 with Retry-After", &RetryAfterError{After: time.Minute, Err: status(503)}, Server},
		{"500", status(500), Server},
		{"400", status(400), Other},
		{"too large", fmt.Errorf("x: %w", TooLargeError{Max: 1 << 20}), BadContent},
		{"not a calendar", fmt.Errorf("x: %w", ContentError(errors.New("not an iCalendar feed"))), BadContent},
		{"timeout while reading a body stays a timeout", ContentError(fmt.Errorf("read: %w", context.DeadlineExceeded)), Timeout},
		{"missing file", fmt.Errorf("x: %w", noFile), NotFound},
		{"joined: the first known kind", errors.Join(errors.New("odd"), status(502)), Server},
		{"a host named like a rate", errors.New(`GET https://corporate.example.com/rate: 200 OK but odd`), Other},
		{"anything else", errors.New("something odd"), Other},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Classify(tc.err); got != tc.want {
				t.Errorf("Classify(%v) = %q, want %q", tc.err, got, tc.want)
			}
		})
	}
}
