package telegramtest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

const token = "111:DDfake-token"

// failures is a testing.TB that keeps the fake's Errorf calls.
type failures struct {
	testing.TB
	mu   sync.Mutex
	msgs []string
}

func (e *failures) Errorf(format string, args ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.msgs = append(e.msgs, format)
}

func (e *failures) count() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.msgs)
}

func call(t *testing.T, httpMethod, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(httpMethod, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestWrongRequests(t *testing.T) {
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		strictErr                bool // the request fails a strict test
	}{
		{"sendMessage", "POST", "/bot" + token + "/sendMessage", `{"chat_id":1,"text":"x"}`, 200, false},
		{"GET", "GET", "/bot" + token + "/sendMessage", "", 404, true},
		{"no method", "POST", "/bot" + token, `{}`, 404, true},
		{"wrong token", "POST", "/bot111:other/sendMessage", `{"chat_id":1,"text":"x"}`, 401, true},
		{"body not JSON", "POST", "/bot" + token + "/sendMessage", `chat_id=1`, 400, true},
		{"method not expected", "POST", "/bot" + token + "/getMe", `{}`, 200, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, strict := range []bool{false, true} {
				tb := &failures{TB: t}
				s := New(tb, token)
				if strict {
					s.Strict("sendMessage")
				}
				status, body := call(t, tc.method, s.URL+tc.path, tc.body)
				want := tc.status
				if strict && tc.name == "method not expected" {
					want = 404
				}
				if status != want || !json.Valid([]byte(body)) {
					t.Errorf("strict %v: HTTP %d %s, want %d and JSON", strict, status, body, want)
				}
				if got := tb.count() > 0; got != (strict && tc.strictErr) {
					t.Errorf("strict %v: test failed %v, want %v", strict, got, strict && tc.strictErr)
				}
			}
		})
	}
}

func TestScriptGoesFirst(t *testing.T) {
	s := New(t, token)
	s.Then("sendMessage", TooMany(7), Blocked, BadGateway)
	send := s.URL + "/bot" + token + "/sendMessage"
	for _, want := range []struct {
		status int
		body   string
	}{
		{429, `"parameters":{"retry_after":7}`},
		{403, `"description":"Forbidden: bot was blocked by the user"`},
		{502, "<title>502 Bad Gateway</title>"},
		{200, `"ok":true`},
	} {
		if status, body := call(t, "POST", send, `{"chat_id":-2,"text":"안녕","parse_mode":"HTML"}`); status != want.status || !strings.Contains(body, want.body) {
			t.Errorf("HTTP %d %s, want %d with %s", status, body, want.status, want.body)
		}
	}
	if sent := s.Sent(); len(sent) != 1 || sent[0].Chat != -2 || sent[0].Text != "안녕" || sent[0].ParseMode != "HTML" || sent[0].At.IsZero() {
		t.Errorf("sent %+v, want the one message answered ok", sent)
	}
	if n := len(s.Calls("sendMessage")); n != 4 {
		t.Errorf("%d calls recorded, want 4", n)
	}
}

func TestLongPoll(t *testing.T) {
	s := New(t, token)
	s.Message(5, 1, "old")
	poll := s.URL + "/bot" + token + "/getUpdates"
	done := make(chan string, 1)
	go func() {
		res, err := http.Post(poll, "application/json", strings.NewReader(`{"offset":6,"timeout":30}`))
		if err != nil {
			done <- err.Error()
			return
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		done <- string(b)
	}()
	time.Sleep(50 * time.Millisecond)
	s.Message(6, -1001234567890, "new")
	select {
	case body := <-done:
		if !strings.Contains(body, `"text":"new"`) || strings.Contains(body, "old") || !strings.Contains(body, `"type":"supergroup"`) {
			t.Errorf("getUpdates from 6 answered %s, want only update 6", body)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the long poll did not return with the update")
	}
	if _, body := call(t, "POST", poll, `{"offset":7,"timeout":0}`); body != `{"ok":true,"result":[]}` {
		t.Errorf("getUpdates from 7 answered %s, want none", body)
	}
	if got := s.Offsets(); len(got) != 2 || got[0] != 6 || got[1] != 7 {
		t.Errorf("offsets %v, want [6 7]", got)
	}
}
