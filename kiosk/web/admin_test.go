package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"kiosk/kiosk/config"
	"kiosk/kiosk/dashboard"
	"kiosk/kiosk/jobs"
	"kiosk/kiosk/remind"
	"kiosk/kiosk/source"
)

const token = "correct-horse-battery"

func adminServer(t *testing.T) *Server {
	return newServer(t, &dashboard.Snapshot{}, func(c *config.Config) { c.AdminToken = token })
}

func do(t *testing.T, s *Server, method, path, auth, body string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := s.App().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestPostNotification(t *testing.T) {
	bearer := "Bearer " + token
	tests := []struct {
		name   string
		auth   string
		body   string
		status int
		want   string
	}{
		{"no token", "", `{"message":"hi"}`, 401, `"error"`},
		{"wrong token", "Bearer nope", `{"message":"hi"}`, 401, `"error"`},
		{"not bearer", "Basic " + token, `{"message":"hi"}`, 401, `"error"`},
		{"malformed", bearer, `{"message":`, 400, "malformed JSON"},
		{"not an object", bearer, `["hi"]`, 400, "malformed JSON"},
		{"missing message", bearer, `{"sound":true}`, 400, `\"message\" is required`},
		{"empty message", bearer, `{"message":"   "}`, 400, `\"message\" is required`},
		{"wrong type", bearer, `{"message":"hi","display_time":"long"}`, 400, "display_time"},
		{"unknown field", bearer, `{"message":"hi","colour":"red"}`, 400, "unknown field"},
		{"huge number", bearer, `{"message":"hi","display_time":1e40}`, 400, "display_time"},
		{"display out of range", bearer, `{"message":"hi","display_time":0}`, 400, "display_time"},
		{"expire out of range", bearer, `{"message":"hi","expire_seconds":-5}`, 400, "expire_seconds"},
		{"invalid utf-8", bearer, "{\"message\":\"\xff\xfe\"}", 400, "UTF-8"},
		{"two values", bearer, `{"message":"a"}{"message":"b"}`, 400, "follows the object"},
		{"stray closer", bearer, `{"message":"a"}}`, 400, "follows the object"},
		{"too long", bearer, `{"message":"` + strings.Repeat("x", 2001) + `"}`, 400, "at most 2000"},
		{"ok", bearer, `{"message":"Dinner!\nCome down","display_time":12,"expire_seconds":60,"show_notiboard":true,"sound":false}`, 201, `"kind":"custom"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := adminServer(t)
			res, body := do(t, s, "POST", "/api/notifications", tc.auth, tc.body)
			if res.StatusCode != tc.status || !strings.Contains(body, tc.want) {
				t.Fatalf("status %d body %s; want %d with %s", res.StatusCode, body, tc.status, tc.want)
			}
			if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
				t.Errorf("content type %q", res.Header.Get("Content-Type"))
			}
			_, list := do(t, s, "GET", "/api/notifications", "", "")
			if tc.status != 201 && list != "[]" {
				t.Errorf("a rejected request stored something: %s", list)
			}
			if tc.status == 201 {
				var n remind.Notification
				json.Unmarshal([]byte(body), &n)
				if n.ID == "" || n.Message != "Dinner!\nCome down" || n.DisplayTime != 12 || n.Expire != now.Unix()+60 ||
					!n.ShowNotiboard || n.Sound || n.Created != now.Unix() {
					t.Errorf("stored %+v", n)
				}
				if !strings.Contains(list, n.ID) {
					t.Errorf("GET does not list it: %s", list)
				}
			}
		})
	}
}

func TestPostDefaults(t *testing.T) {
	s := adminServer(t)
	_, body := do(t, s, "POST", "/api/notifications", "Bearer "+token, `{"message":"hi"}`)
	var n remind.Notification
	json.Unmarshal([]byte(body), &n)
	if n.DisplayTime != 30 || n.Expire != now.Add(10*time.Minute).Unix() || !n.Sound || n.ShowNotiboard {
		t.Errorf("defaults: %+v", n)
	}
}

func TestAdminOffWithoutToken(t *testing.T) {
	s := newServer(t, &dashboard.Snapshot{}, nil)
	for _, r := range []struct{ method, path string }{
		{"POST", "/api/notifications"}, {"DELETE", "/api/notifications"}, {"DELETE", "/api/notifications/x"}, {"POST", "/api/refresh"},
	} {
		res, body := do(t, s, r.method, r.path, "Bearer anything", `{"message":"x"}`)
		if res.StatusCode != 403 || !strings.Contains(body, "admin_token") {
			t.Errorf("%s %s = %d %s; want 403 saying how to set a token", r.method, r.path, res.StatusCode, body)
		}
	}
	if res, _ := do(t, s, "GET", "/status", "", ""); res.StatusCode != 200 {
		t.Errorf("read-only page: %d", res.StatusCode)
	}
}

func TestDeleteAndClear(t *testing.T) {
	s := adminServer(t)
	bearer := "Bearer " + token
	_, b1 := do(t, s, "POST", "/api/notifications", bearer, `{"message":"one"}`)
	do(t, s, "POST", "/api/notifications", bearer, `{"message":"two"}`)
	var n remind.Notification
	json.Unmarshal([]byte(b1), &n)
	if res, _ := do(t, s, "DELETE", "/api/notifications/"+n.ID, "", ""); res.StatusCode != 401 {
		t.Errorf("delete without token: %d", res.StatusCode)
	}
	if res, _ := do(t, s, "DELETE", "/api/notifications/"+n.ID, bearer, ""); res.StatusCode != 204 {
		t.Errorf("delete: %d", res.StatusCode)
	}
	if res, body := do(t, s, "DELETE", "/api/notifications/"+n.ID, bearer, ""); res.StatusCode != 404 || !strings.Contains(body, `"error"`) {
		t.Errorf("delete again: %d %s", res.StatusCode, body)
	}
	if res, _ := do(t, s, "DELETE", "/api/notifications/..%2f..%2fetc%2fpasswd", bearer, ""); res.StatusCode != 400 && res.StatusCode != 404 {
		t.Errorf("traversal id: %d", res.StatusCode)
	}
	_, list := do(t, s, "GET", "/api/notifications", "", "")
	if strings.Contains(list, `"one"`) || !strings.Contains(list, `"two"`) {
		t.Errorf("after delete: %s", list)
	}
	if res, _ := do(t, s, "DELETE", "/api/notifications", bearer, ""); res.StatusCode != 204 {
		t.Errorf("clear: %d", res.StatusCode)
	}
	if _, list := do(t, s, "GET", "/api/notifications", "", ""); list != "[]" {
		t.Errorf("after clear: %s", list)
	}
}

func TestNotificationsETag(t *testing.T) {
	s := adminServer(t)
	res, _ := do(t, s, "GET", "/api/notifications", "", "")
	etag := res.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	if res, body := do(t, s, "GET", "/api/notifications", "", "", "If-None-Match", etag); res.StatusCode != 304 || body != "" {
		t.Errorf("unchanged poll: %d %q, want 304 and no body", res.StatusCode, body)
	}
	do(t, s, "POST", "/api/notifications", "Bearer "+token, `{"message":"new"}`)
	res, body := do(t, s, "GET", "/api/notifications", "", "", "If-None-Match", etag)
	if res.StatusCode != 200 || !strings.Contains(body, "new") || res.Header.Get("ETag") == etag {
		t.Errorf("changed queue: %d %s etag %q", res.StatusCode, body, res.Header.Get("ETag"))
	}
}

func TestTokenRateLimit(t *testing.T) {
	s := adminServer(t)
	clock := now
	s.limit.now = func() time.Time { return clock }
	var codes []int
	for range 12 {
		res, _ := do(t, s, "POST", "/api/notifications", "Bearer guess", `{"message":"x"}`)
		codes = append(codes, res.StatusCode)
	}
	if fmt.Sprint(codes[:10]) != fmt.Sprint([]int{401, 401, 401, 401, 401, 401, 401, 401, 401, 401}) || codes[10] != 429 || codes[11] != 429 {
		t.Fatalf("codes %v: want ten 401 then 429", codes)
	}
	res, _ := do(t, s, "POST", "/api/notifications", "Bearer "+token, `{"message":"x"}`)
	if res.StatusCode != 429 || res.Header.Get("Retry-After") == "" {
		t.Errorf("blocked client with the right token: %d (want 429 with Retry-After)", res.StatusCode)
	}
	clock = clock.Add(time.Minute)
	if res, _ := do(t, s, "POST", "/api/notifications", "Bearer "+token, `{"message":"x"}`); res.StatusCode != 201 {
		t.Errorf("after a minute: %d", res.StatusCode)
	}
}

func TestRefresh(t *testing.T) {
	s := adminServer(t)
	called := 0
	s.refresh = func() error { called++; return nil }
	if res, _ := do(t, s, "POST", "/api/refresh", "Bearer wrong", ""); res.StatusCode != 401 || called != 0 {
		t.Errorf("wrong token: %d, called %d", res.StatusCode, called)
	}
	if res, _ := do(t, s, "POST", "/api/refresh", "Bearer "+token, ""); res.StatusCode != 202 || called != 1 {
		t.Errorf("refresh: %d, called %d", res.StatusCode, called)
	}
}

func TestStatusJSON(t *testing.T) {
	updated := now.Add(-30 * time.Minute)
	next := now.Add(5 * time.Minute)
	snap := &dashboard.Snapshot{Sources: []source.Status{
		{Name: "School", Kind: "ics", Stale: true, Updated: &updated, NextTry: &next, Error: "ics: GET https://example.org/s.ics: timeout", Failures: 2, Category: source.Timeout},
	}}
	s := newServer(t, snap, nil)
	last := now.Add(-10 * time.Second)
	s.info = StatusInfo{
		Started: now.Add(-90 * time.Minute),
		Jobs:    func() []jobs.Status { return []jobs.Status{{Name: "calendars", LastRun: &last, NextRun: &next}} },
		Reminders: func() remind.Status {
			return remind.Status{From: now.Add(-time.Minute), To: now, Jump: &remind.Jump{At: now, Seconds: -3600}}
		},
		StoreBytes: func() int64 { return 12345 },
		DataDir:    t.TempDir(),
		Warnings:   func() []string { return []string{"config file is readable by other users"} },
		Sys: fstest.MapFS{
			"proc/self/statm":                                     {Data: []byte("5000 2000 300 10 0 400 0\n")},
			"sys/class/thermal/thermal_zone0/temp":                {Data: []byte("48312\n")},
			"sys/devices/platform/soc/soc:firmware/get_throttled": {Data: []byte("0x50005\n")},
		},
	}
	s.synced = func() (bool, bool) { return false, true }
	res, body := do(t, s, "GET", "/api/status", "", "")
	if res.StatusCode != 200 {
		t.Fatal(res.StatusCode)
	}
	var st map[string]any
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"version", "uptime_seconds", "time", "clock_synced", "sources", "jobs", "notifications_active",
		"memory_rss_bytes", "store_bytes", "data_dir_free_bytes", "cpu_temp_celsius"} {
		if _, ok := st[k]; !ok {
			t.Errorf("missing %q", k)
		}
	}
	if st["uptime_seconds"].(float64) != 5400 || st["clock_synced"] != false || st["store_bytes"].(float64) != 12345 ||
		st["cpu_temp_celsius"].(float64) != 48.312 || st["time"] != "2026-11-22T09:00:00+09:00" {
		t.Errorf("values: %s", body)
	}
	if st["memory_rss_bytes"].(float64) != float64(2000*pageSize()) {
		t.Errorf("rss %v", st["memory_rss_bytes"])
	}
	j := st["jobs"].([]any)[0].(map[string]any)
	if j["name"] != "calendars" || j["last_run"] != "2026-11-22T08:59:50+09:00" || j["next_run"] != "2026-11-22T09:05:00+09:00" {
		t.Errorf("job %v", j)
	}
	th := st["throttled"].(map[string]any)
	if th["under_voltage"] != true || th["throttled"] != true || th["under_voltage_since_boot"] != true || th["freq_capped"] != false {
		t.Errorf("throttled %v", th)
	}

	_, page := do(t, s, "GET", "/status", "", "")
	for _, want := range []string{"School", "서버가 제때 응답하지 않았습니다", "전압 부족", "48.3 °C", "시계가 아직 동기화되지 않았습니다"} {
		if !strings.Contains(page, want) {
			t.Errorf("status page lacks %q", want)
		}
	}
}

func TestStatusUnknownsAreNull(t *testing.T) {
	s := newServer(t, &dashboard.Snapshot{}, nil)
	_, body := do(t, s, "GET", "/api/status", "", "")
	for _, k := range []string{`"clock_synced":null`, `"memory_rss_bytes":null`, `"cpu_temp_celsius":null`, `"store_bytes":null`} {
		if !strings.Contains(body, k) {
			t.Errorf("want %s in %s", k, body)
		}
	}
}

// TestNoSecretAnywhere fetches every GET route and every asset the pages
// link, with secrets configured and failing sources whose errors mention
// them, and checks no answer and no log line carries a secret.
func TestNoSecretAnywhere(t *testing.T) {
	secrets := []string{"admin-token-s3cret", "srt-pa55word", "ics-pa55word"}
	scrub := source.NewScrubber(secrets...)
	snap := &dashboard.Snapshot{Sources: []source.Status{
		{Name: "SRT", Kind: "srt", Error: scrub.String("login failed for srt-pa55word")},
		{Name: "School", Kind: "ics", Error: scrub.String(`Get "https://u:ics-pa55word@example.org/x.ics?token=abc": EOF`)},
	}}
	var logs bytes.Buffer
	s := newServer(t, snap, func(c *config.Config) {
		c.AdminToken = config.Secret(secrets[0])
		c.Trains.SRT = &config.SRT{LoginID: "x", Password: config.Secret(secrets[1]), MaxShown: 3}
		c.Calendars = []config.Calendar{{Name: "School", ICS: &config.ICS{URL: "https://example.org/x.ics", Password: config.Secret(secrets[2])}}}
	})
	s.log = slog.New(slog.NewTextHandler(&logs, nil))
	do(t, s, "POST", "/api/notifications", "Bearer wrong-"+secrets[0], `{"message":"x"}`)
	do(t, s, "POST", "/api/notifications", "Bearer "+secrets[0], `{"message":"hello"}`)
	paths := []string{"/", "/status", "/partial/board", "/partial/status", "/api/dashboard", "/api/status", "/api/notifications", "/api/display", "/healthz"}
	for _, page := range []string{"/", "/status"} {
		_, body := do(t, s, "GET", page, "", "")
		for _, part := range strings.Split(body, `"`) {
			if strings.HasPrefix(part, s.assets) {
				paths = append(paths, part)
			}
		}
	}
	if len(paths) < 12 {
		t.Fatalf("found too few asset links: %v", paths)
	}
	for _, p := range paths {
		res, body := do(t, s, "GET", p, "", "")
		if res.StatusCode != 200 {
			t.Errorf("GET %s = %d", p, res.StatusCode)
		}
		for _, sec := range secrets {
			if strings.Contains(body, sec) {
				t.Errorf("GET %s carries a secret", p)
			}
		}
	}
	for _, sec := range secrets {
		if strings.Contains(logs.String(), sec) {
			t.Errorf("a log line carries a secret: %s", logs.String())
		}
	}
}

func benchNotifications(b *testing.B, conditional bool) {
	s := newServer(b, &dashboard.Snapshot{}, func(c *config.Config) { c.AdminToken = token })
	for i := range 20 {
		if _, err := s.queue.Add(remind.Notification{Message: fmt.Sprintf("11-22 10:%02d\nEvent %d\n일정이 30분 후 시작합니다.", i, i),
			Expire: now.Add(time.Hour).Unix(), DisplayTime: 30, Sound: true}); err != nil {
			b.Fatal(err)
		}
	}
	req := httptest.NewRequest("GET", "/api/notifications", nil)
	res, _ := s.App().Test(req, -1)
	if conditional {
		req.Header.Set("If-None-Match", res.Header.Get("ETag"))
	}
	want := map[bool]int{false: 200, true: 304}[conditional]
	b.ReportAllocs()
	for b.Loop() {
		res, err := s.App().Test(req, -1)
		if err != nil || res.StatusCode != want {
			b.Fatalf("status %d, %v", res.StatusCode, err)
		}
		io.Copy(io.Discard, res.Body)
	}
}

func BenchmarkNotifications200(b *testing.B) { benchNotifications(b, false) }
func BenchmarkNotifications304(b *testing.B) { benchNotifications(b, true) }
