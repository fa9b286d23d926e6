package srt

import (
	"testing"
	"time"
)

func TestMessages(t *testing.T) {
	utc := time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC) // 10:00 in Korea, 02:00 in Berlin
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	deadline := utc.Add(30 * time.Minute)
	r := Reservation{Train: "SRT 301", DepartureStation: "수서", ArrivalStation: "부산", Departure: utc, PaymentDeadline: &deadline}
	tests := []struct{ got, want string }{
		{DepartureMessage(r, 60, "ko", kst), "11-22 10:00\nSRT 301 수서→부산\n열차가 60분 후 출발합니다."},
		{DepartureMessage(r, 60, "en", kst), "11-22 10:00\nSRT 301 수서→부산\nDeparts in 60 minutes."},
		{DepartureMessage(r, 1, "en-GB", kst), "11-22 10:00\nSRT 301 수서→부산\nDeparts in 1 minute."},
		{DepartureMessage(r, 15, "", kst), "11-22 10:00\nSRT 301 수서→부산\n열차가 15분 후 출발합니다."},
		{PaymentMessage(r, "ko", kst), "11-22 10:00\nSRT 301 수서→부산\n결제기한 11-22 10:30까지 결제하지 않으면 예약이 취소됩니다."},
		{PaymentMessage(r, "en", kst), "11-22 10:00\nSRT 301 수서→부산\nPay by 11-22 10:30 or the reservation is cancelled."},
		{DepartureMessage(r, 60, "en", berlin), "11-22 02:00\nSRT 301 수서→부산\nDeparts in 60 minutes."},
		{PaymentMessage(r, "en", berlin), "11-22 02:00\nSRT 301 수서→부산\nPay by 11-22 02:30 or the reservation is cancelled."},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("got %q\nwant %q", tc.got, tc.want)
		}
	}
}
