// Package source runs the kiosk's upstream fetches (calendars, trains,
// notices) through the store: each source is memoized, isolated, backed off
// when it fails, and leaves a Status the dashboard and status page show.
package source

import (
	"context"
	"errors"
	"log/slog"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"kiosk/cache"
)

// Status is a source's health, as /api/dashboard and /api/status show it.
type Status struct {
	Name     string     `json:"name"`
	Kind     string     `json:"kind"` // google, ics, srt, notices, photos
	OK       bool       `json:"ok"`
	Stale    bool       `json:"stale"`   // showing the last good data after a failure
	Updated  *time.Time `json:"updated"` // last success; null if none yet
	Error    string     `json:"error"`   // the last failure in plain words, scrubbed of secrets
	NextTry  *time.Time `json:"next_try"`
	Failures int        `json:"failures"` // consecutive

	// Category is the kind of the last failure (see Classify); "none" when ok.
	Category Category `json:"category"`
	// Note is a remark on the last good fetch, such as "3 lines skipped
	// (first: …)" for a feed read in part; "" if none. It does not make
	// the source fail.
	Note string `json:"note"`
}

type noteKey struct{}

// noteBox carries a fetch's note back to Run.
type noteBox struct {
	mu   sync.Mutex
	note string
}

// SetNote records a remark on the fetch running under ctx, which Run
// shows in the source's Status.Note once the fetch succeeds: the data is
// good but, say, parts of it were left out. The note must hold no secret
// or personal data. Outside Run it does nothing.
func SetNote(ctx context.Context, note string) {
	if b, ok := ctx.Value(noteKey{}).(*noteBox); ok {
		b.mu.Lock()
		b.note = note
		b.mu.Unlock()
	}
}

// RetryAfter is implemented by errors that say when to try again, such as
// an HTTP 429 or 503 with Retry-After, or an SRT IP block.
type RetryAfter interface {
	RetryAfter() time.Duration
}

// RetryAfterError wraps an error with the delay the upstream asked for.
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string             { return e.Err.Error() }
func (e *RetryAfterError) Unwrap() error             { return e.Err }
func (e *RetryAfterError) RetryAfter() time.Duration { return e.After }

// backingOffError is what Run returns while a failed source waits for its
// next try: the last failure, already scrubbed.
type backingOffError struct{ msg string }

func (e *backingOffError) Error() string { return e.msg }

// MaxBackoff caps the back-off of repeated failures that give no delay.
const MaxBackoff = time.Hour

// maxWait is longer than any back-off Run sets (an SRT IP block waits up to
// a day). A next try further ahead means the clock stepped back: try now.
const maxWait = 25 * time.Hour

// Runner fetches sources through the store. Fetch functions may block on
// the network; the dashboard meanwhile reads what is stored.
type Runner struct {
	store   *cache.Store
	log     *slog.Logger
	scrub   *Scrubber
	changed func(name string)
	stored  atomic.Uint64
	mu      sync.Mutex
	unsaved map[string]cache.Entry[any] // good fetches the store failed to write
}

// NewRunner returns a runner. changed, if not nil, is called after a fetch
// stored new data.
func NewRunner(store *cache.Store, log *slog.Logger, scrub *Scrubber, changed func(name string)) *Runner {
	if changed == nil {
		changed = func(string) {}
	}
	return &Runner{store: store, log: log, scrub: scrub, changed: changed, unsaved: map[string]cache.Entry[any]{}}
}

// Stored counts the runs that stored new data or a changed status; a
// reader can skip rebuilding its view while it stands still.
func (r *Runner) Stored() uint64 { return r.stored.Load() }

// DataKey is where a source's last good data is stored.
func DataKey(name string) string { return "src:data:" + name }

func statusKey(name string) string { return "src:status:" + name }

// state is what is stored under statusKey.
type state struct {
	Status Status `json:"status"`
	Force  bool   `json:"force,omitempty"` // refetch at the next Run (admin refresh)
}

// Run fetches one source unless its data is younger than ttl or it is
// backing off, and records its status. It returns what is stored now (the
// fresh value, or the last good one marked stale) and the fetch error.
func Run[T any](ctx context.Context, r *Runner, name, kind string, ttl time.Duration,
	fetch func(context.Context) (T, error)) (cache.Entry[T], error) {
	now := r.store.Now()
	saved, _ := cache.Get[state](r.store, statusKey(name))
	st := saved.Status
	st.Name, st.Kind = name, kind
	if saved.Force {
		ttl, st.NextTry = 0, nil
	}
	if st.NextTry != nil && now.Before(*st.NextTry) && st.NextTry.Sub(now) <= maxWait {
		e, err := Peek[T](r, name)
		e.Stale = !e.FetchedAt.IsZero()
		if err == nil && !st.OK {
			// Still failing: say so, or the job running this source
			// would look well between its tries.
			err = &backingOffError{msg: st.Error}
		}
		return e, err
	}
	if u, ok := unsaved[T](r, name); ok && ttl > 0 && !now.Before(u.FetchedAt) && now.Sub(u.FetchedAt) < ttl {
		return u, nil // fresh, though only in memory
	}
	fetched := false
	note := &noteBox{}
	e, err := cache.Memo(ctx, r.store, DataKey(name), ttl, func(ctx context.Context) (T, error) {
		fetched = true
		return fetch(context.WithValue(ctx, noteKey{}, note))
	})
	var werr *cache.WriteError
	switch {
	case fetched && errors.As(err, &werr):
		// The fetch was good: show it, from memory, rather than fail the
		// source for the store's sake.
		r.log.Warn("source: fetched data could not be stored; keeping it in memory", "source", name, "error", err)
		r.keep(name, e.FetchedAt, e.Value)
		err = nil
	case fetched && err == nil:
		r.keep(name, time.Time{}, nil)
	}
	switch {
	case err == nil:
		if st.Failures > 0 {
			r.log.Info("source recovered", "source", name, "kind", kind, "failures", st.Failures)
		}
		st.OK, st.Stale, st.Error, st.Failures, st.NextTry = true, false, "", 0, nil
		st.Category = None
		if fetched {
			note.mu.Lock()
			st.Note = r.scrub.String(note.note)
			note.mu.Unlock()
		}
		at := e.FetchedAt
		st.Updated = &at
		if fetched {
			r.stored.Add(1)
			r.changed(name)
		}
	case ctx.Err() != nil:
		return e, err // shutting down: not the source's fault
	default:
		if u, ok := unsaved[T](r, name); ok && u.FetchedAt.After(e.FetchedAt) {
			e.Value, e.FetchedAt, e.Stale = u.Value, u.FetchedAt, true
		}
		st.OK, st.Stale = false, e.Stale
		st.Error = r.scrub.Error(err)
		st.Category = Classify(err)
		st.Failures++
		next := now.Add(Backoff(st.Failures, ttl, err))
		st.NextTry = &next
		// Logged once when the source starts failing; the status page
		// counts the retries, and "source recovered" ends the episode.
		if st.Failures == 1 {
			r.log.Warn("source failing", "source", name, "kind", kind, "error", st.Error, "next_try", next)
		} else {
			r.log.Debug("source still failing", "source", name, "kind", kind, "failures", st.Failures,
				"error", st.Error, "next_try", next)
		}
	}
	if reflect.DeepEqual(saved, state{Status: st}) {
		return e, err // the minute job asks every minute: don't rewrite an unchanged status
	}
	r.stored.Add(1)
	if serr := cache.Set(r.store, statusKey(name), state{Status: st}, 0); serr != nil {
		r.log.Warn("source: saving status", "source", name, "error", serr)
	}
	return e, err
}

// Peek returns a source's last good data without fetching: what the store
// holds, or a newer fetch the store failed to write.
func Peek[T any](r *Runner, name string) (cache.Entry[T], error) {
	e, err := cache.Peek[T](r.store, DataKey(name))
	if u, ok := unsaved[T](r, name); ok && u.FetchedAt.After(e.FetchedAt) {
		return u, nil
	}
	return e, err
}

// keep holds a fetch the store could not write; a zero at forgets it.
func (r *Runner) keep(name string, at time.Time, v any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if at.IsZero() {
		delete(r.unsaved, name)
		return
	}
	r.unsaved[name] = cache.Entry[any]{Value: v, FetchedAt: at}
}

func unsaved[T any](r *Runner, name string) (cache.Entry[T], bool) {
	r.mu.Lock()
	u, ok := r.unsaved[name]
	r.mu.Unlock()
	v, isT := u.Value.(T)
	if !ok || !isT {
		return cache.Entry[T]{}, false
	}
	return cache.Entry[T]{Value: v, FetchedAt: u.FetchedAt}, true
}

// Backoff is the wait after the n-th consecutive failure of a source that
// refreshes every period: the period, doubling, capped at MaxBackoff, or the
// delay the error asks for if that is longer.
func Backoff(n int, period time.Duration, err error) time.Duration {
	d := period
	for i := 1; i < n && d < MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, max(MaxBackoff, period))
	var ra RetryAfter
	if errors.As(err, &ra) && ra.RetryAfter() > d {
		d = ra.RetryAfter()
	}
	return d
}

// Statuses returns the stored status of each named source, in order; a
// source never run yet is reported as not ok, without error.
func Statuses(store *cache.Store, names, kinds []string) []Status {
	out := make([]Status, len(names))
	for i, name := range names {
		saved, _ := cache.Get[state](store, statusKey(name))
		out[i] = saved.Status
		out[i].Name, out[i].Kind = name, kinds[i]
		if out[i].Category == "" { // never run, or stored by an older version
			out[i].Category = None
			if out[i].Error != "" {
				out[i].Category = Other
			}
		}
	}
	return out
}

// Reset clears a source's back-off and makes its next Run fetch, keeping
// its data as the last good value meanwhile (the admin "refresh now").
func Reset(store *cache.Store, name string) error {
	saved, err := cache.Get[state](store, statusKey(name))
	if err != nil && !errors.Is(err, cache.ErrMiss) {
		return err
	}
	saved.Force = true
	return cache.Set(store, statusKey(name), saved, 0)
}

// Scrubber rewrites error text before it is shown or logged: URLs lose
// their user info and query (tokens often travel there), and configured
// secrets are replaced.
type Scrubber struct {
	secrets []string
}

// NewScrubber returns a scrubber for the given secrets; empty ones are ignored.
func NewScrubber(secrets ...string) *Scrubber {
	s := &Scrubber{}
	for _, v := range secrets {
		if len(v) >= 4 {
			s.secrets = append(s.secrets, v)
		}
	}
	return s
}

var urlPattern = regexp.MustCompile(`(?i)\b(https?|webcal)://([^/\s"'@]*@)?([^\s"'?#]*)(\?[^\s"']*[^\s"':,.;])?(#[^\s"']*[^\s"':,.;])?`)

// maxErrorLen keeps a page-sized upstream body out of the status page.
const maxErrorLen = 300

// Error returns err's text, scrubbed.
func (s *Scrubber) Error(err error) string {
	if err == nil {
		return ""
	}
	return s.String(err.Error())
}

// String scrubs any text.
func (s *Scrubber) String(msg string) string {
	msg = urlPattern.ReplaceAllString(msg, "$1://$3")
	if s != nil {
		for _, v := range s.secrets {
			msg = strings.ReplaceAll(msg, v, "[redacted]")
		}
	}
	msg = strings.ToValidUTF8(msg, "?")
	if len(msg) > maxErrorLen {
		cut := maxErrorLen
		for cut > 0 && msg[cut]&0xC0 == 0x80 { // don't split a character
			cut--
		}
		msg = msg[:cut] + "…"
	}
	return msg
}
