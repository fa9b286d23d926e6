// Package telegram speaks the few Telegram Bot API methods the kiosk uses
// (sendMessage, getUpdates, setMyCommands, answerCallbackQuery) and runs
// the family's bot on them.
//
// It is plain net/http rather than a Bot API module (go-telegram/bot and
// telegram-bot-api were considered): four methods need no library, the
// bot must persist its getUpdates offset after each update itself, the
// outbox needs a 429's parameters.retry_after and a 403 as values, and
// every error must be scrubbed of the token, which sits in the URL path
// and so in every *url.Error a library would return or log.
package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf16"
)

// Client calls the Bot API at {endpoint}/bot{token}/{method}.
type Client struct {
	endpoint string
	token    string
	http     *http.Client
}

// NewClient returns a client. The http.Client's timeout must exceed the
// long poll's (PollTimeout).
func NewClient(endpoint, token string, hc *http.Client) *Client {
	return &Client{endpoint: strings.TrimRight(endpoint, "/"), token: token, http: hc}
}

// APIError is a Bot API answer with ok false, or a non-JSON answer (a
// proxy's 502 page).
type APIError struct {
	Method      string
	Code        int    // HTTP status
	Description string // the API's description, scrubbed
	After       time.Duration
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("telegram: %s: HTTP %d", e.Method, e.Code)
	if e.Description != "" {
		s += ": " + e.Description
	}
	return s
}

// RetryAfter is a 429's parameters.retry_after.
func (e *APIError) RetryAfter() time.Duration { return e.After }

// Gone reports a 403: the bot was blocked or removed from the chat.
func (e *APIError) Gone() bool { return e.Code == http.StatusForbidden }

// Permanent reports an answer that retrying will not change (a 4xx other
// than 429 and 403).
func (e *APIError) Permanent() bool {
	return e.Code >= 400 && e.Code < 500 && e.Code != http.StatusTooManyRequests && e.Code != http.StatusForbidden
}

type answer struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	Description string          `json:"description"`
	ErrorCode   int             `json:"error_code"`
	Parameters  *struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// call posts params as JSON to method and decodes the result into out.
// Its errors never hold the token.
func (c *Client) call(ctx context.Context, method string, params, out any) error {
	body, err := json.Marshal(params)
	if err != nil {
		return fmt.Errorf("telegram: %s: %w", method, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+"/bot"+c.token+"/"+method, bytes.NewReader(body))
	if err != nil {
		return c.scrub(fmt.Errorf("telegram: %s: %w", method, err))
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		return c.scrub(fmt.Errorf("telegram: %s: %w", method, err))
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	if err != nil {
		return c.scrub(fmt.Errorf("telegram: %s: read: %w", method, err))
	}
	var a answer
	if err := json.Unmarshal(b, &a); err != nil {
		return &APIError{Method: method, Code: res.StatusCode, Description: "answer is not JSON"}
	}
	if !a.OK || res.StatusCode != http.StatusOK {
		e := &APIError{Method: method, Code: res.StatusCode, Description: c.scrubString(a.Description)}
		if a.ErrorCode != 0 {
			e.Code = a.ErrorCode
		}
		if a.Parameters != nil && a.Parameters.RetryAfter > 0 {
			e.After = time.Duration(a.Parameters.RetryAfter) * time.Second
		}
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(a.Result, out); err != nil {
		return fmt.Errorf("telegram: %s: decode result: %w", method, err)
	}
	return nil
}

// scrub replaces err by one whose text has the token masked: Go's
// *url.Error prints the whole URL, path and all. A context error stays
// recognizable with errors.Is.
func (c *Client) scrub(err error) error {
	msg := c.scrubString(err.Error())
	switch {
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("%s: %w", msg, context.Canceled)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%s: %w", msg, context.DeadlineExceeded)
	}
	return errors.New(msg)
}

func (c *Client) scrubString(s string) string {
	if c.token == "" {
		return s
	}
	return strings.ReplaceAll(s, c.token, "[token]")
}

// Button is an inline keyboard button.
type Button struct {
	Text string `json:"text"`
	Data string `json:"callback_data"`
}

type sendMessage struct {
	ChatID      int64  `json:"chat_id"`
	Text        string `json:"text"`
	ReplyMarkup *struct {
		InlineKeyboard [][]Button `json:"inline_keyboard"`
	} `json:"reply_markup,omitempty"`
}

// MaxText is the Bot API's limit on a message's text, in UTF-16 code
// units: an emoji counts two.
const MaxText = 4096

// SendMessage sends plain text (no parse_mode, so nothing in it is markup)
// with an optional row of inline buttons. Text past MaxText is cut with
// "…", which Telegram would otherwise refuse with a 400 on every retry.
func (c *Client) SendMessage(ctx context.Context, chat int64, text string, buttons ...Button) error {
	p := sendMessage{ChatID: chat, Text: clipUTF16(text, MaxText)}
	if len(buttons) > 0 {
		p.ReplyMarkup = &struct {
			InlineKeyboard [][]Button `json:"inline_keyboard"`
		}{InlineKeyboard: [][]Button{buttons}}
	}
	return c.call(ctx, "sendMessage", p, nil)
}

// Update is the part of a Bot API Update the bot reads.
type Update struct {
	ID       int64     `json:"update_id"`
	Message  *Message  `json:"message"`
	Callback *Callback `json:"callback_query"`
}

// Message is an incoming message.
type Message struct {
	Chat struct {
		ID int64 `json:"id"`
	} `json:"chat"`
	Text string `json:"text"`
}

// Callback is an inline button press.
type Callback struct {
	ID      string   `json:"id"`
	Data    string   `json:"data"`
	Message *Message `json:"message"`
}

// PollTimeout is how long a getUpdates long poll waits on the server.
const PollTimeout = 50 * time.Second

// GetUpdates long-polls for updates from offset on.
func (c *Client) GetUpdates(ctx context.Context, offset int64, timeout time.Duration) ([]Update, error) {
	var out []Update
	err := c.call(ctx, "getUpdates", map[string]any{
		"offset": offset, "timeout": int(timeout.Seconds()), "allowed_updates": []string{"message", "callback_query"},
	}, &out)
	return out, err
}

// Command is one entry of the bot's command list.
type Command struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

// SetMyCommands sets the command list the chat app offers.
func (c *Client) SetMyCommands(ctx context.Context, cmds []Command) error {
	return c.call(ctx, "setMyCommands", map[string]any{"commands": cmds}, nil)
}

// AnswerCallbackQuery stops the button's spinner, showing text briefly.
func (c *Client) AnswerCallbackQuery(ctx context.Context, id, text string) error {
	return c.call(ctx, "answerCallbackQuery", map[string]any{"callback_query_id": id, "text": text}, nil)
}

// clipUTF16 cuts s to at most max UTF-16 code units, the last of them an
// ellipsis when anything was cut.
func clipUTF16(s string, max int) string {
	n, cut := 0, 0 // cut: where the text may end with room for "…" after it
	for i, r := range s {
		if n+1 <= max {
			cut = i
		}
		if n += utf16.RuneLen(r); n > max {
			return s[:cut] + "…"
		}
	}
	return s
}
