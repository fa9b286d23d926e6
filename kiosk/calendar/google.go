package calendar

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"cloud.google.com/go/auth"
	"cloud.google.com/go/auth/credentials"
	gcal "google.golang.org/api/calendar/v3"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	htransport "google.golang.org/api/transport/http"
)

// ReadonlyScope is the only scope the kiosk asks for. The narrower
// calendar.events.readonly is refused by Google's device endpoint.
const ReadonlyScope = "https://www.googleapis.com/auth/calendar.readonly"

// pageSize is events.list's maxResults: Google's default of 250 keeps one
// decoded page small on a Pi; 2,500 events take ten requests.
const pageSize = 250

// listFields asks Google for only what Events uses (partial response), which
// leaves out descriptions, attendees and conference data.
const listFields = "nextPageToken,defaultReminders,items(id,status,summary,location,start,end,colorId,reminders)"

// GoogleOptions configures a Google Calendar source.
type GoogleOptions struct {
	Name       string // the configured calendar name, shown on the page
	Color      string // optional; overrides every other color
	CalendarID string // "primary" or an id such as abc@group.calendar.google.com

	// CredentialsFile is a service-account key shared with the calendar.
	// When empty, TokenFile (the token saved by `kiosk auth google`) is used.
	CredentialsFile string
	TokenFile       string

	// Endpoint is the API base URL (tests, proxies), with or without the
	// /calendar/v3/ suffix; empty means Google's public API.
	Endpoint string

	Loc *time.Location // the configured zone; all-day dates are read in it
	// HTTPClient supplies the base transport and the timeout for the API
	// and token requests; nil means a client with a 30 s timeout.
	HTTPClient *http.Client
	Logger     *slog.Logger
}

// Google reads one calendar with the Calendar v3 API. It is safe for
// concurrent use.
type Google struct {
	opts GoogleOptions
	hc   *http.Client
	log  *slog.Logger
	now  func() time.Time // for Retry-After dates
	// serviceEmail is the service account's address, for the 403 hint.
	serviceEmail string

	mu      sync.Mutex
	svc     *gcal.Service
	tokenAt fileStamp // the TokenFile svc was built from
	palette map[string]string
}

// fileStamp tells whether a file changed since it was read.
type fileStamp struct {
	mod  time.Time
	size int64
}

// NewGoogle returns a source for one Google calendar. A service-account key
// is read now; a saved token is read at the first Events call and again
// whenever the file changes, so `kiosk auth google` takes effect without a
// restart, and a missing token is reported by Events, not here.
func NewGoogle(ctx context.Context, opts GoogleOptions) (*Google, error) {
	if opts.Name == "" {
		return nil, errors.New("google calendar: name is required")
	}
	if opts.CalendarID == "" {
		opts.CalendarID = "primary"
	}
	if opts.Loc == nil {
		return nil, fmt.Errorf("google calendar %s: no time zone", opts.Name)
	}
	if opts.CredentialsFile == "" && opts.TokenFile == "" {
		return nil, fmt.Errorf("google calendar %s: needs credentials_file or a token from `kiosk auth google`", opts.Name)
	}
	g := &Google{opts: opts, hc: opts.HTTPClient, log: opts.Logger, now: time.Now}
	if g.hc == nil {
		g.hc = &http.Client{Timeout: 30 * time.Second}
	}
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	if opts.CredentialsFile != "" {
		b, err := os.ReadFile(opts.CredentialsFile)
		if err != nil {
			return nil, fmt.Errorf("google calendar %s: service-account key: %w", opts.Name, err)
		}
		var key struct {
			Type        string `json:"type"`
			ClientEmail string `json:"client_email"`
		}
		if err := json.Unmarshal(b, &key); err != nil {
			return nil, fmt.Errorf("google calendar %s: service-account key %s is not JSON", opts.Name, opts.CredentialsFile)
		}
		if key.Type != "service_account" {
			return nil, fmt.Errorf("google calendar %s: %s is a %q file, not a service-account key (for a personal account, omit credentials_file and run `kiosk auth google`)",
				opts.Name, opts.CredentialsFile, key.Type)
		}
		g.serviceEmail = key.ClientEmail
		creds, err := credentials.NewCredentialsFromJSON(credentials.ServiceAccount, b, g.detectOptions(""))
		if err != nil {
			return nil, fmt.Errorf("google calendar %s: service-account key %s: %s", opts.Name, opts.CredentialsFile, keyProblem(err))
		}
		if g.svc, err = g.newService(ctx, creds); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// keyProblem describes a credentials parse error without echoing the key.
func keyProblem(err error) string {
	msg := err.Error()
	if strings.Contains(msg, "PRIVATE KEY") || len(msg) > 200 {
		return "cannot read the key"
	}
	return msg
}

func (g *Google) detectOptions(tokenURL string) *credentials.DetectOptions {
	return &credentials.DetectOptions{
		Scopes:   []string{ReadonlyScope},
		Client:   g.hc,
		TokenURL: tokenURL,
		// Fetches happen every few minutes: refresh in the request rather
		// than in a goroutine that outlives it.
		DisableAsyncRefresh: true,
	}
}

// newService builds the API client: the credentials' token on top of the
// configured base transport, with its timeout.
func (g *Google) newService(ctx context.Context, creds *auth.Credentials) (*gcal.Service, error) {
	base := g.hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	rt, err := htransport.NewTransport(ctx, base, option.WithAuthCredentials(creds), option.WithTelemetryDisabled())
	if err != nil {
		return nil, fmt.Errorf("google calendar %s: %w", g.opts.Name, err)
	}
	svcOpts := []option.ClientOption{option.WithHTTPClient(&http.Client{Transport: rt, Timeout: g.hc.Timeout})}
	if g.opts.Endpoint != "" {
		svcOpts = append(svcOpts, option.WithEndpoint(apiBase(g.opts.Endpoint)))
	}
	svc, err := gcal.NewService(ctx, svcOpts...)
	if err != nil {
		return nil, fmt.Errorf("google calendar %s: %w", g.opts.Name, err)
	}
	return svc, nil
}

// apiBase turns a configured endpoint into the client's base path, which
// must end in /calendar/v3/.
func apiBase(endpoint string) string {
	e := strings.TrimRight(endpoint, "/")
	if !strings.HasSuffix(e, "/calendar/v3") {
		e += "/calendar/v3"
	}
	return e + "/"
}

// TokenPath is where `kiosk auth google` saves the token in the data dir.
func TokenPath(dataDir string) string {
	return filepath.Join(dataDir, "google-token.json")
}

// service returns the API client, building it from the saved token when
// there is none yet or the token file changed.
func (g *Google) service(ctx context.Context) (*gcal.Service, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.opts.CredentialsFile != "" {
		return g.svc, nil
	}
	path := g.opts.TokenFile
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("google calendar %s: not signed in: no saved token at %s; run `kiosk auth google` or set credentials_file", g.opts.Name, path)
	}
	if err != nil {
		return nil, fmt.Errorf("google calendar %s: saved token: %w", g.opts.Name, err)
	}
	stamp := fileStamp{fi.ModTime(), fi.Size()}
	if g.svc != nil && stamp == g.tokenAt {
		return g.svc, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("google calendar %s: saved token: %w", g.opts.Name, err)
	}
	var tok authorizedUser
	if err := json.Unmarshal(b, &tok); err != nil || tok.Type != "authorized_user" || tok.RefreshToken == "" {
		return nil, fmt.Errorf("google calendar %s: %s is not a token saved by `kiosk auth google`; run it again", g.opts.Name, path)
	}
	creds, err := credentials.NewCredentialsFromJSON(credentials.AuthorizedUser, b, g.detectOptions(tok.TokenURI))
	if err != nil {
		return nil, fmt.Errorf("google calendar %s: saved token %s: %s", g.opts.Name, path, keyProblem(err))
	}
	svc, err := g.newService(ctx, creds)
	if err != nil {
		return nil, err
	}
	g.svc, g.tokenAt = svc, stamp
	return svc, nil
}

// Events returns the calendar's event instances overlapping [from, to), in
// Google's order (by start). Recurring events come expanded by Google.
func (g *Google) Events(ctx context.Context, from, to time.Time) ([]Event, error) {
	svc, err := g.service(ctx)
	if err != nil {
		return nil, err
	}
	loc := g.opts.Loc

	cal, err := svc.CalendarList.Get(g.opts.CalendarID).
		Fields("backgroundColor,defaultReminders").Context(ctx).Do()
	listed := err == nil
	if err != nil && !isStatus(err, http.StatusNotFound) {
		return nil, g.explain("read calendar settings", err)
	}
	if !listed {
		// A service account's calendar list is empty unless the calendar
		// was added to it; events.list still works.
		cal = &gcal.CalendarListEntry{}
		g.log.Debug("google calendar not in the calendar list; using event defaults",
			"calendar", g.opts.Name)
	}

	var (
		out        []Event
		useDefault []int // indexes in out that take the calendar's defaults
		listDefs   []*gcal.EventReminder
		skipped    int
		pages      int
		colored    bool
	)
	call := svc.Events.List(g.opts.CalendarID).
		SingleEvents(true).
		OrderBy("startTime").
		TimeMin(from.In(loc).Format(time.RFC3339)).
		TimeMax(to.In(loc).Format(time.RFC3339)).
		TimeZone(loc.String()).
		MaxResults(pageSize).
		Fields(listFields)
	err = call.Pages(ctx, func(page *gcal.Events) error {
		pages++
		if listDefs == nil && len(page.DefaultReminders) > 0 {
			listDefs = page.DefaultReminders
		}
		if out == nil {
			out = make([]Event, 0, len(page.Items))
		}
		for _, it := range page.Items {
			if it == nil || it.Status == "cancelled" {
				continue
			}
			e, ok := g.convert(it)
			if !ok {
				skipped++
				continue
			}
			if it.ColorId != "" {
				colored = true
			}
			if it.Reminders != nil && it.Reminders.UseDefault {
				useDefault = append(useDefault, len(out))
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, g.explain("list events", err)
	}
	if skipped > 0 {
		g.log.Warn("google calendar: skipped events with unreadable times",
			"calendar", g.opts.Name, "count", skipped)
	}

	defs := cal.DefaultReminders
	if !listed {
		defs = listDefs
	}
	if mins := popupMinutes(defs); len(mins) > 0 {
		for _, i := range useDefault {
			out[i].Reminders = mins
		}
	}
	g.colorize(ctx, svc, out, cal.BackgroundColor, colored)
	g.log.Debug("google calendar fetched", "calendar", g.opts.Name, "events", len(out), "pages", pages)
	return out, nil
}

// convert turns one Google event into an Event in the configured zone; ok
// is false when its times cannot be read. The color is set later.
func (g *Google) convert(it *gcal.Event) (Event, bool) {
	e := Event{
		ID:       instanceID(g.opts.Name, it.Id),
		Calendar: g.opts.Name,
		Summary:  strings.TrimSpace(it.Summary),
		Location: strings.TrimSpace(it.Location),
		Color:    it.ColorId, // resolved by colorize
	}
	if it.Start == nil {
		return e, false
	}
	loc := g.opts.Loc
	if it.Start.Date != "" {
		start, err := time.ParseInLocation(time.DateOnly, it.Start.Date, loc)
		if err != nil {
			return e, false
		}
		e.Start, e.AllDay = start, true
		e.End = start.AddDate(0, 0, 1)
		if it.End != nil && it.End.Date != "" {
			if end, err := time.ParseInLocation(time.DateOnly, it.End.Date, loc); err == nil && end.After(start) {
				e.End = end // exclusive, as Google sends it
			}
		}
	} else {
		start, err := time.Parse(time.RFC3339, it.Start.DateTime)
		if err != nil {
			return e, false
		}
		e.Start, e.End = start.In(loc), start.In(loc)
		if it.End != nil && it.End.DateTime != "" { // absent with endTimeUnspecified
			if end, err := time.Parse(time.RFC3339, it.End.DateTime); err == nil && end.After(start) {
				e.End = end.In(loc)
			}
		}
	}
	if r := it.Reminders; r != nil && !r.UseDefault {
		e.Reminders = popupMinutes(r.Overrides)
	}
	return e, true
}

// popupMinutes returns the popup reminders' minutes, sorted, without
// duplicates. Email reminders are left out: the kiosk's reminder is the
// on-screen one.
func popupMinutes(rs []*gcal.EventReminder) []int {
	var mins []int
	for _, r := range rs {
		if r != nil && r.Method == "popup" && r.Minutes >= 0 {
			mins = append(mins, int(r.Minutes))
		}
	}
	slices.Sort(mins)
	return slices.Compact(mins)
}

// instanceID is stable for one instance of one calendar: Google's instance
// ids already carry the original start of a recurring event.
func instanceID(calendar, googleID string) string {
	h := sha256.New()
	h.Write([]byte(calendar))
	h.Write([]byte{0})
	h.Write([]byte(googleID))
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0])[:16])
}

// colorize sets each event's color: the configured color wins; else the
// event's own color from Google's palette; else the calendar's color;
// else a kiosk palette color picked by the calendar name.
func (g *Google) colorize(ctx context.Context, svc *gcal.Service, events []Event, calColor string, colored bool) {
	fallback := g.opts.Color
	if fallback == "" {
		fallback = calColor
	}
	if fallback == "" {
		fallback = paletteColor(g.opts.Name)
	}
	var palette map[string]string
	if g.opts.Color == "" && colored {
		palette = g.eventPalette(ctx, svc)
	}
	for i := range events {
		c := palette[events[i].Color]
		if c == "" {
			c = fallback
		}
		events[i].Color = c
	}
}

// eventPalette returns Google's event colors by colorId, fetched once. A
// failure is logged and leaves events in the calendar's color.
func (g *Google) eventPalette(ctx context.Context, svc *gcal.Service) map[string]string {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.palette != nil {
		return g.palette
	}
	colors, err := svc.Colors.Get().Fields("event").Context(ctx).Do()
	if err != nil {
		g.log.Debug("google calendar: no event colors", "calendar", g.opts.Name, "error", g.explain("read colors", err))
		return nil
	}
	p := make(map[string]string, len(colors.Event))
	for id, c := range colors.Event {
		p[id] = c.Background
	}
	g.palette = p
	return p
}

// kioskPalette colors calendars that have no color of their own.
var kioskPalette = [...]string{"#5b9bd5", "#ed7d31", "#70ad47", "#a5a5a5", "#ffc000", "#4472c4", "#9e480e", "#c55a9b"}

func paletteColor(name string) string {
	h := fnv.New32a()
	h.Write([]byte(name))
	return kioskPalette[h.Sum32()%uint32(len(kioskPalette))]
}

// isStatus reports whether err is a Google API error with the given code.
func isStatus(err error, code int) bool {
	var gerr *googleapi.Error
	return errors.As(err, &gerr) && gerr.Code == code
}
