package weather

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"kiosk/kiosk/source"
)

// maxBody is the largest answer accepted: a 16-day hourly forecast is
// about 40 KiB.
const maxBody = 2 << 20

// ErrNotJSON matches (errors.Is) an answer that is not JSON, such as a
// proxy's or the portal's HTML error page.
var ErrNotJSON = errors.New("answered with a page that is not JSON")

// getter makes the requests of one upstream.
type getter struct {
	client    *http.Client
	now       func() time.Time
	userAgent string
}

// get fetches u and returns its body. Errors start with what (the source)
// and name only the scheme, host and path of u: the query may hold a key.
func (g getter) get(ctx context.Context, what string, u *url.URL) ([]byte, error) {
	where := "GET " + u.Scheme + "://" + u.Host + u.Path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: bad request", what, where)
	}
	req.Header.Set("Accept", "application/json")
	if g.userAgent != "" {
		req.Header.Set("User-Agent", g.userAgent)
	}
	resp, err := g.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", what, where, source.TransportError(err))
	}
	defer resp.Body.Close()
	if resp.ContentLength > maxBody {
		return nil, fmt.Errorf("%s: %s: %w", what, where, source.TooLargeError{Max: maxBody})
	}
	body, rerr := io.ReadAll(source.LimitReader(resp.Body, maxBody))
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		d, _ := source.ParseRetryAfter(resp.Header.Get("Retry-After"), g.now())
		return nil, &source.RetryAfterError{After: d,
			Err: fmt.Errorf("%s: %s: %w%s", what, where, source.StatusError(resp), reason(body))}
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return nil, fmt.Errorf("%s: %s: %w%s", what, where, source.StatusError(resp), reason(body))
	case rerr != nil:
		return nil, fmt.Errorf("%s: %s: %w", what, where, source.TransportError(rerr))
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' && trimmed[0] != '[' {
		if msg, cat := portalError(trimmed); msg != "" {
			return nil, source.WithCategory(cat, fmt.Errorf("%s: %s: %s", what, where, msg))
		}
		return nil, source.WithCategory(source.BadContent,
			fmt.Errorf("%s: %s: %w (%s)", what, where, ErrNotJSON, contentType(resp)))
	}
	return body, nil
}

// reason is Open-Meteo's explanation of an error answer,
// {"error":true,"reason":"…"}, as ": …"; "" if the body has none.
func reason(body []byte) string {
	var e struct {
		Reason string `json:"reason"`
	}
	if json.Unmarshal(body, &e) == nil && e.Reason != "" {
		return ": " + e.Reason
	}
	if msg, _ := portalError(bytes.TrimSpace(body)); msg != "" {
		return ": " + msg
	}
	return ""
}

// portalError reads the XML envelope data.go.kr's gateway answers with
// when the key or quota is refused, whatever returnType asked for:
// <OpenAPI_ServiceResponse><cmmMsgHeader><returnAuthMsg>SERVICE_KEY_IS_NOT_REGISTERED_ERROR…
// The category is rate_limited for the used-up daily limit, else auth: the
// key itself was refused.
func portalError(body []byte) (string, source.Category) {
	if !bytes.HasPrefix(body, []byte("<")) || !bytes.Contains(body, []byte("OpenAPI_ServiceResponse")) {
		return "", ""
	}
	var e struct {
		ErrMsg     string `xml:"cmmMsgHeader>errMsg"`
		AuthMsg    string `xml:"cmmMsgHeader>returnAuthMsg"`
		ReasonCode string `xml:"cmmMsgHeader>returnReasonCode"`
	}
	if xml.Unmarshal(body, &e) != nil {
		return "", ""
	}
	msg := strings.TrimSpace(e.AuthMsg)
	if msg == "" {
		msg = strings.TrimSpace(e.ErrMsg)
	}
	if hint := portalHints[strings.TrimSpace(e.ReasonCode)]; hint != "" {
		msg += " (" + hint + ")"
	}
	cat := source.Auth
	if strings.TrimSpace(e.ReasonCode) == "22" {
		cat = source.RateLimited
	}
	return "data.go.kr refused the request: " + msg, cat
}

// portalHints say in plain words what the portal's reason codes mean.
var portalHints = map[string]string{
	"20": "the key has no access to this service: apply for it on data.go.kr",
	"22": "the daily request limit is used up",
	"30": "the service key is not registered: check air.service_key_env or air.service_key_file",
	"31": "the service key has expired",
	"32": "the key's registered address does not match",
}

func contentType(resp *http.Response) string {
	ct := resp.Header.Get("Content-Type")
	if ct == "" {
		return "no content type"
	}
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.TrimSpace(ct)
}

// Secrets returns the forms a service key can take in text: as given, and
// escaped or unescaped for a query string, so a scrubber finds each.
func Secrets(key string) []string {
	if key == "" {
		return nil
	}
	out := []string{key, url.QueryEscape(key)}
	if u, err := url.QueryUnescape(key); err == nil && u != key {
		out = append(out, u, url.QueryEscape(u))
	}
	return out
}
