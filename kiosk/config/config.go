// Package config loads the kiosk's one YAML file: strict decoding, defaults
// filled in one place, and validation whose errors name the key and line.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is the whole file. Keys are documented in README.md.
type Config struct {
	Listen         string     `yaml:"listen"`
	DataDir        string     `yaml:"data_dir"`
	Timezone       string     `yaml:"timezone"`
	Locale         string     `yaml:"locale"`
	PollSeconds    int        `yaml:"poll_seconds"`
	Dashboard      Dashboard  `yaml:"dashboard"`
	Calendars      []Calendar `yaml:"calendars"`
	Refresh        Refresh    `yaml:"refresh"`
	Reminders      Reminders  `yaml:"reminders"`
	QuietHours     *Span      `yaml:"quiet_hours"`
	AdminToken     Secret     `yaml:"admin_token"`
	AdminTokenFile string     `yaml:"admin_token_file"`
	Trains         Trains     `yaml:"trains"`
	Photos         *Photos    `yaml:"photos"`
	Display        *Display   `yaml:"display"`
	Notices        []Notice   `yaml:"notices"`
	Push           *Push      `yaml:"push"`

	// The weather, fine dust and their reminders (weather.go).
	Weather          *Weather         `yaml:"weather"`
	Air              *Air             `yaml:"air"`
	WeatherReminders WeatherReminders `yaml:"weather_reminders"`

	// Location is Timezone loaded; set by Load.
	Location *time.Location `yaml:"-"`
	// Path is the file the config came from; empty for the demo.
	Path string `yaml:"-"`
	// Secrets lists the files read for secrets (for permission checks).
	SecretFiles []string `yaml:"-"`
}

type Dashboard struct {
	DaysAhead     int `yaml:"days_ahead"`
	MaxEvents     int `yaml:"max_events"`
	ReloadSeconds int `yaml:"reload_seconds"`
}

type Calendar struct {
	Name   string  `yaml:"name"`
	Color  string  `yaml:"color"`
	Google *Google `yaml:"google"`
	ICS    *ICS    `yaml:"ics"`
}

type Google struct {
	CalendarID      string `yaml:"calendar_id"`
	CredentialsFile string `yaml:"credentials_file"`
	Endpoint        string `yaml:"endpoint"`
}

type ICS struct {
	URL          string `yaml:"url"`
	File         string `yaml:"file"`
	Username     string `yaml:"username"`
	PasswordEnv  string `yaml:"password_env"`
	PasswordFile string `yaml:"password_file"`

	// Password is resolved from PasswordEnv or PasswordFile by Load.
	Password Secret `yaml:"-"`
}

type Refresh struct {
	CalendarMinutes int `yaml:"calendar_minutes"`
}

type Reminders struct {
	DefaultMinutes *int `yaml:"default_minutes"` // nil: 30; 0 turns the default off
	ExpireMinutes  int  `yaml:"expire_minutes"`
	DisplaySeconds int  `yaml:"display_seconds"`
	CatchUpMinutes int  `yaml:"catch_up_minutes"`
}

// Span is a daily period of local wall-clock time, such as quiet hours.
// End may be before Start: the span then crosses midnight.
type Span struct {
	Start string `yaml:"start"`
	End   string `yaml:"end"`
}

type Trains struct {
	SRT *SRT `yaml:"srt"`
}

type SRT struct {
	LoginID              string `yaml:"login_id"`
	LoginType            string `yaml:"login_type"`
	Password             Secret `yaml:"password"`
	PasswordEnv          string `yaml:"password_env"`
	PasswordFile         string `yaml:"password_file"`
	Endpoint             string `yaml:"endpoint"`
	UserAgent            string `yaml:"user_agent"`
	CacheMinutes         int    `yaml:"cache_minutes"`
	MaxShown             int    `yaml:"max_shown"`
	RemindBeforeMinutes  *int   `yaml:"remind_before_minutes"`
	PaymentRemindMinutes *int   `yaml:"payment_remind_minutes"`
}

type Photos struct {
	Dir             string `yaml:"dir"`
	IntervalSeconds int    `yaml:"interval_seconds"`
	Mode            string `yaml:"mode"`
	Shuffle         *bool  `yaml:"shuffle"`
}

// Display holds the night-mode schedule: the screen is off from Off to On.
type Display struct {
	Off string `yaml:"off"`
	On  string `yaml:"on"`
}

type Notice struct {
	Name           string   `yaml:"name"`
	URL            string   `yaml:"url"`
	RefreshMinutes int      `yaml:"refresh_minutes"`
	Keep           int      `yaml:"keep"`
	KeepDays       int      `yaml:"keep_days"`
	PopupKeywords  []string `yaml:"popup_keywords"`
}

// Secret is a string that never prints: fmt, slog and JSON see "[redacted]".
type Secret string

func (s Secret) String() string { return redact(s) }

// LogValue keeps the secret out of slog records.
func (s Secret) LogValue() any { return redact(s) }

// MarshalJSON keeps the secret out of any JSON answer.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redact(s) + `"`), nil }

// Reveal returns the secret itself, for the one place that needs it.
func (s Secret) Reveal() string { return string(s) }

func redact(s Secret) string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// Defaults used when a key is absent.
const (
	DefaultListen          = ":8080"
	DefaultTimezone        = "Asia/Seoul"
	DefaultLocale          = "ko"
	DefaultPollSeconds     = 3
	DefaultDaysAhead       = 7
	DefaultMaxEvents       = 40
	DefaultReloadSeconds   = 120
	DefaultCalendarMinutes = 5
	DefaultReminderMinutes = 30
	DefaultSRTEndpoint     = "https://app.srail.or.kr:443"
)

// Env reads an environment variable; os.Getenv in production.
type Env func(string) string

// Default returns the configuration with every default filled in, as used by
// the demo when no file exists.
func Default(getenv Env) (*Config, error) {
	c := &Config{}
	if err := c.finish(&problems{}, getenv, false); err != nil {
		return nil, err
	}
	return c, nil
}

// Load reads, decodes and validates the file at path. Every problem found is
// in the returned error, one per line, each naming its key.
func Load(path string, getenv Env) (*Config, error) {
	return load(path, getenv, false)
}

// Check is Load for `kiosk check`: it also reports the files and folders the
// config names that are missing or cannot be read (ICS files, credentials,
// the photo folder), which the server only finds out when it uses them.
func Check(path string, getenv Env) (*Config, error) {
	return load(path, getenv, true)
}

func load(path string, getenv Env, files bool) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	c, err := parse(b, getenv, files)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	c.Path = path
	return c, nil
}

// Parse decodes and validates YAML bytes.
func Parse(b []byte, getenv Env) (*Config, error) {
	return parse(b, getenv, false)
}

func parse(b []byte, getenv Env, files bool) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, syntaxError(b, err)
	}
	c := &Config{}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	p := &problems{root: &root}
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, syntaxError(b, err)
		}
		// Decoding went on past the bad values: say what is wrong with
		// them in the file's words, then validate the rest too.
		if len(root.Content) > 0 {
			checkTypes(p, root.Content[0], reflect.TypeFor[Config](), "", 0)
		}
		if len(p.list) == 0 { // the walk and the decoder disagree: keep the decoder's words
			p.list = append(p.list, yamlError(&root, err).Error())
		}
	}
	if err := c.finish(p, getenv, files); err != nil {
		return nil, err
	}
	return c, nil
}

// syntaxError words a YAML syntax error. YAML forbids tabs in indentation,
// and the parser blames the line before the tab for some of them; the line
// holding the tab is named instead.
func syntaxError(b []byte, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	reported := 0
	if sm := lineNumber.FindStringSubmatch(msg); sm != nil {
		reported, _ = strconv.Atoi(sm[1])
	}
	if strings.Contains(msg, "tab character") || strings.Contains(msg, "cannot start any token") {
		if line := tabLine(b, reported); line > 0 {
			return fmt.Errorf("line %d: a tab in the indentation; indent with spaces (YAML does not allow tabs there)", line)
		}
	}
	return errors.New(msg)
}

// tabLine is the first line at or after from whose indentation holds a tab;
// 0 if none does.
func tabLine(b []byte, from int) int {
	first := 0
	for i, l := range strings.Split(string(b), "\n") {
		indent := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if !strings.Contains(indent, "\t") || strings.TrimSpace(l) == "" {
			continue
		}
		if i+1 >= from {
			return i + 1
		}
		if first == 0 {
			first = i + 1
		}
	}
	return first
}

var (
	fieldNotFound = regexp.MustCompile(`field (\S+) not found in type \S+`)
	lineNumber    = regexp.MustCompile(`^line (\d+): `)
	goType        = regexp.MustCompile(` into \S+$`)
)

// yamlError rewrites the decoder's messages into the file's vocabulary: it
// names keys, not Go types. It is the fallback when checkTypes finds
// nothing to say.
func yamlError(root *yaml.Node, err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	msgs := make([]string, 0, len(te.Errors))
	for _, m := range te.Errors {
		m = strings.ReplaceAll(m, "yaml: ", "")
		if fieldNotFound.MatchString(m) {
			m = fieldNotFound.ReplaceAllString(m, `unknown key "$1"`)
		} else if sm := lineNumber.FindStringSubmatch(m); sm != nil {
			line, _ := strconv.Atoi(sm[1])
			if key := keyAt(root, line); key != "" {
				m = sm[0] + key + ": wrong type: " + goType.ReplaceAllString(m[len(sm[0]):], "")
			}
		}
		msgs = append(msgs, strings.ToValidUTF8(m, "…"))
	}
	return errors.New(strings.Join(msgs, "\n"))
}

// keyAt returns the dotted path of the key whose value is on line; "" if none.
func keyAt(n *yaml.Node, line int) string {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) > 0 {
			return keyAt(n.Content[0], line)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if v.Line == line && v.Kind == yaml.ScalarNode {
				return k.Value
			}
			if sub := keyAt(v, line); sub != "" {
				return k.Value + "." + sub
			}
		}
	case yaml.SequenceNode:
		for i, v := range n.Content {
			if sub := keyAt(v, line); sub != "" {
				return fmt.Sprintf("[%d].%s", i, sub)
			}
		}
	}
	return ""
}

// problems collects validation errors with the line of the key they name.
type problems struct {
	root *yaml.Node
	list []string
	// typed are the keys whose value had the wrong type: validation has
	// nothing to add about them.
	typed map[string]bool
}

func (p *problems) add(key, format string, args ...any) {
	if p.typed[key] {
		return
	}
	p.addAt(lineOf(p.root, key), key, format, args...)
}

func (p *problems) addAt(line int, key, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if key != "" {
		msg = key + ": " + msg
	}
	if line > 0 {
		msg = fmt.Sprintf("line %d: %s", line, msg)
	}
	p.list = append(p.list, msg)
}

// err joins the problems in the order of their lines, those without a line
// last.
func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	line := func(m string) int {
		if sm := lineNumber.FindStringSubmatch(m); sm != nil {
			n, _ := strconv.Atoi(sm[1])
			return n
		}
		return math.MaxInt
	}
	sort.SliceStable(p.list, func(i, j int) bool { return line(p.list[i]) < line(p.list[j]) })
	return errors.New(strings.Join(p.list, "\n"))
}

// lineOf finds the line of a dotted key path such as "calendars[1].ics.url"
// in the document; 0 when the key is not in the file.
func lineOf(root *yaml.Node, path string) int {
	if root == nil {
		return 0
	}
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := 0
	for _, part := range strings.Split(path, ".") {
		name, idx := part, -1
		if i := strings.IndexByte(part, '['); i >= 0 {
			name = part[:i]
			fmt.Sscanf(part[i:], "[%d]", &idx)
		}
		if n.Kind != yaml.MappingNode {
			return line
		}
		found := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == name {
				line = n.Content[i].Line
				n = n.Content[i+1]
				found = true
				break
			}
		}
		if !found {
			return line
		}
		if idx >= 0 {
			if n.Kind != yaml.SequenceNode || idx >= len(n.Content) {
				return line
			}
			n = n.Content[idx]
			line = n.Line
		}
	}
	return line
}

var (
	hexColor = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
	clock    = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d$`)
)

// finish fills defaults, resolves secrets and validates; with files it
// also checks the files and folders the config names.
func (c *Config) finish(p *problems, getenv Env, files bool) error {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.Timezone == "" {
		c.Timezone = DefaultTimezone
	}
	if loc, err := time.LoadLocation(c.Timezone); err != nil || c.Timezone == "Local" {
		p.add("timezone", "unknown time zone %q (use an IANA name such as Asia/Seoul)", c.Timezone)
	} else {
		c.Location = loc
	}
	if c.Locale == "" {
		c.Locale = DefaultLocale
	}
	if c.Locale != "ko" && c.Locale != "en" {
		p.add("locale", "must be ko or en, not %q", c.Locale)
	}
	if c.PollSeconds == 0 {
		c.PollSeconds = DefaultPollSeconds
	}
	if c.PollSeconds < 2 || c.PollSeconds > 5 {
		p.add("poll_seconds", "must be from 2 to 5, not %d", c.PollSeconds)
	}
	if c.DataDir == "" {
		c.DataDir = getenv("STATE_DIRECTORY")
		if i := strings.IndexByte(c.DataDir, ':'); i >= 0 { // several StateDirectory= entries
			c.DataDir = c.DataDir[:i]
		}
	}
	if c.DataDir == "" {
		c.DataDir = "data"
	}
	positive(p, "dashboard.days_ahead", &c.Dashboard.DaysAhead, DefaultDaysAhead, 1, 31)
	positive(p, "dashboard.max_events", &c.Dashboard.MaxEvents, DefaultMaxEvents, 1, 1000)
	positive(p, "dashboard.reload_seconds", &c.Dashboard.ReloadSeconds, DefaultReloadSeconds, 10, 3600)
	positive(p, "refresh.calendar_minutes", &c.Refresh.CalendarMinutes, DefaultCalendarMinutes, 1, 1440)

	names := map[string]bool{} // source names: calendars, notices and SRT share one namespace
	for i := range c.Calendars {
		c.validateCalendar(p, i, getenv, names)
	}

	if c.Reminders.DefaultMinutes == nil {
		c.Reminders.DefaultMinutes = intp(DefaultReminderMinutes)
	} else if *c.Reminders.DefaultMinutes < 0 || *c.Reminders.DefaultMinutes > 40320 {
		p.add("reminders.default_minutes", "must be from 0 to 40320, not %d", *c.Reminders.DefaultMinutes)
	}
	positive(p, "reminders.expire_minutes", &c.Reminders.ExpireMinutes, 10, 1, 1440)
	positive(p, "reminders.display_seconds", &c.Reminders.DisplaySeconds, 30, 1, 3600)
	positive(p, "reminders.catch_up_minutes", &c.Reminders.CatchUpMinutes, 10, 1, 1440)
	if q := c.QuietHours; q != nil {
		checkClock(p, "quiet_hours.start", q.Start)
		checkClock(p, "quiet_hours.end", q.End)
	}
	if d := c.Display; d != nil {
		checkClock(p, "display.off", d.Off)
		checkClock(p, "display.on", d.On)
	}

	switch {
	case c.AdminToken != "" && c.AdminTokenFile != "":
		p.add("admin_token", "set admin_token or admin_token_file, not both")
	case c.AdminTokenFile != "":
		tok, err := c.readSecretFile(c.AdminTokenFile, getenv)
		if err != nil {
			p.add("admin_token_file", "%v", err)
		}
		c.AdminToken = tok
	}
	if c.AdminToken != "" && len(c.AdminToken) < 12 {
		p.add("admin_token", "must be at least 12 characters long")
	}

	if s := c.Trains.SRT; s != nil {
		c.validateSRT(p, s, getenv)
	}
	if ph := c.Photos; ph != nil {
		if ph.Dir == "" {
			p.add("photos.dir", "is required")
		}
		positive(p, "photos.interval_seconds", &ph.IntervalSeconds, 30, 3, 86400)
		if ph.Mode == "" {
			ph.Mode = "background"
		}
		if ph.Mode != "background" && ph.Mode != "panel" && ph.Mode != "fullscreen" {
			p.add("photos.mode", "must be background, panel or fullscreen, not %q", ph.Mode)
		}
		if ph.Shuffle == nil {
			ph.Shuffle = boolp(true)
		}
	}
	if c.Trains.SRT != nil && names["SRT"] {
		p.add("calendars", `the name "SRT" is taken by the trains source`)
	}
	for i := range c.Notices {
		n := &c.Notices[i]
		key := fmt.Sprintf("notices[%d]", i)
		switch {
		case n.Name == "":
			p.add(key+".name", "is required")
		case names[n.Name]:
			p.add(key+".name", "%q is used twice (names are shared by calendars, notices and SRT)", n.Name)
		case n.Name == "SRT" && c.Trains.SRT != nil:
			p.add(key+".name", `the name "SRT" is taken by the trains source`)
		}
		names[n.Name] = true
		checkURL(p, key+".url", n.URL)
		positive(p, key+".refresh_minutes", &n.RefreshMinutes, 30, 5, 1440)
		positive(p, key+".keep", &n.Keep, 5, 1, 50)
		positive(p, key+".keep_days", &n.KeepDays, 7, 1, 365)
	}
	c.validateWeather(p, getenv)
	c.validatePush(p, getenv)
	if files {
		c.checkFiles(p)
	}
	return p.err()
}

func (c *Config) validateCalendar(p *problems, i int, getenv Env, names map[string]bool) {
	cal := &c.Calendars[i]
	key := fmt.Sprintf("calendars[%d]", i)
	switch {
	case cal.Name == "":
		p.add(key+".name", "is required")
	case names[cal.Name]:
		p.add(key+".name", "%q is used twice", cal.Name)
	}
	names[cal.Name] = true
	if cal.Color != "" && !hexColor.MatchString(cal.Color) {
		p.add(key+".color", "must look like #5b9bd5, not %q", cal.Color)
	}
	switch {
	case cal.Google == nil && cal.ICS == nil:
		p.add(key, "needs google or ics")
	case cal.Google != nil && cal.ICS != nil:
		p.add(key, "has both google and ics; use one per calendar")
	case cal.Google != nil:
		g := cal.Google
		if g.CalendarID == "" {
			g.CalendarID = "primary"
		}
		if g.Endpoint != "" {
			checkURL(p, key+".google.endpoint", g.Endpoint)
		}
		if g.CredentialsFile != "" {
			// Like the other secret files: a bare name is a credential
			// the service gets from systemd (LoadCredential=); the
			// service cannot read /etc/kiosk/credentials itself.
			g.CredentialsFile = credentialPath(g.CredentialsFile, getenv)
			if _, err := os.Stat(g.CredentialsFile); err != nil {
				p.add(key+".google.credentials_file", "%v", fileErr(g.CredentialsFile, err))
			} else {
				c.SecretFiles = append(c.SecretFiles, g.CredentialsFile)
			}
		}
	default:
		x := cal.ICS
		switch {
		case x.URL == "" && x.File == "":
			p.add(key+".ics", "needs url or file")
		case x.URL != "" && x.File != "":
			p.add(key+".ics", "has both url and file; use one")
		case x.URL != "":
			checkURL(p, key+".ics.url", strings.Replace(x.URL, "webcal://", "https://", 1))
		}
		if x.PasswordEnv != "" && x.PasswordFile != "" {
			p.add(key+".ics.password_env", "set password_env or password_file, not both")
		}
		pw, err := c.secret(Secret(""), x.PasswordEnv, x.PasswordFile, getenv)
		if err != nil {
			p.add(key+".ics."+err.key, "%v", err.err)
		}
		x.Password = pw
	}
}

func (c *Config) validateSRT(p *problems, s *SRT, getenv Env) {
	if s.LoginID == "" {
		p.add("trains.srt.login_id", "is required")
	}
	switch s.LoginType {
	case "":
		s.LoginType = "auto"
	case "auto", "membership", "email", "phone":
	default:
		p.add("trains.srt.login_type", "must be auto, membership, email or phone, not %q", s.LoginType)
	}
	n := 0
	for _, set := range []bool{s.Password != "", s.PasswordEnv != "", s.PasswordFile != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		p.add("trains.srt.password", "set exactly one of password, password_env, password_file")
	} else {
		pw, err := c.secret(s.Password, s.PasswordEnv, s.PasswordFile, getenv)
		if err != nil {
			p.add("trains.srt."+err.key, "%v", err.err)
		}
		s.Password = pw
	}
	if s.Endpoint == "" {
		s.Endpoint = DefaultSRTEndpoint
	}
	checkURL(p, "trains.srt.endpoint", s.Endpoint)
	positive(p, "trains.srt.cache_minutes", &s.CacheMinutes, 30, 10, 1440)
	positive(p, "trains.srt.max_shown", &s.MaxShown, 3, 1, 10)
	if s.RemindBeforeMinutes == nil {
		s.RemindBeforeMinutes = intp(60)
	} else if *s.RemindBeforeMinutes < 0 {
		p.add("trains.srt.remind_before_minutes", "must not be negative")
	}
	if s.PaymentRemindMinutes == nil {
		s.PaymentRemindMinutes = intp(30)
	} else if *s.PaymentRemindMinutes < 0 {
		p.add("trains.srt.payment_remind_minutes", "must not be negative")
	}
}

type secretErr struct {
	key string
	err error
}

// secret resolves a secret given inline, by environment variable or by file.
func (c *Config) secret(inline Secret, env, file string, getenv Env) (Secret, *secretErr) {
	switch {
	case env != "":
		v := getenv(env)
		if v == "" {
			return "", &secretErr{"password_env", fmt.Errorf("environment variable %s is empty or unset", env)}
		}
		return Secret(v), nil
	case file != "":
		v, err := c.readSecretFile(file, getenv)
		if err != nil {
			return "", &secretErr{"password_file", err}
		}
		return v, nil
	}
	return inline, nil
}

// credentialPrefix is what systemd puts before the file names of a
// directory loaded with LoadCredential=kiosk:/etc/kiosk/credentials (the
// shipped kiosk.service): the file admin-token becomes the credential
// kiosk_admin-token.
const credentialPrefix = "kiosk_"

// credentialPath resolves a secret file name. A bare name is looked up in
// systemd's $CREDENTIALS_DIRECTORY: as NAME (a credential loaded by name, or
// `kiosk check` run with CREDENTIALS_DIRECTORY=/etc/kiosk/credentials), else
// as kiosk_NAME (loaded with the credentials directory).
func credentialPath(name string, getenv Env) string {
	dir := getenv("CREDENTIALS_DIRECTORY")
	if dir == "" || filepath.IsAbs(name) {
		return name
	}
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		if alt := filepath.Join(dir, credentialPrefix+name); exists(alt) {
			return alt
		}
	}
	return path
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// readSecretFile reads a one-line secret; a bare name is a systemd
// credential (credentialPath).
func (c *Config) readSecretFile(name string, getenv Env) (Secret, error) {
	path := credentialPath(name, getenv)
	b, err := os.ReadFile(path)
	if err != nil {
		err = fileErr(path, err)
		if getenv("CREDENTIALS_DIRECTORY") == "" && !filepath.IsAbs(name) {
			err = fmt.Errorf("%w (a bare name is looked up in $CREDENTIALS_DIRECTORY, which is not set here: "+
				"run as CREDENTIALS_DIRECTORY=/etc/kiosk/credentials kiosk check …, or give the full path)", err)
		}
		return "", err
	}
	v := strings.TrimRight(string(b), "\r\n")
	if v == "" {
		return "", fmt.Errorf("%s is empty", path)
	}
	c.SecretFiles = append(c.SecretFiles, path)
	return Secret(v), nil
}

func positive(p *problems, key string, v *int, def, lo, hi int) {
	if *v == 0 {
		*v = def
		return
	}
	if *v < lo || *v > hi {
		p.add(key, "must be from %d to %d, not %d", lo, hi, *v)
	}
}

func checkClock(p *problems, key, v string) {
	if !clock.MatchString(v) {
		p.add(key, "must be a time like 21:00, not %q", v)
	}
}

func checkURL(p *problems, key, v string) {
	if !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
		p.add(key, "must be an http:// or https:// URL")
	}
}

func intp(v int) *int    { return &v }
func boolp(v bool) *bool { return &v }

// Minutes parses "HH:MM" into minutes after midnight; the value must have
// passed validation.
func Minutes(hhmm string) int {
	var h, m int
	fmt.Sscanf(hhmm, "%d:%d", &h, &m)
	return h*60 + m
}

// In reports whether the wall-clock time of t falls in the span, which may
// cross midnight.
func (s *Span) In(t time.Time) bool {
	if s == nil {
		return false
	}
	m := t.Hour()*60 + t.Minute()
	a, b := Minutes(s.Start), Minutes(s.End)
	if a <= b {
		return m >= a && m < b
	}
	return m >= a || m < b
}

// Find returns the config file to use: the explicit path, else
// $KIOSK_CONFIG, ./kiosk.yaml, /etc/kiosk/kiosk.yaml. It returns "" when none
// exists, which means demo mode. An explicit path must exist.
func Find(explicit string, getenv Env) (string, error) {
	if explicit != "" {
		if _, err := os.Stat(explicit); err != nil {
			return "", fmt.Errorf("config: %w", err)
		}
		return explicit, nil
	}
	if env := getenv("KIOSK_CONFIG"); env != "" {
		if _, err := os.Stat(env); err != nil {
			return "", fmt.Errorf("config: KIOSK_CONFIG: %w", err)
		}
		return env, nil
	}
	for _, p := range []string{"kiosk.yaml", "/etc/kiosk/kiosk.yaml"} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", nil
}

// PermissionWarnings names the files holding secrets that other users can
// read: the secret files, and the config file itself when it holds an
// inline secret.
func (c *Config) PermissionWarnings() []string {
	var out []string
	for _, f := range c.UnsafeFiles() {
		out = append(out, fmt.Sprintf("%s holds a secret and is readable by every user: chmod 600 %s", f, f))
	}
	return out
}

// UnsafeFiles are the files of PermissionWarnings.
func (c *Config) UnsafeFiles() []string {
	files := append([]string(nil), c.SecretFiles...)
	if c.Path != "" && (c.AdminToken != "" && c.AdminTokenFile == "" ||
		c.Trains.SRT != nil && c.Trains.SRT.Password != "" && c.Trains.SRT.PasswordEnv == "" && c.Trains.SRT.PasswordFile == "") {
		files = append(files, c.Path)
	}
	var out []string
	for _, f := range files {
		info, err := os.Stat(f)
		if err == nil && info.Mode().Perm()&0o004 != 0 {
			out = append(out, f)
		}
	}
	return out
}
