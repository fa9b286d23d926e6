package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestPlainErrors: wrong types, unknown keys and tabs are told in the
// file's words, with the key and the line where the problem is.
func TestPlainErrors(t *testing.T) {
	long := strings.Repeat("한", 50) // three bytes a character: a byte cut lands mid-character
	tests := []struct {
		name, yaml string
		want       []string // substrings that must all appear
		not        []string // substrings that must not
	}{
		{"word for a number", "dashboard:\n  days_ahead: seven\n",
			[]string{`line 2: dashboard.days_ahead: expected a whole number, got "seven"`}, nil},
		{"map for a list", "notices:\n  - name: N\n    url: https://x/rss\n    popup_keywords:\n      장학: yes\n",
			[]string{"line 4: notices[0].popup_keywords: expected a list like [a, b]"}, nil},
		{"word for a list", "notices:\n  - name: N\n    url: https://x/rss\n    popup_keywords: 장학\n",
			[]string{"line 4: notices[0].popup_keywords: expected a list like [a, b]"}, nil},
		{"word for true or false", "photos: {dir: /x, shuffle: maybe}\n",
			[]string{`line 1: photos.shuffle: expected true or false, got "maybe"`}, nil},
		{"word for a section", "dashboard: big\n",
			[]string{`line 1: dashboard: expected keys indented under it (like key: value), got "big"`}, nil},
		{"word for a list of entries", "calendars: family\n",
			[]string{`line 1: calendars: expected a list of entries, each starting with "- ", got "family"`}, nil},
		{"list for a word", "listen: [a, b]\n",
			[]string{"line 1: listen: expected a single value, got a list"}, nil},
		{"long value cut by characters", "poll_seconds: " + long + "\n",
			[]string{"line 1: poll_seconds: expected a whole number", strings.Repeat("한", 39) + "…"}, nil},
		{"near-miss key", "calender:\n  - name: A\n",
			[]string{"line 1: unknown key \"calender\"; did you mean `calendars`?"}, nil},
		{"near-miss nested key", "dashboard:\n  days_ahaed: 3\n",
			[]string{"line 2: dashboard: unknown key \"days_ahaed\"; did you mean `days_ahead`?"}, nil},
		{"hyphen for underscore", "poll-seconds: 3\n",
			[]string{"did you mean `poll_seconds`?"}, nil},
		{"key like no other", "wibble: 3\n", []string{`line 1: unknown key "wibble"`}, []string{"did you mean", "belongs"}},
		{"key in the wrong section", "days_ahead: 3\n",
			[]string{"line 1: unknown key \"days_ahead\"; it belongs under `dashboard`"}, nil},
		{"key one level too high", "calendars:\n  - name: A\n    file: a.ics\n",
			[]string{"line 3: calendars[0]: unknown key \"file\"; it belongs under `calendars[0].ics`"}, nil},
		{"key in another section", "trains:\n  srt:\n    login_id: x\n    password: abcdefgh\n    popup_keywords: [a]\n",
			[]string{"line 5: trains.srt: unknown key \"popup_keywords\"; it belongs under `notices[0]`"}, nil},
		{"tab before a key", "dashboard:\n  days_ahead: 3\n\tmax_events: 10\n",
			[]string{"line 3: a tab in the indentation"}, nil},
		{"tab before a list item", "notices:\n  - name: N\n    url: https://x/rss\n\t- name: M\n",
			[]string{"line 4: a tab in the indentation"}, nil},
		{"tab in a nested key", "calendars:\n  - name: A\n\t  ics: {file: a.ics}\n",
			[]string{"line 3: a tab in the indentation"}, nil},
		{"type and validation problems at once", "locale: fr\ndashboard:\n  days_ahead: seven\n  max_events: 0\n  reload_seconds: 1\n",
			[]string{"line 1: locale:", "line 3: dashboard.days_ahead: expected a whole number", "line 5: dashboard.reload_seconds: must be"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), noEnv)
			if err == nil {
				t.Fatalf("Parse(%q) succeeded, want an error", tc.yaml)
			}
			got := err.Error()
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("error %q does not contain %q", got, w)
				}
			}
			for _, w := range append(tc.not, "!!", "unmarshal", "[]string", "int", "config.") {
				if strings.Contains(got, w) {
					t.Errorf("error %q contains %q", got, w)
				}
			}
			if !utf8.ValidString(got) {
				t.Errorf("error %q is not valid UTF-8", got)
			}
		})
	}
}

// TestProblemsInLineOrder: type, validation and file problems come in the
// order of the file, whichever check found them.
func TestProblemsInLineOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kiosk.yaml")
	os.WriteFile(path, []byte("photos: {dir: /nonexistent/photos}\nlocale: fr\ndashboard:\n  days_ahead: seven\n"), 0o600)
	_, err := Check(path, noEnv)
	if err == nil {
		t.Fatal("want error")
	}
	var lines []string
	for _, l := range strings.Split(err.Error(), "\n") {
		lines = append(lines, strings.SplitN(strings.TrimPrefix(l, "config "+path+": "), ":", 2)[0])
	}
	if got, want := strings.Join(lines, ", "), "line 1, line 2, line 4"; got != want {
		t.Errorf("problems in order %s, want %s:\n%v", got, want, err)
	}
}

// TestWrongTypeNamedOnce: a value of the wrong type is one problem, not
// also a range or "is required" one for the same key.
func TestWrongTypeNamedOnce(t *testing.T) {
	_, err := Parse([]byte("photos:\n  dir: [a, b]\n"), noEnv)
	if err == nil {
		t.Fatal("want error")
	}
	if got := err.Error(); got != "line 2: photos.dir: expected a single value, got a list" {
		t.Errorf("error = %q", got)
	}
}

// TestCheckFiles: kiosk check also finds the files and folders the config
// names that are missing or unreadable, all at once, each with its key.
func TestCheckFiles(t *testing.T) {
	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials")
	good := filepath.Join(dir, "good.ics")
	for p, body := range map[string]string{
		good:                                 "BEGIN:VCALENDAR\nEND:VCALENDAR\n",
		filepath.Join(creds, "srt-password"): "pw\n",
		filepath.Join(dir, "photo.jpg"):      "x",
	} {
		os.MkdirAll(filepath.Dir(p), 0o700)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	withCreds := func(k string) string {
		if k == "CREDENTIALS_DIRECTORY" {
			return creds
		}
		return ""
	}
	tests := []struct {
		name, yaml string
		env        Env
		want       []string // "" means the check passes
	}{
		{"all present", "calendars:\n  - name: A\n    ics: {file: " + good + "}\n" +
			"trains:\n  srt: {login_id: x, password_file: srt-password}\nphotos: {dir: " + dir + "}\n", withCreds, nil},
		{"ics file missing", "calendars:\n  - name: A\n    ics: {file: " + good + "}\n  - name: B\n    ics:\n      file: /nonexistent/b.ics\n", noEnv,
			[]string{"line 6: calendars[1].ics.file: /nonexistent/b.ics does not exist"}},
		{"ics file is a folder", "calendars:\n  - name: A\n    ics: {file: " + dir + "}\n", noEnv,
			[]string{"line 3: calendars[0].ics.file: " + dir + " is a folder"}},
		{"secret resolved in the credentials directory", "trains:\n  srt:\n    login_id: x\n    password_file: missing\n", withCreds,
			[]string{"line 4: trains.srt.password_file: " + filepath.Join(creds, "missing") + " does not exist"}},
		{"bare secret name without a credentials directory", "admin_token_file: admin-token\n", noEnv,
			[]string{"line 1: admin_token_file: admin-token does not exist", "CREDENTIALS_DIRECTORY"}},
		{"ics password file is a folder", "calendars:\n  - name: A\n    ics: {url: 'https://x/a.ics', password_file: " + creds + "}\n", noEnv,
			[]string{"line 3: calendars[0].ics.password_file: cannot read " + creds}},
		{"photo folder missing", "photos:\n  dir: /nonexistent/photos\n", noEnv,
			[]string{"line 2: photos.dir: the folder /nonexistent/photos does not exist"}},
		{"photo folder is a file", "photos:\n  dir: " + filepath.Join(dir, "photo.jpg") + "\n", noEnv,
			[]string{"line 2: photos.dir: " + filepath.Join(dir, "photo.jpg") + " is a file, not a folder"}},
		{"every problem at once", "locale: fr\ncalendars:\n  - name: A\n    ics: {file: /nonexistent/a.ics}\n" +
			"admin_token_file: /nonexistent/token\nphotos: {dir: /nonexistent/photos}\n", noEnv,
			[]string{"line 1: locale:", "line 4: calendars[0].ics.file:", "line 5: admin_token_file:", "line 6: photos.dir:"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "kiosk.yaml")
			if err := os.WriteFile(path, []byte(tc.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Check(path, tc.env)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Check passed")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// TestLoadLeavesFilesToTheSources: the server starts with an ICS file or
// photo folder missing (it may appear later; the status page says so);
// only check reports them.
func TestLoadLeavesFilesToTheSources(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kiosk.yaml")
	os.WriteFile(path, []byte("calendars:\n  - name: A\n    ics: {file: /nonexistent/a.ics}\nphotos: {dir: /nonexistent/photos}\n"), 0o600)
	if _, err := Load(path, noEnv); err != nil {
		t.Errorf("Load: %v", err)
	}
}
