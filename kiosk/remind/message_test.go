package remind

import (
	"strings"
	"testing"
	"time"

	"kiosk/kiosk/calendar"
	"kiosk/kiosk/srt"
)

func TestEventMessage(t *testing.T) {
	seoul := mustLoad(t, "Asia/Seoul")
	start := time.Date(2026, 11, 22, 10, 0, 0, 0, seoul)
	tests := []struct {
		name    string
		locale  string
		event   calendar.Event
		minutes int
		late    time.Duration // run this long after the reminder time (catch-up)
		want    string
	}{
		{"ko 30", "ko", ev("Dentist", start), 30, 0, "11-22 10:00\nDentist\n일정이 30분 후 시작합니다."},
		{"en 30", "en", ev("Dentist", start), 30, 0, "11-22 10:00\nDentist\nStarts in 30 minutes."},
		{"en 1", "en", ev("Dentist", start), 1, 0, "11-22 10:00\nDentist\nStarts in 1 minute."},
		{"ko 0", "ko", ev("Dentist", start), 0, 0, "11-22 10:00\nDentist\n일정이 지금 시작합니다."},
		{"en 0", "en", ev("Dentist", start), 0, 0, "11-22 10:00\nDentist\nStarts now."},
		{"ko 120 in hours", "ko", ev("Dentist", start), 120, 0, "11-22 10:00\nDentist\n일정이 2시간 후 시작합니다."},
		{"en 60 in hours", "en", ev("Dentist", start), 60, 0, "11-22 10:00\nDentist\nStarts in 1 hour."},
		{"en 90 stays minutes", "en", ev("Dentist", start), 90, 0, "11-22 10:00\nDentist\nStarts in 90 minutes."},
		{"ko 1440 in days", "ko", ev("Dentist", start), 1440, 0, "11-22 10:00\nDentist\n일정이 1일 후 시작합니다."},
		{"en 2880 in days", "en", ev("Dentist", start), 2880, 0, "11-22 10:00\nDentist\nStarts in 2 days."},
		{"caught up 7 min late says what is left", "ko", ev("Dentist", start), 30, 7 * time.Minute, "11-22 10:00\nDentist\n일정이 23분 후 시작합니다."},
		{"no title", "ko", ev("", start), 30, 0, "11-22 10:00\n(제목 없음)\n일정이 30분 후 시작합니다."},
		{"all-day shows the date only", "en", allDay("Holiday", time.Date(2026, 11, 23, 0, 0, 0, 0, seoul)), 600, 0, "11-23\nHoliday\nStarts in 10 hours."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := tt.event
			e.Reminders = []int{tt.minutes}
			at := e.Start.Add(-time.Duration(tt.minutes) * time.Minute)
			now := at.Add(tt.late)
			w, _ := Plan(now, at, 10*time.Minute)
			due := EventDues([]calendar.Event{e}, w, EventRules{Location: seoul, Locale: tt.locale})
			if len(due) != 1 {
				t.Fatalf("%d due, want 1", len(due))
			}
			if due[0].Message != tt.want {
				t.Errorf("message\n%q\nwant\n%q", due[0].Message, tt.want)
			}
			if due[0].Kind != KindEvent || !due[0].NotAfter.Equal(e.Start) {
				t.Errorf("kind %q, not after %s", due[0].Kind, due[0].NotAfter)
			}
		})
	}
}

func TestTrainDues(t *testing.T) {
	seoul := mustLoad(t, "Asia/Seoul")
	dep := time.Date(2026, 11, 22, 10, 0, 0, 0, seoul)
	deadline := time.Date(2026, 11, 21, 18, 0, 0, 0, seoul)
	res := srt.Reservation{PNR: "FAKE-PNR-1", Train: "SRT 301", DepartureStation: "수서", ArrivalStation: "부산",
		Departure: dep, Arrival: dep.Add(150 * time.Minute), PaymentDeadline: &deadline}
	paid := res
	paid.Paid = true
	standby := res
	standby.Standby = true
	rules := TrainRules{BeforeMinutes: 60, PaymentMinutes: 30, Location: seoul, Locale: "ko"}
	at := func(t time.Time) Window { w, _ := Plan(t, time.Time{}, 10*time.Minute); return w }
	tests := []struct {
		name  string
		res   srt.Reservation
		w     Window
		rules TrainRules
		want  []string // messages
	}{
		{"departure", res, at(dep.Add(-time.Hour)), rules, []string{"11-22 10:00\nSRT 301 수서→부산\n열차가 1시간 후 출발합니다."}},
		{"departure en", res, at(dep.Add(-time.Hour)), TrainRules{BeforeMinutes: 60, Location: seoul, Locale: "en"}, []string{"11-22 10:00\nSRT 301 수서→부산\nDeparts in 1 hour."}},
		{"not a minute early", res, at(dep.Add(-61 * time.Minute)), rules, nil},
		{"payment", res, at(deadline.Add(-30 * time.Minute)), rules, []string{"11-22 10:00\nSRT 301 수서→부산\n결제 기한(11-21 18:00)까지 30분 남았습니다."}},
		{"payment en", res, at(deadline.Add(-30 * time.Minute)), TrainRules{PaymentMinutes: 30, Location: seoul, Locale: "en"}, []string{"11-22 10:00\nSRT 301 수서→부산\nPayment due in 30 minutes (11-21 18:00)."}},
		{"paid: no payment reminder", paid, at(deadline.Add(-30 * time.Minute)), rules, nil},
		{"standby: none", standby, at(dep.Add(-time.Hour)), rules, nil},
		{"0 turns the departure reminder off", res, at(dep), TrainRules{Location: seoul}, nil},
		{"message replaced", res, at(dep.Add(-time.Hour)), TrainRules{BeforeMinutes: 60, Location: seoul,
			DepartureMessage: func(r srt.Reservation, left time.Duration) string { return r.Train + " " + left.String() }}, []string{"SRT 301 1h0m0s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			due := Scan(tt.w, TrainDues([]srt.Reservation{tt.res}, tt.w, tt.rules))
			if len(due) != len(tt.want) {
				t.Fatalf("%d due, want %d: %v", len(due), len(tt.want), due)
			}
			for i, d := range due {
				if d.Message != tt.want[i] {
					t.Errorf("message\n%q\nwant\n%q", d.Message, tt.want[i])
				}
				if d.Kind != KindTrain {
					t.Errorf("kind %q", d.Kind)
				}
			}
		})
	}
	// The departure and the payment reminder of one reservation, and the
	// same reminder of two reservations, have different IDs; the IDs do not
	// show the reservation number.
	w := Window{From: deadline.Add(-time.Hour), To: dep, Now: deadline}
	other := res
	other.PNR = "FAKE-PNR-2"
	ids := map[string]bool{}
	for _, d := range TrainDues([]srt.Reservation{res, other}, w, TrainRules{BeforeMinutes: 60, PaymentMinutes: 30, Location: seoul}) {
		if ids[d.ID] {
			t.Errorf("ID %s twice", d.ID)
		}
		if strings.Contains(d.ID, "PNR") {
			t.Errorf("ID %s shows the reservation number", d.ID)
		}
		ids[d.ID] = true
	}
	if len(ids) != 4 {
		t.Errorf("%d distinct IDs, want 4", len(ids))
	}
}
