package srt

import (
	"net/http"
	"testing"
	"time"
)

// FuzzDecodeResponse feeds arbitrary bodies to everything that reads SR's
// answers: nothing may panic, and whatever decodes must make sense.
func FuzzDecodeResponse(f *testing.F) {
	for _, name := range []string{"list_two_rows.json", "list_strings_reordered.json", "list_empty.json",
		"ticket_seat.json", "ticket_standby.json", "ticket_two_seats.json"} {
		b := fixture(f, name)
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	f.Add([]byte(`{"resultMap":{"strResult":"SUCC","totPageCnt":"9"},"trainListMap":{"pnrNo":1},"payListMap":[1,{"dptDt":20301122,"dptTm":91500,"arvTm":1}]}`))
	f.Add([]byte(`{"userMap":{"RTNCD":"Y"}}`))
	f.Add([]byte(`{"strResult":"FAIL","MSG":"비밀번호 오류입니다.","userMap":null}`))
	f.Add([]byte("Your IP Address Blocked due to abnormal access."))
	f.Add([]byte(`<html>Sr.msgs.login020</html>`))
	c := NewClient(Options{LoginID: "010-0000-0000", Password: "fuzz-password"})
	f.Fuzz(func(t *testing.T, body []byte) {
		classify(&http.Response{StatusCode: 200, Header: http.Header{}}, body)
		if err := c.readLogin(body); err != nil && len(err.Error()) > 400 {
			t.Errorf("login error of %d bytes", len(err.Error()))
		}
		if page, err := decodeList(body); err == nil {
			if len(page.Status) == 0 {
				t.Fatal("success without resultMap")
			}
			for _, p := range pair(page.Trains, page.Pays) {
				r, ok := p.reservation()
				if !ok {
					continue
				}
				if r.Departure.IsZero() || r.Train == "" {
					t.Errorf("reservation without departure or train: %+v", r)
				}
				if !r.Arrival.IsZero() && (r.Arrival.Before(r.Departure) || r.Arrival.Sub(r.Departure) > 24*time.Hour) {
					t.Errorf("arrival %v for departure %v", r.Arrival, r.Departure)
				}
				if r.PaymentDeadline != nil && (r.Paid || r.Standby) {
					t.Errorf("deadline on a paid or standby reservation: %+v", r)
				}
				if r.Passengers < 0 {
					t.Errorf("passengers %d", r.Passengers)
				}
			}
		} else if len(err.Error()) > 400 {
			t.Errorf("list error of %d bytes", len(err.Error()))
		}
		if page, err := decodeTicket(body); err == nil {
			var r Reservation
			applySeats(&r, page.Seats)
		}
	})
}
