// Command bench measures the kiosk server as a Raspberry Pi runs it: it
// builds the binary, serves a generated 2,000-event ICS calendar on
// loopback, and prints a table of start-up time, memory, throughput beside
// a no-op net/http handler, disk writes, idle CPU and the page's weight and
// first paint in headless Chromium, each with its target. Then it shows the
// demo events in Chromium for -browser-duration, with no photos and with
// photos changing every 30 s, and prints what Chromium cost: CPU per hour
// and memory (PSS) over all its processes.
//
//	go run ./bench [-poll-duration 5m] [-idle-duration 1m] [-browser-duration 5m] [-browser-only] [-chromium ""]
//
// With the defaults a run takes about 2.5 minutes plus the build, then
// twice the browser duration and half a minute. It only talks to 127.0.0.1
// and sends a bounded number of requests for a bounded time.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"
)

const adminToken = "bench-admin-token-not-secret"

// calendarMinutes is the configured calendar refresh period (the default).
const calendarMinutes = 5

type options struct {
	pollDuration  time.Duration
	idleDuration  time.Duration
	quietDuration time.Duration
	loadDuration  time.Duration
	concurrency   int
	screens       int
	starts        int
	pageRuns      int
	browserDur    time.Duration
	browserOnly   bool
	chromium      string
	dir           string
	keep          bool
}

func main() {
	if len(os.Args) == 4 && os.Args[1] == "-noop-serve" { // the baseline server, run as a child
		if err := serveNoop(os.Args[2], os.Args[3]); err != nil {
			fmt.Fprintln(os.Stderr, "bench noop:", err)
			os.Exit(1)
		}
		return
	}
	var o options
	flag.DurationVar(&o.pollDuration, "poll-duration", time.Minute, "how long the simulated screens poll before the steady RSS is read (the issue asks for 5m; 1m keeps a run with a cold build cache under 5 minutes)")
	flag.DurationVar(&o.quietDuration, "quiet-duration", 15*time.Second, "how long the server runs with no client, for the share of idle CPU that is not the screen's")
	flag.DurationVar(&o.idleDuration, "idle-duration", 45*time.Second, "how long one screen polls while idle CPU is measured")
	flag.DurationVar(&o.loadDuration, "load-duration", 1500*time.Millisecond, "load time per route and server (split in two alternating rounds)")
	flag.IntVar(&o.concurrency, "concurrency", 4, "concurrent keep-alive connections of the load generator")
	flag.IntVar(&o.screens, "screens", 5, "simulated screens during the polling phase")
	flag.IntVar(&o.starts, "starts", 5, "restarts timed for the start-up figure (median)")
	flag.IntVar(&o.pageRuns, "page-runs", 5, "cold page loads in Chromium (median)")
	flag.DurationVar(&o.browserDur, "browser-duration", 5*time.Minute, "how long Chromium shows the page for the browser cost, with and without photos; 0 skips it")
	flag.BoolVar(&o.browserOnly, "browser-only", false, "measure only the browser cost")
	flag.StringVar(&o.chromium, "chromium", "/usr/bin/chromium", `Chromium binary; "" skips the page figures`)
	flag.StringVar(&o.dir, "dir", "", "work directory on a disk-backed file system (default: a temporary directory, or ./bench-work if /tmp is tmpfs)")
	flag.BoolVar(&o.keep, "keep", false, "keep the work directory")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// row is one line of the table.
type row struct {
	name, value, target string
	result              string // PASS, MISS or "" (a figure without target)
}

type report struct {
	rows     []row
	notes    []string
	markdown []string // rows of the README's browser cost table
}

func (r *report) add(name, value, target string, pass *bool) {
	res := ""
	if pass != nil {
		res = "MISS"
		if *pass {
			res = "PASS"
		}
	}
	r.rows = append(r.rows, row{name, value, target, res})
}

func (r *report) note(format string, args ...any) {
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
}

func ptr(b bool) *bool { return &b }

// missBy says how far a figure is from its target, for the notes.
func missBy(value, limit float64, unit string, higherIsBetter bool) string {
	if higherIsBetter {
		return fmt.Sprintf("%.2f%s under the target (%.0f%% of it)", limit-value, unit, 100*value/limit)
	}
	return fmt.Sprintf("%.2f%s over the target (%.1f× it)", value-limit, unit, value/limit)
}

func run(ctx context.Context, o options, stdout, progress io.Writer) error {
	began := time.Now()
	say := func(format string, args ...any) { fmt.Fprintf(progress, "bench: "+format+"\n", args...) }

	work, err := workDir(o.dir)
	if err != nil {
		return err
	}
	if !o.keep {
		defer os.RemoveAll(work)
	} else {
		say("work directory %s", work)
	}
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		return err
	}
	icsPath := filepath.Join(work, "big.ics")
	var cal bytes.Buffer
	if err := writeCalendar(&cal, time.Now(), seoul); err != nil {
		return err
	}
	if err := os.WriteFile(icsPath, cal.Bytes(), 0o644); err != nil {
		return err
	}
	config := filepath.Join(work, "kiosk.yaml")
	yaml := fmt.Sprintf("timezone: Asia/Seoul\nadmin_token: %q\nrefresh: {calendar_minutes: %d}\ncalendars:\n  - name: Big\n    ics: {file: %q}\n",
		adminToken, calendarMinutes, icsPath)
	if err := os.WriteFile(config, []byte(yaml), 0o600); err != nil {
		return err
	}

	say("building the kiosk binary")
	bin := filepath.Join(work, "kiosk")
	t0 := time.Now()
	if err := build(ctx, bin); err != nil {
		return err
	}
	buildTime := time.Since(t0)

	var rep report
	if o.browserOnly {
		if err := costFigures(ctx, o, bin, work, &rep, say); err != nil {
			return err
		}
		rep.print(stdout, buildTime, time.Since(began))
		return nil
	}
	var servers []*server
	defer func() {
		for _, s := range servers {
			s.kill()
		}
	}()
	start := func(dataDir string) (*server, time.Time, error) {
		t := time.Now()
		s, err := startServer(bin, config, dataDir)
		if err == nil {
			servers = append(servers, s)
		}
		return s, t, err
	}

	// Start-up: one cold start fills a store, then restarts on it are timed.
	say("timing start-up (%d restarts)", o.starts)
	startDir := filepath.Join(work, "data-start")
	s, t, err := start(startDir)
	if err != nil {
		return err
	}
	cold, err := s.waitHealthz(t, 30*time.Second)
	if err != nil {
		return err
	}
	if _, err := s.waitSynced(30 * time.Second); err != nil {
		return err
	}
	if err := s.stop(); err != nil {
		return err
	}
	var starts []time.Duration
	for range o.starts {
		s, t, err := start(startDir)
		if err != nil {
			return err
		}
		d, err := s.waitHealthz(t, 30*time.Second)
		if err != nil {
			return err
		}
		starts = append(starts, d)
		if err := s.stop(); err != nil {
			return err
		}
	}
	startup := median(starts)
	rep.add(fmt.Sprintf("start-up to /healthz (median of %d)", len(starts)), ms(startup), "< 300 ms", ptr(startup < 300*time.Millisecond))
	rep.note("start-up: restarts on a filled store %s; the first start on an empty data dir took %s.", list(starts), ms(cold))

	// The measured server: a fresh data dir, first sync, then screens. The
	// calendar is written again so that its due reminders fall in the
	// polling phase, after the first reminder run (which covers only its
	// own minute on an empty store).
	cal.Reset()
	if err := writeCalendar(&cal, time.Now().Add(30*time.Second), seoul); err != nil {
		return err
	}
	if err := os.WriteFile(icsPath, cal.Bytes(), 0o644); err != nil {
		return err
	}
	say("first sync of %d events", totalEvents)
	s, t, err = start(filepath.Join(work, "data-main"))
	if err != nil {
		return err
	}
	if _, err := s.waitHealthz(t, 30*time.Second); err != nil {
		return err
	}
	d, err := s.waitSynced(60 * time.Second)
	if err != nil {
		return err
	}
	syncTime := time.Since(t)
	pid := s.pid()
	rssSync := rss(pid)
	rep.add("RSS after the first sync", mb(rssSync), "< 40 MB", ptr(rssSync < 40e6))
	rep.note("first sync: the %d-VEVENT feed (%.0f KB) fetched, expanded and stored %s after exec; /api/dashboard lists %d instances in the %d-day window.",
		totalEvents, float64(cal.Len())/1e3, ms(syncTime), len(d.Events), 7)

	client := newClient(2)
	for i, msg := range []string{"Dinner is ready", "Bench message with a longer text to show on the screen"} {
		body := fmt.Sprintf(`{"message":%q,"expire_seconds":3600,"show_notiboard":%v}`, msg, i == 0)
		if err := s.admin(client, http.MethodPost, "/api/notifications", body, http.StatusCreated); err != nil {
			return err
		}
	}

	// Steady operation: writes and log output are counted from here to the
	// end of the idle phase; calendar refreshes in between are counted too.
	wA, err := writeBytes(pid)
	if err != nil {
		return fmt.Errorf("/proc/%d/io: %w (write_bytes needs a kernel with task I/O accounting)", pid, err)
	}
	logA, _ := s.log.counts()
	tA := time.Now()
	var (
		mu        sync.Mutex
		peak      int64
		refreshes int
		lastUpd   = s.updated(client)
	)
	sampler := func(ctx context.Context) {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for i := 1; ; i++ {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			r := rss(pid)
			mu.Lock()
			peak = max(peak, r)
			mu.Unlock()
			if i%15 == 0 {
				if u := s.updated(client); !u.IsZero() && !u.Equal(lastUpd) {
					mu.Lock()
					refreshes++
					lastUpd = u
					mu.Unlock()
				}
			}
		}
	}
	sctx, stopSampler := context.WithCancel(ctx)
	var samplerDone sync.WaitGroup
	samplerDone.Go(func() { sampler(sctx) })

	say("polling with %d screens for %v", o.screens, o.pollDuration)
	requests, err := screens(ctx, s.base, o.screens, o.pollDuration)
	if err != nil {
		stopSampler()
		return err
	}
	rssPoll := rss(pid)
	mu.Lock()
	peakPoll := max(peak, peakRSS(pid))
	mu.Unlock()
	rep.add(fmt.Sprintf("RSS after %v of polling by %d screens", o.pollDuration, o.screens), mb(rssPoll), "< 40 MB", ptr(rssPoll < 40e6))
	rep.add("RSS peak (VmHWM) until then", mb(peakPoll), "< 40 MB", ptr(peakPoll < 40e6))
	rep.note("polling: %d screens made %d requests (page, assets, /api/notifications every 3 s with If-None-Match, /partial/board every 120 s).",
		o.screens, requests)

	say("idle with no client for %v, then with one screen for %v", o.quietDuration, o.idleDuration)
	cpu0, err := cpuTime(pid)
	if err != nil {
		stopSampler()
		return err
	}
	tQuiet := time.Now()
	select {
	case <-ctx.Done():
		stopSampler()
		return ctx.Err()
	case <-time.After(o.quietDuration):
	}
	cpuA, _ := cpuTime(pid)
	quietPerHour := (cpuA - cpu0).Seconds() * float64(time.Hour) / float64(time.Since(tQuiet))
	tIdle := time.Now()
	if _, err := screens(ctx, s.base, 1, o.idleDuration); err != nil {
		stopSampler()
		return err
	}
	cpuB, _ := cpuTime(pid)
	idle := time.Since(tIdle)
	cpuPerHour := (cpuB - cpuA).Seconds() * float64(time.Hour) / float64(idle)
	rep.add("CPU per hour, idle with one polling screen", fmt.Sprintf("%.1f s", cpuPerHour), "< 10 s", ptr(cpuPerHour < 10))
	rep.note("idle CPU: %v of utime+stime in %v (/proc/%d/stat, %d ms resolution); with no client at all %.1f s per hour, so the polling screen costs %.1f s of it.",
		(cpuB - cpuA).Round(time.Millisecond), idle.Round(time.Second), pid, 1000/clockTick, quietPerHour, cpuPerHour-quietPerHour)
	if cpuPerHour >= 10 {
		rep.note("idle CPU: %s. Why: background wake-ups, not requests: badger's two compactor goroutines tick every 50 ms (badger v4 levels.go, runCompactor, not configurable) and keep the Go scheduler and sysmon awake; a badger store alone, idle, used ~25 s per hour here.",
			missBy(cpuPerHour, 10, " s", false))
	}

	stopSampler()
	samplerDone.Wait()
	wB, _ := writeBytes(pid)
	logB, _ := s.log.counts()
	steady := time.Since(tA)

	// One calendar refresh on demand, to price the periodic ones.
	say("pricing one calendar refresh")
	refreshBytes, err := priceRefresh(s, client, pid)
	if err != nil {
		return err
	}
	steadyBytes := max(float64(wB-wA)-float64(refreshes)*refreshBytes, 0)
	perDay := steadyBytes/steady.Seconds()*86400 + refreshBytes*86400/(calendarMinutes*60)
	rep.add("bytes written per day (extrapolated)", fmt.Sprintf("%.1f MB", perDay/1e6), "< 10 MB", ptr(perDay < 10e6))
	rep.note("disk writes (/proc/%d/io write_bytes): %.0f KB in %v of steady operation (%d calendar refreshes in it) = %.1f MB/day from the minute jobs; one calendar refresh writes %.0f KB and runs every %d minutes = %.1f MB/day. Not included: badger's memtable flushes and value-log GC, which come every few hours.",
		pid, float64(wB-wA)/1e3, steady.Round(time.Second), refreshes, steadyBytes/steady.Seconds()*86400/1e6, refreshBytes/1e3, calendarMinutes, refreshBytes*86400/(calendarMinutes*60)/1e6)
	if perDay >= 10e6 {
		rep.note("disk writes: %s. Why: badger writes whole 4 KB pages of its memory-mapped log, so each write (a status change, the reminder mark every half catch-up span, a queued reminder and its sync) costs at least a page, and a short sample that holds the due reminders extrapolates a handful of pages to a day; run with a longer -poll-duration for a steadier figure.",
			missBy(perDay/1e6, 10, " MB", false))
	}
	rep.note("log output: %d bytes in %v of steady operation = %.1f KB/day to the journal.",
		logB-logA, steady.Round(time.Second), float64(logB-logA)/steady.Seconds()*86400/1e3)

	say("load tests: %v per route and server, %d connections", o.loadDuration, o.concurrency)
	if err := compare(ctx, s, o, &rep); err != nil {
		return err
	}
	rep.note("RSS peak including the load tests: %s.", mb(peakRSS(pid)))

	if o.chromium != "" {
		say("loading the page in Chromium (%d cold loads)", o.pageRuns)
		if err := pageFigures(ctx, o, s.base, &rep); err != nil {
			return err
		}
	} else {
		rep.note("page figures skipped (-chromium \"\").")
	}

	if err := checkReminders(client, s.base, &rep); err != nil {
		return err
	}
	if err := s.stop(); err != nil {
		return err
	}

	if err := costFigures(ctx, o, bin, work, &rep, say); err != nil {
		return err
	}
	rep.print(stdout, buildTime, time.Since(began))
	return nil
}

// costFigures adds the browser cost unless the flags skip it.
func costFigures(ctx context.Context, o options, bin, work string, rep *report, say func(string, ...any)) error {
	if o.chromium == "" || o.browserDur <= 0 {
		rep.note("browser cost skipped (-chromium \"\" or -browser-duration 0).")
		return nil
	}
	return browserCost(ctx, o, bin, work, rep, say)
}

func (rep *report) print(w io.Writer, buildTime, whole time.Duration) {
	fmt.Fprintf(w, "kiosk benchmark %s: %s/%s, %d CPUs, %s; build %v; whole run %v\n\n",
		time.Now().Format("2006-01-02 15:04"), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(),
		buildTime.Round(100*time.Millisecond), whole.Round(time.Second))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tvalue\ttarget\tresult")
	for _, r := range rep.rows {
		res := r.result
		if res == "" {
			res = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.name, r.value, r.target, res)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nnotes:")
	for _, n := range rep.notes {
		fmt.Fprintln(w, "- "+n)
	}
	if len(rep.markdown) > 0 {
		fmt.Fprintln(w, "\nfor the README (Performance, browser cost):\n\n| Chromium showing the page | CPU per hour | PSS at the end |\n|---|---|---|")
		for _, m := range rep.markdown {
			fmt.Fprintln(w, m)
		}
	}
}

// workDir makes the directory for the binary, the calendar and the data
// dirs. write_bytes counts nothing on tmpfs, so it must be disk-backed.
func workDir(dir string) (string, error) {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", err
		}
		return os.MkdirTemp(dir, "kiosk-bench-")
	}
	parent := os.TempDir()
	var st syscall.Statfs_t
	if err := syscall.Statfs(parent, &st); err == nil && st.Type == 0x01021994 { // TMPFS_MAGIC
		parent = "bench-work"
		if err := os.MkdirAll(parent, 0o755); err != nil {
			return "", err
		}
	}
	return os.MkdirTemp(parent, "kiosk-bench-")
}

// build compiles the kiosk as `make build` does.
func build(ctx context.Context, out string) error {
	root, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return fmt.Errorf("go env GOMOD: %w", err)
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", "-s -w -X main.version=bench", "-o", out, "./cmd/kiosk")
	cmd.Dir = filepath.Dir(strings.TrimSpace(string(root)))
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, b)
	}
	return nil
}

// screens runs n simulated screens for dur and returns their request count.
func screens(ctx context.Context, base string, n int, dur time.Duration) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, dur)
	defer cancel()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int
		first error
	)
	for i := range n {
		wg.Go(func() {
			// Screens do not poll in lockstep.
			select {
			case <-time.After(time.Duration(i) * 600 * time.Millisecond):
			case <-ctx.Done():
				return
			}
			c, err := screen(ctx, base, 3*time.Second, 120*time.Second)
			mu.Lock()
			total += c
			if first == nil {
				first = err
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); first == nil && err != nil && !errors.Is(err, context.DeadlineExceeded) {
		first = err
	}
	return total, first
}

// priceRefresh makes the server refetch the calendar (POST /api/refresh)
// and returns what that wrote, less what the minute jobs wrote meanwhile.
func priceRefresh(s *server, client *http.Client, pid int) (float64, error) {
	before := s.updated(client)
	w0, _ := writeBytes(pid)
	t0 := time.Now()
	if err := s.admin(client, http.MethodPost, "/api/refresh", "", http.StatusAccepted); err != nil {
		return 0, err
	}
	for {
		if u := s.updated(client); !u.IsZero() && !u.Equal(before) {
			break
		}
		if time.Since(t0) > 20*time.Second {
			return 0, fmt.Errorf("the calendar did not refresh within 20 s of POST /api/refresh\n%s", s.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(time.Second) // the reminder run that follows a change, and stragglers
	w1, _ := writeBytes(pid)
	return float64(w1 - w0), nil
}

// compare loads each route of the kiosk and of a no-op net/http server
// that replays the kiosk's bytes, in alternating rounds.
func compare(ctx context.Context, s *server, o options, rep *report) error {
	client := newClient(o.concurrency)
	capture := func(path string) (noopRoute, error) {
		res, err := client.Get(s.base + path)
		if err != nil {
			return noopRoute{}, err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			return noopRoute{}, err
		}
		h := res.Header.Clone()
		for _, k := range []string{"Date", "Content-Length", "Connection", "Keep-Alive"} {
			h.Del(k)
		}
		r := noopRoute{Path: path, Header: h, Body: b}
		if path == "/api/notifications" {
			r.ETag = res.Header.Get("ETag")
		}
		return r, nil
	}
	paths := []string{"/api/notifications", "/api/dashboard", "/"}
	var routes []noopRoute
	for _, p := range paths {
		r, err := capture(p)
		if err != nil {
			return err
		}
		routes = append(routes, r)
	}
	spec, err := os.CreateTemp("", "kiosk-bench-noop-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(spec.Name())
	if err := json.NewEncoder(spec).Encode(routes); err != nil {
		return err
	}
	spec.Close()
	self, err := os.Executable()
	if err != nil {
		return err
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	noop := exec.CommandContext(ctx, self, "-noop-serve", spec.Name(), addr)
	noop.Stderr = os.Stderr
	if err := noop.Start(); err != nil {
		return err
	}
	defer func() { noop.Process.Kill(); noop.Wait() }()
	noopBase := "http://" + addr
	for deadline := time.Now().Add(10 * time.Second); ; {
		res, err := client.Get(noopBase + "/api/notifications")
		if err == nil {
			res.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no-op server did not start: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}

	cases := []struct {
		name   string
		route  noopRoute
		hdr    http.Header
		status int
		target float64
		what   string
		why    string // the known cause, printed with a miss
	}{
		{"GET /api/notifications (200)", routes[0], nil, 200, 0.7, "no-op handler", "the queue keeps the encoded answer; a miss means that cache is lost."},
		{"GET /api/notifications (304)", routes[0], http.Header{"If-None-Match": {routes[0].ETag}}, 304, 0.7, "no-op handler", "as for the 200 path."},
		{"GET /api/dashboard", routes[1], nil, 200, 0.3, "static bytes",
			"every request converts each event in the window (times formatted in the zone) and encodes the whole answer with encoding/json's reflection; nothing is kept between requests although the answer changes only with the snapshot and the second."},
		{"GET / (the page)", routes[2], nil, 200, 0.3, "static file",
			"every request builds the view model over all stored events and runs html/template with escaping; the page changes only with the snapshot, the queue and the minute."},
	}
	for _, c := range cases {
		var kiosk, base loadResult
		const max = 1_000_000
		load(ctx, client, s.base+c.route.Path, c.hdr, c.status, o.concurrency, 300*time.Millisecond, max) // warm-up
		load(ctx, client, noopBase+c.route.Path, c.hdr, c.status, o.concurrency, 300*time.Millisecond, max)
		for range 2 {
			base = base.add(load(ctx, client, noopBase+c.route.Path, c.hdr, c.status, o.concurrency, o.loadDuration/2, max))
			kiosk = kiosk.add(load(ctx, client, s.base+c.route.Path, c.hdr, c.status, o.concurrency, o.loadDuration/2, max))
		}
		if kiosk.errs > 0 || base.errs > 0 {
			return fmt.Errorf("%s: %d kiosk and %d no-op errors: %v %v", c.name, kiosk.errs, base.errs, kiosk.firstErr, base.firstErr)
		}
		ratio := kiosk.perSecond() / base.perSecond()
		value := fmt.Sprintf("%.2f× (%.0f vs %.0f req/s; p50 %s vs %s, p99 %s vs %s)", ratio,
			kiosk.perSecond(), base.perSecond(), ms(kiosk.percentile(0.5)), ms(base.percentile(0.5)),
			ms(kiosk.percentile(0.99)), ms(base.percentile(0.99)))
		rep.add(c.name+" vs "+c.what, value, fmt.Sprintf("≥ %.1f×", c.target), ptr(ratio >= c.target))
		if ratio < c.target {
			rep.note("%s: ratio %s. Why: %s", c.name, missBy(ratio, c.target, "×", true), c.why)
		}
	}
	rep.note("throughput: %d keep-alive connections, %v per server and route in two alternating rounds, from one client on the same machine; the no-op server (a child process) replays the kiosk's captured headers and bodies (%d, %d and %d bytes).",
		o.concurrency, o.loadDuration, len(routes[0].Body), len(routes[1].Body), len(routes[2].Body))
	return nil
}

func pageFigures(ctx context.Context, o options, base string, rep *report) error {
	if _, err := os.Stat(o.chromium); err != nil {
		rep.note("page figures skipped: %v (install chromium or pass -chromium).", err)
		return nil
	}
	runs, err := loadPage(ctx, o.chromium, base+"/", o.pageRuns, time.Second)
	if err != nil {
		return err
	}
	var fcps, visible []time.Duration
	for _, r := range runs {
		fcps = append(fcps, r.fcp)
		visible = append(visible, r.visible)
	}
	first := runs[0]
	rep.add("page: bytes for a full load (photos aside)", fmt.Sprintf("%.1f KB", first.bytes/1e3), "< 100 KB", ptr(first.bytes < 100e3))
	rep.add("page: requests for a full load", fmt.Sprint(first.requests), "≤ 6", ptr(first.requests <= 6))
	fcp := median(fcps)
	shown := first.events > 0 && fcp > 0
	rep.add(fmt.Sprintf("page: first paint, events in it (median of %d)", len(runs)), ms(fcp), "≤ 300 ms", ptr(shown && fcp <= 300*time.Millisecond))
	rep.note("page: requests %s; %d event rows server-rendered and on screen; first contentful paint %s; navigation to the first event visible, seen from Go over DevTools, %s.",
		strings.Join(first.urls, ", "), first.events, list(fcps), list(visible))
	return nil
}

// checkReminders reports whether the due reminders reached the queue.
func checkReminders(client *http.Client, base string, rep *report) error {
	var list []struct {
		ID      string `json:"id"`
		Kind    string `json:"kind"`
		Message string `json:"message"`
	}
	if err := getJSON(client, base+"/api/notifications", &list); err != nil {
		return err
	}
	due, ids := 0, map[string]bool{}
	for _, n := range list {
		if strings.Contains(n.Message, "Reminder due") {
			due++
		}
		if ids[n.ID] {
			return fmt.Errorf("notification %s listed twice", n.ID)
		}
		ids[n.ID] = true
	}
	rep.note("reminders: %d of the %d due reminders were queued (%d notifications active, no ID twice).", due, dueEvents, len(list))
	return nil
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

func list(ds []time.Duration) string {
	var parts []string
	for _, d := range ds {
		parts = append(parts, fmt.Sprintf("%.0f", float64(d)/float64(time.Millisecond)))
	}
	return strings.Join(parts, ", ") + " ms"
}
