// Package clock has the clocks tests inject where production passes
// time.Now: one moved by hand, and one whose wall reading can be stepped
// (as NTP steps a Pi's clock) while its timers keep monotonic time.
package clock

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/jonboulle/clockwork"
)

// Fake is a clock moved by hand. It keeps a separate monotonic reading, so
// a test can step the wall clock without time passing. It is safe for
// concurrent use.
type Fake struct {
	mu   sync.Mutex
	wall time.Time
	mono time.Duration
}

// New returns a Fake reading t.
func New(t time.Time) *Fake { return &Fake{wall: t} }

// Now is the wall reading.
func (c *Fake) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wall
}

// Elapsed is the monotonic time passed since New.
func (c *Fake) Elapsed() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mono
}

// Add lets d pass: both readings move.
func (c *Fake) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wall, c.mono = c.wall.Add(d), c.mono+d
}

// Step moves the wall reading alone, as a clock step does.
func (c *Fake) Step(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wall = c.wall.Add(d)
}

// Set puts the wall reading at t, as a clock step does.
func (c *Fake) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wall = t
}

// Stepped is a clockwork fake clock, for gocron's WithClock, whose wall
// reading can step while its timers, like Linux's, keep monotonic time.
type Stepped struct {
	*clockwork.FakeClock
	start  time.Time
	offset atomic.Int64
}

// NewStepped returns a Stepped clock reading t.
func NewStepped(t time.Time) *Stepped {
	return &Stepped{FakeClock: clockwork.NewFakeClockAt(t), start: t}
}

// Now is the wall reading.
func (c *Stepped) Now() time.Time {
	return c.FakeClock.Now().Add(time.Duration(c.offset.Load()))
}

// Since and Until read the wall clock, as time.Since does for wall times.
func (c *Stepped) Since(t time.Time) time.Duration { return c.Now().Sub(t) }
func (c *Stepped) Until(t time.Time) time.Duration { return t.Sub(c.Now()) }

// Elapsed is the monotonic time passed since NewStepped.
func (c *Stepped) Elapsed() time.Duration { return c.FakeClock.Now().Sub(c.start) }

// Step moves the wall reading by d; pending timers are not affected.
func (c *Stepped) Step(d time.Duration) { c.offset.Add(int64(d)) }
