package srt

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func fixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func at(y int, mo time.Month, d, h, mi int) time.Time { return time.Date(y, mo, d, h, mi, 0, 0, kst) }

func ptr[T any](v T) *T { return &v }

// reservations decodes a list page the way a refresh does.
func reservations(tb testing.TB, body []byte) []Reservation {
	tb.Helper()
	page, err := decodeList(body)
	if err != nil {
		tb.Fatal(err)
	}
	var out []Reservation
	for _, p := range pair(page.Trains, page.Pays) {
		if r, ok := p.reservation(); ok {
			out = append(out, r)
		}
	}
	return out
}

func TestDecodeList(t *testing.T) {
	tests := []struct {
		file string
		want []Reservation
	}{
		{"list_two_rows.json", []Reservation{
			{PNR: "310000000000011", Train: "SRT 301", DepartureStation: "수서", ArrivalStation: "부산",
				Departure: at(2030, 11, 22, 10, 0), Arrival: at(2030, 11, 22, 12, 31), Passengers: 1, Standby: true},
			{PNR: "310000000000012", Train: "SRT 367", DepartureStation: "부산", ArrivalStation: "수서",
				Departure: at(2030, 11, 22, 17, 30), Arrival: at(2030, 11, 22, 20, 2), Passengers: 1,
				PaymentDeadline: ptr(at(2030, 11, 21, 18, 30))},
		}},
		// 2023-style strings, pay rows in the other order (paired by
		// PNRLIST_KEY), an arrival after midnight, unknown codes.
		{"list_strings_reordered.json", []Reservation{
			{PNR: "310000000000021", Train: "SRT 651", DepartureStation: "수서", ArrivalStation: "광주송정",
				Departure: at(2030, 11, 23, 23, 10), Arrival: at(2030, 11, 24, 0, 58), Passengers: 2, Paid: true},
			{PNR: "310000000000022", Train: "99 9005", DepartureStation: "9999", ArrivalStation: "동대구",
				Departure: at(2030, 11, 24, 9, 5), Arrival: at(2030, 11, 24, 10, 10), Passengers: 1,
				PaymentDeadline: ptr(at(2030, 11, 23, 12, 0))},
		}},
		{"list_empty.json", nil},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			got := reservations(t, fixture(t, tc.file))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestApplySeats(t *testing.T) {
	tests := []struct {
		file             string
		r                Reservation
		car, seat, class string
		passengers       int
	}{
		{"ticket_seat.json", Reservation{Passengers: 1}, "4", "12D", "일반실", 1},
		{"ticket_standby.json", Reservation{Standby: true, Passengers: 1}, "", "", "일반실", 1},
		{"ticket_two_seats.json", Reservation{Paid: true}, "5", "3A, 3B", "특실", 2},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			page, err := decodeTicket(fixture(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			r := tc.r
			applySeats(&r, page.Seats)
			if r.Car != tc.car || r.Seat != tc.seat || r.SeatClass != tc.class || r.Passengers != tc.passengers {
				t.Errorf("got car %q seat %q class %q passengers %d, want %q %q %q %d",
					r.Car, r.Seat, r.SeatClass, r.Passengers, tc.car, tc.seat, tc.class, tc.passengers)
			}
		})
	}
	r := Reservation{}
	applySeats(&r, []seatRow{{Car: "3", Seat: "1A", Class: "1"}, {Car: "4", Seat: "2B", Class: "1"}})
	if r.Car != "3, 4" || r.Seat != "1A, 2B" {
		t.Errorf("two cars: got car %q seat %q", r.Car, r.Seat)
	}
}

func TestEnvelope(t *testing.T) {
	tests := []struct {
		name, body string
		want       error // matched with errors.Is; nil: success
		apiCode    string
	}{
		{"succ", `{"resultMap":[{"strResult":"SUCC","msgCd":"IRZ000001"}]}`, nil, ""},
		{"rsMap FAIL is noise", `{"resultMap":[{"strResult":"SUCC"}],"rsMap":[{"strResult":"FAIL","msgCd":"WRT300005"}]}`, nil, ""},
		{"S111", `{"resultMap":[{"strResult":"FAIL","msgCd":"S111","msgTxt":"로그인 후 사용하십시요."}]}`, errSessionExpired, ""},
		{"login text only", `{"resultMap":[{"strResult":"FAIL","msgCd":"","msgTxt":"로그인 후 사용하십시오."}]}`, errSessionExpired, ""},
		{"resultMap as object", `{"resultMap":{"strResult":"FAIL","msgCd":"S111"}}`, errSessionExpired, ""},
		{"business FAIL", `{"resultMap":[{"strResult":"FAIL","msgCd":"WRT300005","msgTxt":"조회자료가 없습니다."}]}`, nil, "WRT300005"},
		{"ErrorCode envelope", `{"ErrorCode":"-1","ErrorMsg":"boom"}`, nil, "-1"},
		{"numbers for codes", `{"resultMap":[{"strResult":"FAIL","msgCd":12,"msgTxt":null}]}`, nil, "12"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeList([]byte(tc.body))
			var api *APIError
			switch {
			case tc.apiCode != "":
				if !errors.As(err, &api) || api.Code != tc.apiCode {
					t.Errorf("got %v, want APIError %s", err, tc.apiCode)
				}
			case !errors.Is(err, tc.want) || (tc.want == nil && err != nil):
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
	for _, body := range []string{`{}`, `{"resultMap":[]}`, `{"resultMap":[{"strResult":"MAYBE"}]}`, `{"resultMap":[{`, `[1,2]`} {
		if _, err := decodeList([]byte(body)); err == nil || errors.Is(err, errSessionExpired) {
			t.Errorf("%s: got %v, want an error", body, err)
		}
	}
}

func TestText(t *testing.T) {
	tests := []struct {
		in  string
		str string
		num int
	}{
		{`"00000036500"`, "00000036500", 36500},
		{`36500`, "36500", 36500},
		{`36500.0`, "36500.0", 36500},
		{`" 7 "`, "7", 7},
		{`"9B"`, "9B", 0},
		{`null`, "", 0},
		{`{"a":1}`, "", 0},
		{`"\uc218\uc11c"`, "수서", 0},
		{`true`, "true", 0},
	}
	for _, tc := range tests {
		var v struct {
			T text `json:"t"`
		}
		if err := json.Unmarshal([]byte(`{"t":`+tc.in+`}`), &v); err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if v.T.str() != tc.str || v.T.num() != tc.num {
			t.Errorf("%s: got %q %d, want %q %d", tc.in, v.T.str(), v.T.num(), tc.str, tc.num)
		}
	}
}

func TestPair(t *testing.T) {
	tr := func(pnr, key string) trainRow { return trainRow{PNR: text(pnr), Key: text(key)} }
	py := func(no, key string) payRow { return payRow{Number: text(no), Key: text(key)} }
	// got is "pnr:train" per pair, "" for a missing side.
	render := func(ps []pairing) []string {
		var out []string
		for _, p := range ps {
			s := ""
			if p.train != nil {
				s += string(p.train.PNR)
			}
			s += ":"
			if p.pay != nil {
				s += string(p.pay.Number)
			}
			out = append(out, s)
		}
		return out
	}
	tests := []struct {
		name   string
		trains []trainRow
		pays   []payRow
		want   []string
	}{
		{"by key, reordered", []trainRow{tr("A", "1"), tr("B", "2")}, []payRow{py("2", "2"), py("1", "1")}, []string{"A:1", "B:2"}},
		{"by index without keys", []trainRow{tr("A", ""), tr("B", "")}, []payRow{py("1", ""), py("2", "")}, []string{"A:1", "B:2"}},
		{"pay row missing", []trainRow{tr("A", "1"), tr("B", "2")}, []payRow{py("2", "2")}, []string{"B:2", "A:"}},
		{"train row missing", []trainRow{tr("A", "1")}, []payRow{py("1", "1"), py("2", "2")}, []string{"A:1", ":2"}},
		{"unmatched keys are not zipped", []trainRow{tr("A", "1")}, []payRow{py("9", "9")}, []string{"A:", ":9"}},
		{"some keys: the rest by index", []trainRow{tr("A", "1"), tr("B", "")}, []payRow{py("3", ""), py("1", "1")}, []string{"A:1", "B:3"}},
		{"index, pay rows short", []trainRow{tr("A", ""), tr("B", "")}, []payRow{py("1", "")}, []string{"A:1", "B:"}},
		{"empty", nil, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := render(pair(tc.trains, tc.pays)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestReservationFields(t *testing.T) {
	base := payRow{Class: "17", Number: "00301", Date: "20301122", Time: "100000", ArrivalTime: "123100",
		From: "0551", To: "0020", Type: "03", DeadlineDate: "20301121", DeadlineTime: "183000"}
	tests := []struct {
		name  string
		edit  func(*payRow, *trainRow)
		check func(Reservation) bool
	}{
		{"codes as numbers lose zeros", func(p *payRow, _ *trainRow) { p.From, p.To, p.Class = "551", "20", "17" },
			func(r Reservation) bool { return r.DepartureStation == "수서" && r.ArrivalStation == "부산" }},
		{"time as a number loses zeros", func(p *payRow, _ *trainRow) { p.Time, p.ArrivalTime = "91500", "115000" },
			func(r Reservation) bool { return r.Departure.Equal(at(2030, 11, 22, 9, 15)) }},
		{"paid in the train row only", func(_ *payRow, tr *trainRow) { tr.Paid = "Y" },
			func(r Reservation) bool { return r.Paid && r.PaymentDeadline == nil && !r.Standby }},
		{"standby has no deadline", func(p *payRow, _ *trainRow) { p.Type = "08" },
			func(r Reservation) bool { return r.Standby && r.PaymentDeadline == nil }},
		{"no type, no deadline: standby", func(p *payRow, _ *trainRow) { p.Type, p.DeadlineDate, p.DeadlineTime = "", "", "" },
			func(r Reservation) bool { return r.Standby }},
		{"no type, deadline: hold", func(p *payRow, _ *trainRow) { p.Type = "" },
			func(r Reservation) bool { return !r.Standby && r.PaymentDeadline != nil }},
		{"no pay date: run date", func(p *payRow, _ *trainRow) { p.Date, p.RunDate = "", "20301122" },
			func(r Reservation) bool { return r.Departure.Equal(at(2030, 11, 22, 10, 0)) }},
		{"no pay date or time: train dptDttm", func(p *payRow, tr *trainRow) { p.Date, p.Time, tr.Departure = "", "", "20301122101500" },
			func(r Reservation) bool { return r.Departure.Equal(at(2030, 11, 22, 10, 15)) }},
		{"bad arrival: zero", func(p *payRow, _ *trainRow) { p.ArrivalTime = "2599xx" },
			func(r Reservation) bool { return r.Arrival.IsZero() }},
		{"passengers from seatNum", func(p *payRow, tr *trainRow) { tr.Seats, p.Seats = "", "3" },
			func(r Reservation) bool { return r.Passengers == 3 }},
		{"unknown train class", func(p *payRow, _ *trainRow) { p.Class, p.Number = "42", "00005" },
			func(r Reservation) bool { return r.Train == "42 5" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, tr := base, trainRow{PNR: "1", Seats: "1"}
			tc.edit(&p, &tr)
			r, ok := pairing{&tr, &p}.reservation()
			if !ok || !tc.check(r) {
				t.Errorf("ok=%v got %+v", ok, r)
			}
		})
	}
	p := base
	p.Date = "2030-11-22"
	if _, ok := (pairing{pay: &p}).reservation(); ok {
		t.Error("an unreadable departure date gave a reservation")
	}
}

func TestUpcoming(t *testing.T) {
	now := at(2030, 11, 22, 12, 0)
	mk := func(train string, dep time.Time) Reservation { return Reservation{Train: train, Departure: dep} }
	all := []Reservation{
		mk("SRT 5", now.Add(5*time.Hour)),
		mk("SRT 1", now.Add(-time.Minute)), // departed
		mk("SRT 3", now.Add(time.Hour)),
		mk("SRT 0", now), // departing this instant: gone
		mk("SRT 2", now.Add(time.Hour)),
		mk("SRT 4", now.Add(2*time.Hour)),
	}
	got := upcoming(all, now, 3)
	var trains []string
	for _, r := range got {
		trains = append(trains, r.Train)
	}
	if want := []string{"SRT 2", "SRT 3", "SRT 4"}; !reflect.DeepEqual(trains, want) {
		t.Errorf("got %v, want %v", trains, want)
	}
}

func TestStationAndLoginCodes(t *testing.T) {
	for code, want := range map[string]string{"0551": "수서", "551": "수서", "0508": "경주", "0053": "여수EXPO", "0507": "김천(구미)", "7777": "7777", "": ""} {
		if got := stationName(code); got != want {
			t.Errorf("stationName(%q) = %q, want %q", code, got, want)
		}
	}
	tests := []struct{ id, typ, code, name string }{
		{"010-1234-5678", LoginAuto, "3", "01012345678"},
		{"01012345678", LoginAuto, "3", "01012345678"}, // bare phone: SR refuses it as a membership number
		{"1234567890", LoginAuto, "1", "1234567890"},
		{"someone@example.org", LoginAuto, "2", "someone@example.org"},
		{" 1234567890 ", LoginMembership, "1", "1234567890"},
		{"010 1234 5678", LoginPhone, "3", "01012345678"},
		{"01012345678", LoginMembership, "1", "01012345678"},
		{"x@y", LoginAuto, "1", "x@y"},
	}
	for _, tc := range tests {
		if code, name := loginFields(tc.id, tc.typ); code != tc.code || name != tc.name {
			t.Errorf("loginFields(%q, %q) = %q %q, want %q %q", tc.id, tc.typ, code, name, tc.code, tc.name)
		}
	}
}

// BenchmarkDecode decodes what one refresh of two reservations receives.
func BenchmarkDecode(b *testing.B) {
	list := fixture(b, "list_two_rows.json")
	tickets := [][]byte{fixture(b, "ticket_standby.json"), fixture(b, "ticket_seat.json")}
	b.Run("list", func(b *testing.B) {
		b.SetBytes(int64(len(list)))
		b.ReportAllocs()
		for b.Loop() {
			page, err := decodeList(list)
			if err != nil {
				b.Fatal(err)
			}
			for _, p := range pair(page.Trains, page.Pays) {
				p.reservation()
			}
		}
	})
	b.Run("ticket", func(b *testing.B) {
		b.SetBytes(int64(len(tickets[1])))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeTicket(tickets[1]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("list+tickets", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			page, _ := decodeList(list)
			var rs []Reservation
			for _, p := range pair(page.Trains, page.Pays) {
				r, _ := p.reservation()
				rs = append(rs, r)
			}
			for i := range rs {
				t, _ := decodeTicket(tickets[i])
				applySeats(&rs[i], t.Seats)
			}
		}
	})
}
