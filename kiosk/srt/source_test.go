package srt_test

import (
	"context"
	"errors"
	"kiosk/kiosk/clock"
	"log/slog"
	"strings"
	"testing"
	"time"

	"kiosk/cache"
	"kiosk/kiosk/source"
	"kiosk/kiosk/srt"
	"kiosk/kiosk/srt/srttest"
)

// kiosk is the wiring of cmd/kiosk over one store, which outlives the
// processes started on it.
type kiosk struct {
	t     *testing.T
	clk   *clock.Fake
	srv   *srttest.Server
	store *cache.Store
	opts  srt.Options
}

func newKiosk(t *testing.T, sc srttest.Scenario) *kiosk {
	clk := clock.New(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
	if sc.Bookings == nil {
		sc.Bookings = srttest.Sample(clk.Now())
	}
	sc.Now = clk.Now
	store, err := cache.Open("", clk.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return &kiosk{t: t, clk: clk, srv: srttest.New(t, sc), store: store, opts: srt.Options{
		LoginID: srttest.LoginPhone, Password: srttest.Password, Now: clk.Now, Pause: -1,
	}}
}

// process is one run of the kiosk binary: a new Client and Runner.
type process struct {
	k      *kiosk
	runner *source.Runner
	src    *srt.Source
}

func (k *kiosk) start() *process {
	o := k.opts
	o.Endpoint = k.srv.URL
	return &process{k: k,
		runner: source.NewRunner(k.store, slog.New(slog.DiscardHandler), source.NewScrubber(o.Password), nil),
		src:    srt.NewSource(k.store, srt.NewClient(o), 3),
	}
}

// refresh is what the minute job does; it returns the stored entry, the
// fetch error and the requests the fake got.
func (p *process) refresh() (cache.Entry[[]srt.Reservation], error, []string) {
	e, err := source.Run(context.Background(), p.runner, "SRT", "srt", 30*time.Minute, p.src.Fetch)
	var paths []string
	for _, r := range p.k.srv.Requests() {
		paths = append(paths, r.Path)
	}
	p.k.srv.ClearLog()
	return e, err, paths
}

func (k *kiosk) status() source.Status {
	return source.Statuses(k.store, []string{"SRT"}, []string{"srt"})[0]
}

func count(paths []string, path string) int {
	n := 0
	for _, p := range paths {
		if p == path {
			n++
		}
	}
	return n
}

func TestSourceRestartWithinTTLAndExpiry(t *testing.T) {
	k := newKiosk(t, srttest.Scenario{})
	e, err, paths := k.start().refresh()
	if err != nil || len(e.Value) != 3 || count(paths, srttest.PathLogin) != 1 || count(paths, srttest.PathList) != 1 {
		t.Fatalf("first refresh: %d shown, %v, requests %v", len(e.Value), err, paths)
	}

	k.clk.Add(10 * time.Minute)
	p := k.start() // restart within the TTL: the store answers
	e, err, paths = p.refresh()
	if err != nil || len(e.Value) != 3 || e.Stale || len(paths) != 0 {
		t.Fatalf("after restart: %d shown stale=%v, %v, requests %v", len(e.Value), e.Stale, err, paths)
	}

	k.clk.Add(25 * time.Minute) // past the TTL: the new process logs in once
	if _, err, paths = p.refresh(); err != nil || count(paths, srttest.PathLogin) != 1 || count(paths, srttest.PathList) != 1 {
		t.Fatalf("past the TTL: %v, requests %v", err, paths)
	}

	k.clk.Add(31 * time.Minute)
	k.srv.ExpireSessions()
	e, err, paths = p.refresh()
	want := []string{srttest.PathList, srttest.PathLogin, srttest.PathList}
	if err != nil || len(e.Value) != 3 || len(paths) != 6 || strings.Join(paths[:3], " ") != strings.Join(want, " ") {
		t.Fatalf("expired session: %v, requests %v", err, paths)
	}
}

func TestSourceWrongPasswordAcrossRestarts(t *testing.T) {
	k := newKiosk(t, srttest.Scenario{Members: []srttest.Member{{Type: "3", ID: "01000000000", Password: "the-real-one"}}})
	_, err, paths := k.start().refresh()
	if !errors.Is(err, srt.ErrCredentials) || len(paths) != 1 {
		t.Fatalf("first refresh: %v, requests %v", err, paths)
	}
	if st := k.status(); st.OK || !strings.Contains(st.Error, "wrong password") || strings.Contains(st.Error, srttest.Password) {
		t.Errorf("status %+v", st)
	}

	for i := range 3 { // hours pass, the kiosk restarts, an admin forces refreshes
		k.clk.Add(3 * time.Hour)
		if err := source.Reset(k.store, "SRT"); err != nil {
			t.Fatal(err)
		}
		p := k.start()
		if p.src.CredentialsChanged() {
			t.Error("same credentials reported as changed")
		}
		_, err, paths = p.refresh()
		if !errors.Is(err, srt.ErrCredentials) || len(paths) != 0 {
			t.Fatalf("restart %d: %v, requests %v", i, err, paths)
		}
	}

	k.opts.Password = "the-real-one" // the config is fixed
	p := k.start()
	if !p.src.CredentialsChanged() {
		t.Fatal("new credentials not noticed")
	}
	source.Reset(k.store, "SRT") // at start-up: no need to wait out the back-off
	e, err, paths := p.refresh()
	if err != nil || len(e.Value) != 3 || count(paths, srttest.PathLogin) != 1 {
		t.Fatalf("new password: %v, requests %v", err, paths)
	}
	if g, _ := cache.Get[srt.Gate](k.store, srt.GateKey); g != (srt.Gate{}) {
		t.Errorf("gate after success: %+v", g)
	}
}

func TestSourceBlockedBacksOffAcrossRestarts(t *testing.T) {
	k := newKiosk(t, srttest.Scenario{Blocked: true})
	p := k.start()
	check := func(what string, requests int, next time.Duration) {
		t.Helper()
		_, err, paths := p.refresh()
		if !errors.Is(err, srt.ErrBlocked) || len(paths) != requests {
			t.Fatalf("%s: %v, requests %v", what, err, paths)
		}
		if st := k.status(); st.NextTry == nil || !st.NextTry.Equal(k.clk.Now().Add(next)) {
			t.Fatalf("%s: next try %v, want in %v", what, st.NextTry, next)
		}
	}
	check("blocked", 1, time.Hour)
	k.clk.Add(30 * time.Minute)
	source.Reset(k.store, "SRT") // even a forced refresh sends nothing
	check("forced within the hour", 0, 30*time.Minute)
	k.clk.Add(30 * time.Minute)
	check("after the hour", 1, 2*time.Hour)

	k.clk.Add(2*time.Hour - time.Minute)
	p = k.start() // a restart does not forget the back-off
	source.Reset(k.store, "SRT")
	check("restart within the back-off", 0, time.Minute)
	k.clk.Add(time.Minute)
	check("after two hours", 1, 4*time.Hour)

	k.srv.Update(func(sc *srttest.Scenario) { sc.Blocked = false })
	k.clk.Add(4 * time.Hour)
	if e, err, _ := p.refresh(); err != nil || len(e.Value) != 3 {
		t.Fatalf("unblocked: %v", err)
	}
	if g, _ := cache.Get[srt.Gate](k.store, srt.GateKey); g.Blocks != 0 {
		t.Errorf("gate after success: %+v", g)
	}
}
