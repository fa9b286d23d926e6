package push

import (
	"bytes"
	"context"
	"encoding/json"
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
)

const testToken = "123456:AAtest-token-not-a-real-one"

// fakeBotAPI speaks the Bot API's sendMessage. Scripted answers (a 429
// with retry_after, a 403, a 502 HTML page) are used up first, in order.
type fakeBotAPI struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	script []func(w http.ResponseWriter)
	sent   []sentMessage
}

type sentMessage struct {
	Chat      int64  `json:"chat_id"`
	Text      string `json:"text"`
	ParseMode string `json:"parse_mode"`
}

func newFakeBotAPI(t *testing.T) *fakeBotAPI {
	f := &fakeBotAPI{t: t}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeBotAPI) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/bot"+testToken+"/sendMessage" {
		f.t.Errorf("bot API: unexpected %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
		return
	}
	var m sentMessage
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
		f.t.Errorf("bot API: sendMessage body: %v", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.script) > 0 {
		next := f.script[0]
		f.script = f.script[1:]
		next(w)
		return
	}
	f.sent = append(f.sent, m)
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"ok":true,"result":{"message_id":1,"chat":{"id":1},"date":0}}`)
}

func (f *fakeBotAPI) then(answers ...func(w http.ResponseWriter)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.script = append(f.script, answers...)
}

func (f *fakeBotAPI) messages() []sentMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sentMessage(nil), f.sent...)
}

func tooMany(retryAfter int) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after `+
			itoa(retryAfter)+`","parameters":{"retry_after":`+itoa(retryAfter)+`}}`)
	}
}

func blocked(w http.ResponseWriter) {
	w.WriteHeader(http.StatusForbidden)
	io.WriteString(w, `{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}`)
}

func badGateway(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusBadGateway)
	io.WriteString(w, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>")
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

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
	api   *fakeBotAPI
	ntfy  *fakeHook
	hook  *fakeHook
	logs  *bytes.Buffer
	opts  Options
}

func newRig(t *testing.T, now time.Time, quiet *config.Span) *rig {
	t.Helper()
	r := &rig{clock: clock.New(now), api: newFakeBotAPI(t), ntfy: newFakeHook(t), hook: newFakeHook(t), logs: &bytes.Buffer{}}
	var err error
	r.store, err = cache.Open("", r.clock.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.store.Close() })
	client := &http.Client{Timeout: 5 * time.Second}
	tc := telegram.NewClient(r.api.srv.URL, testToken, client)
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
func (r *rig) texts(chat int64) []string {
	var out []string
	for _, m := range r.api.messages() {
		if m.Chat == chat {
			out = append(out, m.Text)
		}
	}
	return out
}

func flush(o *Outbox) time.Duration { return o.Flush(context.Background()) }

func join(s []string) string { return strings.Join(s, " | ") }
