package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// fuzzSecret is the admin token and SRT password of the seeds: the fuzzer
// keeps it in most inputs it derives, so the check that no error, %+v or
// JSON rendering of a config shows it stays busy.
const fuzzSecret = "fuzz-secret-0123456789"

// FuzzParse feeds arbitrary YAML to Parse: it must not panic, a config it
// accepts must hold only values validation allows, and neither an error
// nor a printed config may show a secret.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"",
		"timezone: Europe/Berlin\nlocale: en\n",
		"listen: \":8080\"\npoll_seconds: 3\ndashboard: {days_ahead: 7, max_events: 40, reload_seconds: 120}\n",
		"calendars:\n  - name: Family\n    color: \"#5b9bd5\"\n    ics: {url: \"https://example.test/basic.ics\", username: u, password_env: ICS_PW}\n" +
			"  - name: School\n    google: {calendar_id: primary}\n",
		"admin_token: " + fuzzSecret + "\nreminders: {default_minutes: 0, expire_minutes: 10, display_seconds: 30, catch_up_minutes: 10}\n",
		"admin_token: " + fuzzSecret + "\nadmin_token_file: token\n",
		"trains:\n  srt: {login_id: \"010-0000-0000\", password: " + fuzzSecret + ", login_type: phone, max_shown: 3}\n",
		"trains:\n  srt: {login_id: x, password: " + fuzzSecret + ", endpoint: \"ftp://x\", cache_minutes: 5}\n",
		"quiet_hours: {start: \"22:00\", end: \"07:00\"}\ndisplay: {off: \"23:00\", on: \"06:30\"}\n",
		"photos: {dir: /srv/photos, interval_seconds: 30, mode: panel, shuffle: false}\n",
		"notices:\n  - {name: School, url: \"https://example.test/feed.xml\", refresh_minutes: 30, keep: 5, keep_days: 7, popup_keywords: [휴교]}\n",
		"timezone: Asia/Busan\nlisten_port: 80\npoll_seconds: [1]\n",
		"calendars: {name: x}\n",
		"calendars:\n  - {name: a, ics: {file: /nonexistent.ics}}\n  - {name: a, ics: {url: webcal://example.test/x}}\n",
		"dashboard:\n  days_ahead: 99999999999999999999\n",
		"a: &a [*a, *a]\nb: *a\n",
		"admin_token: !!binary aGVsbG8=\n",
		"%YAML 1.2\n---\ntimezone: UTC\n...\n",
		"\xef\xbb\xbftimezone: UTC\n",
	} {
		f.Add([]byte(seed))
	}
	noEnv := func(string) string { return "" }
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 16<<10 {
			return
		}
		c, err := Parse(data, noEnv)
		if err != nil {
			if c != nil {
				t.Fatalf("Parse returned a config with an error: %v", err)
			}
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			// Where the marker only ever sits in a secret's place, no
			// message may repeat it (elsewhere it is just a value).
			if strings.Contains(err.Error(), fuzzSecret) && onlySecret(data) {
				t.Fatalf("error shows the secret: %v", err)
			}
			return
		}
		checkValid(t, c)
		for _, secret := range secretsOf(c) {
			if len(secret) < 4 {
				continue
			}
			b, _ := json.Marshal(c)
			for what, s := range map[string]string{"%+v": fmt.Sprintf("%+v", *c), "%v": fmt.Sprint(c), "json": string(b)} {
				if strings.Contains(s, secret) {
					t.Fatalf("%s of the config shows a secret", what)
				}
			}
		}
	})
}

// checkValid asserts what validation promises about an accepted config.
func checkValid(t *testing.T, c *Config) {
	t.Helper()
	in := func(key string, v, lo, hi int) {
		if v < lo || v > hi {
			t.Fatalf("accepted %s = %d, outside %d..%d", key, v, lo, hi)
		}
	}
	if c.Location == nil || c.Listen == "" || c.DataDir == "" {
		t.Fatalf("accepted without location, listen or data dir: %+v", c)
	}
	if c.Locale != "ko" && c.Locale != "en" {
		t.Fatalf("accepted locale %q", c.Locale)
	}
	in("poll_seconds", c.PollSeconds, 2, 5)
	in("days_ahead", c.Dashboard.DaysAhead, 1, 31)
	in("max_events", c.Dashboard.MaxEvents, 1, 1000)
	in("reload_seconds", c.Dashboard.ReloadSeconds, 10, 3600)
	in("calendar_minutes", c.Refresh.CalendarMinutes, 1, 1440)
	if c.Reminders.DefaultMinutes == nil {
		t.Fatal("accepted without default_minutes filled in")
	}
	in("default_minutes", *c.Reminders.DefaultMinutes, 0, 40320)
	in("expire_minutes", c.Reminders.ExpireMinutes, 1, 1440)
	in("display_seconds", c.Reminders.DisplaySeconds, 1, 3600)
	in("catch_up_minutes", c.Reminders.CatchUpMinutes, 1, 1440)
	if n := len(c.AdminToken); n != 0 && n < 12 {
		t.Fatalf("accepted an admin token of %d characters", n)
	}
	names := map[string]bool{}
	for i, cal := range c.Calendars {
		if cal.Name == "" || names[cal.Name] {
			t.Fatalf("calendars[%d]: accepted name %q (empty or twice)", i, cal.Name)
		}
		names[cal.Name] = true
		if (cal.Google == nil) == (cal.ICS == nil) {
			t.Fatalf("calendars[%d]: accepted with google=%v ics=%v", i, cal.Google != nil, cal.ICS != nil)
		}
		if x := cal.ICS; x != nil && (x.URL == "") == (x.File == "") {
			t.Fatalf("calendars[%d]: accepted ics with url %q and file %q", i, x.URL, x.File)
		}
		if cal.Color != "" && !hexColor.MatchString(cal.Color) {
			t.Fatalf("calendars[%d]: accepted color %q", i, cal.Color)
		}
	}
	if s := c.Trains.SRT; s != nil {
		if s.LoginID == "" || s.Password == "" || s.RemindBeforeMinutes == nil || s.PaymentRemindMinutes == nil {
			t.Fatalf("accepted SRT without id, password or reminder minutes: %+v", s)
		}
		if !strings.HasPrefix(s.Endpoint, "http://") && !strings.HasPrefix(s.Endpoint, "https://") {
			t.Fatalf("accepted SRT endpoint %q", s.Endpoint)
		}
		in("trains.srt.max_shown", s.MaxShown, 1, 10)
	}
	if p := c.Photos; p != nil {
		if p.Dir == "" || p.Shuffle == nil || (p.Mode != "background" && p.Mode != "panel" && p.Mode != "fullscreen") {
			t.Fatalf("accepted photos %+v", p)
		}
	}
	for _, span := range []*Span{c.QuietHours, {Start: "00:00", End: "00:00"}} {
		if span != nil && (!clock.MatchString(span.Start) || !clock.MatchString(span.End)) {
			t.Fatalf("accepted span %+v", span)
		}
	}
	if d := c.Display; d != nil && (!clock.MatchString(d.Off) || !clock.MatchString(d.On)) {
		t.Fatalf("accepted display %+v", d)
	}
	for i, n := range c.Notices {
		if n.Name == "" || names[n.Name] || (!strings.HasPrefix(n.URL, "http://") && !strings.HasPrefix(n.URL, "https://")) {
			t.Fatalf("notices[%d]: accepted %+v", i, n)
		}
		names[n.Name] = true
	}
}

// onlySecret reports whether every scalar holding fuzzSecret is the value
// of a secret key (admin_token, password).
func onlySecret(data []byte) bool {
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil {
		return false
	}
	ok := true
	var walk func(n *yaml.Node, key string)
	walk = func(n *yaml.Node, key string) {
		if n.Kind == yaml.ScalarNode || n.Kind == yaml.AliasNode {
			if strings.Contains(n.Value, fuzzSecret) && key != "admin_token" && key != "password" {
				ok = false
			}
			return
		}
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(n.Content[i], "")
				walk(n.Content[i+1], n.Content[i].Value)
			}
			return
		}
		for _, c := range n.Content {
			walk(c, "")
		}
	}
	walk(&root, "")
	return ok && bytes.Count(data, []byte(fuzzSecret)) > 0
}

func secretsOf(c *Config) []string {
	out := []string{c.AdminToken.Reveal()}
	for _, cal := range c.Calendars {
		if cal.ICS != nil {
			out = append(out, cal.ICS.Password.Reveal())
		}
	}
	if s := c.Trains.SRT; s != nil {
		out = append(out, s.Password.Reveal())
	}
	return out
}
