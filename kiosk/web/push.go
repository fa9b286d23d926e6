package web

import (
	"strconv"
	"time"
)

// Summary is the status page's headline and its failing sources in plain
// words, for the Telegram bot's /status.
func (s *Server) Summary() (headline string, problems []string) {
	b := s.statusBody(s.now())
	for _, src := range b.Sources {
		if src.Class == "bad" {
			problems = append(problems, src.Name+": "+src.Problem)
		}
	}
	return b.Headline, problems
}

// pushRow is one phone channel on the status page.
type pushRow struct {
	Name, State, Class, Detail string
}

func (s *Server) pushRows(loc *time.Location) []pushRow {
	if s.info.Push == nil {
		return nil
	}
	t := statusLocales[s.cfg.Locale]
	var rows []pushRow
	for _, c := range s.info.Push() {
		r := pushRow{Name: c.Name, State: t.OK, Class: "ok"}
		switch {
		case c.Blocked:
			r.State, r.Class = t.PushBlocked, "bad"
		case c.Error != "":
			r.State, r.Class = t.PushRetrying, "warn"
		}
		if c.LastSent != nil {
			r.Detail = t.PushLastSent + " " + c.LastSent.In(loc).Format("01-02 15:04")
		}
		if c.Held > 0 {
			r.Detail += " · " + t.PushHeld + " " + strconv.Itoa(c.Held)
		}
		if c.Pending > 0 {
			r.Detail += " · " + t.PushWaiting + " " + strconv.Itoa(c.Pending)
		}
		if c.Error != "" {
			r.Detail += " · " + c.Error
		}
		rows = append(rows, r)
	}
	return rows
}
