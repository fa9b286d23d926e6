package push

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"kiosk/kiosk/telegram"
)

// Sender delivers one text to one destination. Its errors may say how to
// go on: RetryAfter() time.Duration (wait that long), Gone() bool (the
// destination refuses for good: stop it), Permanent() bool (this message
// will never go: drop it). Any other error is retried with back-off.
type Sender interface {
	Send(ctx context.Context, text string) error
}

// Dest is one destination: a Telegram chat, the ntfy topic, a webhook.
type Dest struct {
	Key    string // stable and secret-free: names its outbox in the store
	Name   string // for the status page and logs
	Sender Sender
}

// TelegramChat sends to one chat through the Bot API.
type TelegramChat struct {
	Client *telegram.Client
	Chat   int64
}

func (t TelegramChat) Send(ctx context.Context, text string) error {
	return t.Client.SendMessage(ctx, t.Chat, text)
}

// HTTPError is a non-2xx answer of ntfy or a webhook.
type HTTPError struct {
	Target string // "ntfy" or "webhook 1": never the URL, which is a secret
	Code   int
	After  time.Duration // from Retry-After
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("%s: HTTP %d %s", e.Target, e.Code, http.StatusText(e.Code))
}
func (e *HTTPError) RetryAfter() time.Duration { return e.After }
func (e *HTTPError) Gone() bool                { return e.Code == http.StatusGone }
func (e *HTTPError) Permanent() bool {
	return e.Code >= 400 && e.Code < 500 && e.Code != http.StatusTooManyRequests &&
		e.Code != http.StatusRequestTimeout && e.Code != http.StatusGone
}

// post sends body to url and reduces a failure to an error that names
// target but never the URL.
func post(ctx context.Context, hc *http.Client, target, url, contentType string, body []byte, header http.Header) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s: bad URL", target)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", contentType)
	res, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", target, ctx.Err())
		}
		return fmt.Errorf("%s: %s", target, netProblem(err))
	}
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	if res.StatusCode/100 == 2 {
		return nil
	}
	e := &HTTPError{Target: target, Code: res.StatusCode}
	if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil && s > 0 {
		e.After = time.Duration(s) * time.Second
	}
	return e
}

// netProblem describes a transport error without its URL.
func netProblem(err error) string {
	m := err.Error()
	switch {
	case strings.Contains(m, "timeout") || strings.Contains(m, "deadline"):
		return "timed out"
	case strings.Contains(m, "connection refused"):
		return "connection refused"
	case strings.Contains(m, "no such host"):
		return "unknown host"
	}
	return "network error"
}

// ntfyMax is ntfy's limit on a message body in bytes; a longer one
// becomes a file attachment ("attachment.txt") instead of a notification.
// A digest in Hangul, three bytes a letter, reaches it at 1,365 letters.
const ntfyMax = 4096

// clipBytes cuts s to at most max bytes of whole runes, the last of them
// an ellipsis when anything was cut.
func clipBytes(s string, max int) string {
	if len(s) <= max {
		return s
	}
	i := max - len("…")
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// Ntfy publishes to an ntfy topic URL.
type Ntfy struct {
	URL    string
	Token  string // optional access token
	Client *http.Client
}

func (n Ntfy) Send(ctx context.Context, text string) error {
	h := http.Header{}
	if n.Token != "" {
		h.Set("Authorization", "Bearer "+n.Token)
	}
	return post(ctx, n.Client, "ntfy", n.URL, "text/plain; charset=utf-8", []byte(clipBytes(text, ntfyMax)), h)
}

// Webhook posts {"text": …} to a Slack/Mattermost-compatible incoming
// webhook.
type Webhook struct {
	Name   string // "webhook 1"
	URL    string
	Client *http.Client
}

func (w Webhook) Send(ctx context.Context, text string) error {
	b, _ := json.Marshal(map[string]string{"text": text})
	return post(ctx, w.Client, w.Name, w.URL, "application/json", b, nil)
}
