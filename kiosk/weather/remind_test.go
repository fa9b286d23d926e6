package weather

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"kiosk/cache"
	"kiosk/kiosk/clock"
	"kiosk/kiosk/config"
	"kiosk/kiosk/remind"
)

// rainyDay is a forecast for date with the given hourly probabilities
// (hour → %), 0 elsewhere.
func rainyDay(loc *time.Location, dates []string, probs map[int]int) *Forecast {
	f := &Forecast{Units: "metric"}
	for _, date := range dates {
		d, _ := time.ParseInLocation(time.DateOnly, date, loc)
		dayMax := 0
		for h := range 24 {
			p := probs[h]
			dayMax = max(dayMax, p)
			f.Hours = append(f.Hours, Hour{Time: time.Date(d.Year(), d.Month(), d.Day(), h, 0, 0, 0, loc), PrecipProb: intp(p)})
		}
		f.Days = append(f.Days, Day{Date: date, PrecipProb: intp(dayMax)})
	}
	return f
}

// jobEnv is the reminder job over a store in dir, reading a snapshot
// the test sets; restart builds a new queue and job, as a new process.
type jobEnv struct {
	t     *testing.T
	clock *clock.Fake
	dir   string
	store *cache.Store
	queue *remind.Queue
	job   *remind.Job
	snap  *Snapshot
	rules ReminderRules
}

func newJobEnv(t *testing.T, start time.Time, rules ReminderRules) *jobEnv {
	e := &jobEnv{t: t, clock: clock.New(start), dir: t.TempDir(), rules: rules}
	e.restart()
	return e
}

func (e *jobEnv) restart() {
	e.t.Helper()
	if e.store != nil {
		if err := e.store.Close(); err != nil {
			e.t.Fatal(err)
		}
	}
	store, err := cache.Open(e.dir, e.clock.Now, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	e.store = store
	e.t.Cleanup(func() {
		if e.store == store {
			store.Close()
			e.store = nil
		}
	})
	if e.queue, err = remind.NewQueue(store); err != nil {
		e.t.Fatal(err)
	}
	e.job = remind.NewJob(e.queue, config.Reminders{CatchUpMinutes: 10, ExpireMinutes: 60, DisplaySeconds: 30},
		func(w remind.Window) ([]remind.Due, error) { return Dues(e.snap, w, e.rules), nil }, nil)
}

// runUntil runs the job at second 0 of each minute up to and including t.
func (e *jobEnv) runUntil(t time.Time) {
	e.t.Helper()
	for now := e.clock.Now().Truncate(time.Minute); !now.After(t); now = now.Add(time.Minute) {
		if now.Before(e.clock.Now()) {
			continue
		}
		e.clock.Add(now.Sub(e.clock.Now()))
		if err := e.job.Run(e.t.Context()); err != nil {
			e.t.Fatal(err)
		}
	}
}

// shown lists "id: message" of every notification queued so far.
func (e *jobEnv) shown() []string {
	var out []string
	for _, n := range e.queue.Active(e.clock.Now()) {
		out = append(out, n.ID+": "+n.Message)
	}
	return out
}

func TestMorningReminders(t *testing.T) {
	seoul := mustZone(t, "Asia/Seoul")
	day := func(h, m int) time.Time { return time.Date(2026, 12, 4, h, m, 0, 0, seoul) }
	rules := ReminderRules{MorningAt: "07:30", RainPercent: 60, DustGrade: GradeBad, Location: seoul, Locale: "ko"}
	e := newJobEnv(t, day(7, 0), rules)
	e.snap = &Snapshot{
		Forecast: rainyDay(seoul, []string{"2026-12-04"}, map[int]int{3: 90, 13: 30, 15: 70, 16: 70, 17: 40}),
		Air:      &Air{Time: day(7, 0), PM10: f64(62), PM25: f64(42), Station: "마포구"},
	}
	e.runUntil(day(7, 29))
	if got := e.shown(); len(got) != 0 {
		t.Fatalf("before morning_at: %q", got)
	}
	e.runUntil(day(7, 31))
	want := []string{
		"wx-mask-2026-12-04: 미세먼지 나쁨 (PM2.5 42) — 마스크 챙기세요",
		"wx-umbrella-2026-12-04: 오늘 비 예보 (최대 70%, 15시경) — 우산 챙기세요",
	}
	got := e.shown()
	slices.Sort(got)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("at 07:30:\n got %q\nwant %q", got, want)
	}
	for _, id := range []string{"wx-mask-2026-12-04", "wx-umbrella-2026-12-04"} {
		if _, err := e.queue.Delete(id); err != nil { // seen and dismissed
			t.Fatal(err)
		}
	}
	e.restart()
	e.clock.Add(30 * time.Second)
	e.runUntil(day(7, 40))
	if got := e.shown(); len(got) != 0 {
		t.Errorf("again after a restart: %q", got)
	}
}

func TestMorningRemindersEnglish(t *testing.T) {
	seoul := mustZone(t, "Asia/Seoul")
	at := time.Date(2026, 12, 4, 7, 30, 0, 0, seoul)
	snap := &Snapshot{
		Forecast: rainyDay(seoul, []string{"2026-12-04"}, map[int]int{15: 70}),
		Air:      &Air{Time: at.Add(-time.Hour), PM10: f64(160), PM25: f64(40)},
	}
	w := remind.Window{From: at, To: at.Add(time.Minute), Now: at}
	var got []string
	for _, d := range Dues(snap, w, ReminderRules{MorningAt: "07:30", RainPercent: 60, DustGrade: GradeBad, Location: seoul, Locale: "en"}) {
		got = append(got, d.Message)
	}
	want := []string{"Rain likely today (up to 70%, around 15:00) — take an umbrella", "Fine dust very unhealthy (PM10 160) — wear a mask"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// TestMorningReminderSnow: the umbrella reminder says snow when the
// likeliest hour (or, without hours, the day) is snow, rain otherwise.
func TestMorningReminderSnow(t *testing.T) {
	seoul := mustZone(t, "Asia/Seoul")
	at := time.Date(2026, 12, 4, 7, 30, 0, 0, seoul)
	w := remind.Window{From: at, To: at.Add(time.Minute), Now: at}
	code := func(f *Forecast, hour, c int) *Forecast {
		if hour < 0 {
			f.Hours = nil
			f.Days[0].Code = intp(c)
			return f
		}
		for i := range f.Hours {
			f.Hours[i].Code = intp(3)
		}
		f.Hours[hour].Code = intp(c)
		return f
	}
	tests := []struct {
		name, locale string
		forecast     *Forecast
		want         string
	}{
		{"snow at the likeliest hour", "ko", code(rainyDay(seoul, []string{"2026-12-04"}, map[int]int{10: 60, 15: 80}), 15, 73),
			"오늘 눈 예보 (최대 80%, 15시경) — 우산 챙기세요"},
		{"snow at a less likely hour", "ko", code(rainyDay(seoul, []string{"2026-12-04"}, map[int]int{10: 60, 15: 80}), 10, 73),
			"오늘 비 예보 (최대 80%, 15시경) — 우산 챙기세요"},
		{"snow showers, English", "en", code(rainyDay(seoul, []string{"2026-12-04"}, map[int]int{9: 90}), 9, 85),
			"Snow likely today (up to 90%, around 09:00) — take an umbrella"},
		{"the day's snow without hours", "ko", code(rainyDay(seoul, []string{"2026-12-04"}, map[int]int{12: 70}), -1, 75),
			"오늘 눈 예보 (최대 70%) — 우산 챙기세요"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rules := ReminderRules{MorningAt: "07:30", RainPercent: 60, Location: seoul, Locale: tt.locale}
			dues := Dues(&Snapshot{Forecast: tt.forecast}, w, rules)
			if len(dues) != 1 || dues[0].Message != tt.want {
				t.Errorf("got %+v, want %q", dues, tt.want)
			}
		})
	}
}

func TestMorningRemindersNotCalledFor(t *testing.T) {
	seoul := mustZone(t, "Asia/Seoul")
	at := time.Date(2026, 12, 4, 7, 30, 0, 0, seoul)
	w := remind.Window{From: at, To: at.Add(time.Minute), Now: at}
	wet := rainyDay(seoul, []string{"2026-12-04"}, map[int]int{15: 70})
	dusty := &Air{Time: at.Add(-30 * time.Minute), PM10: f64(100), PM25: f64(60)}
	base := ReminderRules{MorningAt: "07:30", RainPercent: 60, DustGrade: GradeBad, Location: seoul, Locale: "ko"}
	tests := []struct {
		name  string
		snap  *Snapshot
		rules func(r ReminderRules) ReminderRules
	}{
		{"dry and clean", &Snapshot{Forecast: rainyDay(seoul, []string{"2026-12-04"}, map[int]int{15: 50}),
			Air: &Air{Time: at, PM10: f64(80), PM25: f64(35)}}, nil},
		{"rain only last night", &Snapshot{Forecast: rainyDay(seoul, []string{"2026-12-04"}, map[int]int{5: 90})}, nil},
		{"rain tomorrow", &Snapshot{Forecast: rainyDay(seoul, []string{"2026-12-05"}, map[int]int{9: 90})}, nil},
		{"umbrella off", &Snapshot{Forecast: wet}, func(r ReminderRules) ReminderRules { r.RainPercent = 0; return r }},
		{"mask off", &Snapshot{Air: dusty}, func(r ReminderRules) ReminderRules { r.DustGrade = GradeNone; return r }},
		{"mask only at 매우나쁨", &Snapshot{Air: dusty}, func(r ReminderRules) ReminderRules { r.DustGrade = GradeVeryBad; return r }},
		{"dust measured yesterday", &Snapshot{Air: &Air{Time: at.Add(-20 * time.Hour), PM10: f64(200)}}, nil},
		{"station down", &Snapshot{Air: &Air{Time: at}}, nil},
		{"no data", &Snapshot{}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := base
			if tc.rules != nil {
				r = tc.rules(r)
			}
			if got := Dues(tc.snap, w, r); len(got) != 0 {
				t.Errorf("%+v", got)
			}
		})
	}
}

// TestMorningCatchUp: a kiosk that was down at morning_at shows the day's
// reminders when it is back within the catch-up span, and not later.
func TestMorningCatchUp(t *testing.T) {
	seoul := mustZone(t, "Asia/Seoul")
	day := func(h, m int) time.Time { return time.Date(2026, 12, 4, h, m, 0, 0, seoul) }
	rules := ReminderRules{MorningAt: "07:30", RainPercent: 60, DustGrade: GradeBad, Location: seoul}
	for _, tc := range []struct {
		back  time.Time
		shown int
	}{{day(7, 36), 1}, {day(7, 50), 0}} {
		t.Run(tc.back.Format("15:04"), func(t *testing.T) {
			e := newJobEnv(t, day(7, 0), rules)
			e.snap = &Snapshot{Forecast: rainyDay(seoul, []string{"2026-12-04"}, map[int]int{15: 80})}
			e.runUntil(day(7, 20)) // then down
			e.clock.Add(tc.back.Sub(e.clock.Now()))
			e.restart()
			e.runUntil(tc.back)
			if got := e.shown(); len(got) != tc.shown {
				t.Errorf("back at %s: %q, want %d", tc.back.Format("15:04"), got, tc.shown)
			}
		})
	}
}

// TestMorningDayBoundaries: in the configured zone (New York here, where
// 21:30 is already the next day in UTC, across the end of DST), each
// evening-set "morning" gets its own reminder once, with that local date
// in its id.
func TestMorningDayBoundaries(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	rules := ReminderRules{MorningAt: "21:30", RainPercent: 60, DustGrade: GradeNone, Location: ny}
	dates := []string{"2026-10-31", "2026-11-01"}
	e := newJobEnv(t, time.Date(2026, 10, 31, 20, 0, 0, 0, ny), rules)
	e.snap = &Snapshot{Forecast: rainyDay(ny, dates, map[int]int{21: 10, 22: 65, 23: 90})}
	e.runUntil(time.Date(2026, 11, 1, 1, 0, 0, 0, ny))
	e.restart() // 01:00 EDT; the clocks go back to 01:00 EST an hour later
	e.runUntil(time.Date(2026, 11, 1, 22, 0, 0, 0, ny))
	// The queue drops expired pop-ups: count the job's markers instead.
	var got []string
	err := cache.Scan(e.store, "remind:q:", func(key string, _ int64) error {
		got = append(got, key[len("remind:q:"):])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"wx-umbrella-2026-10-31", "wx-umbrella-2026-11-01"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("reminded %q, want %q", got, want)
	}
	if msgs := e.shown(); len(msgs) != 1 || msgs[0] != "wx-umbrella-2026-11-01: 오늘 비 예보 (최대 90%, 23시경) — 우산 챙기세요" {
		t.Errorf("shown now %q", msgs)
	}
}
