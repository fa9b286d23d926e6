package srt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// This file is the wire format: lenient types for SR's JSON, the response
// envelope, and the mapping of list rows and ticket rows to Reservations.
// Fields we do not need are not decoded, passenger names and phone numbers
// least of all.

// text is a JSON scalar read as text. SR sends the same field as a string
// in one app version and as a number in another (rcvdAmt "36900" / 36900);
// null, objects and arrays read as "".
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) == 0:
		*t = ""
	case b[0] == '"':
		if bytes.IndexByte(b, '\\') < 0 && utf8.Valid(b) {
			*t = text(b[1 : len(b)-1])
			return nil
		}
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = text(s)
	case b[0] == '{' || b[0] == '[' || b[0] == 'n':
		*t = ""
	default: // number, true, false
		*t = text(b)
	}
	return nil
}

// str is the value without surrounding spaces.
func (t text) str() string { return strings.TrimSpace(string(t)) }

// num is the value as an integer: "00000036500", 36500 and 36500.0 are all
// 36500; anything else is 0.
func (t text) num() int {
	s := strings.TrimLeft(t.str(), "0")
	if s == "" {
		return 0
	}
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f >= -1e9 && f <= 1e9 {
		return int(f)
	}
	return 0
}

// rows is a JSON array of objects that also accepts null, a single object
// in place of the array, and skips elements that are not objects.
type rows[T any] []T

func (r *rows[T]) UnmarshalJSON(b []byte) error {
	*r = nil
	switch {
	case len(b) == 0:
		return nil
	case b[0] == '{':
		var v T
		if err := json.Unmarshal(b, &v); err != nil {
			return nil
		}
		*r = rows[T]{v}
	case b[0] == '[':
		var all []T
		if json.Unmarshal(b, &all) == nil { // the usual case: every element an object
			*r = all
			return nil
		}
		var raw []json.RawMessage
		if err := json.Unmarshal(b, &raw); err != nil {
			return err
		}
		out := make(rows[T], 0, len(raw))
		for _, m := range raw {
			var v T
			if len(m) == 0 || m[0] != '{' || json.Unmarshal(m, &v) != nil {
				continue
			}
			out = append(out, v)
		}
		*r = out
	}
	return nil
}

// status is resultMap[0], the only map that decides success (a successful
// list also carries rsMap with strResult FAIL, which means nothing).
type status struct {
	Result     text `json:"strResult"`
	Code       text `json:"msgCd"`
	Msg        text `json:"msgTxt"`
	TotalPages text `json:"totPageCnt"`
}

// envelope is what every authenticated answer has.
type envelope struct {
	Status    rows[status] `json:"resultMap"`
	ErrorCode *text        `json:"ErrorCode"`
	ErrorMsg  *text        `json:"ErrorMsg"`
}

// check reads the envelope: nil on SUCC, errSessionExpired on S111 or a
// "로그인 후" message, *APIError on another FAIL or the ErrorCode envelope.
func (e *envelope) check() error {
	if len(e.Status) == 0 {
		if e.ErrorCode != nil || e.ErrorMsg != nil {
			code, msg := "", ""
			if e.ErrorCode != nil {
				code = e.ErrorCode.str()
			}
			if e.ErrorMsg != nil {
				msg = sanitize(e.ErrorMsg.str())
			}
			return &APIError{Code: code, Msg: msg}
		}
		return fmt.Errorf("srt: answer has no resultMap")
	}
	st := e.Status[0]
	switch st.Result.str() {
	case "SUCC":
		return nil
	case "FAIL":
		if st.Code.str() == "S111" || strings.Contains(strings.ReplaceAll(st.Msg.str(), " ", ""), "로그인후") {
			return errSessionExpired
		}
		return &APIError{Code: sanitize(st.Code.str()), Msg: sanitize(st.Msg.str())}
	}
	return fmt.Errorf("srt: answer has strResult %q", sanitize(st.Result.str()))
}

// trainRow is trainListMap[i] of the list: the reservation itself.
type trainRow struct {
	PNR       text `json:"pnrNo"`
	Seats     text `json:"tkSpecNum"`
	Paid      text `json:"stlFlg"`
	Departure text `json:"dptDttm"` // YYYYMMDDhhmmss
	Key       text `json:"PNRLIST_KEY"`
}

// payRow is payListMap[i] of the list: the journey and payment state.
type payRow struct {
	Class        text `json:"stlbTrnClsfCd"`
	Number       text `json:"trnNo"`
	RunDate      text `json:"runDt"`
	Date         text `json:"dptDt"`
	Time         text `json:"dptTm"`
	ArrivalTime  text `json:"arvTm"`
	From         text `json:"dptRsStnCd"`
	To           text `json:"arvRsStnCd"`
	DeadlineDate text `json:"iseLmtDt"`
	DeadlineTime text `json:"iseLmtTm"`
	Paid         text `json:"stlFlg"`
	Seats        text `json:"seatNum"`
	Type         text `json:"rsvTpCd"` // 03 reserved, 08 standby
	Key          text `json:"PNRLIST_KEY"`
}

// listPage is one page of /atc/selectListAtc14016_n.do.
type listPage struct {
	envelope
	Trains rows[trainRow] `json:"trainListMap"`
	Pays   rows[payRow]   `json:"payListMap"`
}

// seatRow is one seat (passenger) of the ticket details. The passenger's
// name (sgrNm) is deliberately not decoded.
type seatRow struct {
	Car   text `json:"scarNo"`
	Seat  text `json:"seatNo"`
	Class text `json:"psrmClCd"`
}

// ticketPage is /ard/selectListArd02019_n.do.
type ticketPage struct {
	envelope
	Seats rows[seatRow] `json:"trainListMap"`
}

// decodeList decodes one page of the reservation list and checks its
// envelope.
func decodeList(body []byte) (*listPage, error) {
	var p listPage
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("srt: malformed JSON in %d bytes: %w", len(body), err)
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	return &p, nil
}

// decodeTicket decodes the ticket details and checks their envelope.
func decodeTicket(body []byte) (*ticketPage, error) {
	var p ticketPage
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("srt: malformed JSON in %d bytes: %w", len(body), err)
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	return &p, nil
}

// pairing is a train row and its pay row; either may be nil.
type pairing struct {
	train *trainRow
	pay   *payRow
}

// pair matches trainListMap rows with payListMap rows. When every row of
// both carries PNRLIST_KEY, rows pair by key; otherwise rows with equal
// keys pair and the rest pair by position. Nothing is dropped: a row left
// alone comes back with a nil partner.
func pair(trains []trainRow, pays []payRow) []pairing {
	keyed := func(k text) bool { return k.str() != "" }
	allKeyed := len(trains) > 0 && len(pays) > 0
	for i := range trains {
		allKeyed = allKeyed && keyed(trains[i].Key)
	}
	for i := range pays {
		allKeyed = allKeyed && keyed(pays[i].Key)
	}
	byKey := make(map[string]int, len(pays))
	for j := range pays {
		if k := pays[j].Key.str(); k != "" {
			if _, dup := byKey[k]; !dup {
				byKey[k] = j
			}
		}
	}
	out := make([]pairing, 0, max(len(trains), len(pays)))
	usedPay := make([]bool, len(pays))
	var restTrains []int
	for i := range trains {
		if j, ok := byKey[trains[i].Key.str()]; ok && keyed(trains[i].Key) && !usedPay[j] {
			usedPay[j] = true
			out = append(out, pairing{&trains[i], &pays[j]})
			continue
		}
		restTrains = append(restTrains, i)
	}
	var restPays []int
	for j := range pays {
		if !usedPay[j] {
			restPays = append(restPays, j)
		}
	}
	n := 0
	if !allKeyed {
		n = min(len(restTrains), len(restPays))
		for k := range n {
			out = append(out, pairing{&trains[restTrains[k]], &pays[restPays[k]]})
		}
	}
	for _, i := range restTrains[n:] {
		out = append(out, pairing{train: &trains[i]})
	}
	for _, j := range restPays[n:] {
		out = append(out, pairing{pay: &pays[j]})
	}
	return out
}

// parseKST reads an SR date (YYYYMMDD) and time (hhmmss) in Korea time. A
// time sent as a number loses its leading zeros; they are put back.
func parseKST(date, clock string) (time.Time, bool) {
	date, clock = strings.TrimSpace(date), padDigits(clock, 6)
	if len(date) != 8 || len(clock) != 6 {
		return time.Time{}, false
	}
	t, err := time.ParseInLocation("20060102150405", date+clock, kst)
	return t, err == nil
}

// reservation maps a pair of list rows to a Reservation without seats (those
// come from the ticket details). ok is false when the pair has no journey or
// no readable departure: there is nothing to show.
func (p pairing) reservation() (r Reservation, ok bool) {
	if p.pay == nil {
		return r, false
	}
	pay := p.pay
	var tr trainRow
	if p.train != nil {
		tr = *p.train
	}
	dttm := tr.Departure.str()
	date, clock := pay.Date.str(), pay.Time.str()
	if date == "" {
		date = pay.RunDate.str()
	}
	if date == "" && len(dttm) == 14 {
		date = dttm[:8]
	}
	if clock == "" && len(dttm) == 14 {
		clock = dttm[8:]
	}
	dep, ok := parseKST(date, clock)
	if !ok {
		return r, false
	}
	r.PNR = tr.PNR.str()
	r.Train = trainName(pay.Class.str())
	if n := strings.TrimLeft(pay.Number.str(), "0"); n != "" {
		r.Train += " " + n
	} else if pay.Number.str() != "" {
		r.Train += " 0"
	}
	r.DepartureStation = stationName(pay.From.str())
	r.ArrivalStation = stationName(pay.To.str())
	r.Departure = dep
	if arr, ok := parseKST(dep.Format("20060102"), pay.ArrivalTime.str()); ok {
		if arr.Before(dep) { // past midnight: SR sends no arrival date
			arr = arr.AddDate(0, 0, 1)
		}
		r.Arrival = arr
	}
	r.Paid = pay.Paid.str() == "Y" || tr.Paid.str() == "Y"
	deadline, hasDeadline := parseKST(pay.DeadlineDate.str(), pay.DeadlineTime.str())
	if pay.DeadlineDate.str() == "" || pay.DeadlineTime.str() == "" {
		hasDeadline = false
	}
	switch kind := pay.Type.str(); {
	case r.Paid:
	case kind != "":
		r.Standby = pay.Type.num() == 8
	default: // no type: a hold without deadline is a standby
		r.Standby = !hasDeadline
	}
	if !r.Paid && !r.Standby && hasDeadline {
		r.PaymentDeadline = &deadline
	}
	r.Passengers = tr.Seats.num()
	if r.Passengers <= 0 {
		r.Passengers = pay.Seats.num()
	}
	r.Passengers = max(r.Passengers, 0)
	return r, true
}

// applySeats fills car, seat and class from the ticket details. Seats in
// one car read "5" / "3A, 3B"; in several cars the cars are listed too.
func applySeats(r *Reservation, seats []seatRow) {
	var cars, nums []string
	for _, s := range seats {
		if r.SeatClass == "" {
			r.SeatClass = seatClassName(s.Class.str())
		}
		car, seat := strings.TrimLeft(s.Car.str(), "0"), s.Seat.str()
		if r.Standby || car == "" || seat == "" {
			continue
		}
		if !slices.Contains(cars, car) {
			cars = append(cars, car)
		}
		nums = append(nums, seat)
	}
	r.Car, r.Seat = strings.Join(cars, ", "), strings.Join(nums, ", ")
	if r.Passengers == 0 {
		r.Passengers = len(seats)
	}
}

// upcoming returns the reservations departing after now, soonest first, at
// most n.
func upcoming(rs []Reservation, now time.Time, n int) []Reservation {
	out := make([]Reservation, 0, len(rs))
	for _, r := range rs {
		if r.Departure.After(now) {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b Reservation) int {
		if c := a.Departure.Compare(b.Departure); c != 0 {
			return c
		}
		if c := strings.Compare(a.Train, b.Train); c != 0 {
			return c
		}
		return strings.Compare(a.PNR, b.PNR)
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}
