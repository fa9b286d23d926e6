package telegram

import (
	"bytes"
	"context"
	"errors"
	"fmt"
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
	"kiosk/kiosk/telegram/telegramtest"
)

const testToken = "987654:BBtest-token-not-a-real-one"

// actions records what the bot's commands did.
type actions struct {
	mu      sync.Mutex
	posts   []string
	clears  int
	refresh int
	reached []int64
	days    []time.Time
}

func (a *actions) wire() Actions {
	return Actions{
		Post: func(id, text string, urgent bool) error {
			a.mu.Lock()
			defer a.mu.Unlock()
			a.posts = append(a.posts, fmt.Sprintf("%s %s urgent=%v", id, text, urgent))
			return nil
		},
		Clear:   func() error { a.mu.Lock(); a.clears++; a.mu.Unlock(); return nil },
		Refresh: func() error { a.mu.Lock(); a.refresh++; a.mu.Unlock(); return nil },
		Status: func() (string, []string) {
			return "Family 업데이트 실패", []string{"Family: 네트워크 문제"}
		},
		Day: func(t time.Time) string {
			a.mu.Lock()
			defer a.mu.Unlock()
			a.days = append(a.days, t)
			return "일정 " + t.Format("01-02")
		},
		Reachable: func(chat int64) { a.mu.Lock(); a.reached = append(a.reached, chat); a.mu.Unlock() },
	}
}

const family, stranger = int64(-100987654321), int64(555)

type botRig struct {
	api   *telegramtest.Server
	store *cache.Store
	clock *clock.Fake
	acts  *actions
	logs  *bytes.Buffer
}

func newBotRig(t *testing.T) *botRig {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	r := &botRig{api: telegramtest.New(t, testToken), clock: clock.New(time.Date(2026, 3, 2, 23, 30, 0, 0, seoul)), acts: &actions{}, logs: &bytes.Buffer{}}
	var err error
	if r.store, err = cache.Open("", r.clock.Now, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.store.Close() })
	return r
}

// bot is a new Bot on the rig's store: each call is a (re)start.
func (r *botRig) bot() *Bot {
	return NewBot(BotOptions{
		Client: NewClient(r.api.URL, testToken, &http.Client{Timeout: 10 * time.Second}),
		Chats:  []int64{123456789, family}, Store: r.store, Locale: "ko", Loc: r.clock.Now().Location(),
		Log: slog.New(slog.NewTextHandler(r.logs, nil)), Actions: r.acts.wire(),
	})
}

func poll(t *testing.T, b *Bot) {
	t.Helper()
	if err := b.Poll(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
}

func TestCommandsFromTheFamilyChat(t *testing.T) {
	r := newBotRig(t)
	r.api.Message(10, family, "/msg 저녁 먹자")
	r.api.Message(11, family, "/msg! 물 새요")
	r.api.Message(12, family, "/tomorrow@family_kiosk_bot")
	r.api.Message(13, family, "/clear")
	r.api.Message(14, family, "/refresh")
	r.api.Message(15, family, "/status")
	poll(t, r.bot())

	if got, want := strings.Join(r.acts.posts, "; "), "tg-10 저녁 먹자 urgent=false; tg-11 물 새요 urgent=true"; got != want {
		t.Errorf("posts %q, want %q", got, want)
	}
	if len(r.acts.days) != 1 || r.acts.days[0].Format("2006-01-02") != "2026-03-03" {
		t.Errorf("/tomorrow at 23:30 asked for %v, want 2026-03-03", r.acts.days)
	}
	if r.acts.clears != 1 || r.acts.refresh != 1 {
		t.Errorf("clears %d, refreshes %d, want 1 and 1", r.acts.clears, r.acts.refresh)
	}
	replies := r.api.Texts(family)
	if len(replies) != 6 || replies[2] != "일정 03-03" || !strings.Contains(replies[5], "네트워크 문제") {
		t.Errorf("replies %q, want one per command", replies)
	}
	sent := r.api.Sent()
	last := sent[len(sent)-1]
	if !strings.Contains(string(last.ReplyMarkup), `"callback_data":"refresh"`) || last.ParseMode != "" {
		t.Errorf("/status reply markup %s parse_mode %q, want the refresh button and plain text", last.ReplyMarkup, last.ParseMode)
	}
}

func TestStrangersGetNothing(t *testing.T) {
	r := newBotRig(t)
	r.api.Message(1, stranger, "/msg 안녕")
	r.api.Message(2, stranger, "/clear")
	r.api.Add(3, fmt.Sprintf(`{"update_id":3,"callback_query":{"id":"cb1","data":"clear","message":{"chat":{"id":%d}}}}`, stranger))
	poll(t, r.bot())
	r.acts.mu.Lock()
	defer r.acts.mu.Unlock()
	if len(r.acts.posts) != 0 || r.acts.clears != 0 || len(r.acts.reached) != 0 {
		t.Errorf("a stranger's commands did something: %+v", r.acts)
	}
	if got := r.api.Texts(stranger); len(got) != 0 {
		t.Errorf("the stranger got %q", got)
	}
	if n := len(r.api.Calls("answerCallbackQuery")); n != 0 {
		t.Errorf("%d callback answers to a stranger", n)
	}
	if n := strings.Count(r.logs.String(), "chat_id=555"); n != 1 {
		t.Errorf("the stranger is logged %d times, want once:\n%s", n, r.logs)
	}
}

// The offset is stored after each update: a restart asks from there, so
// nothing is done twice and nothing is lost.
func TestCommandsOnceAcrossRestarts(t *testing.T) {
	r := newBotRig(t)
	r.api.Message(100, family, "/msg 하나")
	r.api.Message(101, family, "/msg 둘")
	poll(t, r.bot())
	r.api.Message(102, family, "/msg 셋")
	b := r.bot() // restart
	poll(t, b)
	poll(t, r.bot())
	if got, want := strings.Join(r.acts.posts, "; "), "tg-100 하나 urgent=false; tg-101 둘 urgent=false; tg-102 셋 urgent=false"; got != want {
		t.Errorf("posts %q, want %q", got, want)
	}
	offsets := r.api.Offsets()
	if offsets[0] != 0 || offsets[len(offsets)-1] != 103 {
		t.Errorf("offsets asked %v, want from 0 to 103", offsets)
	}
}

func TestLongPollReturnsAnUpdateAtOnce(t *testing.T) {
	r := newBotRig(t)
	b := r.bot()
	done := make(chan error, 1)
	go func() { done <- b.Poll(context.Background(), 30*time.Second) }()
	time.Sleep(50 * time.Millisecond)
	r.api.Message(7, family, "/clear")
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the long poll did not return with the update")
	}
	if r.acts.clears != 1 {
		t.Errorf("clears %d, want 1", r.acts.clears)
	}
}

func TestRateLimitPerChat(t *testing.T) {
	r := newBotRig(t)
	for i := range 25 {
		r.api.Message(int64(i+1), family, "/clear")
	}
	r.api.Message(26, 123456789, "/clear") // another chat has its own budget
	b := r.bot()
	poll(t, b)
	if r.acts.clears != RateLimit+1 {
		t.Errorf("clears %d, want %d", r.acts.clears, RateLimit+1)
	}
	r.clock.Add(time.Minute)
	r.api.Message(27, family, "/clear")
	poll(t, b)
	if r.acts.clears != RateLimit+2 {
		t.Errorf("a minute later clears %d, want %d", r.acts.clears, RateLimit+2)
	}
}

func TestButtonsAreAnswered(t *testing.T) {
	r := newBotRig(t)
	r.api.Add(1, fmt.Sprintf(`{"update_id":1,"callback_query":{"id":"cb-77","data":"refresh","message":{"chat":{"id":%d}}}}`, family))
	poll(t, r.bot())
	if r.acts.refresh != 1 {
		t.Errorf("refreshes %d, want 1", r.acts.refresh)
	}
	calls := r.api.Calls("answerCallbackQuery")
	if len(calls) != 1 || !strings.Contains(string(calls[0]), `"callback_query_id":"cb-77"`) {
		t.Errorf("answerCallbackQuery calls %s, want one for cb-77", calls)
	}
}

func TestRunSetsCommandsAndHidesTheToken(t *testing.T) {
	r := newBotRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.bot().Run(ctx); close(done) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := len(r.api.Calls("getUpdates"))
		if n > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	r.api.CloseClientConnections()
	r.api.Close() // the API goes away mid-poll: errors carry the URL
	time.Sleep(100 * time.Millisecond)
	cancel()
	<-done
	cmds := r.api.Calls("setMyCommands")
	if len(cmds) != 1 || !strings.Contains(string(cmds[0]), `"command":"msg"`) || !strings.Contains(string(cmds[0]), `"command":"today"`) {
		t.Errorf("setMyCommands %s, want the command list once", cmds)
	}
	logs := r.logs.String()
	if !strings.Contains(logs, "getUpdates failed") {
		t.Errorf("no failure logged:\n%s", logs)
	}
	if strings.Contains(logs, testToken) || strings.Contains(logs, "BBtest") {
		t.Errorf("the token is in the log:\n%s", logs)
	}
}

func TestErrorsHideTheToken(t *testing.T) {
	for _, tc := range []struct {
		name  string
		serve http.HandlerFunc
		want  string
	}{
		{"502 HTML", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadGateway)
			io.WriteString(w, "<html><body>502 Bad Gateway for "+r.URL.Path+"</body></html>")
		}, "HTTP 502"},
		{"429", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 9 `+r.URL.Path+`","parameters":{"retry_after":9}}`)
		}, "HTTP 429"},
		{"connection reset", func(w http.ResponseWriter, r *http.Request) {
			hj, _ := w.(http.Hijacker)
			conn, _, _ := hj.Hijack()
			conn.Close()
		}, "sendMessage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.serve)
			defer srv.Close()
			err := NewClient(srv.URL, testToken, srv.Client()).SendMessage(context.Background(), 1, "x")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one with %q", err, tc.want)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("the token is in the error: %v", err)
			}
			var ae *APIError
			if tc.name == "429" && (!errors.As(err, &ae) || ae.RetryAfter() != 9*time.Second) {
				t.Errorf("429: RetryAfter of %v, want 9 s", err)
			}
		})
	}
}

// No network at start: the command list is set once the API answers.
func TestCommandsSetLater(t *testing.T) {
	r := newBotRig(t)
	r.api.Then("setMyCommands", telegramtest.BadGateway)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.bot().Run(ctx); close(done) }()
	r.api.Message(1, family, "/help") // ends the first long poll
	deadline := time.Now().Add(10 * time.Second)
	for {
		n := len(r.api.Calls("setMyCommands"))
		if n >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("setMyCommands called %d times, want a retry after the failure", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
	if !strings.Contains(r.logs.String(), "setting the command list") {
		t.Errorf("the failure is not logged:\n%s", r.logs)
	}
}
