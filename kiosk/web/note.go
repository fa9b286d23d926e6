package web

import (
	"regexp"
	"strings"
)

// The ICS source's note, "3 lines skipped (first: line without a value)",
// is made of fixed words (kiosk/ics Feed.Note); noteRe takes it apart so the
// status page can say it in its own language.
var (
	noteRe       = regexp.MustCompile(`^(\d+) lines? skipped \((?:first: )?(.*)\)$`)
	noteReasonRe = regexp.MustCompile(`^(?:unreadable (\S+) left out|(\S+) past the limit left out)$`)
)

// koNoteReasons are the Korean words for kiosk/ics's skip reasons.
var koNoteReasons = map[string]string{
	"END of a component that is not open":        "열리지 않은 항목의 END",
	"continuation line without a line before it": "앞 줄 없는 이어진 줄",
	"event with an unreadable RECURRENCE-ID":     "RECURRENCE-ID를 읽을 수 없는 일정",
	"event with an unreadable DTSTART":           "DTSTART를 읽을 수 없는 일정",
	"event without DTSTART":                      "DTSTART 없는 일정",
	"line outside the calendar":                  "캘린더 밖의 줄",
	"line without a property name":               "속성 이름 없는 줄",
	"line without a value":                       "값 없는 줄",
	"lines before BEGIN:VCALENDAR":               "BEGIN:VCALENDAR 앞의 줄",
	"no END:VCALENDAR":                           "END:VCALENDAR 없음",
	"too many events":                            "일정이 너무 많음",
}

// noteText is a source's note in the page's locale; a note it does not
// know stays as it is.
func noteText(note, locale string) string {
	if locale != "ko" {
		return note
	}
	m := noteRe.FindStringSubmatch(note)
	if m == nil {
		return note
	}
	reason, ok := koNoteReasons[m[2]]
	if r := noteReasonRe.FindStringSubmatch(m[2]); r != nil {
		ok = true
		if r[1] != "" {
			reason = "읽을 수 없는 " + r[1] + " 제외"
		} else {
			reason = "한도를 넘은 " + r[2] + " 제외"
		}
	}
	if !ok {
		reason = m[2]
	}
	if m[1] == "1" {
		return "1줄 건너뜀 (" + reason + ")"
	}
	return m[1] + "줄 건너뜀 (첫 번째: " + strings.TrimSpace(reason) + ")"
}
