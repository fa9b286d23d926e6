package srt

import (
	"testing"
	"time"
)

func TestMessages(t *testing.T) {
	utc := time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC) // 10:00 in Korea
	deadline := utc.Add(30 * time.Minute)
	r := Reservation{Train: "SRT 301", DepartureStation: "수서", ArrivalStation: "부산", Departure: utc, PaymentDeadline: &deadline}
	tests := []struct{ got, want string }{
		{DepartureMessage(r, 60, "ko"), "11-22 10:00\nSRT 301 수서→부산\n열차가 60분 후 출발합니다."},
		{DepartureMessage(r, 60, "en"), "11-22 10:00\nSRT 301 수서→부산\nDeparts in 60 minutes."},
		{DepartureMessage(r, 1, "en-GB"), "11-22 10:00\nSRT 301 수서→부산\nDeparts in 1 minute."},
		{DepartureMessage(r, 15, ""), "11-22 10:00\nSRT 301 수서→부산\n열차가 15분 후 출발합니다."},
		{PaymentMessage(r, "ko"), "11-22 10:00\nSRT 301 수서→부산\n결제기한 11-22 10:30까지 결제하지 않으면 예약이 취소됩니다."},
		{PaymentMessage(r, "en"), "11-22 10:00\nSRT 301 수서→부산\nPay by 11-22 10:30 or the reservation is cancelled."},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("got %q\nwant %q", tc.got, tc.want)
		}
	}
}

func TestReminders(t *testing.T) {
	dep := time.Date(2026, 11, 22, 10, 0, 0, 0, kst)
	deadline := dep.Add(-2 * time.Hour)
	hold := Reservation{PNR: "1", Train: "SRT 301", Departure: dep, PaymentDeadline: &deadline}
	paid := Reservation{PNR: "2", Train: "SRT 303", Departure: dep, Paid: true}
	standby := Reservation{PNR: "3", Train: "SRT 305", Departure: dep, Standby: true}
	type due struct {
		kind string
		at   time.Time
	}
	tests := []struct {
		name        string
		r           Reservation
		depart, pay int
		want        []due
	}{
		{"unpaid hold", hold, 60, 30, []due{{KindDeparture, dep.Add(-time.Hour)}, {KindPayment, deadline.Add(-30 * time.Minute)}}},
		{"paid", paid, 60, 30, []due{{KindDeparture, dep.Add(-time.Hour)}}},
		{"standby", standby, 60, 30, nil},
		{"turned off", hold, 0, 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Reminders(tc.r, tc.depart, tc.pay, "ko")
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for i, w := range tc.want {
				if got[i].Kind != w.kind || !got[i].At.Equal(w.at) || got[i].Text == "" {
					t.Errorf("%d: got %+v, want %+v", i, got[i], w)
				}
			}
		})
	}
	a, b := Reminders(hold, 60, 30, "ko"), Reminders(hold, 60, 30, "en")
	if a[0].ID != b[0].ID || a[0].ID == a[1].ID || a[0].ID == Reminders(paid, 60, 30, "ko")[0].ID {
		t.Errorf("IDs: %q %q %q", a[0].ID, b[0].ID, a[1].ID)
	}
	moved := hold
	moved.Departure = dep.Add(time.Hour)
	if Reminders(moved, 60, 30, "ko")[0].ID == a[0].ID {
		t.Error("a changed departure kept its reminder ID")
	}
	stored := hold
	stored.PNR = "" // the store keeps no reservation number
	if Reminders(stored, 60, 30, "ko")[0].ID != a[0].ID {
		t.Error("the ID depends on the reservation number")
	}
}
