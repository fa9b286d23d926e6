package push

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"kiosk/cache"
	"kiosk/kiosk/clock"
	"kiosk/kiosk/config"
	"kiosk/kiosk/telegram"
	"kiosk/kiosk/telegram/telegramtest"
)

const testToken = "123456:AAtest-token-not-a-real-one"

// fakeHook records the bodies POSTed to it (ntfy or a webhook).
type fakeHook struct {
	srv    *httptest.Server
	mu     sync.Mutex
	bodies []string
	auth   []string
	status int // 0: 200
}

func newFakeHook(t *testing.T) *fakeHook {
	h := &fakeHook{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.status != 0 {
			w.WriteHeader(h.status)
			return
		}
		h.bodies = append(h.bodies, string(b))
		h.auth = append(h.auth, r.Header.Get("Authorization"))
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *fakeHook) got() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.bodies...)
}

// rig is an outbox on an in-memory store, a hand-moved clock, two
// Telegram chats, ntfy and a webhook.
type rig struct {
	clock *clock.Fake
	store *cache.Store
	api   *telegramtest.Server
	ntfy  *fakeHook
	hook  *fakeHook
	logs  *bytes.Buffer
	opts  Options
}

func newRig(t *testing.T, now time.Time, quiet *config.Span) *rig {
	t.Helper()
	r := &rig{clock: clock.New(now), api: telegramtest.New(t, testToken), ntfy: newFakeHook(t), hook: newFakeHook(t), logs: &bytes.Buffer{}}
	r.api.Strict("sendMessage")
	var err error
	r.store, err = cache.Open("", r.clock.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.store.Close() })
	client := &http.Client{Timeout: 5 * time.Second}
	tc := telegram.NewClient(r.api.URL, testToken, client)
	r.opts = Options{
		Store: r.store, Send: []string{"reminder", "train", "notice", "trouble"}, Quiet: quiet,
		Loc: now.Location(), Locale: "ko", Log: slog.New(slog.NewTextHandler(r.logs, nil)),
		Dests: []Dest{
			{Key: "tg:1", Name: "Telegram 1", Sender: TelegramChat{Client: tc, Chat: 1}},
			{Key: "tg:2", Name: "Telegram 2", Sender: TelegramChat{Client: tc, Chat: 2}},
			{Key: "ntfy", Name: "ntfy", Sender: Ntfy{URL: r.ntfy.srv.URL + "/family", Token: "tk_ntfy-secret", Client: client}},
			{Key: "wh:1", Name: "webhook 1", Sender: Webhook{Name: "webhook 1", URL: r.hook.srv.URL + "/services/T0/B0/secret", Client: client}},
		},
	}
	return r
}

// outbox is a new Outbox on the rig's store: a restart.
func (r *rig) outbox() *Outbox { return New(r.opts) }

// texts returns what chat received, in order.
func (r *rig) texts(chat int64) []string { return r.api.Texts(chat) }

func flush(o *Outbox) time.Duration { return o.Flush(context.Background()) }

func join(s []string) string { return strings.Join(s, " | ") }
