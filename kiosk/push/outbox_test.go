package push

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"kiosk/cache"
	"kiosk/kiosk/config"
	"kiosk/kiosk/remind"
	"kiosk/kiosk/telegram/telegramtest"
	"kiosk/kiosk/weather"
)

func note(id, kind, msg string, now time.Time) remind.Notification {
	return remind.Notification{ID: id, Kind: kind, Message: msg, Created: now.Unix(),
		Expire: now.Add(10 * time.Minute).Unix(), DisplayTime: 30}
}

func TestOncePerChannelAcrossRestarts(t *testing.T) {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, seoul)
	r := newRig(t, now, &config.Span{Start: "21:00", End: "08:00"})
	o := r.outbox()
	n := note("ev-1", remind.KindEvent, "치과 <b>10:00</b>", now)
	if err := o.Accept(n); err != nil {
		t.Fatal(err)
	}
	flush(o)
	// A restart, the queue taking the same notification again (a crash
	// between the outbox and the queue), and more flushes.
	o = r.outbox()
	if err := o.Accept(n); err != nil {
		t.Fatal(err)
	}
	r.clock.Add(time.Minute)
	flush(o)
	flush(r.outbox())

	for _, chat := range []int64{1, 2} {
		if got := r.texts(chat); len(got) != 1 || got[0] != n.Message {
			t.Errorf("chat %d got %q, want the message once", chat, got)
		}
	}
	for _, m := range r.api.Sent() {
		if m.ParseMode != "" {
			t.Errorf("sendMessage with parse_mode %q; want plain text", m.ParseMode)
		}
	}
	if got := r.ntfy.got(); len(got) != 1 || got[0] != n.Message {
		t.Errorf("ntfy got %q, want the message once", got)
	}
	if a := r.ntfy.auth; len(a) != 1 || a[0] != "Bearer tk_ntfy-secret" {
		t.Errorf("ntfy Authorization %q, want the bearer token", a)
	}
	hook := r.hook.got()
	var body struct{ Text string }
	if len(hook) != 1 || json.Unmarshal([]byte(hook[0]), &body) != nil || body.Text != n.Message {
		t.Errorf("webhook got %q, want {\"text\": message} once", hook)
	}
	for _, c := range o.Status() {
		if !c.OK || c.Pending != 0 || c.LastSent == nil {
			t.Errorf("status %+v, want ok, nothing pending, a last send", c)
		}
	}
}

func TestKindsNotInSendAreNotPushed(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	r := newRig(t, now, nil)
	o := r.outbox()
	o.Accept(note("cu-1", remind.KindCustom, "hello", now)) // message: not in the rig's send
	o.Accept(note("tr-1", remind.KindTrain, "SRT 301 in 60 min", now))
	o.Accept(note("wx-1", weather.KindUmbrella, "우산 챙기세요", now)) // weather: not in send either
	flush(o)
	if got := r.texts(1); join(got) != "SRT 301 in 60 min" {
		t.Errorf("chat got %q, want only the train", got)
	}
	r.opts.Send = append(r.opts.Send, "weather")
	o = r.outbox()
	o.Accept(note("wx-2", weather.KindMask, "마스크 쓰세요", now))
	flush(o)
	if got := r.texts(1); join(got) != "SRT 301 in 60 min | 마스크 쓰세요" {
		t.Errorf("with weather in send, chat got %q", got)
	}
}

func TestRetries(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer telegramtest.Answer
		wait   time.Duration // no resend before, one at
	}{
		{"429 waits retry_after", telegramtest.TooMany(42), 42 * time.Second},
		{"502 HTML backs off", telegramtest.BadGateway, minBackoff},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
			r := newRig(t, now, nil)
			r.opts.Dests = r.opts.Dests[:1]
			r.api.Then("sendMessage", tc.answer)
			o := r.outbox()
			o.Accept(note("ev-1", remind.KindEvent, "one", now))
			o.Accept(note("ev-2", remind.KindEvent, "two", now))
			if wait := flush(o); wait > tc.wait {
				t.Errorf("flush asks to wait %v, want at most %v", wait, tc.wait)
			}
			st := o.Status()[0]
			if st.OK || st.Pending != 2 || !strings.Contains(st.Error, "HTTP") {
				t.Errorf("status after the failure %+v, want failing with 2 pending", st)
			}
			r.clock.Add(tc.wait - time.Second)
			flush(o)
			if got := r.texts(1); len(got) != 0 {
				t.Fatalf("sent %q before the wait was over", got)
			}
			r.clock.Add(time.Second)
			flush(o)
			flush(o)
			if got := r.texts(1); join(got) != "one | two" {
				t.Errorf("got %q, want one | two, each once, in order", got)
			}
			if st := o.Status()[0]; !st.OK {
				t.Errorf("status after recovery %+v, want ok", st)
			}
		})
	}
}

func TestForbiddenStopsTheChat(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	r := newRig(t, now, nil)
	r.opts.Dests = r.opts.Dests[:2]
	r.api.Then("sendMessage", telegramtest.Blocked) // chat 1 is served first
	o := r.outbox()
	o.Accept(note("ev-1", remind.KindEvent, "one", now))
	flush(o)
	o = r.outbox() // the block survives a restart
	r.clock.Add(time.Hour)
	o.Accept(note("ev-2", remind.KindEvent, "two", r.clock.Now()))
	flush(o)
	if got := r.texts(1); len(got) != 0 {
		t.Errorf("blocked chat got %q", got)
	}
	if got := r.texts(2); join(got) != "one | two" {
		t.Errorf("other chat got %q, want one | two", got)
	}
	st := o.Status()[0]
	if !st.Blocked || st.OK || !strings.Contains(st.Error, "403") || st.Pending != 0 {
		t.Errorf("status %+v, want blocked with the 403, nothing kept pending", st)
	}
	// The chat writes to the bot again: it is reachable.
	o.Unblock("tg:1")
	o.Accept(note("ev-3", remind.KindEvent, "three", r.clock.Now()))
	flush(o)
	if got := r.texts(1); join(got) != "three" {
		t.Errorf("unblocked chat got %q, want three", got)
	}
}

func TestExpiredAreNotPushedLate(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	r := newRig(t, now, nil)
	r.opts.Dests = r.opts.Dests[:1]
	bad := telegramtest.BadGateway
	r.api.Then("sendMessage", bad, bad, bad, bad, bad, bad, bad, bad)
	o := r.outbox()
	o.Accept(note("ev-1", remind.KindEvent, "too late", now)) // expires in 10 min
	for range 8 {
		flush(o)
		r.clock.Add(maxBackoff)
	}
	flush(o)
	if got := r.texts(1); len(got) != 0 {
		t.Errorf("sent %q after it expired", got)
	}
	if st := o.Status()[0]; st.Pending != 0 {
		t.Errorf("status %+v, want the expired one gone", st)
	}
}

// Quiet hours 21:00–08:00 across the night the clocks change: what falls
// in them goes out as one digest per chat at 08:00 local time, not at
// 08:00 of the old offset, and not before.
func TestQuietHoursDigestAtDST(t *testing.T) {
	for _, tc := range []struct {
		zone    string
		evening time.Time // 22:00 local, the night of the change
	}{
		{"Europe/Berlin", time.Date(2026, 3, 28, 22, 0, 0, 0, time.UTC)},     // 02:00 → 03:00
		{"America/New_York", time.Date(2026, 10, 31, 22, 0, 0, 0, time.UTC)}, // 02:00 → 01:00
	} {
		t.Run(tc.zone, func(t *testing.T) {
			loc, err := time.LoadLocation(tc.zone)
			if err != nil {
				t.Fatal(err)
			}
			y, m, d := tc.evening.Date()
			evening := time.Date(y, m, d, 22, 0, 0, 0, loc)
			morning := time.Date(y, m, d+1, 8, 0, 0, 0, loc)
			r := newRig(t, evening, &config.Span{Start: "21:00", End: "08:00"})
			r.opts.Dests = r.opts.Dests[:2]
			o := r.outbox()
			for i, at := range []time.Time{evening, evening.Add(3*time.Hour + 30*time.Minute), evening.Add(5*time.Hour + 30*time.Minute)} {
				r.clock.Set(at)
				o.Accept(note("ev-"+strconv.Itoa(i), remind.KindEvent, "알림 "+strconv.Itoa(i), at))
				flush(o)
			}
			r.clock.Set(morning.Add(-time.Minute))
			o = r.outbox() // a restart in the night keeps them held
			flush(o)
			if got := r.texts(1); len(got) != 0 {
				t.Fatalf("sent %q before the end of quiet hours", got)
			}
			if st := o.Status()[0]; st.Held != 3 {
				t.Errorf("status %+v, want 3 held", st)
			}
			r.clock.Set(morning)
			flush(o)
			flush(r.outbox())
			for _, chat := range []int64{1, 2} {
				got := r.texts(chat)
				if len(got) != 1 {
					t.Fatalf("chat %d got %d messages %q, want one digest", chat, len(got), got)
				}
				want := "밤사이 알림 3건"
				if !strings.HasPrefix(got[0], want) {
					t.Errorf("digest %q, want it to start with %q", got[0], want)
				}
				a, b, c := strings.Index(got[0], "알림 0"), strings.Index(got[0], "알림 1"), strings.Index(got[0], "알림 2")
				if a < 0 || a > b || b > c {
					t.Errorf("digest %q, want the three held in order", got[0])
				}
			}
		})
	}
}

func TestUrgentBypassesQuietHours(t *testing.T) {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	now := time.Date(2026, 3, 2, 2, 0, 0, 0, seoul)
	r := newRig(t, now, &config.Span{Start: "21:00", End: "08:00"})
	r.opts.Send = append(r.opts.Send, "message")
	r.opts.Dests = r.opts.Dests[:1]
	o := r.outbox()
	plain := note("cu-1", remind.KindCustom, "내일 봐요", now)
	urgent := note("cu-2", remind.KindCustom, "물 새요!", now)
	urgent.Urgent = true
	o.Accept(plain)
	o.Accept(urgent)
	flush(o)
	if got := r.texts(1); join(got) != "물 새요!" {
		t.Errorf("at 02:00 got %q, want only the urgent one", got)
	}
}

func TestSecretsInNoErrorOrLog(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	r := newRig(t, now, nil)
	// Every upstream is gone: the transport errors carry the URLs.
	r.api.Close()
	r.ntfy.srv.Close()
	r.hook.srv.Close()
	o := r.outbox()
	o.Accept(note("ev-1", remind.KindEvent, "x", now))
	o.Flush(context.Background())
	var shown []string
	for _, c := range o.Status() {
		if c.Error == "" {
			t.Errorf("%s: no error shown", c.Name)
		}
		shown = append(shown, c.Error)
	}
	logs := r.logs.String()
	if !strings.Contains(logs, "send failed") {
		t.Fatalf("no failure logged:\n%s", logs)
	}
	for _, secret := range []string{testToken, "tk_ntfy-secret", "/services/T0/B0/secret", "AAtest"} {
		if strings.Contains(logs, secret) || strings.Contains(join(shown), secret) {
			t.Errorf("%q shown:\n%s\n%s", secret, join(shown), logs)
		}
	}
}

// A kill between the done marker and the removal of the item: the item is
// not sent again.
func TestKillBetweenMarkAndRemoval(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	r := newRig(t, now, nil)
	r.opts.Dests = r.opts.Dests[:1]
	o := r.outbox()
	o.Accept(note("ev-1", remind.KindEvent, "one", now))
	if err := cache.Set(r.store, donePrefix+"tg:1:ev-1", "sent", keep); err != nil {
		t.Fatal(err)
	}
	o = r.outbox()
	flush(o)
	if got := r.texts(1); len(got) != 0 {
		t.Errorf("sent %q again", got)
	}
	if st := o.Status()[0]; st.Pending != 0 {
		t.Errorf("status %+v, want nothing pending", st)
	}
}

func TestHookFailures(t *testing.T) {
	for _, tc := range []struct {
		name      string
		status    int
		delivered bool // after the hook recovers
	}{
		{"500 is retried", http.StatusInternalServerError, true},
		{"429 is retried", http.StatusTooManyRequests, true},
		{"400 drops the message", http.StatusBadRequest, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
			r := newRig(t, now, nil)
			r.opts.Dests = r.opts.Dests[3:] // the webhook
			r.hook.mu.Lock()
			r.hook.status = tc.status
			r.hook.mu.Unlock()
			o := r.outbox()
			o.Accept(note("ev-1", remind.KindEvent, "one", now))
			flush(o)
			st := o.Status()[0]
			if st.OK || !strings.Contains(st.Error, "webhook 1: HTTP") || strings.Contains(st.Error, "secret") {
				t.Errorf("status %+v, want the failure named without the URL", st)
			}
			r.hook.mu.Lock()
			r.hook.status = 0
			r.hook.mu.Unlock()
			r.clock.Add(time.Minute)
			flush(o)
			flush(o)
			if got := len(r.hook.got()); got != map[bool]int{true: 1, false: 0}[tc.delivered] {
				t.Errorf("delivered %d times, want delivered=%v once", got, tc.delivered)
			}
		})
	}
}
