package notices

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html/charset"

	"kiosk/kiosk/source"
)

// entry is one feed item as parsed, before the store is consulted.
type entry struct {
	key   string    // identity: "g:" GUID, else "l:" link, else "t:" title and date
	title string    // plain text
	link  string    // http(s) or ""
	date  time.Time // zero if the feed gives none we can read
}

// accept names the feed types first; boards often serve RSS as text/xml
// or text/html.
const accept = "application/rss+xml, application/atom+xml, application/feed+json, " +
	"application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"

// fetch gets fd's feed, or the last parse when the server answers 304.
// Errors name the feed and only the scheme and host of its URL.
func (f *Feeds) fetch(ctx context.Context, fd *feed) ([]entry, error) {
	name := fd.cfg.Name
	u, err := url.Parse(strings.TrimSpace(fd.cfg.URL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("notices %q: url must be http or https with a host", name) // err would quote the URL
	}
	where := "GET " + u.Scheme + "://" + u.Host
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("notices %q: %s: bad request", name, where)
	}
	req.Header.Set("User-Agent", f.opts.UserAgent)
	req.Header.Set("Accept", accept)
	if fd.entries != nil {
		fd.validators.Apply(req)
	}
	resp, err := f.opts.HTTPClient.Do(req)
	if err != nil {
		err = source.TransportError(err)
		return nil, fmt.Errorf("notices %q: %s: %w", name, where, err)
	}
	defer resp.Body.Close()

	switch {
	case resp.StatusCode == http.StatusNotModified && fd.entries != nil:
		f.opts.Log.Debug("notices: feed not modified", "feed", name)
		return fd.entries, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		return nil, &source.RetryAfterError{
			After: retryAfter(resp.Header.Get("Retry-After"), f.opts.Store.Now()),
			Err:   fmt.Errorf("notices %q: %s: %w", name, where, source.StatusError(resp)),
		}
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return nil, fmt.Errorf("notices %q: %s: %w", name, where, source.StatusError(resp))
	}
	limit := f.opts.MaxBytes
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("notices %q: %s: %w", name, where, source.TooLargeError{Max: limit})
	}
	lr := source.LimitReader(resp.Body, limit)
	entries, err := parse(lr, resp.Header.Get("Content-Type"), u, f.opts.Loc)
	if lr.Exceeded() {
		err = source.TooLargeError{Max: limit} // whatever the parser made of the cut
	}
	if err != nil {
		return nil, fmt.Errorf("notices %q: %s: %w", name, where, source.ContentError(err))
	}
	fd.entries = entries
	fd.validators = source.ValidatorsOf(resp)
	return entries, nil
}

// ErrNotFeed matches (errors.Is) the error for a body that is no RSS, Atom
// or JSON feed, such as a login page.
var ErrNotFeed = errors.New("not an RSS, Atom or JSON feed")

// parse reads a feed; base resolves relative links and loc dates without a
// zone. contentType is the HTTP header, whose charset is used when an XML
// feed declares none.
func parse(r io.Reader, contentType string, base *url.URL, loc *time.Location) ([]entry, error) {
	r, err := decodeCharset(r, contentType)
	if err != nil {
		return nil, err
	}
	p := gofeed.NewParser()
	// The first <img> of each item's HTML is of no use here, and finding it
	// parses every description: most of the parse's allocations.
	p.RSSTranslator = &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}
	parsed, err := p.Parse(r)
	if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
		return nil, ErrNotFeed
	}
	if err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	entries := make([]entry, 0, len(parsed.Items))
	seen := make(map[string]bool, len(parsed.Items))
	for _, it := range parsed.Items {
		if it == nil {
			continue
		}
		e := entry{title: cleanTitle(it.Title), date: itemDate(it, loc)}
		rawLink := it.Link
		if rawLink == "" && len(it.Links) > 0 {
			rawLink = it.Links[0]
		}
		e.link = cleanLink(base, rawLink)
		if e.title == "" { // JSON Feed titles are optional
			e.title = cleanTitle(cmpOr(it.Description, it.Content))
			if n := 80; len([]rune(e.title)) > n {
				e.title = string([]rune(e.title)[:n-1]) + "…"
			}
		}
		if e.title == "" {
			continue
		}
		guid := strings.TrimSpace(it.GUID)
		switch {
		case guid != "":
			e.key = "g:" + guid
		case strings.TrimSpace(rawLink) != "":
			e.key = "l:" + strings.TrimSpace(rawLink)
		default:
			e.key = "t:" + e.title + "\x00" + strings.TrimSpace(cmpOr(it.Published, it.Updated))
		}
		if seen[e.key] { // a duplicate: the first one stands
			continue
		}
		seen[e.key] = true
		entries = append(entries, e)
	}
	return entries, nil
}

func cmpOr(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}

// decodeCharset converts an XML body to UTF-8 by the HTTP charset when the
// body does not declare its own encoding; a declared one is converted by
// the XML parser, and converting twice would garble it.
func decodeCharset(r io.Reader, contentType string) (io.Reader, error) {
	_, params, _ := mime.ParseMediaType(contentType)
	label := strings.ToLower(strings.TrimSpace(params["charset"]))
	if label == "" || label == "utf-8" || label == "utf8" {
		return r, nil
	}
	br := bufio.NewReaderSize(r, 1024)
	head, err := br.Peek(1024)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	head = bytes.TrimLeft(head, "\xef\xbb\xbf \t\r\n")
	if len(head) == 0 || head[0] != '<' {
		return br, nil // JSON is UTF-8 by definition
	}
	if end := bytes.Index(head, []byte("?>")); bytes.HasPrefix(head, []byte("<?xml")) && end > 0 &&
		bytes.Contains(head[:end], []byte("encoding")) {
		return br, nil
	}
	conv, err := charset.NewReaderLabel(label, br)
	if err != nil {
		return br, nil // an unknown label: try it as UTF-8
	}
	return conv, nil
}

func retryAfter(v string, now time.Time) time.Duration {
	d, _ := source.ParseRetryAfter(v, now)
	return d
}

// ErrTooLarge matches (errors.Is) the error for a feed over MaxBytes.
var ErrTooLarge = source.ErrTooLarge
