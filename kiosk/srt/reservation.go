// Package srt reads the owner's SRT (Super Rapid Train) reservations from
// SR's app API: log in, list reservations, fetch ticket details.
package srt

import "time"

// Reservation is one reservation as the dashboard shows it. Its JSON form is
// what the store keeps; pages get kiosk/web's TrainJSON, without the PNR.
type Reservation struct {
	// PNR is the reservation number. It is stored, so reminder IDs built
	// from it stay distinct after a restart, but never shown or logged.
	PNR              string     `json:"pnr"`
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
