// Package daemon is the kiosk's contact with the system it runs on: systemd
// readiness and watchdog, whether the clock is synchronized, and clock steps.
package daemon

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/coreos/go-systemd/v22/daemon"
	"golang.org/x/sys/unix"
)

// Ready tells systemd (Type=notify) that the server is listening and its
// store is open. Without $NOTIFY_SOCKET it does nothing.
func Ready() { daemon.SdNotify(false, daemon.SdNotifyReady) }

// Stopping tells systemd the server is shutting down.
func Stopping() { daemon.SdNotify(false, daemon.SdNotifyStopping) }

// Watchdog pings systemd's watchdog at half its interval while healthy
// returns nil, until ctx is done. A stuck job makes healthy fail, the pings
// stop, and systemd restarts the service. Without WatchdogSec it returns at
// once.
func Watchdog(ctx context.Context, log *slog.Logger, healthy func() error) {
	interval, err := daemon.SdWatchdogEnabled(false)
	if err != nil || interval == 0 {
		return
	}
	t := time.NewTicker(interval / 2)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := healthy(); err != nil {
				log.Error("unhealthy: not pinging the watchdog", "error", err)
				continue
			}
			daemon.SdNotify(false, daemon.SdNotifyWatchdog)
		}
	}
}

// syncedFile is created by systemd-timesyncd once it has synchronized.
const syncedFile = "/run/systemd/timesync/synchronized"

// ClockSynced reports whether the system clock is synchronized to a time
// source. known is false when neither timesyncd's flag file nor adjtimex
// can tell (adjtimex is refused under ProtectClock=).
func ClockSynced() (synced, known bool) {
	if _, err := os.Stat(syncedFile); err == nil {
		return true, true
	}
	var tx unix.Timex
	state, err := unix.Adjtimex(&tx)
	if err != nil {
		if _, err := os.Stat("/run/systemd/timesync"); err == nil {
			return false, true // timesyncd runs and has not synced yet
		}
		return false, false
	}
	return state != unix.TIME_ERROR && tx.Status&unix.STA_UNSYNC == 0, true
}

// CachedClockSynced returns ClockSynced asked at most once per ttl: pages
// poll every few seconds all day, and the answer changes once per boot.
func CachedClockSynced(ttl time.Duration) func() (synced, known bool) {
	var mu sync.Mutex
	var at time.Time
	var synced, known bool
	return func() (bool, bool) {
		mu.Lock()
		defer mu.Unlock()
		if at.IsZero() || time.Since(at) >= ttl {
			synced, known = ClockSynced()
			at = time.Now()
		}
		return synced, known
	}
}

// Step is a jump of the wall clock against the monotonic clock.
type Step struct {
	At   time.Time     `json:"at"`   // wall time after the step
	Size time.Duration `json:"size"` // positive: forward
}

// StepWatcher notices when the wall clock is stepped (NTP sync on a Pi
// without a real-time clock, or a manual change): the wall time moved by
// more than the monotonic time did.
type StepWatcher struct {
	wall      func() time.Time     // time.Now
	mono      func() time.Duration // time since some fixed point, never stepped
	threshold time.Duration
	onStep    func(Step)

	mu       sync.Mutex
	prevWall time.Time
	prevMono time.Duration
	last     *Step
}

// NewStepWatcher calls onStep for every step larger than threshold. In
// production wall is time.Now and mono is Monotonic().
func NewStepWatcher(wall func() time.Time, mono func() time.Duration, threshold time.Duration, onStep func(Step)) *StepWatcher {
	return &StepWatcher{wall: wall, mono: mono, threshold: threshold, onStep: onStep,
		prevWall: wall(), prevMono: mono()}
}

// Monotonic returns a clock that counts from now and is never stepped: Go
// keeps a monotonic reading in time.Now and uses it in time.Since.
func Monotonic() func() time.Duration {
	start := time.Now()
	return func() time.Duration { return time.Since(start) }
}

// Check compares the clocks since the last check and reports a step.
func (w *StepWatcher) Check() (Step, bool) {
	w.mu.Lock()
	wall, mono := w.wall(), w.mono()
	diff := wall.Round(0).Sub(w.prevWall.Round(0)) - (mono - w.prevMono)
	w.prevWall, w.prevMono = wall, mono
	if diff < w.threshold && -diff < w.threshold {
		w.mu.Unlock()
		return Step{}, false
	}
	s := Step{At: wall.Round(0), Size: diff}
	w.last = &s
	w.mu.Unlock()
	if w.onStep != nil {
		w.onStep(s)
	}
	return s, true
}

// Last is the last step seen, or nil.
func (w *StepWatcher) Last() *Step {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.last
}

// Run checks every interval until ctx is done.
func (w *StepWatcher) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			w.Check()
		}
	}
}
