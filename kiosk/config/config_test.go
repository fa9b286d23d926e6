package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func noEnv(string) string { return "" }

func TestDefaults(t *testing.T) {
	c, err := Parse([]byte("# nothing set\n"), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"listen", c.Listen, ":8080"},
		{"timezone", c.Location.String(), "Asia/Seoul"},
		{"locale", c.Locale, "ko"},
		{"poll_seconds", c.PollSeconds, 3},
		{"data_dir", c.DataDir, "data"},
		{"days_ahead", c.Dashboard.DaysAhead, 7},
		{"max_events", c.Dashboard.MaxEvents, 40},
		{"reload_seconds", c.Dashboard.ReloadSeconds, 120},
		{"calendar_minutes", c.Refresh.CalendarMinutes, 5},
		{"default_minutes", *c.Reminders.DefaultMinutes, 30},
		{"expire_minutes", c.Reminders.ExpireMinutes, 10},
		{"display_seconds", c.Reminders.DisplaySeconds, 30},
		{"catch_up_minutes", c.Reminders.CatchUpMinutes, 10},
	}
	for _, tc := range checks {
		if tc.got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

func TestDataDirFromStateDirectory(t *testing.T) {
	env := func(k string) string {
		if k == "STATE_DIRECTORY" {
			return "/var/lib/kiosk:/var/lib/other"
		}
		return ""
	}
	c, err := Parse(nil, env)
	if err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "/var/lib/kiosk" {
		t.Errorf("data_dir = %q, want /var/lib/kiosk", c.DataDir)
	}
}

func TestExplicitZeroDefaultMinutesTurnsDefaultOff(t *testing.T) {
	c, err := Parse([]byte("reminders:\n  default_minutes: 0\n"), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if *c.Reminders.DefaultMinutes != 0 {
		t.Errorf("default_minutes = %d, want 0", *c.Reminders.DefaultMinutes)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // substrings that must all appear
	}{
		{"unknown top key", "listen: \":80\"\ncolour: red\n", []string{`line 2`, `unknown key "colour"`}},
		{"unknown nested key", "dashboard:\n  days: 3\n", []string{`line 2`, `unknown key "days"`}},
		{"bad timezone", "locale: en\ntimezone: Mars/Olympus\n", []string{"line 2: timezone:", "Mars/Olympus"}},
		{"Local is not a zone", "timezone: Local\n", []string{"timezone:"}},
		{"bad locale", "locale: fr\n", []string{"line 1: locale:"}},
		{"poll too fast", "poll_seconds: 1\n", []string{"poll_seconds: must be from 2 to 5"}},
		{"poll too slow", "poll_seconds: 9\n", []string{"poll_seconds"}},
		{"wrong type", "poll_seconds: often\n", []string{`line 1: poll_seconds: expected a whole number, got "often"`}},
		{"wrong nested type", "calendars:\n  - name: A\n    ics: {file: a.ics}\n    color: [1]\n", []string{"line 4"}},
		{"days_ahead range", "dashboard:\n  days_ahead: 90\n", []string{"line 2: dashboard.days_ahead"}},
		{"calendar without source", "calendars:\n  - name: A\n", []string{"line 2: calendars[0]: needs google or ics"}},
		{"calendar without name", "calendars:\n  - ics: {file: x.ics}\n", []string{"calendars[0].name: is required"}},
		{"calendar twice", "calendars:\n  - name: A\n    ics: {file: a.ics}\n  - name: A\n    ics: {file: b.ics}\n", []string{"line 4: calendars[1].name", "used twice"}},
		{"both sources", "calendars:\n  - name: A\n    ics: {file: a.ics}\n    google: {calendar_id: x}\n", []string{"has both google and ics"}},
		{"ics url and file", "calendars:\n  - name: A\n    ics: {file: a.ics, url: 'https://x/a.ics'}\n", []string{"calendars[0].ics: has both url and file"}},
		{"ics bad url", "calendars:\n  - name: A\n    ics: {url: 'ftp://x/a.ics'}\n", []string{"line 3: calendars[0].ics.url"}},
		{"ics password env unset", "calendars:\n  - name: A\n    ics: {url: 'https://x/a.ics', password_env: NOPE}\n", []string{"calendars[0].ics.password_env", "NOPE"}},
		{"bad color", "calendars:\n  - name: A\n    color: blue\n    ics: {file: a.ics}\n", []string{"line 3: calendars[0].color"}},
		{"credentials file missing", "calendars:\n  - name: A\n    google: {credentials_file: /nonexistent/key.json}\n", []string{"calendars[0].google.credentials_file"}},
		{"quiet hours", "quiet_hours: {start: '9pm', end: '08:00'}\n", []string{"line 1: quiet_hours.start"}},
		{"display", "display: {off: '23:00', on: '25:00'}\n", []string{"display.on"}},
		{"short admin token", "admin_token: abc\n", []string{"admin_token: must be at least 12"}},
		{"token and file", "admin_token: abcdefghijklmnop\nadmin_token_file: /x\n", []string{"admin_token: set admin_token or admin_token_file"}},
		{"token file missing", "admin_token_file: /nonexistent/token\n", []string{"admin_token_file"}},
		{"srt no password", "trains:\n  srt:\n    login_id: '010-1234-5678'\n", []string{"trains.srt.password: set exactly one"}},
		{"srt two passwords", "trains:\n  srt:\n    login_id: x\n    password: a\n    password_env: B\n", []string{"trains.srt.password: set exactly one"}},
		{"srt login type", "trains:\n  srt:\n    login_id: x\n    password: a\n    login_type: fax\n", []string{"line 5: trains.srt.login_type"}},
		{"srt cache too short", "trains:\n  srt:\n    login_id: x\n    password: a\n    cache_minutes: 1\n", []string{"trains.srt.cache_minutes"}},
		{"photos no dir", "photos:\n  mode: background\n", []string{"photos.dir: is required"}},
		{"photos mode", "photos:\n  dir: /x\n  mode: tiles\n", []string{"line 3: photos.mode"}},
		{"notice named like a calendar", "calendars:\n  - name: A\n    ics: {file: a.ics}\nnotices:\n  - name: A\n    url: https://x/rss\n", []string{"line 5: notices[0].name", "used twice"}},
		{"notice url", "notices:\n  - name: N\n    url: example.org/rss\n", []string{"line 3: notices[0].url"}},
		{"syntax", "listen: [\n", []string{"line"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), noEnv)
			if err == nil {
				t.Fatalf("Parse(%q) succeeded, want an error", tc.yaml)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestEveryProblemReported(t *testing.T) {
	_, err := Parse([]byte("timezone: Nowhere/City\nlocale: xx\npoll_seconds: 99\n"), noEnv)
	if err == nil {
		t.Fatal("want error")
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != 3 {
		t.Errorf("got %d problems, want 3:\n%v", n, err)
	}
}

func TestGoodFile(t *testing.T) {
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "srt-password")
	if err := os.WriteFile(pwFile, []byte("s3cret-pw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	y := `listen: "127.0.0.1:9090"
timezone: Europe/Berlin
locale: en
poll_seconds: 2
dashboard: {days_ahead: 3, max_events: 10, reload_seconds: 60}
calendars:
  - name: Family
    color: "#5b9bd5"
    google: {calendar_id: primary}
  - name: School
    ics: {url: "webcal://example.org/school.ics", username: u, password_env: ICS_PW}
refresh: {calendar_minutes: 10}
reminders: {default_minutes: 15, expire_minutes: 5, display_seconds: 20, catch_up_minutes: 30}
quiet_hours: {start: "21:00", end: "08:00"}
admin_token: "0123456789abcdef"
trains:
  srt:
    login_id: "010-1234-5678"
    password_file: ` + pwFile + `
photos: {dir: /tmp, interval_seconds: 10, mode: panel, shuffle: false}
display: {off: "23:00", on: "06:30"}
notices:
  - name: 학사공지
    url: https://example.ac.kr/rss
    popup_keywords: [장학]
`
	env := func(k string) string {
		if k == "ICS_PW" {
			return "ics-pw"
		}
		return ""
	}
	c, err := Parse([]byte(y), env)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Calendars[1].ICS.Password.Reveal(); got != "ics-pw" {
		t.Errorf("ics password = %q", got)
	}
	if got := c.Trains.SRT.Password.Reveal(); got != "s3cret-pw" {
		t.Errorf("srt password = %q, want the file's first line", got)
	}
	if c.Trains.SRT.Endpoint != DefaultSRTEndpoint || c.Trains.SRT.MaxShown != 3 || *c.Trains.SRT.RemindBeforeMinutes != 60 {
		t.Errorf("srt defaults not filled: %+v", c.Trains.SRT)
	}
	if c.Calendars[0].Google.CalendarID != "primary" || c.Location.String() != "Europe/Berlin" {
		t.Errorf("unexpected %+v", c)
	}
	if *c.Photos.Shuffle {
		t.Error("shuffle: false was lost")
	}
	if c.Notices[0].Keep != 5 || c.Notices[0].KeepDays != 7 || c.Notices[0].RefreshMinutes != 30 {
		t.Errorf("notice defaults: %+v", c.Notices[0])
	}
	if len(c.SecretFiles) != 1 || c.SecretFiles[0] != pwFile {
		t.Errorf("secret files = %v", c.SecretFiles)
	}
}

// A bare secret file name is a systemd credential: the file itself when
// systemd loaded it by name or `kiosk check` runs with
// CREDENTIALS_DIRECTORY=/etc/kiosk/credentials, kiosk_NAME when kiosk.service
// loaded the whole directory (LoadCredential=kiosk:/etc/kiosk/credentials).
// The sandboxed service cannot read /etc/kiosk/credentials itself.
func TestSecretFilesFromCredentialsDirectory(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []string // in $CREDENTIALS_DIRECTORY
		want  string   // the file the secrets come from
	}{
		{"by name", []string{"admin", "google.json"}, ""},
		{"directory loaded by kiosk.service", []string{"kiosk_admin", "kiosk_google.json"}, "kiosk_"},
		{"both: the bare name wins", []string{"admin", "google.json", "kiosk_admin", "kiosk_google.json"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tc.files {
				b := []byte("token-from-" + f + "\n")
				if strings.HasSuffix(f, ".json") {
					b = []byte(`{"type":"service_account"}`)
				}
				if err := os.WriteFile(filepath.Join(dir, f), b, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			env := func(k string) string {
				if k == "CREDENTIALS_DIRECTORY" {
					return dir
				}
				return ""
			}
			c, err := Parse([]byte("admin_token_file: admin\ncalendars:\n  - name: A\n    google: {credentials_file: google.json}\n"), env)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := c.AdminToken.Reveal(), "token-from-"+tc.want+"admin"; got != want {
				t.Errorf("admin token = %q, want %q", got, want)
			}
			if got, want := c.Calendars[0].Google.CredentialsFile, filepath.Join(dir, tc.want+"google.json"); got != want {
				t.Errorf("credentials_file = %q, want %q", got, want)
			}
		})
	}
}

func TestSecretNeverPrints(t *testing.T) {
	s := Secret("hunter2-hunter2")
	for _, got := range []string{s.String(), string(must(s.MarshalJSON())), s.LogValue().(string)} {
		if strings.Contains(got, "hunter2") {
			t.Errorf("secret leaked: %q", got)
		}
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func TestSpanIn(t *testing.T) {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	at := func(h, m int) time.Time { return time.Date(2026, 11, 22, h, m, 0, 0, seoul) }
	night := &Span{Start: "21:00", End: "08:00"}
	day := &Span{Start: "09:00", End: "17:30"}
	tests := []struct {
		span *Span
		t    time.Time
		want bool
	}{
		{night, at(20, 59), false},
		{night, at(21, 0), true},
		{night, at(3, 0), true},
		{night, at(7, 59), true},
		{night, at(8, 0), false},
		{day, at(9, 0), true},
		{day, at(17, 30), false},
		{nil, at(12, 0), false},
	}
	for _, tc := range tests {
		if got := tc.span.In(tc.t); got != tc.want {
			t.Errorf("%v.In(%s) = %v, want %v", tc.span, tc.t.Format("15:04"), got, tc.want)
		}
	}
}

func TestFind(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "k.yaml")
	os.WriteFile(file, []byte("{}"), 0o600)
	t.Chdir(dir)
	env := func(k string) string {
		if k == "KIOSK_CONFIG" {
			return file
		}
		return ""
	}
	if got, err := Find("", env); err != nil || got != file {
		t.Errorf("Find via KIOSK_CONFIG = %q, %v", got, err)
	}
	if _, err := Find(filepath.Join(dir, "missing.yaml"), noEnv); err == nil {
		t.Error("an explicit missing file must be an error")
	}
	if got, err := Find("", noEnv); err != nil || (got != "" && got != "/etc/kiosk/kiosk.yaml") {
		t.Errorf("Find with nothing = %q, %v; want demo", got, err)
	}
	os.WriteFile(filepath.Join(dir, "kiosk.yaml"), []byte("{}"), 0o600)
	if got, _ := Find("", noEnv); got != "kiosk.yaml" {
		t.Errorf("Find = %q, want ./kiosk.yaml", got)
	}
}

func TestDecodeAndValidationProblemsTogether(t *testing.T) {
	_, err := Parse([]byte("timezone: Mars/Base\ndashbord: {}\n"), noEnv)
	if err == nil {
		t.Fatal("want error")
	}
	for _, w := range []string{`line 2: unknown key "dashbord"`, "line 1: timezone:"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%q lacks %q", err, w)
		}
	}
}

func TestPermissionWarnings(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "kiosk.yaml")
	tokFile := filepath.Join(dir, "token")
	os.WriteFile(tokFile, []byte("0123456789abcdef\n"), 0o644)
	os.WriteFile(cfgPath, []byte("admin_token_file: "+tokFile+"\n"), 0o644)
	c, err := Load(cfgPath, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	w := c.PermissionWarnings()
	if len(w) != 1 || !strings.Contains(w[0], tokFile) {
		t.Fatalf("warnings %v: want one for the token file, none for a config without inline secrets", w)
	}
	os.Chmod(tokFile, 0o600)
	os.WriteFile(cfgPath, []byte("admin_token: 0123456789abcdef\n"), 0o644)
	c, _ = Load(cfgPath, noEnv)
	if w := c.PermissionWarnings(); len(w) != 1 || !strings.Contains(w[0], cfgPath) {
		t.Fatalf("warnings %v: want one for the config with an inline token", w)
	}
	os.Chmod(cfgPath, 0o640)
	if w := c.PermissionWarnings(); len(w) != 0 {
		t.Fatalf("warnings %v after chmod", w)
	}
}
