package remind

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"

	"kiosk/cache"
	"kiosk/kiosk/config"
)

// Notification is one entry of GET /api/notifications.
type Notification struct {
	ID            string `json:"id"`
	Message       string `json:"message"`
	Expire        int64  `json:"expire"`       // unix seconds; gone from then on
	DisplayTime   int    `json:"display_time"` // seconds on screen
	ShowNotiboard bool   `json:"show_notiboard"`
	Kind          string `json:"kind"` // KindEvent, KindTrain, KindCustom
	Sound         bool   `json:"sound"`
	Created       int64  `json:"created"`          // unix seconds
	Urgent        bool   `json:"urgent,omitempty"` // pushed to phones even in quiet hours
}

// ErrExpired is returned by Add for a notification whose expiry has passed.
var ErrExpired = errors.New("remind: notification already expired")

const notePrefix = "remind:n:"

// entry is what the store holds per notification. Seq orders the queue:
// it only grows, even when the clock steps back.
type entry struct {
	N   Notification `json:"n"`
	Seq int64        `json:"seq"`
}

// Queue is the list of active notifications: kept in the store, which
// survives kill -9 (and, after Sync, a power cut), and mirrored in memory
// so that the page's poll costs no store read. It is safe for concurrent
// use.
type Queue struct {
	store  *cache.Store
	accept func(Notification) error // see OnAccept

	mu      sync.Mutex
	entries []entry // by Seq; may still hold expired ones until the next refresh
	lastSeq int64

	// The answer for the page, rebuilt when the list changes, its first
	// expiry passes or the clock steps back.
	fresh    bool
	nextDrop int64 // earliest Expire among the active ones
	newest   int64 // latest Created among them
	active   []Notification
	body     []byte
	etag     string
}

// NewQueue loads the queue from the store.
func NewQueue(store *cache.Store) (*Queue, error) {
	q := &Queue{store: store}
	err := cache.Scan(store, notePrefix, func(_ string, e entry) error {
		q.entries = append(q.entries, e)
		q.lastSeq = max(q.lastSeq, e.Seq)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("remind: load queue: %w", err)
	}
	slices.SortFunc(q.entries, func(a, b entry) int { return cmp.Compare(a.Seq, b.Seq) })
	return q, nil
}

// OnAccept makes the queue call fn with every notification it is about to
// store (also one replacing a queued one by id), before storing it; an
// error stops the add. The phone outbox uses it (kiosk/push). Call it
// before the queue is used.
func (q *Queue) OnAccept(fn func(Notification) error) { q.accept = fn }

// Custom is a message for the wall as POST /api/notifications queues it
// by default: on screen and expiring as the reminders are, with sound.
func Custom(now time.Time, cfg config.Reminders, text string) Notification {
	return Notification{
		Message:     text,
		DisplayTime: cfg.DisplaySeconds,
		Expire:      now.Add(time.Duration(cfg.ExpireMinutes) * time.Minute).Unix(),
		Kind:        KindCustom,
		Sound:       true,
		Created:     now.Unix(),
	}
}

// Add queues n and syncs the store. An empty ID gets a random one ("cu-…"),
// an empty Kind becomes KindCustom and a zero Created the store's now. A
// notification with the ID of a queued one replaces it in place. It returns
// what was queued.
func (q *Queue) Add(n Notification) (Notification, error) {
	if n.ID == "" {
		n.ID = randomID()
	}
	if n.Kind == "" {
		n.Kind = KindCustom
	}
	n, err := q.put(n)
	if err != nil {
		return n, err
	}
	if err := q.store.Sync(); err != nil {
		return n, fmt.Errorf("remind: add: %w", err)
	}
	return n, nil
}

// put queues n without syncing; the job syncs once per run.
func (q *Queue) put(n Notification) (Notification, error) {
	now := q.store.Now()
	if n.Created == 0 {
		n.Created = now.Unix()
	}
	ttl := time.Unix(n.Expire, 0).Sub(now)
	if ttl <= 0 {
		return n, fmt.Errorf("remind: add %s: %w", n.ID, ErrExpired)
	}
	if q.accept != nil {
		if err := q.accept(n); err != nil {
			return n, fmt.Errorf("remind: add %s: %w", n.ID, err)
		}
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	i := slices.IndexFunc(q.entries, func(e entry) bool { return e.N.ID == n.ID })
	e := entry{N: n}
	if i >= 0 {
		e.Seq = q.entries[i].Seq
	} else {
		q.lastSeq = max(q.lastSeq+1, now.UnixNano())
		e.Seq = q.lastSeq
	}
	if err := cache.Set(q.store, notePrefix+n.ID, e, ttl); err != nil {
		return n, fmt.Errorf("remind: add: %w", err)
	}
	if i >= 0 {
		q.entries[i] = e
	} else {
		q.entries = append(q.entries, e)
	}
	q.fresh = false
	return n, nil
}

// has reports whether id is queued (expired or not yet dropped).
func (q *Queue) has(id string) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return slices.ContainsFunc(q.entries, func(e entry) bool { return e.N.ID == id })
}

// Delete removes the notification id; found is false if it was not queued.
// A reminder deleted this way is not queued again.
func (q *Queue) Delete(id string) (found bool, err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	i := slices.IndexFunc(q.entries, func(e entry) bool { return e.N.ID == id })
	if err := cache.Delete(q.store, notePrefix+id); err != nil {
		return false, fmt.Errorf("remind: delete: %w", err)
	}
	if err := q.store.Sync(); err != nil {
		return false, fmt.Errorf("remind: delete: %w", err)
	}
	if i < 0 {
		return false, nil
	}
	q.entries = slices.Delete(q.entries, i, i+1)
	q.fresh = false
	return true, nil
}

// Clear removes every notification.
func (q *Queue) Clear() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	keys := map[string]bool{}
	for _, e := range q.entries {
		keys[notePrefix+e.N.ID] = true
	}
	err := cache.Scan(q.store, notePrefix, func(key string, _ json.RawMessage) error {
		keys[key] = true
		return nil
	})
	if err != nil {
		return fmt.Errorf("remind: clear: %w", err)
	}
	for k := range keys {
		if err := cache.Delete(q.store, k); err != nil {
			return fmt.Errorf("remind: clear: %w", err)
		}
	}
	q.entries = nil
	q.fresh = false
	if err := q.store.Sync(); err != nil {
		return fmt.Errorf("remind: clear: %w", err)
	}
	return nil
}

// Active returns the notifications not expired at now, oldest first. The
// slice is the caller's.
func (q *Queue) Active(now time.Time) []Notification {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.refresh(now)
	return slices.Clone(q.active)
}

// JSON returns Active(now) encoded as a JSON array, and an ETag (quoted,
// derived from the bytes, so it survives a restart) for If-None-Match.
// While nothing changes or expires it returns the same bytes without
// encoding again; callers must not modify them.
func (q *Queue) JSON(now time.Time) (body []byte, etag string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.refresh(now)
	return q.body, q.etag
}

// future is how far ahead of the clock a notification's Created may be
// before the queue concludes the clock stepped back past its creation.
const future = 60 // seconds

// Tidy drops what expired by now; the job calls it every run, so the
// queue follows the clock even while no page polls.
func (q *Queue) Tidy(now time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.refresh(now)
}

// refresh drops the notifications expired at now, and those created more
// than a minute after now: the clock stepped back, and they were already
// shown in the time that is now repeating. Once dropped, a notification
// stays dropped. It rebuilds the page's answer if anything changed.
// q.mu is held.
func (q *Queue) refresh(now time.Time) {
	unix := now.Unix()
	if q.fresh && unix < q.nextDrop && unix+future >= q.newest {
		return
	}
	q.entries = slices.DeleteFunc(q.entries, func(e entry) bool {
		if e.N.Created > unix+future {
			// Also from the store, or a restart would bring it back once the
			// clock passes its creation again. Best effort: failing, it
			// would only show once more after a restart.
			_ = cache.Delete(q.store, notePrefix+e.N.ID)
			return true
		}
		return e.N.Expire <= unix
	})
	q.active = make([]Notification, len(q.entries))
	q.nextDrop, q.newest = math.MaxInt64, math.MinInt64
	for i, e := range q.entries {
		q.active[i] = e.N
		q.nextDrop = min(q.nextDrop, e.N.Expire)
		q.newest = max(q.newest, e.N.Created)
	}
	b, err := json.Marshal(q.active)
	if err != nil { // cannot happen: the fields are strings, numbers and bools
		panic(fmt.Sprintf("remind: encode notifications: %v", err))
	}
	h := fnv.New64a()
	h.Write(b)
	q.body, q.etag = b, `"`+strconv.FormatUint(h.Sum64(), 36)+`"`
	q.fresh = true
}

func randomID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return "cu-" + hex.EncodeToString(b)
}
