package web

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"kiosk/kiosk/config"
	"kiosk/kiosk/dashboard"
	"kiosk/kiosk/remind"
)

// inputServer is an admin-enabled server holding one notification, with a
// refresh that counts its calls: what a bad request must leave alone.
func inputServer(t *testing.T) (*Server, remind.Notification, *int) {
	t.Helper()
	s := newServer(t, sampleSnapshot(), func(c *config.Config) { c.AdminToken = token })
	keep, err := s.queue.Add(remind.Notification{Message: "keep me", Expire: now.Add(time.Hour).Unix()})
	if err != nil {
		t.Fatal(err)
	}
	refreshes := 0
	s.refresh = func() error { refreshes++; return nil }
	return s, keep, &refreshes
}

// unchanged fails the test if anything but keep is queued or a refresh ran.
func unchanged(t *testing.T, s *Server, keep remind.Notification, refreshes *int, what string) {
	t.Helper()
	got := s.queue.Active(now)
	if len(got) != 1 || got[0] != keep {
		t.Errorf("%s changed the queue: %+v", what, got)
	}
	if *refreshes != 0 {
		t.Errorf("%s ran a refresh", what)
	}
}

// jsonError checks that an /api/ answer is a 4xx with {"error": "..."}.
func jsonError(t *testing.T, what string, res *http.Response, body string) {
	t.Helper()
	if res.StatusCode < 400 || res.StatusCode > 499 {
		t.Errorf("%s = %d %.200s, want a 4xx", what, res.StatusCode, body)
		return
	}
	var e struct {
		Error string `json:"error"`
	}
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") || json.Unmarshal([]byte(body), &e) != nil || e.Error == "" {
		t.Errorf("%s = %d with %q %.200q, want a JSON error", what, res.StatusCode, res.Header.Get("Content-Type"), body)
	}
}

// TestEveryRouteEveryMethod sends each method to each route: the routes
// answer the methods they serve, and everything else is a 4xx (a JSON error
// under /api/) that changes nothing.
func TestEveryRouteEveryMethod(t *testing.T) {
	s, keep, refreshes := inputServer(t)
	served := map[string]int{ // "METHOD path" → status with a good admin token and an empty body
		"GET /healthz": 200, "GET /": 200, "GET /partial/board": 200, "GET /api/dashboard": 200,
		"GET /api/notifications": 200, "GET /api/display": 200, "GET /status": 200,
		"GET /partial/status": 200, "GET /api/status": 200,
		"HEAD /healthz": 200, "HEAD /": 200, "HEAD /partial/board": 200, "HEAD /api/dashboard": 200,
		"HEAD /api/notifications": 200, "HEAD /api/display": 200, "HEAD /status": 200,
		"HEAD /partial/status": 200, "HEAD /api/status": 200,
		// Routing is not strict: a trailing slash names the same route.
		"GET /api/notifications/": 200, "HEAD /api/notifications/": 200,
	}
	paths := []string{"/healthz", "/", "/partial/board", "/api/dashboard", "/api/notifications", "/api/display",
		"/status", "/partial/status", "/api/status", "/api/refresh", "/api/notifications/" + keep.ID, "/api/photos",
		"/photos/x.jpg", "/api", "/api/", "/api/notifications/", "/api/dashboard/x", "/static/x"}
	methods := []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "PROPFIND"}
	for _, p := range paths {
		for _, m := range methods {
			what := m + " " + p
			switch what {
			case "POST /api/notifications", "DELETE /api/notifications", "POST /api/refresh", "DELETE /api/notifications/" + keep.ID:
				continue // the admin actions, tested below and in admin_test.go
			}
			// No token here: a route that wanted one would say 401, which
			// also changes nothing.
			res, body := do(t, s, m, p, "", `{"message":"sneaky"}`)
			if want, ok := served[what]; ok {
				if res.StatusCode != want {
					t.Errorf("%s = %d, want %d", what, res.StatusCode, want)
				}
				continue
			}
			if m == "PROPFIND" {
				// fiber answers a method outside RFC 9110 itself, before
				// routing and the error handler: 400 "Invalid http method"
				// in plain text. Not JSON, but a clear 4xx.
				if res.StatusCode != 400 {
					t.Errorf("%s = %d, want 400", what, res.StatusCode)
				}
				continue
			}
			if strings.HasPrefix(p, "/api/") && m != "HEAD" {
				jsonError(t, what, res, body)
			} else if res.StatusCode < 400 || res.StatusCode > 499 {
				t.Errorf("%s = %d, want a 4xx", what, res.StatusCode)
			}
		}
	}
	unchanged(t, s, keep, refreshes, "the sweep")
}

// TestBadPostBodies adds, to admin_test.go's cases, the bodies it does not
// send: each is a 400 with a JSON error and stores nothing.
func TestBadPostBodies(t *testing.T) {
	bodies := map[string]string{
		"null":                   `null`,
		"empty object":           `{}`,
		"string":                 `"hi"`,
		"number":                 `42`,
		"message null":           `{"message":null}`,
		"message number":         `{"message":42}`,
		"message object":         `{"message":{"text":"hi"}}`,
		"message array":          `{"message":["hi"]}`,
		"bool as string":         `{"message":"hi","sound":"true"}`,
		"int as bool":            `{"message":"hi","show_notiboard":1}`,
		"fraction":               `{"message":"hi","display_time":1.5}`,
		"int overflow":           `{"message":"hi","expire_seconds":99999999999999999999999}`,
		"negative overflow":      `{"message":"hi","display_time":-9223372036854775809}`,
		"expire too long":        `{"message":"hi","expire_seconds":604801}`,
		"display too long":       `{"message":"hi","display_time":3601}`,
		"NaN":                    `{"message":"hi","display_time":NaN}`,
		"trailing comma":         `{"message":"hi",}`,
		"single quotes":          `{'message':'hi'}`,
		"comment":                `{"message":"hi" /* x */}`,
		"unknown nested":         `{"message":"hi","extra":{"a":[1,2,3]}}`,
		"case-folded duplicate":  `{"message":"hi","MESSAGE":"x","Sound":1}`,
		"trailing garbage":       `{"message":"hi"} x`,
		"deep nesting":           strings.Repeat(`{"a":`, 5000) + "1" + strings.Repeat("}", 5000),
		"deep array":             strings.Repeat("[", 60000),
		"byte order mark":        "\xef\xbb\xbf{\"message\":\"hi\"}",
		"invalid utf-8 key":      "{\"mess\xc3\x28age\":\"hi\"}",
		"overlong utf-8":         "{\"message\":\"\xc0\xaf\"}",
		"utf-16":                 "\xff\xfe{\x00\"\x00m\x00\"\x00}\x00",
		"NUL byte":               "{\"message\":\"hi\"}\x00",
		"whitespace only":        "   \n\t ",
		"message of spaces only": `{"message":"\u00a0\t\n  "}`,
		"2001 Hangul characters": `{"message":"` + strings.Repeat("가", 2001) + `"}`,
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			s, keep, refreshes := inputServer(t)
			res, got := do(t, s, "POST", "/api/notifications", "Bearer "+token, body)
			if res.StatusCode != 400 {
				t.Errorf("status %d, want 400: %.200s", res.StatusCode, got)
			}
			jsonError(t, "POST", res, got)
			if strings.Contains(got, "sneaky") || len(got) > 300 {
				t.Errorf("the error echoes the body: %.300s", got)
			}
			unchanged(t, s, keep, refreshes, name)
		})
	}
}

// TestBadNotificationIDs: DELETE /api/notifications/:id with traversal,
// encoded separators, NUL, invalid UTF-8, store key prefixes and oversize
// IDs finds nothing to delete and deletes nothing.
func TestBadNotificationIDs(t *testing.T) {
	ids := []string{
		"..", "...", "../" + "x", "..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e", "..%5C..%5Cwindows",
		"a%00b", "%00", "%ff%fe", "%C0%AF", "*", "%2A", "remind:n:x", "remind:q:x", "src:data:Family",
		"%20", strings.Repeat("x", 201), strings.Repeat("%41", 300), "cu-" + strings.Repeat("0", 24),
	}
	for _, id := range ids {
		t.Run(id[:min(len(id), 40)], func(t *testing.T) {
			s, keep, refreshes := inputServer(t)
			res, body := do(t, s, "DELETE", "/api/notifications/"+id, "Bearer "+token, "")
			jsonError(t, "DELETE "+id, res, body)
			unchanged(t, s, keep, refreshes, "DELETE "+id)
		})
	}
	// The ID with something after it is not the ID.
	s, keep, refreshes := inputServer(t)
	for _, suffix := range []string{"/..", "/x", "%2F..", "%00"} {
		res, body := do(t, s, "DELETE", "/api/notifications/"+keep.ID+suffix, "Bearer "+token, "")
		jsonError(t, "DELETE id"+suffix, res, body)
	}
	unchanged(t, s, keep, refreshes, "DELETE with suffixes")
}

// TestBadAuthorization: odd Authorization headers on every admin route are
// a 401 JSON error that changes nothing.
func TestBadAuthorization(t *testing.T) {
	auths := []string{"Bearer", "Bearer ", "bearer " + token, "Bearer  " + token + "x", "Bearer " + token + "\xff",
		"Bearer " + strings.Repeat("t", 2000), "Basic " + token, token, "Bearer \x00" + token}
	routes := []struct{ method, path string }{
		{"POST", "/api/notifications"}, {"DELETE", "/api/notifications"}, {"DELETE", "/api/notifications/x"}, {"POST", "/api/refresh"},
	}
	for i, auth := range auths {
		for _, r := range routes {
			s, keep, refreshes := inputServer(t)
			res, body := do(t, s, r.method, r.path, auth, `{"message":"sneaky"}`)
			if res.StatusCode != 401 {
				t.Errorf("auth %d: %s %s = %d, want 401", i, r.method, r.path, res.StatusCode)
			}
			jsonError(t, fmt.Sprintf("auth %d: %s %s", i, r.method, r.path), res, body)
			unchanged(t, s, keep, refreshes, fmt.Sprintf("auth %d %s %s", i, r.method, r.path))
		}
	}
}

// TestOversizeBodies announces 70 KB (over the 64 KB limit) to every
// mutating route over a real socket: a 413 JSON error under /api/, and
// nothing changes. The body is not sent: the server answers on the
// Content-Length and closes, and a client still writing would see a reset
// instead of the answer.
func TestOversizeBodies(t *testing.T) {
	s, keep, refreshes := inputServer(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	defer func() { cancel(); <-done }()
	for _, r := range []struct{ method, path string }{
		{"POST", "/api/notifications"}, {"DELETE", "/api/notifications"}, {"DELETE", "/api/notifications/" + keep.ID},
		{"POST", "/api/refresh"}, {"PUT", "/api/dashboard"}, {"GET", "/api/notifications"},
	} {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: kiosk\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
			r.method, r.path, token, 70<<10)
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			conn.Close()
			t.Fatalf("%s %s: %v", r.method, r.path, err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		conn.Close()
		if res.StatusCode != 413 {
			t.Errorf("%s %s announcing 70 KB = %d, want 413", r.method, r.path, res.StatusCode)
		}
		jsonError(t, r.method+" "+r.path, res, string(body))
	}
	unchanged(t, s, keep, refreshes, "oversize bodies")
}

// TestHostileHeaders: huge or odd headers on the read routes are answered
// without changing anything, and the notification poll keeps working.
func TestHostileHeaders(t *testing.T) {
	s, keep, refreshes := inputServer(t)
	for _, h := range [][2]string{
		{"If-None-Match", strings.Repeat(`"x",`, 500)},
		{"If-None-Match", "\xff\xfe"},
		{"If-None-Match", "*"},
		{"Accept", strings.Repeat("text/html;q=0.", 200)},
		{"Content-Type", "multipart/form-data; boundary=" + strings.Repeat("-", 1000)},
		{"X-Forwarded-For", strings.Repeat("1.2.3.4, ", 300)},
	} {
		res, body := do(t, s, "GET", "/api/notifications", "", "", h[0], h[1])
		if res.StatusCode != 200 || !strings.Contains(body, keep.ID) {
			t.Errorf("GET /api/notifications with %s: %d %.100s", h[0], res.StatusCode, body)
		}
	}
	unchanged(t, s, keep, refreshes, "hostile headers")
}

var _ = dashboard.Snapshot{}
