// Package srt reads the owner's SRT (Super Rapid Train) reservations from
// SR's app API: log in, list reservations, fetch ticket details.
package srt

import "time"

// Reservation is one reservation as the dashboard shows it. The JSON form is
// the "trains" contract of /api/dashboard.
type Reservation struct {
	PNR              string     `json:"-"`     // reservation number; never shown
	Train            string     `json:"train"` // "SRT 301": name and number without zero padding
	DepartureStation string     `json:"departure_station"`
	ArrivalStation   string     `json:"arrival_station"`
	Departure        time.Time  `json:"departure"`
	Arrival          time.Time  `json:"arrival"`
	Car              string     `json:"car"`  // empty for standby
	Seat             string     `json:"seat"` // empty for standby
	SeatClass        string     `json:"seat_class"`
	Passengers       int        `json:"passengers"`
	Paid             bool       `json:"paid"`
	PaymentDeadline  *time.Time `json:"payment_deadline"`
	Standby          bool       `json:"standby"`
}
