package srt

import (
	"bytes"
	"context"
	"errors"
	"io"
	"kiosk/kiosk/clock"
	"kiosk/kiosk/source"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"kiosk/kiosk/srt/srttest"
)

// syncBuffer collects log output; the fake's goroutines never log, but the
// race detector should not have to trust that.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type env struct {
	clk  *clock.Fake
	srv  *srttest.Server
	logs *syncBuffer
}

// newEnv starts a fake holding srttest.Sample bookings (departing the day
// after the clock) plus edits.
func newEnv(t *testing.T, edit func(*srttest.Scenario)) *env {
	t.Helper()
	e := &env{clk: clock.New(time.Date(2026, 11, 22, 9, 0, 0, 0, kst)), logs: &syncBuffer{}}
	sc := srttest.Scenario{Bookings: srttest.Sample(e.clk.Now()), Now: e.clk.Now}
	if edit != nil {
		edit(&sc)
	}
	e.srv = srttest.New(t, sc)
	return e
}

func (e *env) client(edit func(*Options)) *Client {
	o := Options{
		Endpoint:   e.srv.URL,
		LoginID:    srttest.LoginPhone,
		Password:   srttest.Password,
		HTTPClient: &http.Client{Timeout: 5 * time.Second},
		Logger:     slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:        e.clk.Now,
		Pause:      -1,
	}
	if edit != nil {
		edit(&o)
	}
	return NewClient(o)
}

// paths returns the logged request paths and clears the log.
func (e *env) paths() []string {
	var out []string
	for _, r := range e.srv.Requests() {
		out = append(out, r.Path)
	}
	e.srv.ClearLog()
	return out
}

const (
	login  = srttest.PathLogin
	list   = srttest.PathList
	ticket = srttest.PathTicket
	oldTkt = srttest.PathTicketOld
)

func samePaths(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
		t.Errorf("%s: requests %q, want %q", what, got, want)
	}
}

// wantSample is what srttest.Sample shows, soonest first.
func wantSample(now time.Time) []Reservation {
	day := now.In(kst).AddDate(0, 0, 1)
	at := func(h, m int) time.Time { return time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, kst) }
	deadline := now.Add(time.Hour).Truncate(time.Minute)
	return []Reservation{
		{PNR: "300000000000001", Train: "SRT 301", DepartureStation: "수서", ArrivalStation: "부산",
			Departure: at(8, 0), Arrival: at(10, 31), Car: "5", Seat: "3A, 3B", SeatClass: "특실", Passengers: 2, Paid: true},
		{PNR: "300000000000003", Train: "SRT 331", DepartureStation: "수서", ArrivalStation: "동대구",
			Departure: at(12, 28), Arrival: at(14, 9), SeatClass: "일반실", Passengers: 1, Standby: true},
		{PNR: "300000000000002", Train: "SRT 333", DepartureStation: "수서", ArrivalStation: "동대구",
			Departure: at(12, 50), Arrival: at(14, 34), Car: "7", Seat: "9B", SeatClass: "일반실", Passengers: 1,
			PaymentDeadline: &deadline},
	}
}

func TestRefreshBudgetAndHeaders(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client(nil)
	ctx := context.Background()

	got, err := c.Reservations(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	if want := wantSample(e.clk.Now()); !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	reqs := e.srv.Requests()
	for _, r := range reqs {
		if r.Method != http.MethodPost || r.Header.Get("User-Agent") != DefaultUserAgent ||
			r.Header.Get("Accept") != "application/json" ||
			!strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			t.Errorf("%s %s: headers %v", r.Method, r.Path, r.Header)
		}
	}
	if f := reqs[0].Form; f.Get("srchDvCd") != "3" || f.Get("srchDvNm") != "01000000000" || f.Get("deviceKey") != "-" || f.Get("auto") != "Y" {
		t.Errorf("login form %v", f)
	}
	var pnrs []string
	for _, r := range reqs[2:] {
		pnrs = append(pnrs, r.Form.Get("pnrNo")+"/"+r.Form.Get("jrnySqno"))
	}
	if want := []string{"300000000000001/1", "300000000000003/1", "300000000000002/1"}; !reflect.DeepEqual(pnrs, want) {
		t.Errorf("ticket requests %v, want %v", pnrs, want)
	}
	samePaths(t, "first refresh", e.paths(), login, list, ticket, ticket, ticket)

	if _, err := c.Reservations(ctx, 3); err != nil {
		t.Fatal(err)
	}
	samePaths(t, "session kept", e.paths(), list, ticket, ticket, ticket)
	if got, _ := c.Reservations(ctx, 1); len(got) != 1 || got[0].Train != "SRT 301" {
		t.Errorf("max 1: got %+v", got)
	}
	samePaths(t, "max 1", e.paths(), list, ticket)

	c2 := e.client(func(o *Options) { o.UserAgent = "custom SRT-APP-Android V.9" })
	c2.Reservations(ctx, 3)
	for _, r := range e.srv.Requests() {
		if r.Header.Get("User-Agent") != "custom SRT-APP-Android V.9" {
			t.Errorf("%s: UA %q", r.Path, r.Header.Get("User-Agent"))
		}
	}
}

func TestSessionExpiry(t *testing.T) {
	for _, style := range []string{"json", "json-text", "html", "redirect"} {
		t.Run(style, func(t *testing.T) {
			e := newEnv(t, func(sc *srttest.Scenario) { sc.ExpiryStyle = style })
			c := e.client(nil)
			first, err := c.Reservations(context.Background(), 3)
			if err != nil {
				t.Fatal(err)
			}
			e.paths()
			e.srv.ExpireSessions()
			again, err := c.Reservations(context.Background(), 3)
			if err != nil {
				t.Fatal(err)
			}
			samePaths(t, "after expiry", e.paths(), list, login, list, ticket, ticket, ticket)
			if !reflect.DeepEqual(first, again) {
				t.Errorf("after re-login: got %+v, want %+v", again, first)
			}
		})
	}
}

func TestExpiredRightAfterLoginIsNoLoop(t *testing.T) {
	e := newEnv(t, func(sc *srttest.Scenario) {
		sc.Now, sc.SessionTTL = time.Now, time.Nanosecond // every session is dead on arrival
	})
	c := e.client(nil)
	for i := range 2 {
		_, err := c.Reservations(context.Background(), 3)
		if err == nil || errors.Is(err, ErrCredentials) || errors.Is(err, ErrBlocked) {
			t.Fatalf("refresh %d: got %v, want a plain error", i, err)
		}
		samePaths(t, "dead sessions", e.paths(), login, list) // one login per refresh, retried next time
	}
}

func TestCredentialsRefused(t *testing.T) {
	tests := []struct {
		name    string
		members []srttest.Member
		id, typ string
		reason  string
	}{
		{"wrong password", []srttest.Member{{Type: "3", ID: "01000000000", Password: "another-Passw0rd"}},
			srttest.LoginPhone, "", "wrong password"},
		{"no such member", nil, "010-9999-9999", "", "no such member (check login_id and login_type)"},
		{"phone sent as membership number", nil, "01000000000", LoginMembership, "no such member (check login_id and login_type)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(sc *srttest.Scenario) { sc.Members = tc.members })
			c := e.client(func(o *Options) { o.LoginID, o.LoginType = tc.id, tc.typ })
			for i := range 3 {
				_, err := c.Reservations(context.Background(), 3)
				var ce *CredentialsError
				if !errors.Is(err, ErrCredentials) || !errors.As(err, &ce) || ce.Reason != tc.reason || source.Classify(err) != source.Auth {
					t.Fatalf("refresh %d: got %v (%s), want credentials error %q (auth)", i, err, source.Classify(err), tc.reason)
				}
				e.clk.Add(24 * time.Hour)
			}
			samePaths(t, "three refreshes", e.paths(), login)
		})
	}
	t.Run("bare phone number logs in", func(t *testing.T) {
		e := newEnv(t, nil)
		if _, err := e.client(func(o *Options) { o.LoginID = "01000000000" }).Reservations(context.Background(), 1); err != nil {
			t.Fatal(err)
		}
	})
}

func TestBlocked(t *testing.T) {
	for _, status := range []int{http.StatusOK, http.StatusForbidden} {
		e := newEnv(t, func(sc *srttest.Scenario) { sc.Blocked, sc.BlockedStatus = true, status })
		c := e.client(nil)
		wait := func(want time.Duration) {
			t.Helper()
			_, err := c.Reservations(context.Background(), 3)
			var ra interface{ RetryAfter() time.Duration }
			if !errors.Is(err, ErrBlocked) || !errors.As(err, &ra) || ra.RetryAfter() != want || source.Classify(err) != source.RateLimited {
				t.Fatalf("HTTP %d: got %v (%s), want blocked for %v (rate_limited)", status, err, source.Classify(err), want)
			}
		}
		wait(time.Hour)
		samePaths(t, "blocked", e.paths(), login)
		e.clk.Add(59 * time.Minute)
		wait(time.Minute)
		samePaths(t, "within the hour", e.paths())
		e.clk.Add(time.Minute)
		wait(2 * time.Hour)
		samePaths(t, "after the hour", e.paths(), login)
		e.srv.Update(func(sc *srttest.Scenario) { sc.Blocked = false })
		e.clk.Add(2 * time.Hour)
		if _, err := c.Reservations(context.Background(), 3); err != nil {
			t.Fatalf("unblocked: %v", err)
		}
	}

	t.Run("mid-refresh", func(t *testing.T) {
		e := newEnv(t, func(sc *srttest.Scenario) { sc.RateLimit, sc.RateWindow = 2, time.Minute })
		_, err := e.client(nil).Reservations(context.Background(), 3)
		if !errors.Is(err, ErrBlocked) {
			t.Fatalf("got %v, want blocked", err)
		}
		samePaths(t, "stops at the block", e.paths(), login, list, ticket)
	})
}

func TestTransientFailures(t *testing.T) {
	tests := []struct {
		name  string
		sc    func(*srttest.Scenario)
		opts  func(*Options)
		paths []string // of the first refresh; later ones keep the session
	}{
		{"HTTP 503", func(sc *srttest.Scenario) { sc.ServerError = 503 }, nil, []string{login}},
		{"truncated JSON", func(sc *srttest.Scenario) { sc.TruncateJSON = true }, nil, []string{login}},
		{"ErrorCode envelope", func(sc *srttest.Scenario) { sc.ErrorEnvelope = true }, nil, []string{login, list}},
		{"HTTP 404", nil, func(o *Options) { o.Endpoint += "/moved" }, []string{"/moved" + login}},
		{"app UA required", func(sc *srttest.Scenario) { sc.RequireAppUA = true },
			func(o *Options) { o.UserAgent = "Go-http-client/1.1" }, []string{login}},
		{"slow answer", func(sc *srttest.Scenario) { sc.Latency = 2 * time.Second },
			func(o *Options) { o.HTTPClient = &http.Client{Timeout: 50 * time.Millisecond} }, []string{login}},
	}
	categories := map[string]source.Category{"HTTP 503": source.Server, "truncated JSON": source.BadContent,
		"ErrorCode envelope": source.Other, "HTTP 404": source.NotFound, "app UA required": source.Other,
		"slow answer": source.Timeout}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.sc)
			c := e.client(tc.opts)
			for i := range 2 { // not latched: the next refresh tries again
				_, err := c.Reservations(context.Background(), 3)
				if err == nil || errors.Is(err, ErrCredentials) || errors.Is(err, ErrBlocked) {
					t.Fatalf("refresh %d: got %v, want a plain error", i, err)
				}
				if !strings.HasPrefix(err.Error(), "srt: ") || strings.Count(err.Error(), "srt:") != 1 {
					t.Errorf("error %q does not name its source once", err)
				}
				if got, want := source.Classify(err), categories[tc.name]; got != want {
					t.Errorf("category %q, want %q", got, want)
				}
				t.Log(err)
				want := tc.paths
				if i > 0 && want[0] == login && len(want) > 1 {
					want = want[1:] // logged in: the session is reused
				}
				samePaths(t, "refresh", e.paths(), want...)
			}
		})
	}
}

func TestTicketPathFallback(t *testing.T) {
	e := newEnv(t, func(sc *srttest.Scenario) { sc.TicketGone = true })
	c := e.client(nil)
	got, err := c.Reservations(context.Background(), 3)
	if err != nil {
		t.Fatal(err)
	}
	if want := wantSample(e.clk.Now()); !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v", got)
	}
	samePaths(t, "first", e.paths(), login, list, ticket, oldTkt, oldTkt, oldTkt)
	c.Reservations(context.Background(), 3)
	samePaths(t, "stays on the old path", e.paths(), list, oldTkt, oldTkt, oldTkt)
}

func TestListShapes(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, kst)
	sample := wantSample(now)
	tests := []struct {
		name  string
		sc    func(*srttest.Scenario)
		want  []Reservation
		paths []string
	}{
		{"numbers as strings", func(sc *srttest.Scenario) { sc.NumbersAsStrings = true }, sample,
			[]string{login, list, ticket, ticket, ticket}},
		{"pay rows reordered", func(sc *srttest.Scenario) { sc.ReversePayRows = true }, sample,
			[]string{login, list, ticket, ticket, ticket}},
		{"no keys", func(sc *srttest.Scenario) { sc.NoKeys = true }, sample,
			[]string{login, list, ticket, ticket, ticket}},
		{"pay row missing", func(sc *srttest.Scenario) { sc.DropPayRows = 1 }, []Reservation{sample[0], sample[2]},
			[]string{login, list, ticket, ticket}},
		{"three pages", func(sc *srttest.Scenario) { sc.PageSize = 1 }, sample,
			[]string{login, list, list, list, ticket, ticket, ticket}},
		{"pageNo ignored", func(sc *srttest.Scenario) { sc.PageSize, sc.IgnorePageNo = 1, true }, sample[:1],
			[]string{login, list, list, ticket}},
		{"empty", func(sc *srttest.Scenario) { sc.Bookings = nil }, []Reservation{}, []string{login, list}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.sc)
			got, err := e.client(nil).Reservations(context.Background(), 3)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
			reqs := e.srv.Requests()
			for i, r := range reqs {
				if r.Path == list && r.Form.Get("pageNo") != []string{"", "0", "1", "2"}[i] {
					t.Errorf("request %d: pageNo %q", i, r.Form.Get("pageNo"))
				}
			}
			samePaths(t, tc.name, e.paths(), tc.paths...)
		})
	}
	e := newEnv(t, func(sc *srttest.Scenario) { sc.DropPayRows = 1 })
	e.client(nil).Reservations(context.Background(), 3)
	if !strings.Contains(e.logs.String(), `"train_rows_alone":1`) {
		t.Errorf("a dropped row was not logged: %s", e.logs)
	}
}

func TestUnknownCodes(t *testing.T) {
	e := newEnv(t, func(sc *srttest.Scenario) {
		sc.Bookings = sc.Bookings[:1]
		sc.Bookings[0].Class, sc.Bookings[0].From, sc.Bookings[0].To = "99", "9999", "0515"
	})
	got, err := e.client(nil).Reservations(context.Background(), 3)
	if err != nil || len(got) != 1 {
		t.Fatalf("got %+v, %v", got, err)
	}
	if r := got[0]; r.Train != "99 301" || r.DepartureStation != "9999" || r.ArrivalStation != "포항" {
		t.Errorf("got %q %q→%q", r.Train, r.DepartureStation, r.ArrivalStation)
	}
}

func TestFutureSortedMaxShown(t *testing.T) {
	e := newEnv(t, nil)
	now := e.clk.Now()
	mk := func(pnr, no string, dep time.Time) srttest.Booking {
		return srttest.Booking{PNR: pnr, Number: no, From: "0551", To: "0020", Departure: dep,
			Arrival: dep.Add(2 * time.Hour), Paid: true, Seats: []srttest.Seat{{Car: 1, Seat: "1A"}}}
	}
	e.srv.Update(func(sc *srttest.Scenario) {
		sc.Bookings = []srttest.Booking{
			mk("P4", "304", now.Add(72*time.Hour)),
			mk("P0", "300", now.Add(-time.Minute)), // departed
			mk("P2", "302", now.Add(time.Hour)),
			mk("P3", "303", now.Add(48*time.Hour)),
			mk("P1", "301", now.Add(time.Minute)),
		}
	})
	got, err := e.client(nil).Reservations(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	var trains, asked []string
	for _, r := range got {
		trains = append(trains, r.Train)
	}
	for _, r := range e.srv.Requests() {
		if r.Path == ticket {
			asked = append(asked, r.Form.Get("pnrNo"))
		}
	}
	if !reflect.DeepEqual(trains, []string{"SRT 301", "SRT 302"}) || !reflect.DeepEqual(asked, []string{"P1", "P2"}) {
		t.Errorf("shown %v, details asked for %v", trains, asked)
	}
}

func TestOneRequestAtATime(t *testing.T) {
	e := newEnv(t, func(sc *srttest.Scenario) { sc.Latency = 5 * time.Millisecond })
	c := e.client(nil)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { c.Reservations(context.Background(), 3) })
	}
	wg.Wait()
	if n := e.srv.MaxInFlight(); n != 1 {
		t.Errorf("%d requests at once", n)
	}
	if n := e.srv.Count(login); n != 1 {
		t.Errorf("%d logins", n)
	}
}

func TestPauseHonoursContext(t *testing.T) {
	e := newEnv(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The context ends once the login's answer has been read and closed,
	// so the client is in its hour-long pause before the next request,
	// however slow the machine is.
	c := e.client(func(o *Options) {
		o.Pause = time.Hour
		o.HTTPClient = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			resp, err := http.DefaultTransport.RoundTrip(r)
			if err == nil {
				resp.Body = cancelOnClose{resp.Body, cancel}
			}
			return resp, err
		})}
	})
	if _, err := c.Reservations(ctx, 3); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want the context's error", err)
	}
	samePaths(t, "before the pause", e.paths(), login)
}

// TestNoSecretsInLogsOrErrors runs every path through the client with debug
// logging and checks that no credential, cookie or personal data shows.
func TestNoSecretsInLogsOrErrors(t *testing.T) {
	var errs []string
	var secrets []string
	logs := &syncBuffer{}
	run := func(sc func(*srttest.Scenario), opts func(*Options), between func(*env)) {
		e := newEnv(t, sc)
		e.logs = logs
		c := e.client(opts)
		for range 2 {
			if _, err := c.Reservations(context.Background(), 3); err != nil {
				errs = append(errs, err.Error())
			}
			if between != nil {
				between(e)
			}
		}
		secrets = append(secrets, e.srv.SessionIDs()...)
	}
	run(nil, nil, func(e *env) { e.srv.ExpireSessions() })
	run(func(sc *srttest.Scenario) { sc.ExpiryStyle = "html" }, nil, func(e *env) { e.srv.ExpireSessions() })
	run(func(sc *srttest.Scenario) {
		sc.Members = []srttest.Member{{Type: "3", ID: "01000000000", Password: "x"}}
	}, nil, nil)
	run(nil, func(o *Options) { o.LoginID = "010-1111-2222" }, nil)
	run(func(sc *srttest.Scenario) { sc.RequireAppUA = true }, func(o *Options) { o.UserAgent = "curl" }, nil)
	run(func(sc *srttest.Scenario) { sc.TruncateJSON = true }, nil, nil)
	run(func(sc *srttest.Scenario) { sc.DropPayRows = 2; sc.TicketGone = true }, nil, nil)
	run(func(sc *srttest.Scenario) { sc.Blocked = true }, nil, nil)

	if len(errs) < 6 || !strings.Contains(logs.String(), `"path"`) {
		t.Fatalf("the scenarios did not run: %d errors, logs %q", len(errs), logs)
	}
	secrets = append(secrets, srttest.Password, srttest.LoginPhone, "01000000000", "010-1111-2222",
		srttest.MemberName, srttest.PassengerName, srttest.MemberNumber, "300000000000001", "300000000000002")
	for _, s := range secrets {
		if strings.Contains(logs.String(), s) {
			t.Errorf("logs contain %q", s)
		}
		for _, e := range errs {
			if strings.Contains(e, s) {
				t.Errorf("error %q contains %q", e, s)
			}
		}
	}

	c := NewClient(Options{LoginID: "010-1234-5678", Password: "Sekrit-99"})
	err := c.readLogin([]byte(`{"strResult":"FAIL","RTNCD":"N","MSG":"계정 01012345678 (010-1234-5678, Sekrit-99) 확인 필요"}`))
	if err == nil || strings.Contains(err.Error(), "5678") || strings.Contains(err.Error(), "Sekrit") || !strings.Contains(err.Error(), "확인 필요") {
		t.Errorf("unknown login failure: %v", err)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c cancelOnClose) Close() error {
	defer c.cancel()
	return c.ReadCloser.Close()
}
