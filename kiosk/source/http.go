package source

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxRetryAfter caps what an upstream may ask us to wait.
const maxRetryAfter = 24 * time.Hour

// ParseRetryAfter reads a Retry-After header value, seconds or an HTTP
// date, as a wait from now capped at a day. ok is false when the value is
// empty or unreadable.
func ParseRetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil {
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	} else {
		return 0, false
	}
	return min(max(d, 0), maxRetryAfter), true
}

// ErrTooLarge matches (errors.Is) a TooLargeError.
var ErrTooLarge = errors.New("too large")

// TooLargeError is an upstream body over the size limit.
type TooLargeError struct{ Max int64 }

func (e TooLargeError) Error() string {
	if e.Max%(1<<20) == 0 {
		return fmt.Sprintf("feed larger than %d MiB", e.Max>>20)
	}
	return fmt.Sprintf("feed larger than %d bytes", e.Max)
}

func (e TooLargeError) Is(target error) bool { return target == ErrTooLarge }

// LimitedReader fails with a TooLargeError, rather than ending quietly as
// io.LimitReader does, once the input goes past Max bytes, so a cut-off
// feed is never parsed as if it were whole.
type LimitedReader struct {
	r         io.Reader
	left, max int64
}

// LimitReader returns a LimitedReader of r.
func LimitReader(r io.Reader, max int64) *LimitedReader {
	return &LimitedReader{r: r, left: max, max: max}
}

// Exceeded reports whether the input went past the limit.
func (l *LimitedReader) Exceeded() bool { return l.left < 0 }

func (l *LimitedReader) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, TooLargeError{l.max}
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n - 1, TooLargeError{l.max}
	}
	return n, err
}

// Validators are a response's ETag and Last-Modified, kept for a
// conditional GET of the same resource.
type Validators struct{ ETag, LastModified string }

// ValidatorsOf reads the validators of a response.
func ValidatorsOf(resp *http.Response) Validators {
	return Validators{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
}

// Apply makes req conditional on the validators it has.
func (v Validators) Apply(req *http.Request) {
	if v.ETag != "" {
		req.Header.Set("If-None-Match", v.ETag)
	}
	if v.LastModified != "" {
		req.Header.Set("If-Modified-Since", v.LastModified)
	}
}

// TransportError drops the *url.Error wrapping of a failed request: its
// message repeats the whole URL, and feed URLs carry secrets.
func TransportError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
