package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"kiosk/cache"
	"kiosk/kiosk/config"
	"kiosk/kiosk/dashboard"
	"kiosk/kiosk/push"
	"kiosk/kiosk/remind"
	"kiosk/kiosk/telegram"
)

// pushTimeout bounds one push to a phone channel.
const pushTimeout = 30 * time.Second

// outbox builds the phone outbox from cfg.Push; nil without push.
func outbox(cfg *config.Config, store *cache.Store, log *slog.Logger) *push.Outbox {
	p := cfg.Push
	if p == nil {
		return nil
	}
	client := &http.Client{Timeout: pushTimeout}
	var dests []push.Dest
	if t := p.Telegram; t != nil {
		tc := telegram.NewClient(t.Endpoint, t.Token.Reveal(), client)
		for i, chat := range t.Chats {
			dests = append(dests, push.Dest{Key: chatKey(chat), Name: fmt.Sprintf("Telegram %d", i+1),
				Sender: push.TelegramChat{Client: tc, Chat: chat}})
		}
	}
	if n := p.Ntfy; n != nil {
		dests = append(dests, push.Dest{Key: "ntfy", Name: "ntfy",
			Sender: push.Ntfy{URL: n.URL, Token: n.Token.Reveal(), Client: client}})
	}
	for i, w := range p.Webhooks {
		sum := sha256.Sum256([]byte(w.URL.Reveal()))
		name := fmt.Sprintf("webhook %d", i+1)
		dests = append(dests, push.Dest{Key: "wh:" + hex.EncodeToString(sum[:6]), Name: name,
			Sender: push.Webhook{Name: name, URL: w.URL.Reveal(), Client: client}})
	}
	return push.New(push.Options{Store: store, Dests: dests, Send: p.Send, Quiet: p.QuietHours,
		Loc: cfg.Location, Locale: cfg.Locale, Log: log})
}

func chatKey(chat int64) string { return fmt.Sprintf("tg:%d", chat) }

// bot builds the Telegram bot; nil without push.telegram.
func bot(cfg *config.Config, store *cache.Store, log *slog.Logger, out *push.Outbox, queue *remind.Queue,
	board *dashboard.Board, refresh func() error, status func() (string, []string)) *telegram.Bot {
	if cfg.Push == nil || cfg.Push.Telegram == nil {
		return nil
	}
	t := cfg.Push.Telegram
	return telegram.NewBot(telegram.BotOptions{
		// The long poll waits up to PollTimeout on the server.
		Client: telegram.NewClient(t.Endpoint, t.Token.Reveal(), &http.Client{Timeout: telegram.PollTimeout + 20*time.Second}),
		Chats:  t.Chats, Store: store, Log: log, Locale: cfg.Locale, Loc: cfg.Location,
		Actions: telegram.Actions{
			Post: func(id, text string, urgent bool) error {
				n := remind.Custom(store.Now(), cfg.Reminders, text)
				n.ID, n.Urgent = id, urgent
				_, err := queue.Add(n)
				return err
			},
			Clear: queue.Clear, Refresh: refresh, Status: status,
			Day: func(day time.Time) string {
				snap := board.Snapshot()
				return telegram.Day(day, snap.Events, snap.Trains, cfg.Locale)
			},
			Reachable: func(chat int64) { out.Unblock(chatKey(chat)) },
		},
	})
}

// runPhones runs the outbox and the bot until ctx is done; wait returns
// once both stopped (before the store closes).
func runPhones(ctx context.Context, out *push.Outbox, b *telegram.Bot) (wait func()) {
	done := make(chan struct{}, 2)
	n := 0
	if out != nil {
		n++
		go func() { out.Run(ctx); done <- struct{}{} }()
	}
	if b != nil {
		n++
		go func() { b.Run(ctx); done <- struct{}{} }()
	}
	return func() {
		for range n {
			<-done
		}
	}
}
