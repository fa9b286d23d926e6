// Package telegramtest is a fake of the Telegram Bot API for tests: an
// httptest server speaking its wire format (POST /bot{token}/{method} with
// a JSON body, answered {"ok":true,"result":…} or {"ok":false,
// "error_code":…,"description":…}) for the methods kiosk/telegram calls.
// getUpdates long-polls the updates a test adds, sendMessage is recorded,
// other methods succeed; a per-method script of canned answers (a 429 with
// retry_after, a 403, a proxy's 502 page) goes first, and every call's
// body is kept. Only tests import it.
package telegramtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Answer writes a canned HTTP answer in place of the fake's own.
type Answer func(w http.ResponseWriter)

// Sent is a sendMessage the fake accepted.
type Sent struct {
	Chat        int64           `json:"chat_id"`
	Text        string          `json:"text"`
	ParseMode   string          `json:"parse_mode"`
	ReplyMarkup json.RawMessage `json:"reply_markup"`
	At          time.Time       `json:"-"` // when it arrived
}

type update struct {
	id   int64
	body json.RawMessage
}

// Server is a running fake.
type Server struct {
	URL string

	tb    testing.TB
	token string
	srv   *httptest.Server
	stop  chan struct{} // closed by Close: long polls return at once
	once  sync.Once

	mu      sync.Mutex
	strict  []string      // nil: any method is accepted
	added   chan struct{} // closed and replaced by Add: long polls look again
	updates []update
	offsets []int64
	sent    []Sent
	calls   map[string][]json.RawMessage
	script  map[string][]Answer
}

// New starts a fake on 127.0.0.1 that accepts token, closed when the test
// ends. A request with another token gets the API's 401, one that is not
// a POST to /bot{token}/{method} its 404.
func New(tb testing.TB, token string) *Server {
	tb.Helper()
	s := &Server{
		tb: tb, token: token, stop: make(chan struct{}), added: make(chan struct{}),
		calls: map[string][]json.RawMessage{}, script: map[string][]Answer{},
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	tb.Cleanup(s.Close)
	return s
}

// Strict makes every request but a POST of one of methods with the token,
// and every body that is not JSON, an error of the test.
func (s *Server) Strict(methods ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.strict = slices.Clone(methods)
}

// Close shuts the fake down: pending long polls return, later calls fail
// to connect.
func (s *Server) Close() {
	s.once.Do(func() { close(s.stop) })
	s.srv.Close()
}

// CloseClientConnections cuts every open connection, as a dropped network
// does mid-poll.
func (s *Server) CloseClientConnections() { s.srv.CloseClientConnections() }

// Then queues answers for method: its next calls get them, in order,
// before the fake answers on its own again. The calls are recorded; a
// sendMessage answered so is not Sent.
func (s *Server) Then(method string, answers ...Answer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script[method] = append(s.script[method], answers...)
}

// Add queues an update (its JSON); every getUpdates from an offset at or
// below id returns it, and a pending long poll returns at once.
func (s *Server) Add(id int64, updateJSON string) {
	s.tb.Helper()
	if !json.Valid([]byte(updateJSON)) {
		s.tb.Fatalf("telegramtest: update %d is not JSON: %s", id, updateJSON)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.updates = append(s.updates, update{id: id, body: json.RawMessage(updateJSON)})
	close(s.added)
	s.added = make(chan struct{})
}

// Message adds update id: a text message, also numbered id, written in chat.
func (s *Server) Message(id, chat int64, text string) {
	s.tb.Helper()
	b, err := json.Marshal(map[string]any{
		"update_id": id,
		"message":   map[string]any{"message_id": id, "date": time.Now().Unix(), "chat": chatJSON(chat), "text": text},
	})
	if err != nil {
		s.tb.Fatal(err)
	}
	s.Add(id, string(b))
}

// Sent returns the messages sent, in order of arrival.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent)
}

// Texts returns the texts sent to chat, in order.
func (s *Server) Texts(chat int64) []string {
	var out []string
	for _, m := range s.Sent() {
		if m.Chat == chat {
			out = append(out, m.Text)
		}
	}
	return out
}

// Calls returns the body of every call of method, scripted answers included.
func (s *Server) Calls(method string) []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls[method])
}

// Offsets returns the offset of every getUpdates, in order.
func (s *Server) Offsets() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.offsets)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	token, method, cut := strings.Cut(strings.TrimPrefix(r.URL.Path, "/bot"), "/")
	switch {
	case !strings.HasPrefix(r.URL.Path, "/bot") || !cut || method == "" || r.Method != http.MethodPost:
		s.unexpected("%s %s", r.Method, r.URL.Path)
		fail(w, http.StatusNotFound, "Not Found", nil)
		return
	case token != s.token:
		s.unexpected("%s %s: wrong token", r.Method, r.URL.Path)
		fail(w, http.StatusUnauthorized, "Unauthorized", nil)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return // the client went away
	}
	s.mu.Lock()
	s.calls[method] = append(s.calls[method], body)
	strict := s.strict
	s.mu.Unlock()
	switch {
	case strict != nil && !slices.Contains(strict, method):
		s.unexpected("%s %s", r.Method, r.URL.Path)
		fail(w, http.StatusNotFound, "Not Found", nil)
		return
	case !json.Valid(body):
		s.unexpected("%s: body is not JSON: %q", method, body)
		fail(w, http.StatusBadRequest, "Bad Request: invalid JSON", nil)
		return
	}
	s.mu.Lock()
	var next Answer
	if len(s.script[method]) > 0 {
		next, s.script[method] = s.script[method][0], s.script[method][1:]
	}
	s.mu.Unlock()
	if next != nil {
		next(w)
		return
	}
	switch method {
	case "getUpdates":
		s.getUpdates(w, r, body)
	case "sendMessage":
		s.sendMessage(w, body)
	default:
		ok(w, true)
	}
}

// unexpected fails the test if the fake is strict.
func (s *Server) unexpected(format string, args ...any) {
	s.mu.Lock()
	strict := s.strict != nil
	s.mu.Unlock()
	if strict {
		s.tb.Errorf("telegramtest: unexpected "+format, args...)
	}
}

func (s *Server) sendMessage(w http.ResponseWriter, body []byte) {
	var m Sent
	if err := json.Unmarshal(body, &m); err != nil {
		s.unexpected("sendMessage body: %v", err)
		fail(w, http.StatusBadRequest, "Bad Request: "+err.Error(), nil)
		return
	}
	m.At = time.Now()
	s.mu.Lock()
	s.sent = append(s.sent, m)
	id := len(s.sent)
	s.mu.Unlock()
	ok(w, map[string]any{"message_id": id, "date": m.At.Unix(), "chat": chatJSON(m.Chat), "text": m.Text})
}

// getUpdates answers the updates from offset on, waiting up to timeout
// seconds for one.
func (s *Server) getUpdates(w http.ResponseWriter, r *http.Request, body []byte) {
	var p struct {
		Offset  int64 `json:"offset"`
		Timeout int   `json:"timeout"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		s.unexpected("getUpdates body: %v", err)
		fail(w, http.StatusBadRequest, "Bad Request: "+err.Error(), nil)
		return
	}
	s.mu.Lock()
	s.offsets = append(s.offsets, p.Offset)
	s.mu.Unlock()
	deadline := time.NewTimer(time.Duration(p.Timeout) * time.Second)
	defer deadline.Stop()
	for {
		out := []json.RawMessage{}
		s.mu.Lock()
		for _, u := range s.updates {
			if u.id >= p.Offset {
				out = append(out, u.body)
			}
		}
		added := s.added
		s.mu.Unlock()
		if len(out) > 0 {
			ok(w, out)
			return
		}
		select {
		case <-added:
			continue
		case <-deadline.C:
		case <-s.stop:
		case <-r.Context().Done():
		}
		ok(w, out)
		return
	}
}

// chatJSON is a Chat as the API sends it: supergroup ids start at -100…,
// other negative ids are groups.
func chatJSON(id int64) map[string]any {
	kind := "private"
	switch {
	case id <= -1_000_000_000_000:
		kind = "supergroup"
	case id < 0:
		kind = "group"
	}
	return map[string]any{"id": id, "type": kind}
}

func ok(w http.ResponseWriter, result any) {
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "result": result})
}

func fail(w http.ResponseWriter, code int, description string, parameters map[string]any) {
	v := map[string]any{"ok": false, "error_code": code, "description": description}
	if parameters != nil {
		v["parameters"] = parameters
	}
	writeJSON(w, code, v)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	w.Write(b)
}

// TooMany is the API's flood limit: a 429 asking to wait retryAfter
// seconds.
func TooMany(retryAfter int) Answer {
	return func(w http.ResponseWriter) {
		fail(w, http.StatusTooManyRequests, fmt.Sprintf("Too Many Requests: retry after %d", retryAfter),
			map[string]any{"retry_after": retryAfter})
	}
}

// Blocked is the 403 for a chat that blocked the bot.
func Blocked(w http.ResponseWriter) {
	fail(w, http.StatusForbidden, "Forbidden: bot was blocked by the user", nil)
}

// BadGateway is a proxy's 502 page: HTML, not JSON.
func BadGateway(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusBadGateway)
	io.WriteString(w, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>")
}
