package source

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io/fs"
	"net"
	"net/http"
	"strconv"
	"syscall"
)

// Category is the kind of a source's failure, judged from the error's
// types where it happened, never from its text. The status page words its
// advice from it; /api/status shows it as "category".
type Category string

const (
	None        Category = "none"         // no failure
	Offline     Category = "offline"      // no network at all
	DNS         Category = "dns"          // the host name was not found
	Refused     Category = "refused"      // nothing listens there: wrong address or port, or the server is down
	Timeout     Category = "timeout"      // no answer in time
	TLS         Category = "tls"          // the secure connection failed: certificate, clock
	Auth        Category = "auth"         // 401/403, a refused login or token, an unreadable file
	NotFound    Category = "not_found"    // 404/410, no such file
	RateLimited Category = "rate_limited" // 429, or an upstream's block for too many requests
	Server      Category = "server"       // 5xx: their side
	BadContent  Category = "bad_content"  // an answer that is not what was asked for, or too large
	Other       Category = "other"        // none of these
)

// Categorized is implemented by errors that know their category (Google's,
// SRT's); Classify asks them first. An empty Category passes the question
// on to the error they wrap.
type Categorized interface {
	Category() Category
}

// Classify returns the category of a source's failure.
func Classify(err error) Category {
	if err == nil {
		return None
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if c, ok := e.(Categorized); ok && c.Category() != "" {
			return c.Category()
		}
		if j, ok := e.(interface{ Unwrap() []error }); ok { // errors.Join: the first failure decides
			for _, e := range j.Unwrap() {
				if c := Classify(e); c != Other {
					return c
				}
			}
			return Other
		}
	}
	if c := transport(err); c != "" {
		return c
	}
	var (
		serr *json.SyntaxError
		terr *json.UnmarshalTypeError
	)
	switch {
	case errors.Is(err, ErrTooLarge), errors.As(err, &serr), errors.As(err, &terr):
		return BadContent
	case errors.Is(err, fs.ErrNotExist):
		return NotFound
	case errors.Is(err, fs.ErrPermission):
		return Auth
	}
	return Other
}

// transport classifies network, DNS, timeout and TLS failures; "" if err
// is none of these.
func transport(err error) Category {
	var (
		dns     *net.DNSError
		nerr    net.Error
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		invalid x509.CertificateInvalidError
		verify  *tls.CertificateVerificationError
		record  tls.RecordHeaderError
		alert   tls.AlertError
	)
	switch {
	case errors.As(err, &dns):
		switch {
		case dns.IsNotFound:
			return DNS
		case dns.IsTimeout:
			return Timeout
		}
		return Offline // no resolver answered at all
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.ENETDOWN):
		return Offline
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EHOSTUNREACH):
		return Refused
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &nerr) && nerr.Timeout():
		return Timeout
	case errors.As(err, &unknown), errors.As(err, &host), errors.As(err, &invalid), errors.As(err, &verify),
		errors.As(err, &record), errors.As(err, &alert):
		return TLS
	}
	return ""
}

// StatusCategory is the category of an HTTP error status.
func StatusCategory(code int) Category {
	switch {
	case code == http.StatusUnauthorized || code == http.StatusForbidden || code == http.StatusProxyAuthRequired:
		return Auth
	case code == http.StatusNotFound || code == http.StatusGone:
		return NotFound
	case code == http.StatusTooManyRequests:
		return RateLimited
	case code >= 500:
		return Server
	}
	return Other
}

// HTTPError is an upstream's answer with an error status. Its text is the
// status line, "404 Not Found", or "HTTP 404" without one.
type HTTPError struct {
	Code   int
	Status string // resp.Status; may be empty
}

// StatusError returns the HTTPError of a response.
func StatusError(resp *http.Response) *HTTPError {
	return &HTTPError{Code: resp.StatusCode, Status: resp.Status}
}

func (e *HTTPError) Error() string {
	if e.Status != "" {
		return e.Status
	}
	return "HTTP " + strconv.Itoa(e.Code)
}

// Category is the status's category.
func (e *HTTPError) Category() Category { return StatusCategory(e.Code) }

// categoryError gives an error its category.
type categoryError struct {
	cat Category
	err error
}

func (e *categoryError) Error() string      { return e.err.Error() }
func (e *categoryError) Unwrap() error      { return e.err }
func (e *categoryError) Category() Category { return e.cat }

// ContentError marks err, the failure to read an answer, as bad content,
// unless the network failed while reading it (a timeout, a reset).
func ContentError(err error) error {
	if err == nil || transport(err) != "" {
		return err
	}
	var c Categorized
	if errors.As(err, &c) && c.Category() != "" {
		return err
	}
	return &categoryError{cat: BadContent, err: err}
}

// WithCategory gives err the category c.
func WithCategory(c Category, err error) error {
	if err == nil {
		return nil
	}
	return &categoryError{cat: c, err: err}
}
