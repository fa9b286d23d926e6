package calendar

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	gcal "google.golang.org/api/calendar/v3"

	"kiosk/kiosk/source"
)

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// newTestGoogle returns a source on the fake with a service-account key;
// edit changes the options first.
func newTestGoogle(t testing.TB, f *fakeGoogle, edit func(*GoogleOptions)) *Google {
	t.Helper()
	opts := GoogleOptions{
		Name:            "Family",
		CalendarID:      fakeCalendarID,
		CredentialsFile: f.serviceAccountFile(t),
		Endpoint:        f.srv.URL,
		Loc:             mustLoad(t, "Asia/Seoul"),
		HTTPClient:      &http.Client{Timeout: 5 * time.Second},
	}
	if edit != nil {
		edit(&opts)
	}
	g, err := NewGoogle(context.Background(), opts)
	if err != nil {
		t.Fatalf("NewGoogle: %v", err)
	}
	return g
}

// testWindow is two weeks from Monday 2 March 2026 in Seoul.
func testWindow(t testing.TB) (from, to time.Time) {
	return Window(time.Date(2026, 3, 2, 8, 0, 0, 0, mustLoad(t, "Asia/Seoul")), mustLoad(t, "Asia/Seoul"), 14)
}

// eventLine shows everything but the ID, zone included, for diffs.
func eventLine(e Event) string {
	return fmt.Sprintf("%s|%s|%s|%s %s|%s|all_day=%v|%s|%v", e.Calendar, e.Summary, e.Location,
		e.Start.Format(time.RFC3339), e.Start.Location(), e.End.Format(time.RFC3339), e.AllDay, e.Color, e.Reminders)
}

func eventLines(events []Event) []string {
	var out []string
	for _, e := range events {
		out = append(out, eventLine(e))
	}
	return out
}

func diffLines(t *testing.T, got, want []string) {
	t.Helper()
	if slices.Equal(got, want) {
		return
	}
	t.Errorf("events differ\n got:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
}

func TestGoogleEvents(t *testing.T) {
	const (
		calColor = "#16a765" // calendarlist_entry.json
		red      = "#dc2127" // colors.json, event colorId 11
	)
	tests := []struct {
		name     string
		color    string // configured
		listed   bool   // calendarList.get finds the calendar
		want     []string
		colorsOK bool // whether the colors palette may be fetched
	}{
		{
			name: "calendar list entry gives color and default reminders", listed: true, colorsOK: true,
			want: []string{
				"Family|Recycling day||2026-03-02T00:00:00+09:00 Asia/Seoul|2026-03-03T00:00:00+09:00|all_day=true|" + calColor + "|[]",
				"Family|Dentist|Example Dental, 1 Test Street|2026-03-02T10:30:00+09:00 Asia/Seoul|2026-03-02T11:15:00+09:00|all_day=false|" + calColor + "|[10]",
				"Family|Call with uncle||2026-03-06T09:00:00+09:00 Asia/Seoul|2026-03-06T10:00:00+09:00|all_day=false|" + calColor + "|[15 1440]",
				"Family|Grandparents visit||2026-03-06T00:00:00+09:00 Asia/Seoul|2026-03-09T00:00:00+09:00|all_day=true|" + red + "|[600]",
				"Family|Piano lesson||2026-03-10T09:00:00+09:00 Asia/Seoul|2026-03-10T09:45:00+09:00|all_day=false|" + calColor + "|[10]",
				"Family|School concert|Hall B|2026-03-12T18:00:00+09:00 Asia/Seoul|2026-03-12T19:30:00+09:00|all_day=false|" + calColor + "|[]",
				"Family|Trip to the coast||2026-03-14T00:00:00+09:00 Asia/Seoul|2026-03-17T00:00:00+09:00|all_day=true|" + calColor + "|[10]",
			},
		},
		{
			name: "service account without list entry uses the list response's defaults", listed: false, colorsOK: true,
			want: []string{
				"Family|Recycling day||2026-03-02T00:00:00+09:00 Asia/Seoul|2026-03-03T00:00:00+09:00|all_day=true|" + paletteColor("Family") + "|[]",
				"Family|Dentist|Example Dental, 1 Test Street|2026-03-02T10:30:00+09:00 Asia/Seoul|2026-03-02T11:15:00+09:00|all_day=false|" + paletteColor("Family") + "|[30]",
				"Family|Call with uncle||2026-03-06T09:00:00+09:00 Asia/Seoul|2026-03-06T10:00:00+09:00|all_day=false|" + paletteColor("Family") + "|[15 1440]",
				"Family|Grandparents visit||2026-03-06T00:00:00+09:00 Asia/Seoul|2026-03-09T00:00:00+09:00|all_day=true|" + red + "|[600]",
				"Family|Piano lesson||2026-03-10T09:00:00+09:00 Asia/Seoul|2026-03-10T09:45:00+09:00|all_day=false|" + paletteColor("Family") + "|[30]",
				"Family|School concert|Hall B|2026-03-12T18:00:00+09:00 Asia/Seoul|2026-03-12T19:30:00+09:00|all_day=false|" + paletteColor("Family") + "|[]",
				"Family|Trip to the coast||2026-03-14T00:00:00+09:00 Asia/Seoul|2026-03-17T00:00:00+09:00|all_day=true|" + paletteColor("Family") + "|[30]",
			},
		},
		{
			name: "configured color wins over event and calendar colors", color: "#5b9bd5", listed: true, colorsOK: false,
			want: []string{
				"Family|Recycling day||2026-03-02T00:00:00+09:00 Asia/Seoul|2026-03-03T00:00:00+09:00|all_day=true|#5b9bd5|[]",
				"Family|Dentist|Example Dental, 1 Test Street|2026-03-02T10:30:00+09:00 Asia/Seoul|2026-03-02T11:15:00+09:00|all_day=false|#5b9bd5|[10]",
				"Family|Call with uncle||2026-03-06T09:00:00+09:00 Asia/Seoul|2026-03-06T10:00:00+09:00|all_day=false|#5b9bd5|[15 1440]",
				"Family|Grandparents visit||2026-03-06T00:00:00+09:00 Asia/Seoul|2026-03-09T00:00:00+09:00|all_day=true|#5b9bd5|[600]",
				"Family|Piano lesson||2026-03-10T09:00:00+09:00 Asia/Seoul|2026-03-10T09:45:00+09:00|all_day=false|#5b9bd5|[10]",
				"Family|School concert|Hall B|2026-03-12T18:00:00+09:00 Asia/Seoul|2026-03-12T19:30:00+09:00|all_day=false|#5b9bd5|[]",
				"Family|Trip to the coast||2026-03-14T00:00:00+09:00 Asia/Seoul|2026-03-17T00:00:00+09:00|all_day=true|#5b9bd5|[10]",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeGoogle(t)
			if !tt.listed {
				f.calendarList = serveFile("error_404.json", http.StatusNotFound)
			}
			g := newTestGoogle(t, f, func(o *GoogleOptions) { o.Color = tt.color })
			from, to := testWindow(t)

			got, err := g.Events(context.Background(), from, to)
			if err != nil {
				t.Fatalf("Events: %v", err)
			}
			diffLines(t, eventLines(got), tt.want)

			// The query Google needs for expanded, ordered instances in the window.
			wantTokens := []string{"", "page-2", "page-3"}
			qs := f.queries()
			if len(qs) != len(wantTokens) {
				t.Fatalf("events.list requests: got %d, want %d", len(qs), len(wantTokens))
			}
			for i, q := range qs {
				for key, want := range map[string]string{
					"singleEvents": "true",
					"orderBy":      "startTime",
					"timeMin":      "2026-03-02T00:00:00+09:00",
					"timeMax":      "2026-03-16T00:00:00+09:00",
					"timeZone":     "Asia/Seoul",
					"maxResults":   "250",
					"fields":       listFields,
					"pageToken":    wantTokens[i],
				} {
					if got := q.Get(key); got != want {
						t.Errorf("request %d: %s = %q, want %q", i+1, key, got, want)
					}
				}
			}
			if got, want := f.colorCalls > 0, tt.colorsOK; got && !want {
				t.Errorf("colors fetched %d times though the configured color wins", f.colorCalls)
			}

			// A second fetch reuses the access token and the palette.
			if _, err := g.Events(context.Background(), from, to); err != nil {
				t.Fatalf("second Events: %v", err)
			}
			if got := len(f.tokens()); got != 1 {
				t.Errorf("token requests after two fetches: got %d, want 1", got)
			}
			if f.colorCalls > 1 {
				t.Errorf("colors fetched %d times, want at most once", f.colorCalls)
			}
		})
	}
}

func TestGoogleEventIDs(t *testing.T) {
	f := newFakeGoogle(t)
	from, to := testWindow(t)
	family := newTestGoogle(t, f, nil)
	work := newTestGoogle(t, f, func(o *GoogleOptions) { o.Name = "Work" })

	a1, err := family.Events(context.Background(), from, to)
	if err != nil {
		t.Fatal(err)
	}
	a2, err := family.Events(context.Background(), from, to)
	if err != nil {
		t.Fatal(err)
	}
	b, err := work.Events(context.Background(), from, to)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i := range a1 {
		id := a1[i].ID
		if len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" {
			t.Errorf("id %q: want 32 hex digits", id)
		}
		if seen[id] {
			t.Errorf("id %q used twice", id)
		}
		seen[id] = true
		if a2[i].ID != id {
			t.Errorf("%s: id changed between fetches: %q, %q", a1[i].Summary, id, a2[i].ID)
		}
		if b[i].ID == id {
			t.Errorf("%s: same id %q in two calendars", a1[i].Summary, id)
		}
	}
}

func TestGoogleConvert(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	tests := []struct {
		name   string
		json   string // one item of events.list
		want   string
		wantOK bool
	}{
		{
			name:   "all-day over the spring DST change is 23 hours, dates kept",
			json:   `{"id":"a","summary":"Clocks change","start":{"date":"2026-03-29"},"end":{"date":"2026-03-30"}}`,
			want:   "Home|Clocks change||2026-03-29T00:00:00+01:00 Europe/Berlin|2026-03-30T00:00:00+02:00|all_day=true|#000000|[]",
			wantOK: true,
		},
		{
			name:   "all-day with end not after start lasts one day",
			json:   `{"id":"b","summary":"Odd","start":{"date":"2026-05-01"},"end":{"date":"2026-05-01"}}`,
			want:   "Home|Odd||2026-05-01T00:00:00+02:00 Europe/Berlin|2026-05-02T00:00:00+02:00|all_day=true|#000000|[]",
			wantOK: true,
		},
		{
			name:   "UTC date-time converted to the zone",
			json:   `{"id":"c","summary":"UTC","start":{"dateTime":"2026-07-01T22:30:00Z"},"end":{"dateTime":"2026-07-01T23:00:00Z"}}`,
			want:   "Home|UTC||2026-07-02T00:30:00+02:00 Europe/Berlin|2026-07-02T01:00:00+02:00|all_day=false|#000000|[]",
			wantOK: true,
		},
		{
			name:   "fractional seconds and offset",
			json:   `{"id":"d","summary":"Frac","start":{"dateTime":"2026-01-10T09:00:00.000+09:00"},"end":{"dateTime":"2026-01-10T10:00:00.000+09:00"}}`,
			want:   "Home|Frac||2026-01-10T01:00:00+01:00 Europe/Berlin|2026-01-10T02:00:00+01:00|all_day=false|#000000|[]",
			wantOK: true,
		},
		{
			name:   "end time unspecified: zero length",
			json:   `{"id":"e","summary":"Open end","endTimeUnspecified":true,"start":{"dateTime":"2026-01-10T09:00:00+01:00"}}`,
			want:   "Home|Open end||2026-01-10T09:00:00+01:00 Europe/Berlin|2026-01-10T09:00:00+01:00|all_day=false|#000000|[]",
			wantOK: true,
		},
		{
			name:   "overrides keep popups only, sorted, once each",
			json:   `{"id":"f","summary":"R","start":{"dateTime":"2026-01-10T09:00:00+01:00"},"end":{"dateTime":"2026-01-10T10:00:00+01:00"},"reminders":{"overrides":[{"method":"popup","minutes":30},{"method":"email","minutes":5},{"method":"popup","minutes":0},{"method":"popup","minutes":30}]}}`,
			want:   "Home|R||2026-01-10T09:00:00+01:00 Europe/Berlin|2026-01-10T10:00:00+01:00|all_day=false|#000000|[0 30]",
			wantOK: true,
		},
		{
			name: "unreadable date is reported",
			json: `{"id":"g","summary":"Bad","start":{"date":"2026-13-01"},"end":{"date":"2026-13-02"}}`,
		},
		{
			name: "unreadable date-time is reported",
			json: `{"id":"h","summary":"Bad","start":{"dateTime":"2026-01-10 09:00"}}`,
		},
		{
			name: "no start is reported",
			json: `{"id":"i","summary":"Bad"}`,
		},
	}
	g := &Google{opts: GoogleOptions{Name: "Home", Loc: berlin}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it := decodeItem(t, tt.json)
			got, ok := g.convert(it)
			if ok != tt.wantOK {
				t.Fatalf("ok: got %v, want %v", ok, tt.wantOK)
			}
			if !ok {
				return
			}
			got.Color = "#000000"
			if line := eventLine(got); line != tt.want {
				t.Errorf("got  %s\nwant %s", line, tt.want)
			}
		})
	}
}

func TestGoogleErrors(t *testing.T) {
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		token      http.HandlerFunc // token endpoint override
		list       http.HandlerFunc // calendarList.get override
		events     http.HandlerFunc // events.list override
		want       string
		retryAfter time.Duration // 0: not a RetryAfter error
	}{
		{
			name:   "401",
			events: serveFile("error_401.json", 401),
			want:   "google calendar Family: list events: not authorized (401)",
		},
		{
			name:   "403 not shared",
			events: serveFile("error_403.json", 403),
			want:   "google calendar Family: list events: access denied (403): share the calendar with the service account " + fakeSAEmail,
		},
		{
			name:   "403 API disabled",
			events: serveFile("error_403_disabled.json", 403),
			want:   "access denied (403): the Google Calendar API is not enabled",
		},
		{
			name:       "403 rate limit with Retry-After",
			events:     serveFile("error_403_ratelimit.json", 403, "Retry-After", "30"),
			want:       "rate limited by Google (403 rateLimitExceeded)",
			retryAfter: 30 * time.Second,
		},
		{
			name:   "404",
			events: serveFile("error_404.json", 404),
			want:   "calendar not found (404): check calendar_id; a service account sees only calendars shared with " + fakeSAEmail,
		},
		{
			name:       "429 with Retry-After seconds",
			events:     serveFile("error_429.json", 429, "Retry-After", "120"),
			want:       "google calendar Family: list events: rate limited by Google (429)",
			retryAfter: 2 * time.Minute,
		},
		{
			name:   "429 without Retry-After",
			events: serveFile("error_429.json", 429),
			want:   "rate limited by Google (429)",
		},
		{
			name:       "503 with Retry-After date",
			events:     serveFile("error_503.json", 503, "Retry-After", now.Add(90*time.Second).Format(http.TimeFormat)),
			want:       "Google had a server error (503)",
			retryAfter: 90 * time.Second,
		},
		{
			name:   "500",
			events: serveFile("error_500.json", 500),
			want:   "google calendar Family: list events: Google had a server error (500)",
		},
		{
			name: "500 on the calendar list",
			list: serveFile("error_500.json", 500),
			want: "google calendar Family: read calendar settings: Google had a server error (500)",
		},
		{
			name:   "truncated JSON",
			events: serveFile("events_truncated.json", 200),
			want:   "list events: malformed response from Google",
		},
		{
			name: "JSON of the wrong shape",
			events: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"kind":"calendar#events","items":"none"}`))
			},
			want: "list events: malformed response from Google",
		},
		{
			name: "HTML instead of JSON",
			events: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.Write([]byte(`<html><body>captive portal</body></html>`))
			},
			want: "list events: malformed response from Google",
		},
		{
			name: "key refused by the token endpoint",
			token: func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 400, map[string]string{"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
			},
			want: "Google refused the service-account key (invalid_grant)",
		},
		{
			name: "token endpoint down",
			token: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "60")
				writeJSON(w, 503, map[string]string{"error": "temporarily_unavailable"})
			},
			want:       "Google's sign-in service had an error (503)",
			retryAfter: time.Minute,
		},
	}
	// The category the status page words its advice from.
	categories := map[string]source.Category{
		"401": source.Auth, "403 not shared": source.Auth, "403 API disabled": source.Auth,
		"403 rate limit with Retry-After": source.RateLimited, "404": source.NotFound,
		"429 with Retry-After seconds": source.RateLimited, "429 without Retry-After": source.RateLimited,
		"503 with Retry-After date": source.Server, "500": source.Server, "500 on the calendar list": source.Server,
		"truncated JSON": source.BadContent, "JSON of the wrong shape": source.BadContent, "HTML instead of JSON": source.BadContent,
		"key refused by the token endpoint": source.Auth, "token endpoint down": source.Server,
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeGoogle(t)
			f.token, f.calendarList, f.events = tt.token, tt.list, tt.events
			g := newTestGoogle(t, f, nil)
			g.now = func() time.Time { return now }
			from, to := testWindow(t)

			got, err := g.Events(context.Background(), from, to)
			if err == nil {
				t.Fatalf("Events: got %d events and no error, want %q", len(got), tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n got %q\nwant it to contain %q", err, tt.want)
			}
			checkNoSecrets(t, err.Error())
			if got, want := source.Classify(err), categories[tt.name]; got != want {
				t.Errorf("category %q, want %q", got, want)
			}
			var ra source.RetryAfter
			isRA := errors.As(err, &ra)
			switch {
			case tt.retryAfter == 0 && isRA:
				t.Errorf("RetryAfter %v, want none", ra.RetryAfter())
			case tt.retryAfter != 0 && !isRA:
				t.Errorf("no RetryAfter, want %v", tt.retryAfter)
			case isRA && ra.RetryAfter() != tt.retryAfter:
				t.Errorf("RetryAfter: got %v, want %v", ra.RetryAfter(), tt.retryAfter)
			}
		})
	}
}

// checkNoSecrets fails if text holds a token, a key or the client secret.
func checkNoSecrets(t *testing.T, text string) {
	t.Helper()
	for _, s := range []string{fakeAccessToken, fakeRefreshToken, fakeClientSecret, "PRIVATE KEY", "assertion", fakeCalendarID} {
		if strings.Contains(text, s) {
			t.Errorf("%q leaks %q", text, s)
		}
	}
}

func TestGoogleTimeout(t *testing.T) {
	f := newFakeGoogle(t)
	f.events = func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}
	g := newTestGoogle(t, f, func(o *GoogleOptions) { o.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond} })
	from, to := testWindow(t)

	start := time.Now()
	_, err := g.Events(context.Background(), from, to)
	if err == nil {
		t.Fatal("Events: no error from a server that never answers")
	}
	if want := "google calendar Family: list events: no answer from Google within 300ms (timeout)"; err.Error() != want {
		t.Errorf("error:\n got %q\nwant %q", err, want)
	}
	if got := source.Classify(err); got != source.Timeout {
		t.Errorf("category %q, want timeout", got)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %v; the client timeout was 300ms", took)
	}
}

func TestGoogleCanceled(t *testing.T) {
	f := newFakeGoogle(t)
	g := newTestGoogle(t, f, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	from, to := testWindow(t)
	_, err := g.Events(ctx, from, to)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

func TestGoogleSavedToken(t *testing.T) {
	f := newFakeGoogle(t)
	path := f.tokenFile(t, fakeRefreshToken)
	dir := t.TempDir()
	missing := TokenPath(dir)
	g := newTestGoogle(t, f, func(o *GoogleOptions) { o.CredentialsFile, o.TokenFile = "", missing })
	from, to := testWindow(t)

	// Not signed in yet: Events says how to fix it.
	_, err := g.Events(context.Background(), from, to)
	if err == nil || !strings.Contains(err.Error(), "not signed in") || !strings.Contains(err.Error(), "kiosk auth google") {
		t.Fatalf("without a token: got %v, want a 'not signed in … kiosk auth google' error", err)
	}

	// `kiosk auth google` saves the token while the kiosk runs.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(missing, b, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := g.Events(context.Background(), from, to)
	if err != nil {
		t.Fatalf("with a token: %v", err)
	}
	if len(got) != 7 {
		t.Errorf("got %d events, want 7", len(got))
	}
	reqs := f.tokens()
	if len(reqs) != 1 {
		t.Fatalf("token requests: got %d, want 1", len(reqs))
	}
	want := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {fakeRefreshToken}, "client_id": {fakeClientID}, "client_secret": {fakeClientSecret}}
	for k, v := range want {
		if reqs[0].Get(k) != v[0] {
			t.Errorf("refresh request %s: got %q, want %q", k, reqs[0].Get(k), v[0])
		}
	}

	// A revoked token: the error says to sign in again and why it happens.
	writeRefresh := func(refresh string, mod time.Time) {
		t.Helper()
		p := f.tokenFile(t, refresh)
		b, _ := os.ReadFile(p)
		if err := os.WriteFile(missing, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(missing, mod, mod); err != nil {
			t.Fatal(err)
		}
	}
	writeRefresh("revoked-refresh-token", time.Now().Add(time.Minute))
	_, err = g.Events(context.Background(), from, to)
	if err == nil || !strings.Contains(err.Error(), "the saved sign-in expired or was revoked (invalid_grant): run `kiosk auth google` again") ||
		!strings.Contains(err.Error(), "7 days") {
		t.Errorf("revoked token: got %v", err)
	}
	if err != nil {
		checkNoSecrets(t, err.Error())
		if strings.Contains(err.Error(), "revoked-refresh-token") {
			t.Errorf("error leaks the refresh token: %v", err)
		}
	}

	// Signing in again is picked up without a restart.
	writeRefresh(fakeRefreshToken+"-new", time.Now().Add(2*time.Minute))
	if _, err := g.Events(context.Background(), from, to); err != nil {
		t.Errorf("after signing in again: %v", err)
	}

	// The API refusing the token: sign in again.
	f.events = serveFile("error_401.json", 401)
	_, err = g.Events(context.Background(), from, to)
	if err == nil || !strings.Contains(err.Error(), "not authorized (401): the saved sign-in was not accepted; run `kiosk auth google` again") {
		t.Errorf("401 with a saved token: got %v", err)
	}
}

func TestNewGoogleRejects(t *testing.T) {
	f := newFakeGoogle(t)
	seoul := mustLoad(t, "Asia/Seoul")
	notJSON := writeTempJSON(t, "x.json", "x")
	os.WriteFile(notJSON, []byte("not json"), 0o600)
	tests := []struct {
		name string
		opts GoogleOptions
		want string
	}{
		{"no name", GoogleOptions{Loc: seoul, TokenFile: "t"}, "name is required"},
		{"no zone", GoogleOptions{Name: "Family", TokenFile: "t"}, "no time zone"},
		{"no credentials", GoogleOptions{Name: "Family", Loc: seoul}, "needs credentials_file"},
		{"missing key", GoogleOptions{Name: "Family", Loc: seoul, CredentialsFile: "/nonexistent/key.json"}, "service-account key"},
		{"key not JSON", GoogleOptions{Name: "Family", Loc: seoul, CredentialsFile: notJSON}, "is not JSON"},
		{"token given as key", GoogleOptions{Name: "Family", Loc: seoul, CredentialsFile: f.tokenFile(t, fakeRefreshToken)}, `is a "authorized_user" file, not a service-account key`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewGoogle(context.Background(), tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
			if err != nil {
				checkNoSecrets(t, err.Error())
			}
		})
	}
}

func TestAPIBase(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080/calendar/v3/"},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8080/calendar/v3/"},
		{"https://proxy.example/google/calendar/v3", "https://proxy.example/google/calendar/v3/"},
		{"https://proxy.example/google/calendar/v3/", "https://proxy.example/google/calendar/v3/"},
	}
	for _, tt := range tests {
		if got := apiBase(tt.in); got != tt.want {
			t.Errorf("apiBase(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		value  string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"17", 17 * time.Second, true},
		{"-5", 0, true},
		{now.Add(time.Hour).Format(http.TimeFormat), time.Hour, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		got, ok := retryAfter(http.Header{"Retry-After": {tt.value}}, now)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tt.value, got, ok, tt.want, tt.wantOK)
		}
	}
}

func decodeItem(t *testing.T, s string) *gcal.Event {
	t.Helper()
	var it gcal.Event
	if err := json.Unmarshal([]byte(s), &it); err != nil {
		t.Fatal(err)
	}
	return &it
}
