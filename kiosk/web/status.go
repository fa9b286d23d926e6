package web

import (
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"

	"kiosk/kiosk/display"
	"kiosk/kiosk/jobs"
	"kiosk/kiosk/push"
	"kiosk/kiosk/remind"
	"kiosk/kiosk/source"
)

// StatusJSON is the /api/status contract (docs/api.md).
type StatusJSON struct {
	Version             string                `json:"version"`
	UptimeSeconds       int64                 `json:"uptime_seconds"`
	Time                string                `json:"time"`
	Timezone            string                `json:"timezone"`
	ClockSynced         *bool                 `json:"clock_synced"`
	Sources             []source.Status       `json:"sources"`
	Jobs                []JobJSON             `json:"jobs"`
	NotificationsActive int                   `json:"notifications_active"`
	Notifications       []remind.Notification `json:"notifications"`
	Reminders           *RemindersJSON        `json:"reminders"`
	Display             display.State         `json:"display"`
	MemoryRSSBytes      *int64                `json:"memory_rss_bytes"`
	StoreBytes          *int64                `json:"store_bytes"`
	DataDirFreeBytes    *int64                `json:"data_dir_free_bytes"`
	CPUTempCelsius      *float64              `json:"cpu_temp_celsius"`
	Throttled           *Throttle             `json:"throttled"`
	Warnings            []string              `json:"warnings"`
	Push                []push.ChannelStatus  `json:"push"`
}

// JobJSON is a job with RFC 3339 times in the configured zone.
type JobJSON struct {
	Name      string  `json:"name"`
	LastRun   *string `json:"last_run"`
	NextRun   *string `json:"next_run"`
	LastError string  `json:"last_error"`
}

// RemindersJSON is the reminder job's last window and clock steps.
type RemindersJSON struct {
	LastRun    *string `json:"last_run"`
	WindowFrom *string `json:"window_from"`
	WindowTo   *string `json:"window_to"`
	Queued     int     `json:"queued"`
	Error      string  `json:"error"`
	JumpAt     *string `json:"jump_at"`
	JumpSecs   *int64  `json:"jump_seconds"`
}

// Throttle decodes the Raspberry Pi firmware's throttling flags.
type Throttle struct {
	UnderVoltage     bool `json:"under_voltage"`
	FreqCapped       bool `json:"freq_capped"`
	Throttled        bool `json:"throttled"`
	SoftTempLimit    bool `json:"soft_temp_limit"`
	UnderVoltageSeen bool `json:"under_voltage_since_boot"`
	ThrottledSeen    bool `json:"throttled_since_boot"`
}

// StatusInfo is what the status page needs beyond the board and queue.
type StatusInfo struct {
	Started    time.Time
	Jobs       func() []jobs.Status
	Reminders  func() remind.Status
	StoreBytes func() int64
	DataDir    string
	Warnings   func() []string
	Push       func() []push.ChannelStatus // nil: no push configured
	// Sys reads /sys and /proc (tests give a fake).
	Sys fs.FS
}

func (s *Server) optTime(t *time.Time) *string {
	if t == nil || t.IsZero() {
		return nil
	}
	v := rfc3339(*t, s.cfg.Location)
	return &v
}

func (s *Server) statusJSON(now time.Time) StatusJSON {
	loc := s.cfg.Location
	snap := s.board.Snapshot()
	active := s.queue.Active(now)
	st := StatusJSON{
		Version:             s.version,
		UptimeSeconds:       int64(now.Sub(s.info.Started).Seconds()),
		Time:                rfc3339(now, loc),
		Timezone:            loc.String(),
		Sources:             s.sources(snap),
		Jobs:                []JobJSON{},
		NotificationsActive: len(active),
		Notifications:       active,
		Display:             display.At(s.cfg.Display, now, loc),
		Warnings:            []string{},
	}
	if synced, known := s.synced(); known {
		st.ClockSynced = &synced
	}
	if s.info.Jobs != nil {
		for _, j := range s.info.Jobs() {
			st.Jobs = append(st.Jobs, JobJSON{Name: j.Name, LastRun: s.optTime(j.LastRun), NextRun: s.optTime(j.NextRun), LastError: j.LastError})
		}
	}
	if s.info.Reminders != nil {
		r := s.info.Reminders()
		rj := &RemindersJSON{LastRun: s.optTime(&r.LastRun), WindowFrom: s.optTime(&r.From), WindowTo: s.optTime(&r.To),
			Queued: r.Queued, Error: r.Error}
		if r.Jump != nil {
			rj.JumpAt = s.optTime(&r.Jump.At)
			secs := int64(r.Jump.Seconds)
			rj.JumpSecs = &secs
		}
		st.Reminders = rj
	}
	if s.info.StoreBytes != nil {
		n := s.info.StoreBytes()
		st.StoreBytes = &n
	}
	if s.info.Warnings != nil {
		st.Warnings = append(st.Warnings, s.info.Warnings()...)
	}
	st.Push = []push.ChannelStatus{}
	if s.info.Push != nil {
		st.Push = s.info.Push()
	}
	if s.info.Sys != nil {
		st.MemoryRSSBytes = rss(s.info.Sys)
		st.CPUTempCelsius = cpuTemp(s.info.Sys)
		st.Throttled = throttled(s.info.Sys)
	}
	if s.info.DataDir != "" {
		var fsst syscall.Statfs_t
		if err := syscall.Statfs(s.info.DataDir, &fsst); err == nil {
			free := int64(fsst.Bavail) * int64(fsst.Bsize)
			st.DataDirFreeBytes = &free
		}
	}
	return st
}

// rss reads the resident set size from /proc/self/statm (in pages).
func rss(sys fs.FS) *int64 {
	b, err := fs.ReadFile(sys, "proc/self/statm")
	if err != nil {
		return nil
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return nil
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return nil
	}
	v := pages * int64(syscall.Getpagesize())
	return &v
}

// cpuTemp reads the SoC temperature (millidegrees) where the kernel exposes it.
func cpuTemp(sys fs.FS) *float64 {
	b, err := fs.ReadFile(sys, "sys/class/thermal/thermal_zone0/temp")
	if err != nil {
		return nil
	}
	m, err := strconv.ParseFloat(strings.TrimSpace(string(b)), 64)
	if err != nil {
		return nil
	}
	c := m / 1000
	return &c
}

// throttled decodes get_throttled, which the Raspberry Pi firmware driver
// exposes in sysfs (the same bits as `vcgencmd get_throttled`).
func throttled(sys fs.FS) *Throttle {
	b, err := fs.ReadFile(sys, "sys/devices/platform/soc/soc:firmware/get_throttled")
	if err != nil {
		return nil
	}
	v, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimSpace(string(b)), "0x"), 16, 32)
	if err != nil {
		return nil
	}
	return &Throttle{
		UnderVoltage: v&(1<<0) != 0, FreqCapped: v&(1<<1) != 0, Throttled: v&(1<<2) != 0,
		SoftTempLimit: v&(1<<3) != 0, UnderVoltageSeen: v&(1<<16) != 0, ThrottledSeen: v&(1<<18) != 0,
	}
}

func (s *Server) handleStatusJSON(c *fiber.Ctx) error {
	c.Set("Cache-Control", "no-store")
	return c.JSON(s.statusJSON(s.now()))
}

// Status page view.

type statusView struct {
	Assets  string
	Lang    string
	Version string
	T       statusTexts
	Body    statusBody
}

type statusBody struct {
	Overall   string // ok, warn, bad
	Headline  string
	Time      string
	Zone      string
	Uptime    string
	Clock     string
	Sources   []sourceRow
	Jobs      []jobRow
	Reminders string
	Jump      string
	Notes     []string // active notifications
	Screen    string
	Memory    string
	Store     string
	Disk      string
	Temp      string
	Power     string
	Warnings  []string
	Push      []pushRow
}

type sourceRow struct {
	Name, Kind, State, Class, Updated, Problem, NextTry string
}

type jobRow struct {
	Name, Last, Next, Error string
}

func mb(n *int64) string {
	if n == nil {
		return "—"
	}
	return fmt.Sprintf("%.1f MB", float64(*n)/1e6)
}

func (s *Server) statusBody(now time.Time) statusBody {
	t := statusLocales[s.cfg.Locale]
	st := s.statusJSON(now)
	loc := s.cfg.Location
	when := func(p *time.Time) string {
		if p == nil || p.IsZero() {
			return "—"
		}
		return p.In(loc).Format("01-02 15:04:05")
	}
	b := statusBody{
		Overall: "ok", Headline: t.AllGood,
		Time: now.In(loc).Format("2006-01-02 15:04:05"), Zone: loc.String(),
		Uptime: (time.Duration(st.UptimeSeconds) * time.Second).String(),
		Memory: mb(st.MemoryRSSBytes), Store: mb(st.StoreBytes), Disk: mb(st.DataDirFreeBytes),
		Temp: "—", Power: "—", Warnings: st.Warnings,
	}
	switch {
	case st.ClockSynced == nil:
		b.Clock = t.ClockUnknown
	case *st.ClockSynced:
		b.Clock = t.ClockSynced
	default:
		b.Clock = t.ClockNotSynced
		b.Overall, b.Headline = "warn", t.ClockNotSynced
	}
	for _, src := range st.Sources {
		row := sourceRow{Name: src.Name, Kind: src.Kind, Updated: when(src.Updated)}
		switch {
		case src.OK:
			row.State, row.Class = t.OK, "ok"
		case src.Updated == nil && src.Error == "":
			row.State, row.Class = t.Waiting, "warn"
		default:
			row.State, row.Class = t.Failing, "bad"
			if src.Stale {
				row.State = t.Stale
			}
			row.Problem = plainError(src.Error, s.cfg.Locale)
			row.NextTry = when(src.NextTry)
			if b.Overall != "bad" {
				b.Overall, b.Headline = "bad", fmt.Sprintf(t.SourceFailing, src.Name)
			}
		}
		b.Sources = append(b.Sources, row)
	}
	for _, j := range s.info.jobs() {
		b.Jobs = append(b.Jobs, jobRow{Name: j.Name, Last: when(j.LastRun), Next: when(j.NextRun), Error: j.LastError})
	}
	if s.info.Reminders != nil {
		r := s.info.Reminders()
		if !r.From.IsZero() {
			b.Reminders = r.From.In(loc).Format("15:04:05") + " – " + r.To.In(loc).Format("15:04:05")
		}
		if r.Jump != nil {
			b.Jump = fmt.Sprintf(t.Jump, r.Jump.At.In(loc).Format("01-02 15:04"),
				time.Duration(r.Jump.Seconds*float64(time.Second)).Round(time.Second))
		}
	}
	for _, n := range st.Notifications {
		b.Notes = append(b.Notes, n.Message)
	}
	b.Screen = t.ScreenOn
	if !st.Display.On {
		b.Screen = t.ScreenOff
	}
	if st.CPUTempCelsius != nil {
		b.Temp = fmt.Sprintf("%.1f °C", *st.CPUTempCelsius)
	}
	if th := st.Throttled; th != nil {
		switch {
		case th.UnderVoltage:
			b.Power = t.UnderVoltage
			b.Overall, b.Headline = "bad", t.UnderVoltage
		case th.Throttled || th.FreqCapped:
			b.Power = t.Throttled
		case th.UnderVoltageSeen:
			b.Power = t.UnderVoltageSeen
		default:
			b.Power = t.OK
		}
	}
	b.Push = s.pushRows(loc)
	if len(b.Warnings) > 0 && b.Overall == "ok" {
		b.Overall, b.Headline = "warn", b.Warnings[0]
	}
	return b
}

func (i StatusInfo) jobs() []jobs.Status {
	if i.Jobs == nil {
		return nil
	}
	return i.Jobs()
}

func (s *Server) handleStatusPage(c *fiber.Ctx) error {
	c.Set("Cache-Control", "no-store")
	return c.Render("status", statusView{Assets: s.assets, Lang: s.cfg.Locale, Version: s.version,
		T: statusLocales[s.cfg.Locale], Body: s.statusBody(s.now())})
}

func (s *Server) handleStatusPartial(c *fiber.Ctx) error {
	c.Set("Cache-Control", "no-store")
	return c.Render("status-body", statusView{Assets: s.assets, Lang: s.cfg.Locale, Version: s.version,
		T: statusLocales[s.cfg.Locale], Body: s.statusBody(s.now())})
}

// plainError turns a source's error into words a non-engineer can act on,
// keeping the (scrubbed) detail after them.
func plainError(msg, locale string) string {
	if msg == "" {
		return ""
	}
	m := strings.ToLower(msg)
	t := statusLocales[locale]
	var plain string
	switch {
	case strings.Contains(m, "password") || strings.Contains(m, "credential") || strings.Contains(m, "no such member"):
		plain = t.ErrCredentials
	case strings.Contains(m, "blocked"):
		plain = t.ErrBlocked
	case strings.Contains(m, "401") || strings.Contains(m, "403") || strings.Contains(m, "unauthorized") ||
		strings.Contains(m, "forbidden") || strings.Contains(m, "access denied") || strings.Contains(m, "invalid_grant"):
		plain = t.ErrAccess
	case strings.Contains(m, "404") || strings.Contains(m, "not found") || strings.Contains(m, "no such file"):
		plain = t.ErrNotFound
	case strings.Contains(m, "429") || strings.Contains(m, "too many") || strings.Contains(m, "rate"):
		plain = t.ErrRate
	case strings.Contains(m, "timeout") || strings.Contains(m, "deadline"):
		plain = t.ErrTimeout
	case strings.Contains(m, "no such host") || strings.Contains(m, "connection refused") ||
		strings.Contains(m, "network is unreachable") || strings.Contains(m, "dial"):
		plain = t.ErrNetwork
	case strings.Contains(m, "larger than") || strings.Contains(m, "too large"):
		plain = t.ErrTooLarge
	case strings.Contains(m, "500") || strings.Contains(m, "502") || strings.Contains(m, "503") || strings.Contains(m, "server error"):
		plain = t.ErrServer
	case strings.Contains(m, "decode") || strings.Contains(m, "parse") || strings.Contains(m, "unexpected") || strings.Contains(m, "invalid"):
		plain = t.ErrData
	default:
		plain = t.ErrOther
	}
	return plain + " (" + msg + ")"
}
