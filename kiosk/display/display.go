// Package display is night mode: the schedule that turns the screen off and
// on, and the helper that runs in the desktop session and applies it with
// the tool the session has (wlopm on labwc or cage, xset on X11). The
// hardened server cannot reach the session's display; it only publishes
// the schedule.
package display

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os/exec"
	"time"

	"kiosk/kiosk/config"
)

// State is what GET /api/display answers.
type State struct {
	Scheduled  bool    `json:"scheduled"`   // false: no display key, the screen stays on
	On         bool    `json:"on"`          // the screen should be on now
	Off        string  `json:"off"`         // "23:00"
	OnAt       string  `json:"on_at"`       // "06:30"
	NextChange *string `json:"next_change"` // RFC 3339, null when not scheduled
}

// At returns the scheduled state at now, in the configured zone.
func At(d *config.Display, now time.Time, loc *time.Location) State {
	if d == nil {
		return State{On: true}
	}
	span := &config.Span{Start: d.Off, End: d.On}
	n := now.In(loc)
	st := State{Scheduled: true, On: !span.In(n), Off: d.Off, OnAt: d.On}
	next := nextChange(n, loc, config.Minutes(d.Off), config.Minutes(d.On), st.On)
	s := next.Format(time.RFC3339)
	st.NextChange = &s
	return st
}

// nextChange is the next wall-clock instant at which the screen changes:
// the next "off" time while on, the next "on" time while off. time.Date
// normalizes a wall time skipped by DST to just after the gap.
func nextChange(now time.Time, loc *time.Location, off, on int, isOn bool) time.Time {
	target := on
	if isOn {
		target = off
	}
	for d := 0; d <= 2; d++ {
		t := time.Date(now.Year(), now.Month(), now.Day()+d, target/60, target%60, 0, 0, loc)
		if t.After(now) {
			return t
		}
	}
	return now.Add(24 * time.Hour)
}

// Backend turns the screen on or off.
type Backend struct {
	Name string
	On   []string
	Off  []string
}

// Detect picks the backend for the session from its environment: wlopm
// under Wayland (labwc, cage), xset under X11.
func Detect(getenv func(string) string, lookPath func(string) (string, error)) (Backend, error) {
	if getenv("WAYLAND_DISPLAY") != "" {
		if _, err := lookPath("wlopm"); err == nil {
			return Backend{Name: "wlopm", On: []string{"wlopm", "--on", "*"}, Off: []string{"wlopm", "--off", "*"}}, nil
		}
		return Backend{}, errors.New("display: Wayland session without wlopm (sudo apt install wlopm)")
	}
	if getenv("DISPLAY") != "" {
		if _, err := lookPath("xset"); err == nil {
			return Backend{Name: "xset", On: []string{"xset", "dpms", "force", "on"}, Off: []string{"xset", "dpms", "force", "off"}}, nil
		}
		return Backend{}, errors.New("display: X11 session without xset (sudo apt install x11-xserver-utils)")
	}
	return Backend{}, errors.New("display: neither WAYLAND_DISPLAY nor DISPLAY is set; run from the desktop session")
}

// Helper polls the server's schedule and applies changes.
type Helper struct {
	URL     string // http://127.0.0.1:8080/api/display
	Backend Backend
	Client  *http.Client
	Log     *slog.Logger
	Run     func(ctx context.Context, argv []string) error // exec in production

	applied *bool
}

// Exec runs a command, for Helper.Run.
func Exec(ctx context.Context, argv []string) error {
	out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", argv[0], err, out)
	}
	return nil
}

// Step fetches the schedule once and switches the screen if it differs
// from what was last applied. A server that cannot be reached changes
// nothing: the screen stays as it is.
func (h *Helper) Step(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.URL, nil)
	if err != nil {
		return err
	}
	res, err := h.Client.Do(req)
	if err != nil {
		return fmt.Errorf("display: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("display: %s answered %s", h.URL, res.Status)
	}
	var st State
	if err := json.NewDecoder(res.Body).Decode(&st); err != nil {
		return fmt.Errorf("display: decoding schedule: %w", err)
	}
	if h.applied != nil && *h.applied == st.On {
		return nil
	}
	argv := h.Backend.Off
	if st.On {
		argv = h.Backend.On
	}
	if err := h.Run(ctx, argv); err != nil {
		return err
	}
	on := st.On
	h.applied = &on
	h.Log.Info("display switched", "on", on, "backend", h.Backend.Name)
	return nil
}

// Loop calls Step every interval until ctx is done.
func (h *Helper) Loop(ctx context.Context, interval time.Duration) error {
	for {
		if err := h.Step(ctx); err != nil && ctx.Err() == nil {
			h.Log.Warn("display step failed", "error", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(interval):
		}
	}
}
