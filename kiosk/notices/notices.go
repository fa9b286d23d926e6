// Package notices shows school and department notice boards (RSS, Atom or
// JSON Feed) on the dashboard and pops up new items whose titles name a
// keyword.
//
// Each feed runs through kiosk/source, so it is memoized for its
// refresh_minutes, backed off when it fails and shown stale meanwhile. What
// the kiosk has seen is kept in the store, so an item pops up once, across
// restarts, and a feed seen for the first time floods nothing.
package notices

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"kiosk/cache"
	"kiosk/kiosk/config"
	"kiosk/kiosk/source"
)

// PopupKind is the notification kind of pop-ups.
const PopupKind = "notice"

// SourceKind is the feeds' kind on the status page.
const SourceKind = "notices"

// DefaultMaxBytes is the largest feed accepted when Options.MaxBytes is 0.
const DefaultMaxBytes = 5 << 20

// fetchTimeout bounds one feed's request, whatever the client's timeout.
const fetchTimeout = 30 * time.Second

// MaxPopups is the most pop-ups one feed queues per fetch. A board that
// renumbers its items makes them all look new; the rest are marked seen.
const MaxPopups = 3

// Forget is how long an item's key is remembered after it left its feed.
const Forget = 30 * 24 * time.Hour

// touchEvery is how often a remembered key still in the feed has its expiry
// pushed back: once a day rather than at every fetch, to spare the SD card.
// Keys are written with a TTL of Forget+touchEvery, so they outlive the
// item's last appearance by at least Forget.
const touchEvery = 24 * time.Hour

// Item is one notice on the board.
type Item struct {
	Source    string    `json:"source"` // the feed's configured name
	Title     string    `json:"title"`  // plain text, never markup
	Link      string    `json:"link"`   // http or https, or "" when the feed had none usable
	Published time.Time `json:"published"`
}

// Queue takes pop-ups. Push must be idempotent by id: pushing an id that
// is already queued replaces it or does nothing, never shows it twice. A
// crash between Push and marking the item seen repeats the Push at the next
// fetch.
type Queue interface {
	Push(ctx context.Context, id, kind, message string) error
}

// Options configure Feeds.
type Options struct {
	Feeds      []config.Notice
	Store      *cache.Store
	Runner     *source.Runner // nil: one of its own
	Queue      Queue          // nil: no pop-ups
	HTTPClient *http.Client   // nil: a client with a 30 s timeout
	Loc        *time.Location // dates without a zone and keep_days; nil means UTC
	Log        *slog.Logger
	UserAgent  string
	MaxBytes   int64 // largest feed accepted; 0 means DefaultMaxBytes
}

// Feeds are the configured notice boards. Refresh and Board may run
// concurrently.
type Feeds struct {
	opts  Options
	feeds []*feed
	snap  atomic.Pointer[[][]Item] // per feed, newest first, as stored
	build sync.Mutex
}

// feed is one board and what the kiosk keeps of it in memory.
type feed struct {
	cfg      config.Notice
	id       string   // name and URL: a new URL is a new feed
	keywords []string // folded

	mu         sync.Mutex        // one fetch at a time
	validators source.Validators // for a conditional GET
	entries    []entry           // the last parse, reused on 304
}

// New returns the feeds, with the board the store kept from earlier runs.
func New(opts Options) *Feeds {
	if opts.Loc == nil {
		opts.Loc = time.UTC
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: fetchTimeout}
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "kiosk"
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.Runner == nil {
		opts.Runner = source.NewRunner(opts.Store, opts.Log, nil, nil)
	}
	f := &Feeds{opts: opts}
	for _, c := range opts.Feeds {
		// config fills these; zero values would hide the board.
		c.RefreshMinutes = cmp.Or(max(c.RefreshMinutes, 0), 30)
		c.Keep = cmp.Or(max(c.Keep, 0), 5)
		c.KeepDays = cmp.Or(max(c.KeepDays, 0), 7)
		fd := &feed{cfg: c, id: hash(c.Name, c.URL)}
		for _, k := range c.PopupKeywords {
			if k = fold(strings.TrimSpace(k)); k != "" {
				fd.keywords = append(fd.keywords, k)
			}
		}
		f.feeds = append(f.feeds, fd)
	}
	f.rebuild()
	return f
}

// Names lists the feeds' source names and kinds, for source.Statuses.
func (f *Feeds) Names() (names, kinds []string) {
	for _, fd := range f.feeds {
		names, kinds = append(names, fd.cfg.Name), append(kinds, SourceKind)
	}
	return names, kinds
}

// Refresh fetches every feed whose refresh_minutes have passed, each on its
// own so that a slow or broken one holds up none of the others. It returns
// the fetch failures and pop-ups that could not be queued, joined.
func (f *Feeds) Refresh(ctx context.Context) error {
	errs := make([]error, len(f.feeds))
	var wg sync.WaitGroup
	for i, fd := range f.feeds {
		wg.Go(func() {
			var popErr error
			ttl := time.Duration(fd.cfg.RefreshMinutes) * time.Minute
			_, err := source.Run(ctx, f.opts.Runner, fd.cfg.Name, SourceKind, ttl,
				func(ctx context.Context) (board, error) {
					b, perr, err := f.update(ctx, fd)
					popErr = perr
					return b, err
				})
			errs[i] = errors.Join(err, popErr)
		})
	}
	wg.Wait()
	f.rebuild()
	return errors.Join(errs...)
}

// Board returns each feed's newest keep items not older than keep_days at
// now, feeds in configured order, newest first within a feed, dates in the
// configured zone. An item without a date is dated when the kiosk first saw
// it. It reads memory only.
func (f *Feeds) Board(now time.Time) []Item {
	snap := *f.snap.Load()
	out := []Item{} // JSON [], not null
	for i, fd := range f.feeds {
		cutoff := f.cutoff(fd, now)
		n := 0
		for _, it := range snap[i] {
			if n == fd.cfg.Keep {
				break
			}
			if it.Published.Before(cutoff) {
				continue
			}
			it.Published = it.Published.In(f.opts.Loc)
			out = append(out, it)
			n++
		}
	}
	return out
}

// cutoff is the oldest date still on the board at now.
func (f *Feeds) cutoff(fd *feed, now time.Time) time.Time {
	return now.In(f.opts.Loc).AddDate(0, 0, -fd.cfg.KeepDays)
}

// board is what the store keeps of a feed under source.DataKey.
type board struct {
	Feed  string `json:"feed"`  // feed.id: data of an earlier URL is not shown
	Items []Item `json:"items"` // newest first, at most keep
}

// rebuild reads every feed's last good board from the store.
func (f *Feeds) rebuild() {
	f.build.Lock()
	defer f.build.Unlock()
	snap := make([][]Item, len(f.feeds))
	for i, fd := range f.feeds {
		e, err := source.Peek[board](f.opts.Runner, fd.cfg.Name)
		if err != nil {
			f.opts.Log.Warn("notices: reading stored board", "feed", fd.cfg.Name, "error", err)
			continue
		}
		if e.Value.Feed == fd.id {
			snap[i] = e.Value.Items
		}
	}
	f.snap.Store(&snap)
}

// Store keys. Feed and item keys are hashed: they are long, and a URL may
// carry a token.
const (
	feedPrefix = "notices:feed:" // + feed.id → feedMark
	seenPrefix = "notices:seen:" // + feed.id + ":" + hash(item key) → seenMark
)

// feedMark says a feed (name and URL) has been fetched before. Without it a
// fetch marks everything seen and pops up nothing. It expires like item
// keys, so a feed gone from the config for a month starts afresh.
type feedMark struct {
	Since   time.Time `json:"since"`
	Touched time.Time `json:"touched"`
}

// seenMark is a remembered item.
type seenMark struct {
	First   time.Time `json:"first"` // the date of an item without one
	Touched time.Time `json:"touched"`
}

// update fetches fd, marks its items seen, queues pop-ups for new ones and
// returns the board to store. The pop-up error does not fail the fetch:
// the items concerned stay unseen and are tried again at the next fetch.
func (f *Feeds) update(ctx context.Context, fd *feed) (_ board, popErr, err error) {
	fd.mu.Lock()
	defer fd.mu.Unlock()
	entries, err := f.fetch(ctx, fd)
	if err != nil {
		return board{}, nil, err
	}
	store, name := f.opts.Store, fd.cfg.Name
	now := store.Now()
	fkey := feedPrefix + fd.id
	mark, err := cache.Get[feedMark](store, fkey)
	first := errors.Is(err, cache.ErrMiss)
	if err != nil && !first {
		return board{}, nil, fmt.Errorf("notices %q: %w", name, err)
	}
	cutoff := f.cutoff(fd, now)

	var (
		items   []Item
		popErrs []error
		pushed  int
		skipped int
	)
	shown := map[[2]string]bool{}
	for _, e := range entries {
		skey := seenPrefix + fd.id + ":" + hash(e.key)
		seen, err := cache.Get[seenMark](store, skey)
		known := err == nil
		if err != nil && !errors.Is(err, cache.ErrMiss) {
			return board{}, nil, fmt.Errorf("notices %q: %w", name, err)
		}
		if !known {
			seen.First = now
		}
		date := e.date
		if date.IsZero() {
			date = seen.First
		}
		dup := shown[[2]string{e.title, e.link}] // the same notice under two keys
		shown[[2]string{e.title, e.link}] = true

		remember := !known || !now.Before(seen.Touched.Add(touchEvery)) || now.Before(seen.Touched)
		if !known && !first && !dup && !date.Before(cutoff) && fd.matches(e.title) {
			if pushed == MaxPopups || f.opts.Queue == nil {
				skipped++
			} else {
				// Queue first, then mark seen: a crash in between queues it
				// again under the same id, which the queue takes once.
				id := popupID(name, e.key)
				if err := f.opts.Queue.Push(ctx, id, PopupKind, name+"\n"+e.title); err != nil {
					popErrs = append(popErrs, fmt.Errorf("notices %q: pop-up %s: %w", name, id, err))
					remember = false // stays unseen: tried again at the next fetch
				} else {
					pushed++
					f.opts.Log.Info("notices: pop-up queued", "feed", name, "id", id)
				}
			}
		}
		if remember {
			seen.Touched = now
			if err := cache.Set(store, skey, seen, Forget+touchEvery); err != nil {
				return board{}, nil, fmt.Errorf("notices %q: %w", name, err)
			}
		}
		if !dup {
			items = append(items, Item{Source: name, Title: e.title, Link: e.link, Published: date})
		}
	}
	if skipped > 0 && f.opts.Queue != nil {
		f.opts.Log.Warn("notices: too many new items at once, not all popped up",
			"feed", name, "queued", pushed, "skipped", skipped)
	}
	if pushed > 0 {
		if err := store.Sync(); err != nil { // the seen marks, against a power cut
			popErrs = append(popErrs, fmt.Errorf("notices %q: %w", name, err))
		}
	}
	// The feed mark comes last: a first fetch cut short marks everything
	// seen again next time rather than popping it up.
	if first || !now.Before(mark.Touched.Add(touchEvery)) || now.Before(mark.Touched) {
		if first {
			mark.Since = now
			f.opts.Log.Info("notices: first fetch, marking items seen", "feed", name, "items", len(entries))
		}
		mark.Touched = now
		if err := cache.Set(store, fkey, mark, Forget+touchEvery); err != nil {
			return board{}, nil, fmt.Errorf("notices %q: %w", name, err)
		}
	}

	slices.SortStableFunc(items, func(x, y Item) int { return y.Published.Compare(x.Published) })
	if len(items) > fd.cfg.Keep {
		items = items[:fd.cfg.Keep]
	}
	return board{Feed: fd.id, Items: items}, errors.Join(popErrs...), nil
}

// matches reports whether a title contains one of the feed's keywords.
func (fd *feed) matches(title string) bool {
	if len(fd.keywords) == 0 {
		return false
	}
	t := fold(title)
	return slices.ContainsFunc(fd.keywords, func(k string) bool { return strings.Contains(t, k) })
}

// fold prepares text for caseless matching: Unicode case folding (ß and SS,
// Σ and ς match) after NFC, so that Hangul typed decomposed still matches.
func fold(s string) string {
	return cases.Fold().String(norm.NFC.String(s))
}

// popupID is the pop-up's id in the notification queue: the same item of
// the same feed always gets the same one.
func popupID(feedName, key string) string {
	return "no-" + hash(feedName, key)[:20]
}

// hash is a hex SHA-256 of the parts, separated so that ("ab","c") and
// ("a","bc") differ.
func hash(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
