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
// "…\nDeparts in 60 minutes.". Times are Korea time whatever the kiosk's zone.
func DepartureMessage(r Reservation, minutes int, locale string) string {
	if english(locale) {
		unit := "minutes"
		if minutes == 1 {
			unit = "minute"
		}
		return fmt.Sprintf("%s\nDeparts in %d %s.", heading(r), minutes, unit)
	}
	return fmt.Sprintf("%s\n열차가 %d분 후 출발합니다.", heading(r), minutes)
}

// PaymentMessage is the unpaid-hold reminder, e.g. in ko
// "11-22 10:00\nSRT 301 수서→부산\n결제기한 11-22 10:30까지 결제하지 않으면 예약이 취소됩니다."
// and in en "…\nPay by 11-22 10:30 or the reservation is cancelled.".
func PaymentMessage(r Reservation, locale string) string {
	deadline := "?"
	if r.PaymentDeadline != nil {
		deadline = kstStamp(*r.PaymentDeadline)
	}
	if english(locale) {
		return fmt.Sprintf("%s\nPay by %s or the reservation is cancelled.", heading(r), deadline)
	}
	return fmt.Sprintf("%s\n결제기한 %s까지 결제하지 않으면 예약이 취소됩니다.", heading(r), deadline)
}

// heading is "MM-DD HH:MM\nSRT 301 수서→부산".
func heading(r Reservation) string {
	return kstStamp(r.Departure) + "\n" + r.Train + " " + r.DepartureStation + "→" + r.ArrivalStation
}

func kstStamp(t time.Time) string { return t.In(kst).Format("01-02 15:04") }

func english(locale string) bool { return strings.HasPrefix(strings.ToLower(locale), "en") }
