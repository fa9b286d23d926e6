// Package srttest is a fake of SR's app API for tests: login, reservation
// list and ticket details in the wire format of kiosk/srt's protocol notes,
// with knobs for the failures a client must survive and a log of the
// requests it got. All data in it is synthetic.
package srttest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Synthetic account data. Tests assert none of it reaches a log or an
// error string.
const (
	LoginPhone    = "010-0000-0000" // the default member's login id (phone type)
	Password      = "fake-Passw0rd!"
	MemberName    = "가나다"
	PassengerName = "라마바"
	MemberNumber  = "0000000000"
)

// Paths the fake serves.
const (
	PathLogin     = "/apb/selectListApb01080_n.do"
	PathList      = "/atc/selectListAtc14016_n.do"
	PathTicket    = "/ard/selectListArd02019_n.do"
	PathTicketOld = "/ard/selectListArd02017_n.do"
	PathLogout    = "/login/loginOut.do"
	PathLoginPage = "/login/login.do"
)

// BlockedBody is SR's IP block page (plain text).
const BlockedBody = "Your IP Address Blocked due to abnormal access.\n"

// Member is an account: Type is srchDvCd ("1" membership, "2" e-mail,
// "3" phone) and ID is srchDvNm as SR expects it (a phone without hyphens).
type Member struct {
	Type, ID, Password string
}

// DefaultMember logs in with LoginPhone and Password.
var DefaultMember = Member{Type: "3", ID: strings.ReplaceAll(LoginPhone, "-", ""), Password: Password}

// Seat is one passenger's seat; a standby has Car 0 and Seat "".
type Seat struct {
	Car       int
	Seat      string
	Class     string // psrmClCd: "1" 일반실, "2" 특실
	Passenger string // sgrNm; "" → PassengerName
	Discount  string // dcntKndCd; "" → "000" (adult)
}

// Booking is one reservation as the fake stores it.
type Booking struct {
	PNR                string
	Class              string // stlbTrnClsfCd; "" → "17" (SRT)
	Number             string // train number; sent zero-padded to 5 digits
	From, To           string // station codes, e.g. "0551"
	Departure, Arrival time.Time
	Paid, Standby      bool
	Deadline           time.Time // payment deadline of an unpaid hold
	Amount             int
	Seats              []Seat
}

// Scenario is the fake's behaviour. Zero values are the happy path.
type Scenario struct {
	Members  []Member  // nil → DefaultMember
	Bookings []Booking // the list, in the order SR sends it
	Now      func() time.Time

	SessionTTL  time.Duration // sessions older than this are expired; 0: never
	ExpiryStyle string        // "" / "json": S111; "json-text": message only; "html"; "redirect"

	Blocked       bool          // every route answers BlockedBody
	BlockedStatus int           // its HTTP status; 0 → 200
	RateLimit     int           // more requests than this within RateWindow set Blocked
	RateWindow    time.Duration //
	RequireAppUA  bool          // FAIL "정상적인 경로로 접근 부탁드립니다." without SRT-APP- in the UA

	ErrorEnvelope    bool // authenticated routes answer {ErrorCode, ErrorMsg}
	ServerError      int  // every route answers this HTTP status (e.g. 503)
	TruncateJSON     bool // JSON answers are cut in half
	Latency          time.Duration
	TicketGone       bool // PathTicket answers 404 HTML (the fallback path works)
	NumbersAsStrings bool // rcvdAmt, tkSpecNum, seatNum, scarNo… as strings (2023 style)
	DropPayRows      int  // payListMap lacks its last N rows
	ReversePayRows   bool // payListMap in reverse order
	NoKeys           bool // no PNRLIST_KEY
	PageSize         int  // rows per list page; 0: one page
	IgnorePageNo     bool // every pageNo gets page 0
}

// Request is a logged request. Form never holds the password.
type Request struct {
	Method, Path string
	Header       http.Header
	Form         url.Values
	Session      bool // it carried a live session cookie
}

// Server is a running fake.
type Server struct {
	URL string

	srv      *httptest.Server
	mu       sync.Mutex
	sc       Scenario
	sessions map[string]time.Time
	issued   []string
	reqs     []Request
	recent   []time.Time
	inFlight int
	maxIn    int
}

// New starts a fake on 127.0.0.1, closed when the test ends.
func New(tb testing.TB, sc Scenario) *Server {
	tb.Helper()
	s := &Server{sc: sc, sessions: map[string]time.Time{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	tb.Cleanup(s.srv.Close)
	return s
}

// Update changes the scenario.
func (s *Server) Update(f func(*Scenario)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&s.sc)
}

// ExpireSessions ends every session, as SR does after a while.
func (s *Server) ExpireSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.sessions)
}

// Requests returns the request log.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.reqs)
}

// Count returns how many logged requests went to path.
func (s *Server) Count(path string) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Path == path {
			n++
		}
	}
	return n
}

// ClearLog empties the request log.
func (s *Server) ClearLog() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = nil
}

// SessionIDs returns every session cookie value handed out.
func (s *Server) SessionIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.issued)
}

func (s *Server) now() time.Time {
	if s.sc.Now != nil {
		return s.sc.Now()
	}
	return time.Now()
}

// MaxInFlight is the most requests the fake ever served at once.
func (s *Server) MaxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxIn
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	s.mu.Lock()
	s.inFlight++
	s.maxIn = max(s.maxIn, s.inFlight)
	defer func() {
		s.mu.Lock()
		s.inFlight--
		s.mu.Unlock()
	}()
	sc := s.sc
	form := url.Values{}
	for k, v := range r.PostForm {
		if k != "hmpgPwdCphd" {
			form[k] = slices.Clone(v)
		}
	}
	live := s.live(r)
	s.reqs = append(s.reqs, Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Form: form, Session: live})
	if sc.RateLimit > 0 {
		now := s.now()
		s.recent = append(s.recent, now)
		s.recent = slices.DeleteFunc(s.recent, func(t time.Time) bool { return now.Sub(t) >= sc.RateWindow })
		if len(s.recent) > sc.RateLimit {
			s.sc.Blocked, sc.Blocked = true, true
		}
	}
	s.mu.Unlock()

	if sc.Latency > 0 {
		select {
		case <-time.After(sc.Latency):
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case sc.Blocked:
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(cmp(sc.BlockedStatus, http.StatusOK))
		fmt.Fprint(w, BlockedBody)
		return
	case sc.ServerError != 0:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(sc.ServerError)
		fmt.Fprint(w, "<html><body>Service Unavailable</body></html>")
		return
	case r.Method == http.MethodGet && r.URL.Path == PathLoginPage:
		w.Header().Set("Content-Type", "text/html;charset=UTF-8")
		fmt.Fprint(w, "<html><body><form action=\""+PathLogin+"\"><input name=\"hmpgPwdCphd\"></form></body></html>")
		return
	case r.Method != http.MethodPost:
		http.NotFound(w, r)
		return
	case sc.RequireAppUA && !strings.Contains(r.UserAgent(), "SRT-APP-"):
		s.json(w, sc, failure("", "정상적인 경로로 접근 부탁드립니다."))
		return
	}
	switch r.URL.Path {
	case PathLogin:
		s.login(w, r, sc)
	case PathLogout:
		if c, err := r.Cookie("JSESSIONID"); err == nil {
			s.mu.Lock()
			delete(s.sessions, c.Value)
			s.mu.Unlock()
		}
		s.json(w, sc, map[string]any{
			"commandMap": map[string]any{"isEnableUpdate": "N", "isForceUpdate": "N"},
			"userMap":    map[string]any{"USER_DV": "", "wctNo": "", "uuid": ""},
		})
	case PathList, PathTicket, PathTicketOld:
		if r.URL.Path == PathTicket && sc.TicketGone {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, "<html><body>404 Not Found</body></html>")
			return
		}
		if !live {
			s.expired(w, sc)
			return
		}
		if sc.ErrorEnvelope {
			s.json(w, sc, map[string]any{"ErrorCode": "-1", "ErrorMsg": "FAKE server-side error"})
			return
		}
		if r.URL.Path == PathList {
			s.list(w, r, sc)
		} else {
			s.ticket(w, r, sc)
		}
	default:
		http.NotFound(w, r)
	}
}

// live says whether the request carries a session that has not expired.
// Called with s.mu held.
func (s *Server) live(r *http.Request) bool {
	c, err := r.Cookie("JSESSIONID")
	if err != nil {
		return false
	}
	at, ok := s.sessions[c.Value]
	return ok && (s.sc.SessionTTL <= 0 || s.now().Sub(at) < s.sc.SessionTTL)
}

func (s *Server) expired(w http.ResponseWriter, sc Scenario) {
	switch sc.ExpiryStyle {
	case "html":
		w.Header().Set("Content-Type", "text/html;charset=UTF-8")
		fmt.Fprint(w, `<!DOCTYPE html><html lang="ko"><head><script>
$(document).ready(function () { srtAlertBoxDivShow("알림", Sr.msgs.login020, null, "mvLoginPage()"); });
function mvLoginPage() { location.href = "/login/login.do?page=menu"; }
</script></head><body></body></html>`)
	case "redirect":
		w.Header().Set("Location", PathLoginPage+"?page=menu")
		w.WriteHeader(http.StatusFound)
	case "json-text":
		s.json(w, sc, failure("", "로그인 후 사용하십시오."))
	default:
		s.json(w, sc, failure("S111", "로그인 후 사용하십시요."))
	}
}

func (s *Server) login(w http.ResponseWriter, r *http.Request, sc Scenario) {
	f := r.PostForm
	code, id, pw := f.Get("srchDvCd"), f.Get("srchDvNm"), f.Get("hmpgPwdCphd")
	members := sc.Members
	if members == nil {
		members = []Member{DefaultMember}
	}
	var m *Member
	for i := range members {
		if members[i].Type == code && members[i].ID == id {
			m = &members[i]
		}
	}
	if (code == "3" && strings.Trim(id, "0123456789") != "") || f.Get("deviceKey") != "-" {
		m = nil
	}
	echo := map[string]any{}
	for k := range f {
		echo[k] = f.Get(k)
	}
	echo["login_pwVal"] = pw
	refuse := func(msg string) {
		s.json(w, sc, map[string]any{
			"strResult": "FAIL", "MSG": msg, "RTNCD": "N", "page": "menu",
			"userMap":    map[string]any{"USER_DV": nil, "wctNo": "00000", "strDeviceInfo": ""},
			"commandMap": echo,
		})
	}
	switch {
	case m == nil:
		refuse("존재하지않는 회원입니다.")
		return
	case m.Password != pw:
		refuse("비밀번호 오류입니다.")
		return
	}
	var b [16]byte
	rand.Read(b[:])
	sid := "FAKE" + hex.EncodeToString(b[:])
	s.mu.Lock()
	s.sessions[sid] = s.now()
	s.issued = append(s.issued, sid)
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: "JSESSIONID", Value: sid, Path: "/", HttpOnly: true})
	hash := sha256.Sum256([]byte(pw))
	s.json(w, sc, map[string]any{
		"userMap": map[string]any{
			"RTNCD": "Y", "MSG": "정상적으로 로그인되었습니다.", "MB_CRD_NO": MemberNumber,
			"CUST_NM": MemberName, "MBL_PHONE": LoginPhone, "USER_DV": "1",
			"KR_JSESSIONID": "JSESSIONID=" + sid + ";Path=/", "SR_JSESSIONID": "JSESSIONID=" + sid + ";Path=/",
			"USR_PWD_CPHD":        strings.ToUpper(hex.EncodeToString(hash[:])),
			"requestJSessionTime": s.now().UnixMilli(), "ABRD_RS_STN_CD": "0551", "GOFF_RS_STN_CD": "0020",
		},
		"commandMap": echo,
	})
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, sc Scenario) {
	all := sc.Bookings
	pages, rows := 0, all
	if len(all) > 0 {
		pages = 1
	}
	if sc.PageSize > 0 && len(all) > 0 {
		pages = (len(all) + sc.PageSize - 1) / sc.PageSize
		p, _ := strconv.Atoi(r.PostForm.Get("pageNo"))
		if sc.IgnorePageNo {
			p = 0
		}
		lo, hi := min(p*sc.PageSize, len(all)), min((p+1)*sc.PageSize, len(all))
		rows = all[max(lo, 0):max(hi, 0)]
	}
	n := sc.num
	trains := make([]any, 0, len(rows))
	pays := make([]any, 0, len(rows))
	for _, b := range rows {
		key := ""
		if !sc.NoKeys {
			key = "FAKE-PNRLIST-" + b.PNR
		}
		paid, kind, state := "N", "03", "12"
		if b.Paid {
			paid = "Y"
		}
		if b.Standby {
			kind, state = "08", "11"
		}
		dlDate, dlTime, tkStl := "", "", "-"
		if !b.Paid && !b.Standby && !b.Deadline.IsZero() {
			d := b.Deadline.In(kst)
			dlDate, dlTime = d.Format("20060102"), d.Format("150405")
			tkStl = d.Format("15시04분까지결제하기(결제창 이동)")
		}
		dep, arr := b.Departure.In(kst), b.Arrival.In(kst)
		trains = append(trains, map[string]any{
			"pnrNo": b.PNR, "rcvdAmt": n(b.Amount), "tkSpecNum": n(len(b.Seats)), "stlFlg": paid,
			"jrnyCnt": n(1), "rsvChgTno": n(0), "dptDttm": dep.Format("20060102150405"), "retFlg": "2",
			"tkKndCd": "", "reSaleFlg": "N", "cpnyTkFlg": "N", "pbpAcepTgtFlg": "N", "PNRLIST_KEY": key,
		})
		pays = append(pays, map[string]any{
			"stlbTrnClsfCd": cmp(b.Class, "17"), "trnNo": fmt.Sprintf("%05s", b.Number), "trnGpCd": "300",
			"runDt": dep.Format("20060102"), "dptDt": dep.Format("20060102"), "dptTm": dep.Format("150405"),
			"arvTm": arr.Format("150405"), "dptRsStnCd": b.From, "arvRsStnCd": b.To,
			"iseLmtDt": dlDate, "iseLmtTm": dlTime, "isePsbDt": dlDate, "stlFlg": paid, "seatNum": n(len(b.Seats)),
			"rsvTpCd": kind, "jrnyPrgSttCd": state, "jrnyTpCd": "11", "jrnySqno": n(1), "JRNYLIST_KEY": n(0),
			"PNRLIST_KEY": key, "tkStlFlg": tkStl, "tkIseFlg": "-", "tkCnlRetFlg": "예약취소(예약취소창 이동)",
			"proyStlTgtFlg": "", "plchNum": n(0), "stndNum": n(0), "mviePsrmFlg": "",
		})
	}
	if sc.ReversePayRows {
		slices.Reverse(pays)
	}
	pays = pays[:max(len(pays)-sc.DropPayRows, 0)]
	code, msg := "IRZ000001", "정상적으로 조회 되었습니다."
	if len(rows) == 0 {
		code, msg = "IRZ000005", "조회할 자료가 없습니다."
	}
	s.json(w, sc, map[string]any{
		"resultMap": []any{map[string]any{"strResult": "SUCC", "msgCd": code, "msgTxt": msg, "wctNo": "00000",
			"uuid": "FAKE", "cgPsId": "korail", "totPageCnt": n(pages), "rowCnt": n(len(all))}},
		"rsMap":        []any{map[string]any{"strResult": "FAIL", "msgCd": "WRT300005", "msgTxt": "조회자료가 없습니다."}},
		"rsListMap":    nil,
		"commandMap":   map[string]any{"pageNo": r.PostForm.Get("pageNo")},
		"trainListMap": trains,
		"payListMap":   pays,
	})
}

func (s *Server) ticket(w http.ResponseWriter, r *http.Request, sc Scenario) {
	pnr := r.PostForm.Get("pnrNo")
	i := slices.IndexFunc(sc.Bookings, func(b Booking) bool { return b.PNR == pnr })
	if i < 0 || pnr == "" {
		s.json(w, sc, failure("WRT300005", "조회자료가 없습니다."))
		return
	}
	b := sc.Bookings[i]
	n := sc.num
	seats := make([]any, 0, len(b.Seats))
	for _, st := range b.Seats {
		price := b.Amount / max(len(b.Seats), 1)
		seats = append(seats, map[string]any{
			"rcvdAmt": fmt.Sprintf("%011d", price), "stdrPrc": fmt.Sprintf("%011d", price+600),
			"dcntPrc": fmt.Sprintf("%011d", 600), "stdrFare": fmt.Sprintf("%011d", 0),
			"runDt": b.Departure.In(kst).Format("20060102"), "trnNo": fmt.Sprintf("%05s", b.Number),
			"scarNo": n(st.Car), "seatNo": st.Seat, "psrmClCd": cmp(st.Class, "1"), "psgTpCd": "1",
			"sgrNm": cmp(st.Passenger, PassengerName), "dcntKndCd": cmp(st.Discount, "000"), "seatNum": n(1),
			"locSeatAttCd": "013", "rqSeatAttCd": "015", "dirSeatAttCd": "009", "smkSeatAttCd": "", "etcSeatAttCd": "",
		})
	}
	s.json(w, sc, map[string]any{
		"resultMap": []any{map[string]any{"strResult": "SUCC", "msgCd": "IRZ000010",
			"msgTxt": "정상적으로 조회가 완료되었습니다.", "wctNo": "00000", "uuid": "FAKE", "cgPsId": "korail"}},
		"commandMap":     map[string]any{"pnrNo": pnr, "jrnySqno": r.PostForm.Get("jrnySqno")},
		"trainListMap":   seats,
		"tranferListMap": nil,
	})
}

func failure(code, msg string) map[string]any {
	return map[string]any{"resultMap": []any{map[string]any{"strResult": "FAIL", "msgCd": code, "msgTxt": msg}}}
}

// num renders a count as SR's 2026 app does (a number) or its 2023 one did
// (a string).
func (sc Scenario) num(v int) any {
	if sc.NumbersAsStrings {
		return strconv.Itoa(v)
	}
	return v
}

func (s *Server) json(w http.ResponseWriter, sc Scenario, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if sc.TruncateJSON {
		b = b[:len(b)/2]
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Cache-Control", "no-cache, no-store, max-age=0")
	w.Write(b)
}

func cmp[T comparable](v, fallback T) T {
	var zero T
	if v == zero {
		return fallback
	}
	return v
}

var kst = time.FixedZone("KST", 9*60*60)

// Sample returns three synthetic bookings departing the day after now: a
// paid two-seat one (SRT 301 수서→부산, car 5 seats 3A 3B, 특실), an unpaid
// hold whose payment deadline is an hour after now (SRT 333 수서→동대구,
// car 7 seat 9B), and a standby (SRT 331).
func Sample(now time.Time) []Booking {
	d := now.In(kst)
	at := func(h, m int) time.Time { return time.Date(d.Year(), d.Month(), d.Day()+1, h, m, 0, 0, kst) }
	return []Booking{
		{PNR: "300000000000001", Number: "301", From: "0551", To: "0020", Departure: at(8, 0), Arrival: at(10, 31),
			Paid: true, Amount: 104600, Seats: []Seat{{Car: 5, Seat: "3A", Class: "2"}, {Car: 5, Seat: "3B", Class: "2"}}},
		{PNR: "300000000000002", Number: "333", From: "0551", To: "0015", Departure: at(12, 50), Arrival: at(14, 34),
			Deadline: now.Add(time.Hour).Truncate(time.Minute), Amount: 36500, Seats: []Seat{{Car: 7, Seat: "9B"}}},
		{PNR: "300000000000003", Number: "331", From: "0551", To: "0015", Departure: at(12, 28), Arrival: at(14, 9),
			Standby: true, Amount: 36900, Seats: []Seat{{}}},
	}
}
