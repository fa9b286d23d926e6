package srt

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Reminder kinds.
const (
	KindDeparture = "departure"
	KindPayment   = "payment"
)

// Due is a reminder a reservation asks for.
type Due struct {
	ID   string // stable across refreshes; changes when the train or deadline does
	Kind string // KindDeparture or KindPayment
	At   time.Time
	Text string
}

// Reminders returns r's reminders: departBefore minutes before departure
// (trains.srt.remind_before_minutes; not for a standby, which has no seat),
// and, for an unpaid hold, payBefore minutes before its payment deadline
// (trains.srt.payment_remind_minutes). Minutes ≤ 0 turn a reminder off. The
// caller drops those already past.
func Reminders(r Reservation, departBefore, payBefore int, locale string) []Due {
	var out []Due
	if departBefore > 0 && !r.Standby {
		out = append(out, Due{
			ID:   reminderID(KindDeparture, r, r.Departure),
			Kind: KindDeparture,
			At:   r.Departure.Add(-time.Duration(departBefore) * time.Minute),
			Text: DepartureMessage(r, departBefore, locale),
		})
	}
	if payBefore > 0 && !r.Paid && !r.Standby && r.PaymentDeadline != nil {
		out = append(out, Due{
			ID:   reminderID(KindPayment, r, *r.PaymentDeadline),
			Kind: KindPayment,
			At:   r.PaymentDeadline.Add(-time.Duration(payBefore) * time.Minute),
			Text: PaymentMessage(r, locale),
		})
	}
	return out
}

// reminderID names a reminder by train, departure and the time it is due,
// not by reservation number: that is not stored (Reservation.PNR is not in
// its JSON), and two bookings on one train need one reminder.
func reminderID(kind string, r Reservation, at time.Time) string {
	key := strings.Join([]string{kind, r.Train, r.DepartureStation, strconv.FormatInt(r.Departure.Unix(), 10),
		strconv.FormatInt(at.Unix(), 10)}, "\x00")
	sum := sha256.Sum256([]byte(key))
	return "srt:" + kind + ":" + hex.EncodeToString(sum[:8])
}

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
