package web

import (
	"strings"
	"testing"
	"time"

	"kiosk/kiosk/dashboard"
	"kiosk/kiosk/push"
	"kiosk/kiosk/source"
)

func TestPostUrgent(t *testing.T) {
	s := adminServer(t)
	for _, tc := range []struct{ body, want string }{
		{`{"message":"물 새요","urgent":true}`, `"urgent":true`},
		{`{"message":"저녁 먹자"}`, ""},
	} {
		res, body := do(t, s, "POST", "/api/notifications", "Bearer "+token, tc.body)
		if res.StatusCode != 201 {
			t.Fatalf("%s: %d %s", tc.body, res.StatusCode, body)
		}
		if got := strings.Contains(body, `"urgent"`); got != (tc.want != "") || !strings.Contains(body, tc.want) {
			t.Errorf("%s answered %s, want urgent only when asked", tc.body, body)
		}
	}
	if res, body := do(t, s, "POST", "/api/notifications", "Bearer "+token, `{"message":"x","urgent":"yes"}`); res.StatusCode != 400 {
		t.Errorf("urgent as a string: %d %s, want 400", res.StatusCode, body)
	}
}

func TestPushOnStatus(t *testing.T) {
	snap := &dashboard.Snapshot{Sources: []source.Status{{Name: "School", Kind: "ics", Error: "ics: HTTP 503", Failures: 2}}}
	s := newServer(t, snap, nil)
	sent := now.Add(-time.Hour)
	s.info.Push = func() []push.ChannelStatus {
		return []push.ChannelStatus{
			{Name: "Telegram 1", OK: true, LastSent: &sent, Held: 2},
			{Name: "Telegram 2", Blocked: true, Error: "telegram: sendMessage: HTTP 403: Forbidden: bot was blocked by the user"},
		}
	}
	_, page := do(t, s, "GET", "/status", "", "")
	for _, want := range []string{"휴대폰 알림", "Telegram 1", "아침까지 보류 2", "Telegram 2", "차단됨"} {
		if !strings.Contains(page, want) {
			t.Errorf("status page lacks %q", want)
		}
	}
	_, body := do(t, s, "GET", "/api/status", "", "")
	if !strings.Contains(body, `"push":[{"name":"Telegram 1","ok":true,"blocked":false,"pending":0,"held":2`) {
		t.Errorf("/api/status push: %s", body)
	}
	headline, problems := s.Summary()
	if !strings.Contains(headline, "School") || len(problems) != 1 || !strings.HasPrefix(problems[0], "School: ") {
		t.Errorf("Summary() = %q, %q", headline, problems)
	}
}
