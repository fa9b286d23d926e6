package calendar

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"cloud.google.com/go/auth"
	"google.golang.org/api/googleapi"

	"kiosk/kiosk/source"
)

// googleError carries a message in plain words while keeping the cause for
// errors.As. The message never holds a token, a key or a response body.
type googleError struct {
	msg string
	err error
}

func (e *googleError) Error() string { return e.msg }
func (e *googleError) Unwrap() error { return e.err }

// explain turns a failed call into an error that says what is wrong and,
// where it can, what to do; 429 and 503 with Retry-After come back as a
// *source.RetryAfterError.
func (g *Google) explain(op string, err error) error {
	prefix := "google calendar " + g.opts.Name + ": " + op + ": "
	wrap := func(format string, args ...any) error {
		return &googleError{msg: prefix + fmt.Sprintf(format, args...), err: err}
	}
	var (
		gerr *googleapi.Error
		aerr *auth.Error
		nerr net.Error
		uerr *url.Error
		serr *json.SyntaxError
		terr *json.UnmarshalTypeError
	)
	switch {
	case errors.Is(err, context.Canceled):
		return wrap("canceled")
	case errors.As(err, &aerr):
		return g.tokenError(wrap, aerr)
	case errors.As(err, &gerr):
		return g.apiError(wrap, gerr)
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &nerr) && nerr.Timeout():
		if t := g.hc.Timeout; t > 0 {
			return wrap("no answer from Google within %s (timeout)", t)
		}
		return wrap("no answer from Google (timeout)")
	case errors.As(err, &serr), errors.As(err, &terr), errors.Is(err, io.ErrUnexpectedEOF):
		return source.WithCategory(source.BadContent, wrap("malformed response from Google (%s)", shorten(err.Error())))
	case errors.As(err, &uerr):
		// The URL holds the calendar id; the cause is what matters.
		return wrap("cannot reach Google: %s", shorten(uerr.Err.Error()))
	}
	return wrap("%s", shorten(err.Error()))
}

func (g *Google) apiError(wrap func(string, ...any) error, gerr *googleapi.Error) error {
	code := gerr.Code
	reason := ""
	if len(gerr.Errors) > 0 {
		reason = gerr.Errors[0].Reason
	}
	var err error
	switch {
	case code == http.StatusUnauthorized && g.opts.CredentialsFile != "":
		err = wrap("not authorized (401): Google did not accept the service-account key's token")
	case code == http.StatusUnauthorized:
		err = wrap("not authorized (401): the saved sign-in was not accepted; run `kiosk auth google` again")
	case code == http.StatusForbidden && isRateReason(reason):
		err = wrap("rate limited by Google (403 %s)", reason)
	case code == http.StatusForbidden && (reason == "accessNotConfigured" || strings.Contains(gerr.Message, "has not been used")):
		err = wrap("access denied (403): the Google Calendar API is not enabled in the key's Cloud project; enable it in the Google Cloud console")
	case code == http.StatusForbidden && g.serviceEmail != "":
		err = wrap("access denied (403): share the calendar with the service account %s (Settings → Share with specific people → See all event details)", g.serviceEmail)
	case code == http.StatusForbidden && g.opts.CredentialsFile != "":
		err = wrap("access denied (403): share the calendar with the service account")
	case code == http.StatusForbidden:
		err = wrap("access denied (403): the signed-in Google account cannot read this calendar; check calendar_id")
	case code == http.StatusNotFound && g.serviceEmail != "":
		err = wrap("calendar not found (404): check calendar_id; a service account sees only calendars shared with %s", g.serviceEmail)
	case code == http.StatusNotFound:
		err = wrap("calendar not found (404): check calendar_id")
	case code == http.StatusTooManyRequests:
		err = wrap("rate limited by Google (429)")
	case code >= 500:
		err = wrap("Google had a server error (%d)", code)
	case gerr.Message != "":
		err = wrap("unexpected answer from Google (%d): %s", code, shorten(gerr.Message))
	default:
		err = wrap("unexpected answer from Google (%d)", code)
	}
	cat := source.StatusCategory(code)
	if code == http.StatusForbidden && isRateReason(reason) {
		cat = source.RateLimited
	}
	err = source.WithCategory(cat, err)
	if code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable ||
		code == http.StatusForbidden && isRateReason(reason) {
		if d, ok := retryAfter(gerr.Header, g.now()); ok {
			return &source.RetryAfterError{After: d, Err: err}
		}
	}
	return err
}

func isRateReason(reason string) bool {
	switch reason {
	case "rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded", "dailyLimitExceeded":
		return true
	}
	return false
}

// tokenError explains a failure of Google's token endpoint (the exchange of
// the key or the refresh token for an access token).
func (g *Google) tokenError(wrap func(string, ...any) error, aerr *auth.Error) error {
	status := 0
	var header http.Header
	if aerr.Response != nil {
		status, header = aerr.Response.StatusCode, aerr.Response.Header
	}
	var body struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(aerr.Body, &body) // only the error code is shown
	sa := g.opts.CredentialsFile != ""
	var err error
	switch {
	case body.Error == "invalid_grant" && sa:
		err = wrap("Google refused the service-account key (invalid_grant): the key may be deleted or disabled, or the clock is wrong")
	case body.Error == "invalid_grant":
		err = wrap("the saved sign-in expired or was revoked (invalid_grant): run `kiosk auth google` again; if the OAuth consent screen is still in Testing, publish it, since Testing tokens expire after 7 days")
	case body.Error == "invalid_client" || body.Error == "unauthorized_client":
		err = wrap("Google refused the OAuth client (%s): it was deleted or its secret changed; run `kiosk auth google` with a fresh client file", body.Error)
	case status == http.StatusTooManyRequests || status >= 500:
		err = wrap("Google's sign-in service had an error (%d)", status)
	case body.Error != "":
		err = wrap("sign-in failed (%d %s)", status, body.Error)
	default:
		err = wrap("sign-in failed (%d)", status)
	}
	cat := source.Auth // a refused key, client or sign-in
	if status == http.StatusTooManyRequests || status >= 500 {
		cat = source.StatusCategory(status)
	}
	err = source.WithCategory(cat, err)
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		if d, ok := retryAfter(header, g.now()); ok {
			return &source.RetryAfterError{After: d, Err: err}
		}
	}
	return err
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	return source.ParseRetryAfter(h.Get("Retry-After"), now)
}

// shorten keeps a cause to one line of reasonable length.
func shorten(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 160 {
		cut := 160
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
