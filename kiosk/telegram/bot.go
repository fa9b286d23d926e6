package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"kiosk/cache"
)

// Actions are what the bot's commands do; cmd/kiosk wires them to the
// same code the admin API runs.
type Actions struct {
	// Post queues a pop-up on the wall; id is derived from the update, so
	// a command repeated after a crash replaces rather than repeats it.
	Post    func(id, text string, urgent bool) error
	Clear   func() error
	Refresh func() error
	// Status is the status page's headline and its failing sources in
	// plain words.
	Status func() (headline string, problems []string)
	// Day lists the events and trains of the local day that holds t.
	Day func(t time.Time) string
	// Reachable is told that chat wrote to the bot (it may have been
	// blocked before).
	Reachable func(chat int64)
}

// BotOptions configure a Bot.
type BotOptions struct {
	Client  *Client
	Chats   []int64 // allowed chats
	Store   *cache.Store
	Log     *slog.Logger
	Locale  string
	Loc     *time.Location
	Actions Actions
}

// Bot answers commands from the allowed chats by long polling.
type Bot struct {
	opts BotOptions
	now  func() time.Time

	mu        sync.Mutex
	strangers map[int64]bool        // chats logged as not allowed
	recent    map[int64][]time.Time // command times per chat, for the rate limit
}

// RateLimit is how many commands a chat may send per minute.
const RateLimit = 20

const offsetKey = "telegram:offset"

// NewBot returns a bot on the store's clock.
func NewBot(opts BotOptions) *Bot {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &Bot{opts: opts, now: opts.Store.Now, strangers: map[int64]bool{}, recent: map[int64][]time.Time{}}
}

// Run sets the command list (setMyCommands, retried with the polls until
// it works), then polls until ctx is done. Failures are logged and retried
// with back-off; it returns only when ctx is done.
func (b *Bot) Run(ctx context.Context) {
	commandsSet := false
	fails := 0
	for ctx.Err() == nil {
		if !commandsSet { // at start, and again until it worked (no network at boot)
			err := b.opts.Client.SetMyCommands(ctx, b.commands())
			if commandsSet = err == nil; !commandsSet && ctx.Err() == nil && fails == 0 {
				b.opts.Log.Warn("telegram: setting the command list", "error", err)
			}
		}
		err := b.Poll(ctx, PollTimeout)
		if err == nil {
			fails = 0
			continue
		}
		if ctx.Err() != nil {
			return
		}
		fails++
		wait := 5 * time.Second << min(fails-1, 6) // 5 s doubling to 5 min 20 s
		var ae *APIError
		if errors.As(err, &ae) && ae.After > 0 {
			wait = ae.After
		}
		b.opts.Log.Warn("telegram: getUpdates failed", "retry_in", wait.String(), "error", err)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
}

// Poll asks for updates once, waiting up to timeout, handles them in
// order and stores the offset after each, so a restart neither loses nor
// repeats a command.
func (b *Bot) Poll(ctx context.Context, timeout time.Duration) error {
	offset, err := cache.Get[int64](b.opts.Store, offsetKey)
	if err != nil && !errors.Is(err, cache.ErrMiss) {
		return fmt.Errorf("telegram: read offset: %w", err)
	}
	updates, err := b.opts.Client.GetUpdates(ctx, offset, timeout)
	if err != nil {
		return err
	}
	for _, u := range updates {
		if u.ID < offset {
			continue // the server repeated one we handled
		}
		b.handle(ctx, u)
		if err := cache.Set(b.opts.Store, offsetKey, u.ID+1, 0); err != nil {
			return fmt.Errorf("telegram: save offset: %w", err)
		}
		if err := b.opts.Store.Sync(); err != nil {
			return fmt.Errorf("telegram: save offset: %w", err)
		}
	}
	return nil
}

func (b *Bot) allowed(chat int64) bool {
	if slices.Contains(b.opts.Chats, chat) {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.strangers[chat] {
		b.strangers[chat] = true
		b.opts.Log.Warn("telegram: ignoring a chat that is not in push.telegram.chats", "chat_id", chat)
	}
	return false
}

// limited reports whether chat has used up its commands this minute.
func (b *Bot) limited(chat int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	recent := slices.DeleteFunc(b.recent[chat], func(t time.Time) bool { return now.Sub(t) >= time.Minute || t.After(now) })
	if len(recent) >= RateLimit {
		b.recent[chat] = recent
		return true
	}
	b.recent[chat] = append(recent, now)
	return false
}

func (b *Bot) handle(ctx context.Context, u Update) {
	switch {
	case u.Message != nil:
		chat := u.Message.Chat.ID
		if !b.allowed(chat) {
			return
		}
		if b.opts.Actions.Reachable != nil {
			b.opts.Actions.Reachable(chat)
		}
		if !strings.HasPrefix(u.Message.Text, "/") {
			return
		}
		if b.limited(chat) {
			return // silent: answering would be the flood's echo
		}
		b.command(ctx, chat, strconv.FormatInt(u.ID, 10), u.Message.Text)
	case u.Callback != nil && u.Callback.Message != nil:
		chat := u.Callback.Message.Chat.ID
		if !b.allowed(chat) {
			return
		}
		text := b.t("Too many commands", "명령이 너무 많아요")
		if !b.limited(chat) {
			text = b.button(u.Callback.Data)
		}
		if err := b.opts.Client.AnswerCallbackQuery(ctx, u.Callback.ID, text); err != nil {
			b.opts.Log.Warn("telegram: answerCallbackQuery", "error", err)
		}
	}
}

func (b *Bot) t(en, ko string) string {
	if b.opts.Locale == "en" {
		return en
	}
	return ko
}

func (b *Bot) reply(ctx context.Context, chat int64, text string, buttons ...Button) {
	if err := b.opts.Client.SendMessage(ctx, chat, text, buttons...); err != nil {
		b.opts.Log.Warn("telegram: reply", "chat_id", chat, "error", err)
	}
}

func (b *Bot) commands() []Command {
	return []Command{
		{"msg", b.t("Show a message on the wall", "벽 화면에 메시지 띄우기")},
		{"today", b.t("Today's events and trains", "오늘 일정과 열차")},
		{"tomorrow", b.t("Tomorrow's events and trains", "내일 일정과 열차")},
		{"status", b.t("How the kiosk is doing", "키오스크 상태")},
		{"refresh", b.t("Refresh everything now", "지금 모두 새로고침")},
		{"clear", b.t("Clear the wall's pop-ups", "화면 알림 지우기")},
		{"help", b.t("What the bot can do", "도움말")},
	}
}

// command runs one command; id names the update.
func (b *Bot) command(ctx context.Context, chat int64, id, text string) {
	name, arg, _ := strings.Cut(strings.TrimSpace(text), " ")
	name, _, _ = strings.Cut(name, "@") // /status@family_kiosk_bot in groups
	arg = strings.TrimSpace(arg)
	a := b.opts.Actions
	fail := func(what string, err error) {
		b.opts.Log.Warn("telegram: command failed", "command", what, "error", err)
		b.reply(ctx, chat, b.t("That did not work; see the status page.", "실패했어요. 상태 페이지를 확인하세요."))
	}
	switch name {
	case "/msg", "/msg!":
		if arg == "" {
			b.reply(ctx, chat, b.t("Write the message after /msg, e.g. /msg Dinner is ready", "/msg 뒤에 내용을 쓰세요. 예: /msg 저녁 먹자"))
			return
		}
		if n := len([]rune(arg)); n > 2000 {
			b.reply(ctx, chat, b.t("At most 2000 characters.", "2000자까지 보낼 수 있어요."))
			return
		}
		if err := a.Post("tg-"+id, arg, name == "/msg!"); err != nil {
			fail(name, err)
			return
		}
		b.reply(ctx, chat, b.t("On the wall.", "화면에 띄웠어요."))
	case "/today", "/tomorrow":
		day := b.now().In(b.opts.Loc)
		if name == "/tomorrow" {
			day = day.AddDate(0, 0, 1)
		}
		b.reply(ctx, chat, a.Day(day))
	case "/status":
		headline, problems := a.Status()
		text := headline
		for _, p := range problems {
			text += "\n• " + p
		}
		b.reply(ctx, chat, text, Button{Text: b.t("Refresh", "새로고침"), Data: "refresh"},
			Button{Text: b.t("Clear pop-ups", "알림 지우기"), Data: "clear"})
	case "/refresh":
		if err := a.Refresh(); err != nil {
			fail(name, err)
			return
		}
		b.reply(ctx, chat, b.t("Refreshing.", "새로고침하고 있어요."))
	case "/clear":
		if err := a.Clear(); err != nil {
			fail(name, err)
			return
		}
		b.reply(ctx, chat, b.t("Pop-ups cleared.", "화면 알림을 지웠어요."))
	default: // /help, /start and anything unknown
		var s strings.Builder
		for _, c := range b.commands() {
			fmt.Fprintf(&s, "/%s — %s\n", c.Command, c.Description)
		}
		s.WriteString(b.t("/msg! — the same, urgent: phones get it even at night", "/msg! — 긴급: 밤에도 휴대폰에 바로 알림"))
		b.reply(ctx, chat, s.String())
	}
}

// button runs an inline button's action and returns the short answer.
func (b *Bot) button(data string) string {
	var err error
	switch data {
	case "refresh":
		if err = b.opts.Actions.Refresh(); err == nil {
			return b.t("Refreshing", "새로고침 중")
		}
	case "clear":
		if err = b.opts.Actions.Clear(); err == nil {
			return b.t("Cleared", "지웠어요")
		}
	default:
		return ""
	}
	b.opts.Log.Warn("telegram: button failed", "button", data, "error", err)
	return b.t("Failed", "실패")
}
