package srt

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"kiosk/kiosk/source"
)

// Defaults for Options.
const (
	DefaultEndpoint = "https://app.srail.or.kr:443"
	// DefaultUserAgent is the newest app UA known (app 2.0.41, 2026-07): an
	// Android WebView UA with the app suffix, on which SR gates.
	DefaultUserAgent = "Mozilla/5.0 (Linux; Android 15; SM-S912N Build/AP3A.240905.015.A2; wv) " +
		"AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/136.0.7103.125 Mobile Safari/537.36 " +
		"SRT-APP-Android V.2.0.41"
	DefaultTimeout  = 20 * time.Second
	DefaultPause    = 700 * time.Millisecond
	DefaultMaxShown = 3
)

// SR's paths. The ticket details moved from 02017 to 02019 in 2024-12; the
// old path stays as a fallback.
const (
	PathLogin     = "/apb/selectListApb01080_n.do"
	PathList      = "/atc/selectListAtc14016_n.do"
	PathTicket    = "/ard/selectListArd02019_n.do"
	PathTicketOld = "/ard/selectListArd02017_n.do"
)

// maxBody bounds what is read of one answer; a list is a few kilobytes.
const maxBody = 4 << 20

// maxPages bounds the list pages read in one refresh.
const maxPages = 10

// Options configure a Client.
type Options struct {
	Endpoint  string // "" → DefaultEndpoint
	LoginID   string
	LoginType string // auto (""), membership, email, phone
	Password  string
	UserAgent string // "" → DefaultUserAgent
	// HTTPClient is copied; the copy gets its own cookie jar and does not
	// follow redirects (a redirect to the login page means the session
	// expired). nil → a client with DefaultTimeout.
	HTTPClient *http.Client
	Logger     *slog.Logger     // nil → discard
	Now        func() time.Time // nil → time.Now
	// Pause is the wait between two requests of one refresh, ±25%:
	// 0 → DefaultPause, negative → none (tests).
	Pause time.Duration
	// TicketPaths are tried in turn while one does not answer JSON;
	// nil → PathTicket, PathTicketOld.
	TicketPaths []string
}

// Client reads the reservations of one SRT account. It keeps the session
// cookie between refreshes, sends one request at a time, and remembers a
// refused login or an IP block for its lifetime (Source makes that survive
// restarts). It is safe for concurrent use; calls are serialized.
type Client struct {
	opts Options
	hc   http.Client
	log  *slog.Logger
	now  func() time.Time
	fp   string

	mu       sync.Mutex
	loggedIn bool
	ticket   int // index of the ticket path in use
	gate     Gate
}

// NewClient returns a client; it sends nothing until Reservations.
func NewClient(opts Options) *Client {
	opts.Endpoint = strings.TrimRight(opts.Endpoint, "/")
	if opts.Endpoint == "" {
		opts.Endpoint = DefaultEndpoint
	}
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	if opts.LoginType == "" {
		opts.LoginType = LoginAuto
	}
	if opts.Pause == 0 {
		opts.Pause = DefaultPause
	}
	if len(opts.TicketPaths) == 0 {
		opts.TicketPaths = []string{PathTicket, PathTicketOld}
	}
	c := &Client{opts: opts, log: opts.Logger, now: opts.Now,
		fp: Fingerprint(opts.Password, opts.LoginID, opts.LoginType, opts.UserAgent, opts.Endpoint)}
	if opts.HTTPClient != nil {
		c.hc = *opts.HTTPClient
	} else {
		c.hc.Timeout = DefaultTimeout
	}
	c.hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.dropSession()
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c
}

// Reservations runs one refresh: a login if there is no session, the list
// (all pages), and the ticket details of the reservations it returns: those
// departing after now, soonest first, at most maxShown (≤0 → DefaultMaxShown).
// An expired session is logged in again once and the call retried once.
//
// Errors: a refused login matches ErrCredentials and is returned again,
// without a request, until a new Client has other credentials; an IP block
// matches ErrBlocked and has RetryAfter; anything else is worth a retry at
// the next refresh.
func (c *Client) Reservations(ctx context.Context, maxShown int) ([]Reservation, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if maxShown <= 0 {
		maxShown = DefaultMaxShown
	}
	if err := c.gate.Allow(c.now(), c.fp); err != nil {
		return nil, err
	}
	cy := &cycle{c: c, ctx: ctx}
	rs, err := cy.refresh(maxShown)
	if err = c.gate.Record(c.now(), c.fp, err); err != nil {
		return nil, err
	}
	return rs, nil
}

// dropSession forgets the session cookie.
func (c *Client) dropSession() {
	jar, _ := cookiejar.New(nil) // never fails without options
	c.hc.Jar = jar
	c.loggedIn = false
}

// cycle is one refresh: it counts logins so there is at most one.
type cycle struct {
	c        *Client
	ctx      context.Context
	logins   int
	requests int
}

func (cy *cycle) refresh(maxShown int) ([]Reservation, error) {
	c := cy.c
	if !c.loggedIn {
		if err := cy.login(); err != nil {
			return nil, wrap("", err)
		}
	}
	all, err := cy.list()
	if err != nil {
		return nil, wrap("list reservations", err)
	}
	shown := upcoming(all, c.now(), maxShown)
	for i := range shown {
		if shown[i].PNR == "" {
			continue
		}
		seats, err := cy.tickets(shown[i].PNR)
		var api *APIError
		if errors.As(err, &api) { // this one reservation: show it without seats
			c.log.Warn("srt: no ticket details", "code", api.Code)
			continue
		}
		if err != nil {
			return nil, wrap("ticket details", err)
		}
		applySeats(&shown[i], seats)
	}
	return shown, nil
}

// wrap adds the operation (if any) and "srt: " to an error, except to the
// two a caller shows as they are.
func wrap(op string, err error) error {
	var b *BlockedError
	var cr *CredentialsError
	switch {
	case errors.As(err, &b) || errors.As(err, &cr):
		return err
	case op == "":
		return fmt.Errorf("srt: %w", err)
	}
	return fmt.Errorf("srt: %s: %w", op, err)
}

// loginError names a failed login; refusals and blocks pass as they are.
func loginError(err error) error {
	var b *BlockedError
	var cr *CredentialsError
	if errors.As(err, &b) || errors.As(err, &cr) {
		return err
	}
	return fmt.Errorf("log in: %w", err)
}

// list reads every page of the reservation list. Page numbers are 0-based
// per the one capture with totPageCnt; a page that brings nothing new ends
// the loop, in case SR ignores pageNo.
func (cy *cycle) list() ([]Reservation, error) {
	var out []Reservation
	seen := map[string]bool{}
	var alone, orphans, unreadable int
	pages := 1
	for p := 0; p < min(pages, maxPages); p++ {
		var page *listPage
		err := cy.call(PathList, url.Values{"pageNo": {strconv.Itoa(p)}}, func(b []byte) (err error) {
			page, err = decodeList(b)
			return err
		})
		if err != nil {
			if p > 0 {
				return nil, fmt.Errorf("page %d: %w", p, err)
			}
			return nil, err
		}
		if p == 0 {
			pages = page.Status[0].TotalPages.num()
		}
		fresh := 0
		for _, pr := range pair(page.Trains, page.Pays) {
			if pr.pay == nil {
				alone++
				continue
			}
			r, ok := pr.reservation()
			if !ok {
				unreadable++
				continue
			}
			key := r.PNR
			if pr.train == nil {
				orphans++
				key = r.Train + "|" + r.Departure.String()
			}
			if !seen[key] {
				seen[key] = true
				out = append(out, r)
				fresh++
			}
		}
		if fresh == 0 {
			break
		}
	}
	if alone+orphans+unreadable > 0 { // the shape changed; counts only, rows hold personal data
		cy.c.log.Warn("srt: list rows did not pair", "train_rows_alone", alone,
			"pay_rows_alone", orphans, "unreadable_rows", unreadable)
	}
	return out, nil
}

// tickets reads the ticket details of one reservation, moving to the next
// ticket path (for good) when the one in use does not answer JSON.
func (cy *cycle) tickets(pnr string) ([]seatRow, error) {
	c := cy.c
	form := url.Values{"pnrNo": {pnr}, "jrnySqno": {"1"}}
	for tries := 1; ; tries++ {
		var page *ticketPage
		path := c.opts.TicketPaths[c.ticket]
		err := cy.call(path, form, func(b []byte) (err error) {
			page, err = decodeTicket(b)
			return err
		})
		if errors.Is(err, errEndpoint) && tries < len(c.opts.TicketPaths) {
			c.ticket = (c.ticket + 1) % len(c.opts.TicketPaths)
			c.log.Warn("srt: ticket path does not answer JSON, switching", "path", path,
				"next", c.opts.TicketPaths[c.ticket], "error", err)
			continue
		}
		if err != nil {
			return nil, err
		}
		return page.Seats, nil
	}
}

// call posts an authenticated request and decodes the answer; when the
// session has expired it logs in (once per cycle) and tries once more.
func (cy *cycle) call(path string, form url.Values, decode func([]byte) error) error {
	for retried := false; ; retried = true {
		body, err := cy.post(path, form)
		if err == nil {
			err = decode(body)
		}
		if !errors.Is(err, errSessionExpired) {
			return err
		}
		cy.c.dropSession()
		if retried || cy.logins > 0 {
			return errors.New("session expired again right after logging in")
		}
		cy.c.log.Info("srt: session expired, logging in again")
		if err := cy.login(); err != nil {
			return err
		}
	}
}

// login logs in with a fresh cookie jar.
func (cy *cycle) login() error {
	c := cy.c
	cy.logins++
	c.dropSession()
	code, name := loginFields(c.opts.LoginID, c.opts.LoginType)
	form := url.Values{
		"auto":          {"Y"},
		"check":         {"Y"},
		"page":          {"menu"},
		"deviceKey":     {"-"},
		"customerYn":    {""},
		"login_referer": {c.opts.Endpoint + "/main/main.do"},
		"srchDvCd":      {code},
		"srchDvNm":      {name},
		"hmpgPwdCphd":   {c.opts.Password},
	}
	body, err := cy.post(PathLogin, form)
	if errors.Is(err, errSessionExpired) {
		err = errors.New("answered with the login page")
	}
	if err != nil {
		return loginError(err)
	}
	if err := c.readLogin(body); err != nil {
		return loginError(err)
	}
	c.loggedIn = true
	c.log.Info("srt: logged in")
	return nil
}

// loginAnswer is the part of the login answer we read. The rest echoes the
// password and holds the member's name and phone number: never log it.
type loginAnswer struct {
	Msg    text            `json:"MSG"`
	User   rows[loginUser] `json:"userMap"`
	Status rows[status]    `json:"resultMap"` // what a gated client gets
}

type loginUser struct {
	Code text `json:"RTNCD"`
	Msg  text `json:"MSG"`
}

// readLogin judges a login answer: success is userMap.RTNCD "Y".
func (c *Client) readLogin(body []byte) error {
	var a loginAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return fmt.Errorf("malformed JSON in %d bytes: %w", len(body), err)
	}
	var user loginUser
	if len(a.User) > 0 {
		user = a.User[0]
	}
	if user.Code.str() == "Y" {
		return nil
	}
	msg := a.Msg.str()
	if msg == "" {
		msg = user.Msg.str()
	}
	if msg == "" && len(a.Status) > 0 {
		msg = a.Status[0].Msg.str()
	}
	flat := strings.Join(strings.Fields(msg), "")
	switch {
	case strings.Contains(flat, "존재하지않는회원"):
		return &CredentialsError{Reason: "no such member (check login_id and login_type)"}
	case strings.Contains(flat, "비밀번호오류"), strings.Contains(flat, "비밀번호가일치하지"), strings.Contains(flat, "비밀번호가틀"):
		return &CredentialsError{Reason: "wrong password"}
	}
	if msg = c.scrub(msg); msg == "" {
		msg = "no message"
	}
	return errors.New("SR did not log in: " + msg)
}

// scrub removes the credentials from server text before it goes into an
// error, then sanitizes it.
func (c *Client) scrub(msg string) string {
	_, name := loginFields(c.opts.LoginID, c.opts.LoginType)
	for _, s := range []string{c.opts.Password, c.opts.LoginID, name} {
		if len(s) >= 3 {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
		}
	}
	return sanitize(msg)
}

// post sends one form request and classifies the answer by transport
// signals: IP block, login redirect or page, HTTP status, not JSON.
func (cy *cycle) post(path string, form url.Values) ([]byte, error) {
	c := cy.c
	if cy.requests > 0 && c.opts.Pause > 0 {
		d := c.opts.Pause*3/4 + rand.N(c.opts.Pause/2+1)
		t := time.NewTimer(d)
		select {
		case <-cy.ctx.Done():
			t.Stop()
			return nil, cy.ctx.Err()
		case <-t.C:
		}
	}
	cy.requests++
	req, err := http.NewRequestWithContext(cy.ctx, http.MethodPost, c.opts.Endpoint+path, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
	start := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	c.log.Debug("srt: request", "path", path, "status", resp.StatusCode, "bytes", len(body),
		"elapsed", time.Since(start).Round(time.Millisecond))
	if err != nil {
		return nil, fmt.Errorf("reading answer: %w", err)
	}
	if len(body) > maxBody {
		return nil, source.WithCategory(source.BadContent, fmt.Errorf("answer over %d bytes", maxBody))
	}
	return body, classify(resp, body)
}

// Markers of SR's answers that are not JSON.
var (
	blockedText = []byte("Your IP Address Blocked")
	loginMarks  = [][]byte{[]byte("Sr.msgs.login020"), []byte("mvLoginPage")}
)

// classify returns nil for an answer that may be JSON to decode.
func classify(resp *http.Response, body []byte) error {
	if bytes.Contains(body, blockedText) {
		return &BlockedError{After: MinBlock}
	}
	st := resp.StatusCode
	if st >= 300 && st < 400 {
		if strings.Contains(resp.Header.Get("Location"), "/login/") {
			return errSessionExpired
		}
		return fmt.Errorf("unexpected redirect (HTTP %d)", st)
	}
	switch {
	case st == http.StatusNotFound || st == http.StatusMethodNotAllowed || st == http.StatusGone:
		return fmt.Errorf("%w: %w", &source.HTTPError{Code: st}, errEndpoint)
	case st >= 400:
		return &source.HTTPError{Code: st}
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n\ufeff")
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		return nil
	}
	for _, m := range loginMarks {
		if bytes.Contains(body, m) {
			return errSessionExpired
		}
	}
	if bytes.Contains(body, []byte(PathLogin)) && bytes.Contains(body, []byte("hmpgPwdCphd")) {
		return errSessionExpired
	}
	ct, _, _ := strings.Cut(resp.Header.Get("Content-Type"), ";")
	return source.WithCategory(source.BadContent, fmt.Errorf("%d bytes of %q, not JSON: %w", len(body), sanitize(ct), errEndpoint))
}
