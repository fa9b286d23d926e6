package srt

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"kiosk/kiosk/source"
)

// ErrCredentials is matched (errors.Is) by the error of a login SR refused:
// wrong password, no such member, or an id of the wrong login type. Trying
// again with the same credentials cannot help and risks a lockout, so
// nothing more is sent until they change (see Gate).
var ErrCredentials = errors.New("srt: login refused")

// ErrBlocked is matched (errors.Is) by the error of a request SR answered
// with its IP block page. The error also has a RetryAfter method.
var ErrBlocked = errors.New("srt: ip address blocked by SR")

// CredentialsError is a refused login. Reason is our own wording, never the
// server's text.
type CredentialsError struct {
	Reason string
}

func (e *CredentialsError) Error() string {
	return "srt: login refused: " + e.Reason + "; no more attempts until trains.srt login_id, login_type, password or user_agent change"
}

// Is makes errors.Is(err, ErrCredentials) true.
func (e *CredentialsError) Is(target error) bool { return target == ErrCredentials }

// Category tells the status page to ask for the login details.
func (e *CredentialsError) Category() source.Category { return source.Auth }

// BlockedError is an IP block: no request may be sent before Until.
type BlockedError struct {
	Until time.Time     // zero when the sender does not know the back-off
	After time.Duration // how long to wait from when the error was made
}

func (e *BlockedError) Error() string {
	return fmt.Sprintf("srt: ip address blocked by SR (too many requests); waiting %s before trying again", e.After.Round(time.Minute))
}

// Is makes errors.Is(err, ErrBlocked) true.
func (e *BlockedError) Is(target error) bool { return target == ErrBlocked }

// Category: SR blocks an address that sent too many requests.
func (e *BlockedError) Category() source.Category { return source.RateLimited }

// RetryAfter is the wait before the next request; kiosk/source backs off by it.
func (e *BlockedError) RetryAfter() time.Duration { return e.After }

// APIError is a business failure: resultMap[0].strResult FAIL with a code
// other than session expiry, or the ErrorCode/ErrorMsg envelope.
type APIError struct {
	Code string
	Msg  string // sanitized server text
}

func (e *APIError) Error() string {
	if e.Msg == "" {
		return "SR answered FAIL " + e.Code
	}
	return "SR answered FAIL " + e.Code + ": " + e.Msg
}

// errSessionExpired is the S111 answer, the HTML login page or a redirect to
// the login page. It never leaves a cycle: it triggers one login and retry.
var errSessionExpired = errors.New("session expired")

// errEndpoint says the path itself did not answer as a JSON API (404, an
// HTML page): the ticket details then try their fallback path.
var errEndpoint = errors.New("not a JSON endpoint")

// longDigits matches phone, PNR and card-like numbers in server text.
var longDigits = regexp.MustCompile(`\d[\d -]{5,}\d`)

// sanitize makes server text fit for an error string on the status page:
// no long digit runs (phone numbers, reservation numbers), one line, short.
func sanitize(msg string) string {
	msg = strings.ToValidUTF8(msg, "?")
	msg = strings.Join(strings.Fields(msg), " ")
	msg = longDigits.ReplaceAllString(msg, "#")
	if r := []rune(msg); len(r) > 100 {
		msg = string(r[:100]) + "…"
	}
	return msg
}
