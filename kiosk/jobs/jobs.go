// Package jobs runs the kiosk's periodic work on gocron and remembers how
// each job fared, for the status page and the systemd watchdog.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"
)

// Status is one job as /api/status shows it.
type Status struct {
	Name      string     `json:"name"`
	LastRun   *time.Time `json:"last_run"`
	NextRun   *time.Time `json:"next_run"`
	LastError string     `json:"last_error"`
}

type job struct {
	name   string
	def    gocron.JobDefinition
	task   func()
	id     gocron.Job // guarded by Scheduler.mu: Reschedule replaces it
	mu     sync.Mutex // guards last and errMsg
	last   time.Time
	errMsg string
}

// Scheduler is a gocron scheduler with named jobs.
type Scheduler struct {
	s     gocron.Scheduler
	ctx   context.Context
	log   *slog.Logger
	now   func() time.Time
	scrub func(error) string
	mu    sync.Mutex
	jobs  []*job
}

// New returns a scheduler whose jobs get ctx and run in loc. scrub turns an
// error into text safe to show.
func New(ctx context.Context, loc *time.Location, log *slog.Logger, now func() time.Time, scrub func(error) string,
	opts ...gocron.SchedulerOption) (*Scheduler, error) {
	opts = append([]gocron.SchedulerOption{gocron.WithLocation(loc), gocron.WithStopTimeout(10 * time.Second)}, opts...)
	s, err := gocron.NewScheduler(opts...)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return &Scheduler{s: s, ctx: ctx, log: log, now: now, scrub: scrub}, nil
}

// Every runs fn now and then every interval. A run that would overlap the
// previous one is skipped.
func (s *Scheduler) Every(name string, interval time.Duration, fn func(context.Context) error) error {
	return s.add(name, gocron.DurationJob(interval), fn)
}

// EveryMinute runs fn now and then at second 0 of every minute.
func (s *Scheduler) EveryMinute(name string, fn func(context.Context) error) error {
	return s.add(name, gocron.CronJob("0 * * * * *", true), fn)
}

func (s *Scheduler) add(name string, def gocron.JobDefinition, fn func(context.Context) error) error {
	j := &job{name: name, def: def}
	j.task = func() {
		err := fn(s.ctx)
		stopping := s.ctx.Err() != nil // a failure then is not the job's fault
		msg := ""
		if err != nil && !stopping {
			msg = s.scrub(err)
		}
		j.mu.Lock()
		j.last = s.now()
		was := j.errMsg
		j.errMsg = msg
		j.mu.Unlock()
		// Once when a failure starts and once when it clears: the status
		// page shows the rest.
		switch {
		case stopping:
		case was == "" && msg != "":
			s.log.Warn("job failing", "job", name, "error", msg)
		case was != "" && msg == "":
			s.log.Info("job recovered", "job", name)
		}
	}
	id, err := s.s.NewJob(def, gocron.NewTask(j.task), append(s.options(name), gocron.WithStartAt(gocron.WithStartImmediately()))...)
	if err != nil {
		return fmt.Errorf("jobs: %s: %w", name, err)
	}
	s.mu.Lock()
	j.id = id
	s.jobs = append(s.jobs, j)
	s.mu.Unlock()
	return nil
}

func (s *Scheduler) options(name string) []gocron.JobOption {
	return []gocron.JobOption{
		gocron.WithName(name),
		gocron.WithSingletonMode(gocron.LimitModeReschedule),
	}
}

// Start starts the jobs.
func (s *Scheduler) Start() { s.s.Start() }

// Shutdown stops the jobs, waiting for running ones up to the stop timeout.
func (s *Scheduler) Shutdown() error { return s.s.Shutdown() }

// RunNow runs the named job at once, outside its schedule (after a data
// change, or an admin refresh). It waits for a Reschedule under way, whose
// jobs are briefly unknown to gocron.
func (s *Scheduler) RunNow(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, j := range s.jobs {
		if j.name == name {
			return j.id.RunNow()
		}
	}
	return fmt.Errorf("jobs: no job %q", name)
}

// Reschedule recomputes every job's next run from the current clock. After
// the wall clock steps back, gocron otherwise waits out the step before the
// next run; after a step forward it would fire once at an odd time.
//
// It replaces each gocron job with a new one rather than calling Update:
// called while the job's task runs (the reminder job notices steps itself),
// Update races with the executor's rescheduling of that very run, which then
// moves the new first run a minute on.
func (s *Scheduler) Reschedule() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, j := range s.jobs {
		if err := s.s.RemoveJob(j.id.ID()); err != nil && !errors.Is(err, gocron.ErrJobNotFound) {
			s.log.Error("rescheduling job", "job", j.name, "error", err)
			continue
		}
		id, err := s.s.NewJob(j.def, gocron.NewTask(j.task), s.options(j.name)...)
		if err != nil {
			s.log.Error("rescheduling job", "job", j.name, "error", err)
			continue
		}
		j.id = id
	}
}

func (s *Scheduler) list() []*job {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*job(nil), s.jobs...)
}

// Statuses describes every job.
func (s *Scheduler) Statuses() []Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Status
	for _, j := range s.jobs {
		st := Status{Name: j.name}
		j.mu.Lock()
		if !j.last.IsZero() {
			last := j.last
			st.LastRun = &last
		}
		st.LastError = j.errMsg
		j.mu.Unlock()
		if next, err := j.id.NextRun(); err == nil && !next.IsZero() {
			st.NextRun = &next
		}
		out = append(out, st)
	}
	return out
}

// Healthy fails when a job has not completed a run for longer than
// maxAge: the scheduler or a job is stuck.
func (s *Scheduler) Healthy(maxAge time.Duration, names ...string) error {
	now := s.now()
	for _, j := range s.list() {
		for _, n := range names {
			if j.name != n {
				continue
			}
			j.mu.Lock()
			last := j.last
			j.mu.Unlock()
			if last.IsZero() {
				continue // not run yet: start-up
			}
			if age := now.Sub(last); age > maxAge || age < -maxAge {
				return fmt.Errorf("job %s last ran %s ago", n, age.Round(time.Second))
			}
		}
	}
	return nil
}
