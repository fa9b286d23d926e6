package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestPushGoodFile(t *testing.T) {
	dir := t.TempDir()
	for name, v := range map[string]string{"telegram-token": "123456:ABC-def\n", "ntfy-token": "tk_abc\n",
		"slack-webhook": "https://hooks.slack.com/services/T0/B0/x\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(v), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	yaml := `quiet_hours: {start: "22:00", end: "07:00"}
push:
  telegram:
    token_file: telegram-token
    chats: [123456789, -100987654321]
  ntfy:
    url: https://ntfy.sh/our-family-kiosk-7f3a
    token_file: ntfy-token
  webhooks:
    - url_file: slack-webhook
`
	env := func(k string) string {
		if k == "CREDENTIALS_DIRECTORY" {
			return dir
		}
		return ""
	}
	c, err := Parse([]byte(yaml), env)
	if err != nil {
		t.Fatal(err)
	}
	p := c.Push
	if got, want := strings.Join(p.Send, ","), "reminder,train,notice,weather,trouble"; got != want {
		t.Errorf("send = %s, want %s (all but message)", got, want)
	}
	if p.QuietHours == nil || p.QuietHours.Start != "22:00" {
		t.Errorf("quiet_hours = %+v, want the top-level 22:00–07:00", p.QuietHours)
	}
	if p.Telegram.Token.Reveal() != "123456:ABC-def" || p.Telegram.Endpoint != "https://api.telegram.org" {
		t.Errorf("telegram = %+v", p.Telegram)
	}
	if !slices.Equal(p.Telegram.Chats, []int64{123456789, -100987654321}) {
		t.Errorf("chats = %v", p.Telegram.Chats)
	}
	if p.Ntfy.Token.Reveal() != "tk_abc" || p.Webhooks[0].URL.Reveal() != "https://hooks.slack.com/services/T0/B0/x" {
		t.Errorf("ntfy %+v, webhooks %+v", p.Ntfy, p.Webhooks)
	}
	if got := c.PushSecrets(); len(got) != 3 {
		t.Errorf("PushSecrets = %d secrets, want 3", len(got))
	}
}

func TestPushErrors(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"no token", "push:\n  telegram: {chats: [1]}\n", "line 2: push.telegram.token_file: set token_file or token_env"},
		{"both tokens", "push:\n  telegram: {token_env: A, token_file: b, chats: [1]}\n", "push.telegram.token_file: set token_file or token_env"},
		{"empty env", "push:\n  telegram: {token_env: KIOSK_TG, chats: [1]}\n", "push.telegram.token_env: environment variable KIOSK_TG is empty"},
		{"no chats", "push:\n  telegram: {token_env: HOME, chats: []}\n", "push.telegram.chats: name at least one chat id"},
		{"chat id text", "push:\n  telegram: {token_env: HOME, chats: [family]}\n", "push.telegram.chats"},
		{"bad kind", "push:\n  send: [reminder, sms]\n", `push.send[1]: must be one of reminder, train, notice, message, weather, trouble, not "sms"`},
		{"bad quiet", "push:\n  quiet_hours: {start: \"9pm\", end: \"08:00\"}\n", "push.quiet_hours.start: must be a time like 21:00"},
		{"ntfy url", "push:\n  ntfy: {url: ntfy.sh/x}\n", "push.ntfy.url: must be an http:// or https:// URL"},
		{"webhook file", "push:\n  webhooks: [{url_file: /nonexistent/hook}]\n", "push.webhooks[0].url_file: /nonexistent/hook does not exist"},
		{"unknown key", "push:\n  telegram: {token: abc}\n", `unknown key "token"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := func(k string) string {
				if k == "HOME" {
					return "123:tok"
				}
				return ""
			}
			_, err := Parse([]byte(tc.yaml), env)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}
