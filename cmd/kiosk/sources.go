package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"kiosk/cache"
	"kiosk/kiosk/calendar"
	"kiosk/kiosk/config"
	"kiosk/kiosk/dashboard"
	"kiosk/kiosk/demo"
	"kiosk/kiosk/ics"
	"kiosk/kiosk/notices"
	"kiosk/kiosk/photos"
	"kiosk/kiosk/remind"
	"kiosk/kiosk/source"
	"kiosk/kiosk/srt"
	"kiosk/kiosk/weather"
)

// upstreamTimeout bounds every request to a calendar, SR or a feed.
const upstreamTimeout = 30 * time.Second

// calendars builds the configured calendar sources.
func calendars(ctx context.Context, cfg *config.Config, log *slog.Logger) ([]dashboard.Calendar, error) {
	var out []dashboard.Calendar
	for _, c := range cfg.Calendars {
		client := &http.Client{Timeout: upstreamTimeout}
		if g := c.Google; g != nil {
			src, err := calendar.NewGoogle(ctx, calendar.GoogleOptions{
				Name: c.Name, Color: c.Color, CalendarID: g.CalendarID, CredentialsFile: g.CredentialsFile,
				TokenFile: calendar.TokenPath(cfg.DataDir), Endpoint: g.Endpoint, Loc: cfg.Location,
				HTTPClient: client, Logger: log,
			})
			if err != nil {
				return nil, fmt.Errorf("calendar %s: %w", c.Name, err)
			}
			out = append(out, dashboard.Calendar{Name: c.Name, Kind: "google", Source: src})
			continue
		}
		src := ics.New(ics.Options{
			Name: c.Name, Color: c.Color, URL: c.ICS.URL, File: c.ICS.File,
			Username: c.ICS.Username, Password: c.ICS.Password.Reveal(),
			Loc: cfg.Location, HTTPClient: client, Now: time.Now, Logger: log,
		})
		out = append(out, dashboard.Calendar{Name: c.Name, Kind: "ics", Source: src})
	}
	return out, nil
}

// trains builds the SRT source, or nil when no trains are configured.
func trains(cfg *config.Config, store *cache.Store, log *slog.Logger) *dashboard.Trains {
	s := cfg.Trains.SRT
	if s == nil {
		return nil
	}
	client := srt.NewClient(srt.Options{
		Endpoint: s.Endpoint, LoginID: s.LoginID, LoginType: s.LoginType, Password: s.Password.Reveal(),
		UserAgent: s.UserAgent, HTTPClient: &http.Client{Timeout: srt.DefaultTimeout}, Logger: log, Now: time.Now,
	})
	src := srt.NewSource(store, client, s.MaxShown)
	if src.CredentialsChanged() {
		// The id or password was fixed: try now rather than after the back-off.
		if err := source.Reset(store, "SRT"); err != nil {
			log.Warn("resetting the SRT source", "error", err)
		}
	}
	return &dashboard.Trains{Name: "SRT", Kind: "srt", TTL: time.Duration(s.CacheMinutes) * time.Minute, Fetch: src.Fetch}
}

// demoSources are the built-in sample calendar and trains.
func demoSources(cfg *config.Config) ([]dashboard.Calendar, *dashboard.Trains) {
	name := "Family"
	if cfg.Locale == "ko" {
		name = "가족"
	}
	cal := &demo.Calendar{Name: name, Loc: cfg.Location, Locale: cfg.Locale, Now: time.Now}
	tr := &demo.Trains{Now: time.Now}
	return []dashboard.Calendar{{Name: name, Kind: "demo", Source: cal}},
		&dashboard.Trains{Name: "SRT", Kind: "srt", TTL: 30 * time.Minute, Fetch: tr.Reservations}
}

// reminders lists the due reminders of everything on the board, and the
// weather's morning reminders when it is on (wx may be nil).
func reminders(cfg *config.Config, board *dashboard.Board, wx *weather.Service) remind.Lister {
	events := remind.EventRules{DefaultMinutes: *cfg.Reminders.DefaultMinutes, Location: cfg.Location, Locale: cfg.Locale}
	var rules *remind.TrainRules
	if s := cfg.Trains.SRT; s != nil || board.HasTrains() {
		before, pay := 60, 30
		if s != nil {
			before, pay = *s.RemindBeforeMinutes, *s.PaymentRemindMinutes
		}
		rules = &remind.TrainRules{
			BeforeMinutes: before, PaymentMinutes: pay, Location: cfg.Location, Locale: cfg.Locale,
			DepartureMessage: func(r srt.Reservation, left time.Duration) string {
				return srt.DepartureMessage(r, int(left.Round(time.Minute).Minutes()), cfg.Locale, cfg.Location)
			},
			PaymentMessage: func(r srt.Reservation, _ time.Duration) string {
				return srt.PaymentMessage(r, cfg.Locale, cfg.Location)
			},
		}
	}
	wxRules := weather.RulesOf(cfg.WeatherReminders, cfg.Location, cfg.Locale)
	return func(w remind.Window) ([]remind.Due, error) {
		snap := board.Snapshot()
		due := remind.EventDues(snap.Events, w, events)
		if rules != nil {
			due = append(due, remind.TrainDues(snap.Trains, w, *rules)...)
		}
		if wx != nil {
			due = append(due, weather.Dues(wx.Snapshot(), w, wxRules)...)
		}
		return due, nil
	}
}

// noticeQueue puts notice pop-ups in the reminder queue.
type noticeQueue struct {
	q       *remind.Queue
	display int
	expire  time.Duration
	now     func() time.Time
}

func (a noticeQueue) Push(_ context.Context, id, kind, msg string) error {
	now := a.now()
	_, err := a.q.Add(remind.Notification{ID: id, Kind: kind, Message: msg, DisplayTime: a.display,
		Expire: now.Add(a.expire).Unix(), Created: now.Unix(), Sound: true})
	return err
}

func noticeFeeds(cfg *config.Config, store *cache.Store, scrub *source.Scrubber, q *remind.Queue, log *slog.Logger) *notices.Feeds {
	return notices.New(notices.Options{
		Feeds: cfg.Notices, Store: store, Runner: source.NewRunner(store, log, scrub, nil),
		Queue: noticeQueue{q: q, display: cfg.Reminders.DisplaySeconds,
			expire: time.Duration(cfg.Reminders.ExpireMinutes) * time.Minute, now: store.Now},
		Loc: cfg.Location, Log: log, UserAgent: "kiosk/" + buildVersion(),
	})
}

// photoStatus reports the photo folder as a source; none without photos.
func photoStatus(lib *photos.Library) []source.Status {
	if lib == nil {
		return nil
	}
	st := lib.Status()
	return []source.Status{{Name: "photos", Kind: "photos", OK: st.Error == "" && st.Scanned != nil,
		Updated: st.Scanned, Error: st.Error, Category: source.Classify(st.Err)}}
}

// weatherService builds the forecast and air sources, or nil when no
// place is configured.
func weatherService(cfg *config.Config, store *cache.Store, scrub *source.Scrubber, log *slog.Logger, onChange func()) *weather.Service {
	if !cfg.WeatherOn() {
		return nil
	}
	return weather.New(weather.Options{
		Weather: *cfg.Weather, Air: *cfg.Air, Store: store, Runner: source.NewRunner(store, log, scrub, nil),
		HTTPClient: &http.Client{Timeout: upstreamTimeout}, Loc: cfg.Location, Locale: cfg.Locale,
		Days: cfg.Dashboard.DaysAhead, Log: log, UserAgent: "kiosk/" + buildVersion(), OnChange: onChange,
	})
}
