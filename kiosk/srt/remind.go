package srt

import (
	"fmt"
	"strings"
	"time"
)

// The reminders themselves (when, which IDs) are kiosk/remind's TrainDues;
// these are their texts.

// DepartureMessage is the departure reminder, e.g. in ko
// "11-22 10:00\nSRT 301 수서→부산\n열차가 60분 후 출발합니다." and in en
// "…\nDeparts in 60 minutes.". Times are in loc, the kiosk's zone, as on
// the board.
func DepartureMessage(r Reservation, minutes int, locale string, loc *time.Location) string {
	if english(locale) {
		unit := "minutes"
		if minutes == 1 {
			unit = "minute"
		}
		return fmt.Sprintf("%s\nDeparts in %d %s.", heading(r, loc), minutes, unit)
	}
	return fmt.Sprintf("%s\n열차가 %d분 후 출발합니다.", heading(r, loc), minutes)
}

// PaymentMessage is the unpaid-hold reminder, e.g. in ko
// "11-22 10:00\nSRT 301 수서→부산\n결제기한 11-22 10:30까지 결제하지 않으면 예약이 취소됩니다."
// and in en "…\nPay by 11-22 10:30 or the reservation is cancelled.", in loc.
func PaymentMessage(r Reservation, locale string, loc *time.Location) string {
	deadline := "?"
	if r.PaymentDeadline != nil {
		deadline = stamp(*r.PaymentDeadline, loc)
	}
	if english(locale) {
		return fmt.Sprintf("%s\nPay by %s or the reservation is cancelled.", heading(r, loc), deadline)
	}
	return fmt.Sprintf("%s\n결제기한 %s까지 결제하지 않으면 예약이 취소됩니다.", heading(r, loc), deadline)
}

// heading is "MM-DD HH:MM\nSRT 301 수서→부산".
func heading(r Reservation, loc *time.Location) string {
	return stamp(r.Departure, loc) + "\n" + r.Train + " " + r.DepartureStation + "→" + r.ArrivalStation
}

func stamp(t time.Time, loc *time.Location) string { return t.In(loc).Format("01-02 15:04") }

func english(locale string) bool { return strings.HasPrefix(strings.ToLower(locale), "en") }
