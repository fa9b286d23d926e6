// Package push sends the kiosk's notifications to phones (Telegram chats,
// an ntfy topic, Slack-style webhooks) through a persisted outbox: each
// notification is written once per destination before the wall queue
// takes it, sent, then marked sent, so a restart or kill -9 neither loses
// nor repeats it, except one whose send was in flight at the kill. Pushes
// due in quiet hours are held and go out as one digest per destination
// when they end; urgent ones go at once.
package push

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"kiosk/cache"
	"kiosk/kiosk/config"
	"kiosk/kiosk/remind"
	"kiosk/kiosk/weather"
)

// Message is one push.
type Message struct {
	ID      string    `json:"id"`   // the notification's id: one push per id and destination
	Kind    string    `json:"kind"` // one of config.PushKinds
	Text    string    `json:"text"`
	Created time.Time `json:"created"`
	Expire  time.Time `json:"expire"` // not sent from then on unless held; zero: never
	Urgent  bool      `json:"urgent,omitempty"`
}

// item is what the outbox stores per message and destination until it is
// done (sent or dropped); then a small done marker replaces it, so a
// repeat is recognized and the pending list stays short.
type item struct {
	Msg  Message `json:"msg"`
	Seq  int64   `json:"seq"`
	Held bool    `json:"held,omitempty"` // fell in quiet hours: goes in the digest
}

// ChannelStatus is a destination's state for /status.
type ChannelStatus struct {
	Name     string     `json:"name"`
	OK       bool       `json:"ok"`
	Blocked  bool       `json:"blocked"` // refused for good (bot blocked, chat gone); nothing is sent
	Pending  int        `json:"pending"`
	Held     int        `json:"held"`
	LastSent *time.Time `json:"last_sent"`
	Error    string     `json:"error"`
}

// saved is the persisted part of a destination's state.
type saved struct {
	Blocked  bool       `json:"blocked,omitempty"`
	LastSent *time.Time `json:"last_sent,omitempty"`
	Error    string     `json:"error,omitempty"`
}

const (
	itemPrefix  = "push:o:" // + dest key + ":" + id: an item to send
	donePrefix  = "push:d:" // + dest key + ":" + id: "sent" or why it was dropped
	statePrefix = "push:st:"
	keep        = 7 * 24 * time.Hour // items, sent or not, are forgotten after this
	minBackoff  = 5 * time.Second
	maxBackoff  = 10 * time.Minute
	tick        = 30 * time.Second
	maxText     = 4000 // runes; Telegram takes 4096
)

// Options configure an Outbox.
type Options struct {
	Store  *cache.Store
	Dests  []Dest
	Send   []string     // kinds pushed
	Quiet  *config.Span // nil: never quiet
	Loc    *time.Location
	Locale string
	Log    *slog.Logger
}

// Outbox is the persisted queue of pushes. It is safe for concurrent use.
type Outbox struct {
	opts Options
	now  func() time.Time
	wake chan struct{}

	mu      sync.Mutex
	lastSeq int64
	retry   map[string]time.Time // dest key → no send before
	fails   map[string]int
}

// New returns an outbox on the store's clock.
func New(opts Options) *Outbox {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &Outbox{opts: opts, now: opts.Store.Now, wake: make(chan struct{}, 1),
		retry: map[string]time.Time{}, fails: map[string]int{}}
}

// Kind maps a notification kind of /api/notifications to its push.send kind.
func Kind(notificationKind string) string {
	switch notificationKind {
	case remind.KindEvent:
		return "reminder"
	case remind.KindCustom:
		return "message"
	case weather.KindUmbrella, weather.KindMask:
		return "weather"
	}
	return notificationKind // train, notice
}

// Accept is the wall queue's hook: it puts n in the outbox if its kind is
// pushed. The queue calls it before it stores n, so a crash in between
// finds n in the outbox when the notification is queued again.
func (o *Outbox) Accept(n remind.Notification) error {
	return o.Put(Message{ID: n.ID, Kind: Kind(n.Kind), Text: n.Message,
		Created: time.Unix(n.Created, 0), Expire: time.Unix(n.Expire, 0), Urgent: n.Urgent})
}

// Put writes m once per destination: an id already in a destination's
// outbox (sent or not) is left alone. Kinds not in Send are ignored.
func (o *Outbox) Put(m Message) error {
	if !slices.Contains(o.opts.Send, m.Kind) || len(o.opts.Dests) == 0 {
		return nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	now := o.now()
	if m.Created.IsZero() {
		m.Created = now
	}
	held := !m.Urgent && o.quiet(m.Created)
	for _, d := range o.opts.Dests {
		key := itemPrefix + d.Key + ":" + m.ID
		known, err := o.known(d, m.ID)
		if err != nil {
			return fmt.Errorf("push: %w", err)
		}
		if known {
			continue
		}
		o.lastSeq = max(o.lastSeq+1, now.UnixNano())
		if err := cache.Set(o.opts.Store, key, item{Msg: m, Seq: o.lastSeq, Held: held}, keep); err != nil {
			return fmt.Errorf("push: %w", err)
		}
	}
	select {
	case o.wake <- struct{}{}:
	default:
	}
	return nil
}

// known reports whether id is in d's outbox or done there.
func (o *Outbox) known(d Dest, id string) (bool, error) {
	for _, key := range []string{donePrefix + d.Key + ":" + id, itemPrefix + d.Key + ":" + id} {
		_, err := cache.Get[json.RawMessage](o.opts.Store, key)
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, cache.ErrMiss) {
			return false, err
		}
	}
	return false, nil
}

func (o *Outbox) quiet(t time.Time) bool { return o.opts.Quiet.In(t.In(o.opts.Loc)) }

// Run sends until ctx is done: at once after a Put, else every 30 s (the
// end of quiet hours, a retry due).
func (o *Outbox) Run(ctx context.Context) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-o.wake:
		case <-t.C:
		}
		wait := o.Flush(ctx)
		t.Reset(min(max(wait, time.Second), tick))
	}
}

// Flush sends what is due to every destination and returns how long until
// a retry is due (at most the tick).
func (o *Outbox) Flush(ctx context.Context) time.Duration {
	wait := tick
	for _, d := range o.opts.Dests {
		if ctx.Err() != nil {
			return wait
		}
		if w, ok := o.backingOff(d); ok {
			wait = min(wait, w)
			continue
		}
		o.flush(ctx, d)
		if w, ok := o.backingOff(d); ok {
			wait = min(wait, w)
		}
	}
	return wait
}

// backingOff reports whether d waits for a retry, and how long. A retry
// further ahead than any wait set means the clock stepped back: not.
func (o *Outbox) backingOff(d Dest) (time.Duration, bool) {
	o.mu.Lock()
	next := o.retry[d.Key]
	o.mu.Unlock()
	now := o.now()
	if now.Before(next) && next.Sub(now) <= maxBackoff+time.Hour {
		return next.Sub(now), true
	}
	return 0, false
}

// pending returns d's unsent items by Seq.
func (o *Outbox) pending(d Dest) ([]item, error) {
	var out []item
	err := cache.Scan(o.opts.Store, itemPrefix+d.Key+":", func(_ string, it item) error {
		out = append(out, it)
		return nil
	})
	slices.SortFunc(out, func(a, b item) int { return cmp.Compare(a.Seq, b.Seq) })
	return out, err
}

func (o *Outbox) save(d Dest, it item) error {
	return cache.Set(o.opts.Store, itemPrefix+d.Key+":"+it.Msg.ID, it, keep)
}

func (o *Outbox) state(d Dest) saved {
	s, _ := cache.Get[saved](o.opts.Store, statePrefix+d.Key)
	return s
}

func (o *Outbox) setState(d Dest, s saved) {
	if err := cache.Set(o.opts.Store, statePrefix+d.Key, s, 0); err != nil {
		o.opts.Log.Warn("push: saving channel state", "channel", d.Name, "error", err)
	}
}

// flush sends d's due items in order: first the digest of what was held,
// once quiet hours are over, then the rest. It stops at the first
// failure that is worth retrying.
func (o *Outbox) flush(ctx context.Context, d Dest) {
	items, err := o.pending(d)
	if err != nil {
		o.opts.Log.Warn("push: reading the outbox", "channel", d.Name, "error", err)
		return
	}
	if len(items) == 0 {
		return
	}
	st := o.state(d)
	now := o.now()
	quiet := o.quiet(now)
	var held, due []item
	for _, it := range items {
		if _, err := cache.Get[string](o.opts.Store, donePrefix+d.Key+":"+it.Msg.ID); err == nil {
			// A crash left the item behind its marker: it is done.
			if err := cache.Delete(o.opts.Store, itemPrefix+d.Key+":"+it.Msg.ID); err != nil {
				o.opts.Log.Warn("push: removing a done item", "channel", d.Name, "error", err)
			}
			continue
		}
		switch {
		case st.Blocked:
			o.drop(d, it, "channel blocked")
		case it.Held || quiet && !it.Msg.Urgent:
			if !it.Held {
				it.Held = true
				if err := o.save(d, it); err != nil {
					o.opts.Log.Warn("push: holding", "channel", d.Name, "error", err)
				}
			}
			held = append(held, it)
		case !it.Msg.Expire.IsZero() && !now.Before(it.Msg.Expire):
			o.drop(d, it, "expired")
		default:
			due = append(due, it)
		}
	}
	if !quiet && len(held) > 0 {
		if !o.send(ctx, d, held, o.digest(held)) {
			return
		}
	}
	for _, it := range due {
		if !o.send(ctx, d, []item{it}, clip(it.Msg.Text)) {
			return
		}
	}
}

// send delivers text, which carries items, and marks them sent. It
// reports whether the caller may go on with the next.
func (o *Outbox) send(ctx context.Context, d Dest, items []item, text string) bool {
	err := d.Sender.Send(ctx, text)
	now := o.now()
	st := o.state(d)
	var (
		gone      interface{ Gone() bool }
		permanent interface{ Permanent() bool }
		after     interface{ RetryAfter() time.Duration }
	)
	switch {
	case err == nil:
		for _, it := range items {
			o.done(d, it, "sent")
		}
		if err := o.opts.Store.Sync(); err != nil {
			o.opts.Log.Warn("push: sync", "error", err)
		}
		st.LastSent, st.Error = &now, ""
		o.setState(d, st)
		o.mu.Lock()
		delete(o.fails, d.Key)
		o.mu.Unlock()
		o.opts.Log.Info("push: sent", "channel", d.Name, "messages", len(items))
		return true
	case ctx.Err() != nil:
		return false
	case errors.As(err, &gone) && gone.Gone():
		st.Blocked, st.Error = true, err.Error()
		o.setState(d, st)
		o.opts.Log.Warn("push: the channel refuses messages; stopped sending to it", "channel", d.Name, "error", err)
		for _, it := range items {
			o.drop(d, it, "channel blocked")
		}
		return false
	case errors.As(err, &permanent) && permanent.Permanent():
		st.Error = err.Error()
		o.setState(d, st)
		o.opts.Log.Warn("push: message rejected; dropped", "channel", d.Name, "error", err)
		for _, it := range items {
			o.drop(d, it, "rejected")
		}
		return true
	}
	o.mu.Lock()
	o.fails[d.Key]++
	wait := backoff(o.fails[d.Key])
	if errors.As(err, &after) && after.RetryAfter() > 0 {
		wait = after.RetryAfter()
	}
	o.retry[d.Key] = now.Add(wait)
	o.mu.Unlock()
	st.Error = err.Error()
	o.setState(d, st)
	o.opts.Log.Warn("push: send failed; retrying", "channel", d.Name, "retry_in", wait.String(), "error", err)
	return false
}

func backoff(fails int) time.Duration {
	d := minBackoff
	for i := 1; i < fails && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

func (o *Outbox) drop(d Dest, it item, why string) {
	o.done(d, it, why)
}

// done marks it done with how ("sent", or why it was dropped), then
// removes the item. A crash in between leaves both: Put and flush read the
// marker first.
func (o *Outbox) done(d Dest, it item, how string) {
	id := d.Key + ":" + it.Msg.ID
	if err := cache.Set(o.opts.Store, donePrefix+id, how, keep); err != nil {
		o.opts.Log.Warn("push: marking done", "channel", d.Name, "id", it.Msg.ID, "error", err)
		return
	}
	if err := cache.Delete(o.opts.Store, itemPrefix+id); err != nil {
		o.opts.Log.Warn("push: marking done", "channel", d.Name, "id", it.Msg.ID, "error", err)
	}
}

// digest is the one message that carries what quiet hours held.
func (o *Outbox) digest(held []item) string {
	var b strings.Builder
	if o.opts.Locale == "en" {
		fmt.Fprintf(&b, "Overnight: %d notifications", len(held))
	} else {
		fmt.Fprintf(&b, "밤사이 알림 %d건", len(held))
	}
	for _, it := range held {
		b.WriteString("\n\n")
		b.WriteString(it.Msg.Created.In(o.opts.Loc).Format("15:04"))
		b.WriteString(" ")
		b.WriteString(it.Msg.Text)
	}
	return clip(b.String())
}

func clip(s string) string {
	if utf8.RuneCountInString(s) <= maxText {
		return s
	}
	return string([]rune(s)[:maxText-1]) + "…"
}

// Status returns each destination's state.
func (o *Outbox) Status() []ChannelStatus {
	out := make([]ChannelStatus, 0, len(o.opts.Dests))
	for _, d := range o.opts.Dests {
		st := o.state(d)
		cs := ChannelStatus{Name: d.Name, Blocked: st.Blocked, LastSent: st.LastSent, Error: st.Error}
		items, _ := o.pending(d)
		for _, it := range items {
			if it.Held {
				cs.Held++
			} else {
				cs.Pending++
			}
		}
		cs.OK = !st.Blocked && st.Error == ""
		out = append(out, cs)
	}
	return out
}

// Unblock lets a blocked destination receive again (its chat wrote to the
// bot, so it is reachable).
func (o *Outbox) Unblock(key string) {
	for _, d := range o.opts.Dests {
		if d.Key == key {
			if st := o.state(d); st.Blocked {
				st.Blocked, st.Error = false, ""
				o.setState(d, st)
				o.opts.Log.Info("push: channel unblocked", "channel", d.Name)
			}
		}
	}
}
