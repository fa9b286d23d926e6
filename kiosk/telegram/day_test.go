package telegram

import (
	"strings"
	"testing"
	"time"

	"kiosk/kiosk/calendar"
	"kiosk/kiosk/srt"
)

func TestDay(t *testing.T) {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	at := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, seoul) }
	events := []calendar.Event{
		{Summary: "삼일절", AllDay: true, Start: at(1, 0, 0), End: at(2, 0, 0)},
		{Summary: "치과", Location: "역삼", Start: at(2, 10, 0), End: at(2, 11, 0)},
		{Summary: "캠프", AllDay: true, Start: at(2, 0, 0), End: at(4, 0, 0)},
		{Summary: "야간 작업", Start: at(1, 23, 0), End: at(2, 1, 0)}, // runs into the day
		{Summary: "내일 회의", Start: at(3, 9, 0), End: at(3, 10, 0)},
	}
	trains := []srt.Reservation{
		{Train: "SRT 301", DepartureStation: "수서", ArrivalStation: "부산", Departure: at(2, 8, 0), Car: "3", Seat: "7A"},
		{Train: "SRT 302", DepartureStation: "부산", ArrivalStation: "수서", Departure: at(3, 18, 0)},
	}
	got := Day(at(2, 23, 59), events, trains, "ko")
	for _, want := range []string{"3월 2일 (월)", "• 10:00 치과 (역삼)", "• 종일 캠프", "• 23:00 야간 작업", "🚄 08:00 SRT 301 수서→부산 3-7A"} {
		if !strings.Contains(got, want) {
			t.Errorf("Day lacks %q:\n%s", want, got)
		}
	}
	for _, not := range []string{"삼일절", "내일 회의", "SRT 302"} {
		if strings.Contains(got, not) {
			t.Errorf("Day lists %q of another day:\n%s", not, got)
		}
	}
	if got := Day(at(10, 9, 0), events, trains, "en"); !strings.HasSuffix(got, "Nothing planned.") || !strings.HasPrefix(got, "Tue 10 Mar") {
		t.Errorf("an empty day: %q", got)
	}
}
