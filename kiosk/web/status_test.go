package web

import (
	"html"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"kiosk/cache"
	"kiosk/kiosk/config"
	"kiosk/kiosk/dashboard"
	"kiosk/kiosk/jobs"
	"kiosk/kiosk/remind"
	"kiosk/kiosk/source"
)

// statusServer is a server whose status page has something in every part:
// sources of each kind, every job (one failing), a clock jump, warnings,
// a Pi's temperature and power flags, and a store kept in memory.
func statusServer(t *testing.T, locale string, fallback cache.Fallback, edit func(*config.Config)) *Server {
	t.Helper()
	updated := now.Add(-30 * time.Minute)
	snap := &dashboard.Snapshot{Sources: []source.Status{
		{Name: "Family", Kind: "google", OK: true, Updated: &updated},
		{Name: "School", Kind: "ics", OK: true, Updated: &updated},
		{Name: "SRT", Kind: "srt"},
		{Name: "photos", Kind: "photos", OK: true, Updated: &updated},
		{Name: "weather", Kind: "weather", OK: true, Updated: &updated},
		{Name: "air", Kind: "air", OK: true, Updated: &updated},
		{Name: "Notices", Kind: "notices", Error: `notices: Get "https://example.org/rss": dial tcp: lookup example.org: no such host`,
			Category: source.DNS, Updated: &updated, Stale: true},
	}}
	s := newServer(t, snap, func(c *config.Config) {
		c.Locale = locale
		if edit != nil {
			edit(c)
		}
	})
	last, next := now.Add(-10*time.Second), now.Add(time.Minute)
	s.info = StatusInfo{
		Started: now.Add(-(3*24 + 4) * time.Hour),
		Jobs: func() []jobs.Status {
			return []jobs.Status{
				{Name: "reminders", LastRun: &last, NextRun: &next},
				{Name: "calendars", LastRun: &last, NextRun: &next, LastError: "calendars: context deadline exceeded"},
				{Name: "trains", LastRun: &last, NextRun: &next},
				{Name: "notices", LastRun: &last, NextRun: &next},
				{Name: "photos", LastRun: &last, NextRun: &next},
				{Name: "trouble", LastRun: &last, NextRun: &next},
			}
		},
		Reminders: func() remind.Status {
			return remind.Status{From: now.Add(-time.Minute), To: now, Jump: &remind.Jump{At: now, Seconds: -5400}}
		},
		StoreBytes:  func() int64 { return 12_345_678 },
		DataDir:     "/var/lib/kiosk",
		Fallback:    fallback,
		UnsafeFiles: []string{"/etc/kiosk/kiosk.yaml"},
		Recovered:   "/var/lib/kiosk.corrupt-20261122T000000",
		Sys: fstest.MapFS{
			"proc/self/statm":                                     {Data: []byte("5000 8000 300 10 0 400 0\n")},
			"sys/class/thermal/thermal_zone0/temp":                {Data: []byte("48312\n")},
			"sys/devices/platform/soc/soc:firmware/get_throttled": {Data: []byte("0x50000\n")},
		},
	}
	s.synced = func() (bool, bool) { return true, true }
	return s
}

var (
	codeOrScript = regexp.MustCompile(`(?s)<code>.*?</code>|<script.*?</script>|<style.*?</style>`)
	tag          = regexp.MustCompile(`(?s)<[^>]*>`)
	latinWord    = regexp.MustCompile(`[A-Za-z]{2,}`)
	hangul       = regexp.MustCompile(`\p{Hangul}+`)
)

// visibleText is what a reader sees of a page: tags, scripts and code
// (commands, paths, keys, raw error details) left out.
func visibleText(page string) string {
	page = codeOrScript.ReplaceAllString(page, " ")
	return html.UnescapeString(tag.ReplaceAllString(page, " "))
}

// TestStatusPageSpeaksItsLanguage: with locale ko no English word is left
// on /status but names, units and acronyms; with en no Korean.
func TestStatusPageSpeaksItsLanguage(t *testing.T) {
	allowed := map[string]bool{ // proper names, units, acronyms
		"Family": true, "School": true, "Notices": true, "SRT": true, "ICS": true, "Asia": true, "Seoul": true,
		"MB": true, "GB": true, "CPU": true, "systemd": true,
	}
	for _, fallback := range []cache.Fallback{cache.OnDisk, cache.ReadOnly, cache.DiskFull} {
		_, ko := get(t, statusServer(t, "ko", fallback, nil), "/status")
		text := visibleText(ko)
		for _, w := range latinWord.FindAllString(text, -1) {
			if !allowed[w] {
				t.Errorf("ko status page (fallback %d) shows the English word %q in:\n%s", fallback, w, squeeze(text))
			}
		}
		for _, want := range []string{"3일 4시간", "12.3 MB", "시계가 1시간 30분 뒤로", "캘린더 갱신", "구글 캘린더", "관리 기능이 꺼져 있습니다"} {
			if !strings.Contains(text, want) {
				t.Errorf("ko status page lacks %q:\n%s", want, squeeze(text))
			}
		}

		_, en := get(t, statusServer(t, "en", fallback, nil), "/status")
		text = visibleText(en)
		if k := hangul.FindAllString(text, -1); len(k) > 0 {
			t.Errorf("en status page (fallback %d) shows Korean %q", fallback, k)
		}
		for _, want := range []string{"3 d 4 h", "12.3 MB", "jumped back by 1 h 30 min", "Admin actions are off"} {
			if !strings.Contains(text, want) {
				t.Errorf("en status page lacks %q:\n%s", want, squeeze(text))
			}
		}
	}
}

// TestStatusAdminForm: the form is there only with an admin token; its
// answers are in the page's language.
func TestStatusAdminForm(t *testing.T) {
	_, off := get(t, statusServer(t, "ko", cache.OnDisk, nil), "/status")
	if strings.Contains(off, `id="message-form"`) || !strings.Contains(off, "<code>admin_token_file: admin-token</code>") {
		t.Errorf("without a token: want no form, and a hint naming admin_token_file:\n%s", off)
	}
	_, on := get(t, statusServer(t, "ko", cache.OnDisk, func(c *config.Config) { c.AdminToken = "0123456789abcdef" }), "/status")
	for _, want := range []string{`id="message-form"`, `data-e401="관리자 토큰이 틀렸습니다"`, `data-done="완료"`} {
		if !strings.Contains(on, want) {
			t.Errorf("with a token the page lacks %s", want)
		}
	}
	if strings.Contains(on, `id="admin-off"`) {
		t.Error("with a token the page still says admin actions are off")
	}
}

// TestUnwritableDataDir: a store kept in memory heads the status page with
// the fix, and the dashboard shows a small mark; on disk, neither.
func TestUnwritableDataDir(t *testing.T) {
	tests := []struct {
		name     string
		fallback cache.Fallback
		want     []string // on /status
	}{
		{"read-only", cache.ReadOnly, []string{"The data dir cannot be written", "<code>sudo chown -R ", " /var/lib/kiosk</code>", "<code>StateDirectory=kiosk</code>"}},
		{"disk full", cache.DiskFull, []string{"The disk is full", "<code>/var/lib/kiosk</code>"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := statusServer(t, "en", tc.fallback, nil)
			_, page := get(t, s, "/status")
			head := page[strings.Index(page, `class="card headline`):]
			head = head[:strings.Index(head, "</section>")]
			if !strings.Contains(head, "headline bad") {
				t.Errorf("headline is not marked bad: %s", head)
			}
			for _, w := range tc.want {
				if !strings.Contains(head, w) {
					t.Errorf("headline lacks %q:\n%s", w, head)
				}
			}
			warnings := s.statusJSON(now).Warnings
			if !strings.Contains(strings.Join(warnings, "\n"), "/var/lib/kiosk ") {
				t.Errorf("/api/status warnings %q do not name the data dir", warnings)
			}
			if _, index := get(t, s, "/"); !strings.Contains(index, `class="badge not-saved"`) {
				t.Error("the dashboard has no not-saved mark")
			}
		})
	}
	s := statusServer(t, "en", cache.OnDisk, nil)
	s.board = fixedBoard{&dashboard.Snapshot{}} // no failing source to head the page
	if _, index := get(t, s, "/"); strings.Contains(index, "not-saved") {
		t.Error("the dashboard shows the not-saved mark with the store on disk")
	}
	_, page := get(t, s, "/status")
	if strings.Contains(page, "cannot be written") {
		t.Error("the status page speaks of an unwritable data dir with the store on disk")
	}
	// The first other warning heads the page then, with its command.
	head := page[strings.Index(page, `class="card headline`):]
	head = head[:strings.Index(head, "</section>")]
	if !strings.Contains(head, "readable by every user") || !strings.Contains(head, "<code>chmod 600 /etc/kiosk/kiosk.yaml</code>") {
		t.Errorf("headline lacks the first warning and its fix:\n%s", head)
	}
}

func TestHumanUnits(t *testing.T) {
	ko, en := statusLocales["ko"], statusLocales["en"]
	durations := []struct {
		d      time.Duration
		ko, en string
	}{
		{(3*24+4)*time.Hour + 12*time.Minute, "3일 4시간", "3 d 4 h"},
		{3 * 24 * time.Hour, "3일", "3 d"},
		{4*time.Hour + 5*time.Minute + 6*time.Second, "4시간 5분", "4 h 5 min"},
		{90 * time.Second, "1분 30초", "1 min 30 s"},
		{0, "0초", "0 s"},
		{-90 * time.Minute, "-1시간 30분", "-1 h 30 min"},
	}
	for _, tc := range durations {
		if got := ko.duration(tc.d); got != tc.ko {
			t.Errorf("ko duration(%v) = %q, want %q", tc.d, got, tc.ko)
		}
		if got := en.duration(tc.d); got != tc.en {
			t.Errorf("en duration(%v) = %q, want %q", tc.d, got, tc.en)
		}
	}
	sizes := []struct {
		n    int64
		want string
	}{
		{75_800_000_000, "75.8 GB"},
		{32_100_000, "32.1 MB"},
		{999_000_000, "999.0 MB"},
		{2_500_000_000_000, "2.5 TB"},
	}
	for _, tc := range sizes {
		if got := bytesText(&tc.n); got != tc.want {
			t.Errorf("bytesText(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
	if got := bytesText(nil); got != "—" {
		t.Errorf("bytesText(nil) = %q", got)
	}
}

func squeeze(s string) string { return strings.Join(strings.Fields(s), " ") }
