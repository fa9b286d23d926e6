package remind

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"kiosk/cache"
	"kiosk/kiosk/config"
)

// Lister returns the reminders whose At falls in w, typically
// append(EventDues(events, w, …), TrainDues(reservations, w, …)...) over
// what the refresh job stored. An error makes the run fail without
// advancing the mark, so the next run covers the window again.
type Lister func(w Window) ([]Due, error)

// Status is what the status page shows of the job.
type Status struct {
	LastRun time.Time `json:"last_run,omitzero"`
	From    time.Time `json:"from,omitzero"` // the last window covered: [from, to)
	To      time.Time `json:"to,omitzero"`
	Queued  int       `json:"queued"`          // notifications the last run queued
	Error   string    `json:"error,omitempty"` // the last run's failure
	Jump    *Jump     `json:"jump"`            // the last clock step seen; null if none
	Gap     *Gap      `json:"gap"`             // the last span no run covered; null if none
}

// Jump is a step of the wall clock (NTP sync on a Pi without RTC, a manual
// change, a suspend). Between runs of one process it is measured as wall
// time elapsed minus monotonic time elapsed; a step back across a restart
// is seen against the stored mark, as at least the whole minutes between.
type Jump struct {
	At      time.Time `json:"at"`      // the run that saw it
	Seconds float64   `json:"seconds"` // negative: the clock went back
}

// Gap is a span of reminder times no run covered because it lay more than
// reminders.catch_up_minutes back (downtime, a forward clock step).
type Gap struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	At   time.Time `json:"at"` // the run that found it
}

const (
	markKey    = "remind:mark"   // time.Time: end of the last window completed
	queuedPre  = "remind:q:"     // + ID: the reminder was queued
	markerKeep = 48 * time.Hour  // beyond window and catch-up, for clock games
	stepMin    = 2 * time.Second // NTP slews far less than this between runs
	jobName    = "reminders"
)

// Job is the minute job: each Run covers its window (see Plan), queues the
// due reminders not queued before, records the window's end durably and
// notes clock steps. Runs are serialized, so the refresh job may call Run
// while the scheduler does too.
type Job struct {
	queue   *Queue
	store   *cache.Store
	list    Lister
	log     *slog.Logger
	catchUp time.Duration
	expire  time.Duration
	display int
	now     func() time.Time
	mono    func() time.Duration // monotonic time since start; tests replace it

	mu       sync.Mutex
	ran      bool
	prevWall time.Time
	prevMono time.Duration
	status   Status
	mark     time.Time // end of the last window covered, in this process
	stored   time.Time // the mark as last written to the store

}

// NewJob returns the job. It reads the clock of the queue's store. Zero
// fields of cfg get the config defaults (catch-up 10 min, expiry 10 min,
// 30 s on screen).
func NewJob(q *Queue, cfg config.Reminders, list Lister, log *slog.Logger) *Job {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	j := &Job{
		queue:   q,
		store:   q.store,
		list:    list,
		log:     log,
		catchUp: minutes(cfg.CatchUpMinutes, 10),
		expire:  minutes(cfg.ExpireMinutes, 10),
		display: cfg.DisplaySeconds,
		now:     q.store.Now,
	}
	if j.display <= 0 {
		j.display = 30
	}
	// With the real clock, Sub of two readings uses the monotonic clock,
	// which NTP steps do not move.
	base := j.now()
	j.mono = func() time.Duration { return j.now().Sub(base) }
	return j
}

func minutes(n, def int) time.Duration {
	if n <= 0 {
		n = def
	}
	return time.Duration(n) * time.Minute
}

// Status returns the job's state for the status page.
func (j *Job) Status() Status {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.status
}

// Run covers one window. Rescheduling after a clock step is the
// scheduler's business (kiosk/daemon's step watcher, kiosk/jobs).
func (j *Job) Run(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("reminders: %w", err)
	}
	return j.run()
}

func (j *Job) run() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	now, mono := j.now(), j.mono()
	step := time.Duration(0)
	if j.ran {
		step = now.Round(0).Sub(j.prevWall.Round(0)) - (mono - j.prevMono)
		if step.Abs() < stepMin {
			step = 0
		}
	}
	j.ran, j.prevWall, j.prevMono = true, now, mono
	j.queue.Tidy(now)

	mark := j.mark
	if mark.IsZero() { // first run of this process: the stored mark
		var err error
		mark, err = cache.Get[time.Time](j.store, markKey)
		if err != nil && !errors.Is(err, cache.ErrMiss) {
			// Carry on as at a first start rather than stop reminding: only
			// missed minutes go uncovered, and the markers still hold.
			j.log.Warn("reminders: unreadable mark, not catching up", "error", err)
			mark = time.Time{}
		}
		j.stored = mark
	}
	w, skipped := Plan(now, mark, j.catchUp)
	if step == 0 && mark.After(w.To) { // stepped back while we were not running
		step = w.To.Sub(mark)
	}
	if step != 0 {
		j.status.Jump = &Jump{At: now, Seconds: step.Seconds()}
		j.log.Warn("reminders: clock stepped", "seconds", step.Seconds(), "now", now)
	}
	if skipped > 0 {
		j.status.Gap = &Gap{From: mark, To: w.From, At: now}
		j.log.Warn("reminders: not covering missed minutes beyond catch-up",
			"from", mark, "to", w.From, "catch_up", j.catchUp)
	}

	items, err := j.list(w)
	if err != nil {
		return j.fail(now, fmt.Errorf("reminders: list: %w", err))
	}
	queued := 0
	for _, d := range Scan(w, items) {
		ok, err := j.queueOnce(now, d)
		if err != nil {
			return j.fail(now, err)
		}
		if ok {
			queued++
		}
	}
	// The mark is written when something was queued, after a step back,
	// and otherwise every half catch-up span, not every minute: SD cards
	// wear. A stored mark that lags only widens the catch-up after a
	// restart, and the markers keep that from repeating anything.
	j.mark = w.To
	if queued > 0 || j.stored.After(w.To) || w.To.Sub(j.stored) >= j.catchUp/2 {
		if err := cache.Set(j.store, markKey, w.To, 0); err != nil {
			return j.fail(now, fmt.Errorf("reminders: write mark: %w", err))
		}
		j.stored = w.To
	}
	if queued > 0 {
		if err := j.store.Sync(); err != nil {
			return j.fail(now, fmt.Errorf("reminders: %w", err))
		}
	}
	j.status.LastRun, j.status.From, j.status.To = now, w.From, w.To
	j.status.Queued, j.status.Error = queued, ""
	if queued > 0 {
		j.log.Info("reminders: queued", "count", queued, "from", w.From, "to", w.To)
	}
	return nil
}

func (j *Job) fail(now time.Time, err error) error {
	j.status.LastRun, j.status.Queued, j.status.Error = now, 0, err.Error()
	return err
}

// queueOnce queues d unless its marker says it was queued before. The
// notification is written before the marker; after a crash in between, the
// notification is found in the queue and only the marker is written.
func (j *Job) queueOnce(now time.Time, d Due) (bool, error) {
	key := queuedPre + d.ID
	if _, err := cache.Get[int64](j.store, key); err == nil {
		return false, nil
	} else if !errors.Is(err, cache.ErrMiss) {
		return false, fmt.Errorf("reminders: read marker: %w", err)
	}
	queued := !j.queue.has(d.ID)
	n := Notification{
		ID:          d.ID,
		Message:     d.Message,
		Expire:      now.Add(j.expire).Unix(),
		DisplayTime: j.display,
		Kind:        d.Kind,
		Sound:       true,
		Created:     now.Unix(),
	}
	if queued {
		if _, err := j.queue.put(n); err != nil {
			return false, fmt.Errorf("reminders: %w", err)
		}
	}
	// The marker must outlive every window that can contain d.At: at most
	// catch-up after it. Markers are written and read while the clock
	// reads about d.At, so a clock step between the two does not shorten
	// them.
	ttl := max(d.At.Sub(now), 0) + j.catchUp + markerKeep
	if err := cache.Set(j.store, key, now.Unix(), ttl); err != nil {
		return false, fmt.Errorf("reminders: write marker: %w", err)
	}
	return queued, nil
}
