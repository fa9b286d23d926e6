package web

import (
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"

	"kiosk/cache"
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
	// Fallback says whether the store is kept in memory because the data
	// dir cannot be written or its disk is full; what it holds is then lost
	// at restart, and the status headline and the page say so.
	Fallback cache.Fallback
	// UnsafeFiles hold a secret and are readable by every user.
	UnsafeFiles []string
	// Recovered is where a store that could not be opened was moved.
	Recovered string
	// Warnings are further warnings, shown as they are.
	Warnings func() []string
	Push     func() []push.ChannelStatus // nil: no push configured
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
	for _, w := range s.runWarnings(statusLocales["en"], true) {
		st.Warnings = append(st.Warnings, w.String())
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
	Admin   bool // an admin token is set: the admin form is shown
	T       statusTexts
	Body    statusBody
}

type statusBody struct {
	Overall   string // ok, warn, bad
	Headline  string
	Fix       *advice // how to fix what the headline says
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
	Warnings  []advice
	Push      []pushRow
}

// advice is a sentence, then the commands, paths or keys it names, which
// the page sets as code.
type advice struct {
	Text string
	Code []string
}

func (n advice) String() string {
	if len(n.Code) == 0 {
		return n.Text
	}
	return n.Text + " " + strings.Join(n.Code, " ")
}

// runWarnings are the warnings about how the kiosk runs, in a locale; with
// storage, the data dir's problem too (the page has it as its headline).
func (s *Server) runWarnings(t statusTexts, storage bool) []advice {
	var out []advice
	for _, f := range s.info.UnsafeFiles {
		out = append(out, advice{t.UnsafeFile, []string{f, "chmod 600 " + f}})
	}
	if s.info.Recovered != "" {
		out = append(out, advice{t.Recovered, []string{s.info.Recovered}})
	}
	if h, fix := storageProblem(t, s.info.Fallback, s.info.DataDir); h != "" && storage {
		out = append(out, advice{h + ". " + fix.Text, fix.Code})
	}
	return out
}

// storageProblem is the headline and the fix for a store kept in memory.
func storageProblem(t statusTexts, f cache.Fallback, dir string) (string, advice) {
	switch f {
	case cache.ReadOnly:
		return t.DataDirReadOnly, advice{t.DataDirReadOnlyFix, []string{"sudo chown -R " + processUser() + " " + dir, "StateDirectory=kiosk"}}
	case cache.DiskFull:
		return t.DataDirFull, advice{t.DataDirFullFix, []string{dir, "sudo journalctl --vacuum-size=50M"}}
	}
	return "", advice{}
}

// processUser names the user the kiosk runs as, for a chown command.
func processUser() string {
	id := strconv.Itoa(os.Getuid())
	if u, err := user.LookupId(id); err == nil {
		return u.Username
	}
	return id
}

type sourceRow struct {
	Name, Kind, State, Class, Updated, Problem, Detail, NextTry, Note string
}

type jobRow struct {
	Name, Last, Next, Error string
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
		Uptime: t.duration(time.Duration(st.UptimeSeconds) * time.Second),
		Memory: bytesText(st.MemoryRSSBytes), Store: bytesText(st.StoreBytes), Disk: bytesText(st.DataDirFreeBytes),
		Temp: "—", Power: "—", Warnings: s.runWarnings(t, false),
	}
	if s.info.Warnings != nil {
		for _, w := range s.info.Warnings() {
			b.Warnings = append(b.Warnings, advice{Text: w})
		}
	}
	if h, fix := storageProblem(t, s.info.Fallback, s.info.DataDir); h != "" {
		b.Overall, b.Headline, b.Fix = "bad", h, &fix
	}
	switch {
	case st.ClockSynced == nil:
		b.Clock = t.ClockUnknown
	case *st.ClockSynced:
		b.Clock = t.ClockSynced
	default:
		b.Clock = t.ClockNotSynced
		if b.Overall == "ok" {
			b.Overall, b.Headline = "warn", t.ClockNotSynced
		}
	}
	for _, src := range st.Sources {
		row := sourceRow{Name: t.word(t.SourceNames, src.Name), Kind: t.word(t.Kinds, src.Kind), Updated: when(src.Updated), Note: noteText(src.Note, s.cfg.Locale)}
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
			// The advice in the page's language; the raw detail after it
			// is set apart as code.
			row.Problem = sourceAdvice(src, s.cfg.Locale)
			if plain, ok := strings.CutSuffix(row.Problem, " ("+src.Error+")"); ok {
				row.Problem, row.Detail = plain, src.Error
			}
			row.NextTry = when(src.NextTry)
			if b.Overall != "bad" {
				b.Overall, b.Headline = "bad", fmt.Sprintf(t.SourceFailing, src.Name)
			}
		}
		b.Sources = append(b.Sources, row)
	}
	for _, j := range s.info.jobs() {
		b.Jobs = append(b.Jobs, jobRow{Name: t.word(t.JobNames, j.Name), Last: when(j.LastRun), Next: when(j.NextRun), Error: j.LastError})
	}
	if s.info.Reminders != nil {
		r := s.info.Reminders()
		if !r.From.IsZero() {
			b.Reminders = r.From.In(loc).Format("15:04:05") + " – " + r.To.In(loc).Format("15:04:05")
		}
		if r.Jump != nil {
			format, size := t.Jump, time.Duration(r.Jump.Seconds*float64(time.Second))
			if size < 0 {
				format, size = t.JumpBack, -size
			}
			b.Jump = fmt.Sprintf(format, r.Jump.At.In(loc).Format("01-02 15:04"), t.duration(size))
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
		w := b.Warnings[0]
		b.Overall, b.Headline = "warn", strings.TrimSuffix(w.Text, ":")
		if len(w.Code) > 0 {
			b.Fix = &advice{Code: w.Code}
		}
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
	return c.Render("status", s.statusView())
}

func (s *Server) handleStatusPartial(c *fiber.Ctx) error {
	c.Set("Cache-Control", "no-store")
	return c.Render("status-body", s.statusView())
}

func (s *Server) statusView() statusView {
	return statusView{Assets: s.assets, Lang: s.cfg.Locale, Version: s.version, Admin: s.token != nil,
		T: statusLocales[s.cfg.Locale], Body: s.statusBody(s.now())}
}
