package web

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"kiosk/kiosk/config"
	"kiosk/kiosk/dashboard"
	"kiosk/kiosk/remind"
)

// FuzzPostNotification sends arbitrary bodies to POST /api/notifications
// through the fiber app. Whatever comes in, the answer is a 201 with the
// stored notification or a 400 with a JSON error and nothing stored, and
// which of the two follows the documented rules, checked here with a
// decoder of its own.
func FuzzPostNotification(f *testing.F) {
	for _, seed := range []string{
		`{"message":"hi"}`,
		`{"message":"Dinner!\nCome down","display_time":12,"expire_seconds":60,"show_notiboard":true,"sound":false}`,
		`{"message":`, `["hi"]`, `{"sound":true}`, `{"message":"   "}`, `null`, ``, `{}`,
		`{"message":"hi","display_time":"long"}`, `{"message":"hi","colour":"red"}`,
		`{"message":"hi","display_time":1e40}`, `{"message":"hi","display_time":3600.5}`,
		`{"message":"hi","expire_seconds":-5}`, `{"message":"hi","expire_seconds":604800}`,
		"{\"message\":\"\xff\xfe\"}", `{"message":"a"}{"message":"b"}`, `{"message":"a"} `, `{"message":"a"}}`, `{"message":"a"}]`,
		`{"message":"` + strings.Repeat("가", 2000) + `"}`, `{"message":"` + strings.Repeat("x", 2001) + `"}`,
		`{"message":"hi","message":"again"}`, `{"Message":"case"}`, `{"message":"\u0000\ud800"}`,
		"\xef\xbb\xbf{\"message\":\"bom\"}", `{"message":{"nested":true}}`, `{"message":null}`,
		`{"message":"x","sound":"yes"}`, `{"message":"x","show_notiboard":1}`,
		strings.Repeat("[", 10000), `{"message":"<script>alert(1)</script>"}`,
	} {
		f.Add([]byte(seed))
	}
	s := newServer(f, &dashboard.Snapshot{}, func(c *config.Config) { c.AdminToken = token })
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > 16<<10 { // 2001 characters of 3 bytes fit; TestBodyTooLarge covers the limit
			return
		}
		defer s.queue.Clear()
		req := httptest.NewRequest("POST", "/api/notifications", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		res, err := s.App().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(res.Body)
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("status %d with content type %q: %q", res.StatusCode, ct, got)
		}
		want, valid := expectedPost(body)
		stored := s.queue.Active(now)
		switch res.StatusCode {
		case 201:
			if !valid {
				t.Fatalf("accepted a body the rules reject: %q", body)
			}
			var n remind.Notification
			if err := json.Unmarshal(got, &n); err != nil {
				t.Fatalf("201 body is not a notification: %v: %q", err, got)
			}
			if len(stored) != 1 || stored[0] != n {
				t.Fatalf("answered %+v, stored %+v", n, stored)
			}
			if n.ID == "" || n.Message != *want.Message || n.Kind != remind.KindCustom || n.Expire <= now.Unix() ||
				n.DisplayTime < 1 || n.DisplayTime > 3600 {
				t.Fatalf("stored %+v for %q", n, body)
			}
		case 400:
			if valid {
				t.Fatalf("rejected a valid body: %q: %s", body, got)
			}
			var e struct {
				Error string `json:"error"`
			}
			if err := json.Unmarshal(got, &e); err != nil || e.Error == "" || !utf8.ValidString(e.Error) {
				t.Fatalf("400 without a JSON error: %q", got)
			}
			if len(stored) != 0 {
				t.Fatalf("a rejected body stored %+v", stored)
			}
		default:
			t.Fatalf("status %d for %q: %s", res.StatusCode, body, got)
		}
	})
}

// expectedPost applies the documented rules to a body independently of
// the handler: valid UTF-8, one JSON object of known fields, a message of
// 1 to 2000 characters that is not blank, and times in range.
func expectedPost(body []byte) (postNotification, bool) {
	var p postNotification
	if !utf8.Valid(body) {
		return p, false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if dec.Decode(&p) != nil {
		return p, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return p, false
	}
	switch {
	case p.Message == nil || strings.TrimSpace(*p.Message) == "" || utf8.RuneCountInString(*p.Message) > 2000:
		return p, false
	case p.DisplayTime != nil && (*p.DisplayTime < 1 || *p.DisplayTime > 3600):
		return p, false
	case p.ExpireSeconds != nil && (*p.ExpireSeconds < 1 || *p.ExpireSeconds > 7*24*3600):
		return p, false
	}
	return p, true
}
