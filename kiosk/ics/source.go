package ics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"kiosk/kiosk/calendar"
	"kiosk/kiosk/source"
)

// Options configure a Source. Exactly one of URL and File is set.
type Options struct {
	Name  string // the calendar's configured name: Event.Calendar, and in every error
	Color string // Event.Color

	URL  string // http(s):// or webcal:// (fetched as https://)
	File string // a local .ics file, read again when it changes

	Username string // HTTP basic auth, if set
	Password string

	Loc        *time.Location // floating times and all-day dates; nil means UTC
	HTTPClient *http.Client   // nil means a client with a 30 s timeout
	MaxBytes   int64          // largest feed accepted; 0 means 20 MiB
	Now        func() time.Time
	Logger     *slog.Logger
}

// DefaultMaxBytes is the feed size limit when Options.MaxBytes is 0.
const DefaultMaxBytes = 20 << 20

// Source is one ICS calendar. It keeps the last parsed feed with its ETag
// and Last-Modified, so an unchanged feed costs a 304 and no parsing.
// Events is safe for concurrent use.
type Source struct {
	opts Options

	mu         sync.Mutex
	feed       *Feed
	validators source.Validators // for a conditional GET
	fileStamp  string            // size and mtime of the parsed file
}

// New returns a Source; a bad URL or a missing file shows at Events.
func New(opts Options) *Source {
	if opts.Loc == nil {
		opts.Loc = time.UTC
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Source{opts: opts}
}

// RetryAfterError is a 429 or 503 answer; After is the wait the server
// asked for (0 if it named none).
type RetryAfterError = source.RetryAfterError

// Events fetches the feed (or reuses it when unchanged) and returns its
// instances overlapping [from, to). Errors name the calendar and, for URLs,
// only scheme and host: feed paths and queries carry tokens and addresses.
// What the feed had that could not be read is noted on ctx for the
// source's status (source.SetNote).
func (s *Source) Events(ctx context.Context, from, to time.Time) ([]calendar.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	feed, err := s.load(ctx)
	if err != nil {
		return nil, err
	}
	source.SetNote(ctx, feed.Note())
	events, truncated := feed.Expand(from, to, ExpandOptions{Calendar: s.opts.Name, Color: s.opts.Color, Loc: s.opts.Loc})
	if truncated {
		s.opts.Logger.Warn("ics: events capped", "calendar", s.opts.Name, "events", len(events))
	}
	return events, nil
}

func (s *Source) load(ctx context.Context) (*Feed, error) {
	switch {
	case s.opts.URL != "" && s.opts.File != "":
		return nil, fmt.Errorf("ics %q: set url or file, not both", s.opts.Name)
	case s.opts.URL != "":
		return s.fetch(ctx)
	case s.opts.File != "":
		return s.readFile()
	}
	return nil, fmt.Errorf("ics %q: no url or file", s.opts.Name)
}

func (s *Source) fetch(ctx context.Context) (*Feed, error) {
	u, err := feedURL(s.opts.URL)
	if err != nil {
		return nil, fmt.Errorf("ics %q: %w", s.opts.Name, err)
	}
	where := "GET " + redact(u)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("ics %q: %s: bad request", s.opts.Name, where)
	}
	req.Header.Set("Accept", "text/calendar, */*;q=0.1")
	if s.opts.Username != "" || s.opts.Password != "" {
		req.SetBasicAuth(s.opts.Username, s.opts.Password)
	}
	if s.feed != nil {
		s.validators.Apply(req)
	}
	resp, err := s.opts.HTTPClient.Do(req)
	if err != nil {
		err = source.TransportError(err)
		return nil, fmt.Errorf("ics %q: %s: %w", s.opts.Name, where, err)
	}
	defer resp.Body.Close()

	switch {
	case resp.StatusCode == http.StatusNotModified && s.feed != nil:
		s.opts.Logger.Debug("ics: feed not modified", "calendar", s.opts.Name)
		return s.feed, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		return nil, &RetryAfterError{
			After: retryAfter(resp.Header.Get("Retry-After"), s.opts.Now()),
			Err:   fmt.Errorf("ics %q: %s: %w", s.opts.Name, where, source.StatusError(resp)),
		}
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return nil, fmt.Errorf("ics %q: %s: %w", s.opts.Name, where, source.StatusError(resp))
	}
	if resp.ContentLength > s.opts.MaxBytes {
		return nil, fmt.Errorf("ics %q: %s: %w", s.opts.Name, where, source.TooLargeError{Max: s.opts.MaxBytes})
	}
	feed, err := parse(source.LimitReader(resp.Body, s.opts.MaxBytes))
	if err != nil {
		return nil, fmt.Errorf("ics %q: %s: %w", s.opts.Name, where, source.ContentError(sizeOr(err, s.opts.MaxBytes)))
	}
	s.keep(feed)
	s.validators = source.ValidatorsOf(resp)
	return feed, nil
}

func (s *Source) readFile() (*Feed, error) {
	f, err := os.Open(s.opts.File)
	if err != nil {
		return nil, fmt.Errorf("ics %q: %w", s.opts.Name, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("ics %q: %w", s.opts.Name, err)
	}
	stamp := strconv.FormatInt(st.Size(), 10) + "@" + st.ModTime().UTC().Format(time.RFC3339Nano)
	if s.feed != nil && stamp == s.fileStamp {
		return s.feed, nil
	}
	if st.Size() > s.opts.MaxBytes {
		return nil, fmt.Errorf("ics %q: %s: %w", s.opts.Name, s.opts.File, source.TooLargeError{Max: s.opts.MaxBytes})
	}
	feed, err := parse(source.LimitReader(f, s.opts.MaxBytes))
	if err != nil {
		return nil, fmt.Errorf("ics %q: %s: %w", s.opts.Name, s.opts.File, source.ContentError(sizeOr(err, s.opts.MaxBytes)))
	}
	s.keep(feed)
	s.fileStamp = stamp
	return feed, nil
}

// keep stores a newly parsed feed and reports its warnings once.
func (s *Source) keep(feed *Feed) {
	s.feed = feed
	if feed.Skipped > 0 {
		s.opts.Logger.Warn("ics: feed read in part", "calendar", s.opts.Name,
			"skipped", feed.Skipped, "first_reason", feed.SkipReason)
	}
	if len(feed.Warnings) > 0 {
		s.opts.Logger.Warn("ics: parts of the feed left out or guessed", "calendar", s.opts.Name,
			"warnings", len(feed.Warnings), "first", feed.Warnings[0])
		for _, w := range feed.Warnings {
			s.opts.Logger.Debug("ics: feed warning", "calendar", s.opts.Name, "warning", w)
		}
	}
}

// feedURL reads the configured URL; webcal:// and webcals:// are https://.
func feedURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	lower := strings.ToLower(raw)
	for _, p := range []string{"webcal://", "webcals://"} {
		if strings.HasPrefix(lower, p) {
			raw = "https://" + raw[len(p):]
		}
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("url must be http, https or webcal with a host") // err would quote the URL
	}
	return u, nil
}

// redact keeps scheme and host: the path of a published calendar is its
// password (iCloud, Google "secret address", Nextcloud share tokens) and
// often holds an e-mail address.
func redact(u *url.URL) string { return u.Scheme + "://" + u.Host }

func retryAfter(v string, now time.Time) time.Duration {
	d, _ := source.ParseRetryAfter(v, now)
	return d
}

// ErrTooLarge matches (errors.Is) the error for a feed over MaxBytes.
var ErrTooLarge = source.ErrTooLarge

// sizeOr returns the plain size error in place of the parser's wrapping
// of it, so the message says what happened.
func sizeOr(err error, max int64) error {
	if errors.Is(err, ErrTooLarge) {
		return source.TooLargeError{Max: max}
	}
	return err
}
