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

var pushTexts = map[string]struct{ Title, OK, Blocked, Failing, Held, Pending, LastSent string }{
	"en": {"Phones", "ok", "blocked: nothing is sent", "retrying", "held for the morning", "waiting", "last sent"},
	"ko": {"휴대폰 알림", "정상", "차단됨: 보내지 않음", "다시 시도 중", "아침까지 보류", "대기", "마지막 전송"},
}

func (s *Server) pushRows(loc *time.Location) []pushRow {
	if s.info.Push == nil {
		return nil
	}
	t := pushTexts[s.cfg.Locale]
	var rows []pushRow
	for _, c := range s.info.Push() {
		r := pushRow{Name: c.Name, State: t.OK, Class: "ok"}
		switch {
		case c.Blocked:
			r.State, r.Class = t.Blocked, "bad"
		case c.Error != "":
			r.State, r.Class = t.Failing, "warn"
		}
		if c.LastSent != nil {
			r.Detail = t.LastSent + " " + c.LastSent.In(loc).Format("01-02 15:04")
		}
		if c.Held > 0 {
			r.Detail += " · " + t.Held + " " + strconv.Itoa(c.Held)
		}
		if c.Pending > 0 {
			r.Detail += " · " + t.Pending + " " + strconv.Itoa(c.Pending)
		}
		if c.Error != "" {
			r.Detail += " · " + c.Error
		}
		rows = append(rows, r)
	}
	return rows
}
