// Command kiosk serves a Raspberry Pi wall dashboard: calendars, SRT trains,
// reminders, notices and photos. See README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"time"
	_ "time/tzdata" // a Pi image may lack zoneinfo

	"github.com/go-co-op/gocron/v2"

	"kiosk/cache"
	"kiosk/kiosk/calendar"
	"kiosk/kiosk/config"
	"kiosk/kiosk/daemon"
	"kiosk/kiosk/dashboard"
	"kiosk/kiosk/display"
	"kiosk/kiosk/jobs"
	"kiosk/kiosk/photos"
	"kiosk/kiosk/push"
	"kiosk/kiosk/remind"
	"kiosk/kiosk/source"
	"kiosk/kiosk/weather"
	"kiosk/kiosk/web"
	"kiosk/static"
	"kiosk/views"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "kiosk:", err)
		os.Exit(1)
	}
}

const usage = `usage:
  kiosk [serve] [-config FILE] [-addr HOST:PORT] [-data DIR]
  kiosk check -config FILE
  kiosk auth google [-config FILE] [-data DIR] -client CLIENT.json
  kiosk display [-server URL]     (night mode helper, run in the desktop session)
  kiosk version`

func run(ctx context.Context, args []string, getenv config.Env, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stderr)
	case "check":
		return check(args, getenv, stdout)
	case "display":
		return displayHelper(ctx, args, getenv, stderr)
	case "auth":
		if len(args) == 0 || args[0] != "google" {
			return fmt.Errorf("usage: kiosk auth google [-config FILE] [-data DIR] -client CLIENT.json")
		}
		return authGoogle(ctx, args[1:], getenv, stdout)
	case "version":
		fmt.Fprintln(stdout, buildVersion())
		return nil
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		if v := info.Main.Version; v != "" && v != "(devel)" {
			return v
		}
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
	}
	return "dev"
}

func check(args []string, getenv config.Env, stdout io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	path := fs.String("config", "", "config file to check")
	if err := fs.Parse(args); err != nil {
		return err
	}
	file, err := config.Find(*path, getenv)
	if err != nil {
		return err
	}
	if file == "" {
		return errors.New("check: no config file (give -config FILE)")
	}
	if _, err := config.Check(file, getenv); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: ok\n", file)
	return nil
}

func serve(ctx context.Context, args []string, getenv config.Env, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	path := fs.String("config", "", "config file (default: $KIOSK_CONFIG, ./kiosk.yaml, /etc/kiosk/kiosk.yaml)")
	addr := fs.String("addr", "", "listen address, overrides listen")
	dataDir := fs.String("data", "", "data directory, overrides data_dir")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))

	file, err := config.Find(*path, getenv)
	if err != nil {
		return err
	}
	var cfg *config.Config
	isDemo := file == ""
	if isDemo {
		cfg, err = config.Default(getenv)
	} else {
		cfg, err = config.Load(file, getenv)
	}
	if err != nil {
		return err
	}
	if *addr != "" {
		cfg.Listen = *addr
	}
	if *dataDir != "" {
		cfg.DataDir = *dataDir
	}
	if isDemo {
		log.Info("no config file found: running the demo with built-in sample data",
			"looked_in", "$KIOSK_CONFIG, ./kiosk.yaml, /etc/kiosk/kiosk.yaml")
	}

	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		log.Warn("cannot create the data dir; the store will be kept in memory", "data_dir", cfg.DataDir, "error", err)
	}
	store, err := cache.Open(cfg.DataDir, time.Now, log)
	if err != nil {
		return err
	}
	defer func() {
		if err := store.Close(); err != nil {
			log.Error("closing store", "error", err)
		}
	}()

	for _, w := range cfg.PermissionWarnings() {
		log.Warn(w)
	}
	scrub := source.NewScrubber(secrets(cfg)...)
	queue, err := remind.NewQueue(store)
	if err != nil {
		return err
	}
	phones := outbox(cfg, store, log)
	var pushStatus func() []push.ChannelStatus
	if phones != nil {
		queue.OnAccept(phones.Accept)
		pushStatus = phones.Status
	}
	boardOpts := dashboard.Options{
		Store: store, Scrub: scrub, Log: log, Loc: cfg.Location,
		DaysAhead: cfg.Dashboard.DaysAhead, CalendarTTL: time.Duration(cfg.Refresh.CalendarMinutes) * time.Minute,
	}
	if isDemo {
		boardOpts.Calendars, boardOpts.Trains = demoSources(cfg)
	} else {
		if boardOpts.Calendars, err = calendars(ctx, cfg, log); err != nil {
			return err
		}
		boardOpts.Trains = trains(cfg, store, log)
	}
	var sched *jobs.Scheduler
	boardOpts.OnChange = func() {
		if err := sched.RunNow("reminders"); err != nil {
			log.Warn("running reminders after a refresh", "error", err)
		}
	}
	board := dashboard.New(boardOpts)
	feeds := noticeFeeds(cfg, store, scrub, queue, log)
	wx := weatherService(cfg, store, scrub, log, func() {
		if err := sched.RunNow("reminders"); err != nil {
			log.Warn("running reminders after a weather refresh", "error", err)
		}
	})
	job := remind.NewJob(queue, cfg.Reminders, reminders(cfg, board, wx), log)

	sched, err = jobs.New(ctx, cfg.Location, log, time.Now, scrub.Error, gocron.WithLogger(quietLogger{log}))
	if err != nil {
		return err
	}
	// The reminder job runs at second 0 of every minute. Each source's own
	// TTL decides whether a refresh run fetches; the minute jobs only ask, so
	// a restart within the TTL makes no upstream request.
	for _, j := range []struct {
		name string
		run  func(context.Context) error
	}{
		{"reminders", job.Run},
		{"calendars", board.RefreshCalendars},
		{"trains", board.RefreshTrains},
		{"notices", feeds.Refresh},
		{"weather", wxRefresh(wx)},
	} {
		add := sched.Every
		if j.name == "reminders" {
			add = func(name string, _ time.Duration, fn func(context.Context) error) error {
				return sched.EveryMinute(name, fn)
			}
		}
		if err := add(j.name, time.Minute, j.run); err != nil {
			return err
		}
	}
	steps := daemon.NewStepWatcher(time.Now, daemon.Monotonic(), 5*time.Second, func(st daemon.Step) {
		log.Warn("the system clock was stepped; rescheduling jobs", "size", st.Size.String())
		sched.Reschedule()
	})
	refresh := func() error {
		names, _ := feeds.Names()
		for _, n := range names {
			if err := source.Reset(store, n); err != nil {
				return err
			}
		}
		if err := board.ResetAll(); err != nil {
			return err
		}
		if wx != nil {
			if err := wx.Reset(); err != nil {
				return err
			}
		}
		for _, n := range []string{"calendars", "trains", "notices", "weather"} {
			if err := sched.RunNow(n); err != nil {
				return err
			}
		}
		return nil
	}
	var lib *photos.Library
	if p := cfg.Photos; p != nil {
		lib, err = photos.New(photos.Options{Dir: p.Dir, CacheDir: filepath.Join(cfg.DataDir, "photo-cache"),
			Shuffle: *p.Shuffle, Loc: cfg.Location, Logger: log.With("source", "photos"), Now: time.Now})
		if err != nil {
			return err
		}
		defer lib.Close()
		if err := sched.Every("photos", 5*time.Minute, lib.Rescan); err != nil {
			return err
		}
	}
	// extraSources are the sources beside the board's calendars and trains.
	extraSources := func() []source.Status {
		names, kinds := feeds.Names()
		if wx != nil {
			n, k := wx.Names()
			names, kinds = append(names, n...), append(kinds, k...)
		}
		return append(source.Statuses(store, names, kinds), photoStatus(lib)...)
	}
	if phones != nil {
		troubles := push.NewTroubles(phones, log)
		if err := sched.Every("trouble", time.Minute, func(context.Context) error {
			return troubles.Check(append(board.Snapshot().Sources, extraSources()...))
		}); err != nil {
			return err
		}
	}
	var warnings []string

	var photosWeb web.Photos
	if lib != nil {
		photosWeb = lib
	}
	srv, err := web.New(web.Options{
		Config: cfg, Board: board, Log: log, Now: time.Now, Version: buildVersion(), Demo: isDemo,
		Views: views.FS, Static: static.FS, ClockSynced: daemon.CachedClockSynced(30 * time.Second),
		Queue: queue, Refresh: refresh, Notices: feeds.Board, ExtraSources: extraSources,
		Photos: photosWeb, Weather: webWeather(wx),
		Status: web.StatusInfo{
			Started: time.Now(), Jobs: sched.Statuses, Reminders: job.Status, StoreBytes: store.Size,
			DataDir: cfg.DataDir, Warnings: func() []string { return warnings }, Sys: os.DirFS("/"),
			Push:     pushStatus,
			Fallback: store.Fallback(), UnsafeFiles: cfg.UnsafeFiles(), Recovered: store.Recovered(),
		},
	})
	if err != nil {
		return err
	}
	ln, err := listen(cfg.Listen)
	if err != nil {
		return err
	}
	sched.Start()
	defer func() {
		if err := sched.Shutdown(); err != nil {
			log.Warn("stopping jobs", "error", err)
		}
	}()
	go steps.Run(ctx, 10*time.Second)
	defer runPhones(ctx, phones, bot(cfg, store, log, phones, queue, board, refresh, srv.Summary))()
	go daemon.Watchdog(ctx, log, func() error { return sched.Healthy(3*time.Minute, "reminders", "calendars", "trains") })
	daemon.Ready()
	log.Info("serving", "addr", ln.Addr().String(), "version", buildVersion(), "data_dir", cfg.DataDir,
		"timezone", cfg.Location.String(), "demo", isDemo)
	err = srv.Serve(ctx, ln)
	daemon.Stopping()
	log.Info("shut down")
	return err
}

// listen opens the server's port. When another program holds it, the error
// says how to pick another one.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, fmt.Errorf("listen: %s is in use by another program (a second kiosk?); "+
			"choose another port with -addr HOST:PORT (for example -addr :8081) or listen: in the config: %w", addr, err)
	case err != nil:
		return nil, fmt.Errorf("listen: %w", err)
	}
	return ln, nil
}

// authGoogle signs in to Google with the device flow and saves the token in
// the data dir, where the server picks it up at its next refresh.
func authGoogle(ctx context.Context, args []string, getenv config.Env, stdout io.Writer) error {
	fs := flag.NewFlagSet("auth google", flag.ContinueOnError)
	path := fs.String("config", "", "config file (for data_dir)")
	dataDir := fs.String("data", "", "data directory, overrides data_dir")
	client := fs.String("client", "", `OAuth client JSON ("TVs and Limited Input devices") from Google Cloud`)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *client == "" {
		return errors.New("auth google: -client is required (see README, Google Calendar)")
	}
	dir := *dataDir
	if dir == "" {
		file, err := config.Find(*path, getenv)
		if err != nil {
			return err
		}
		cfg, err := config.Default(getenv)
		if file != "" {
			cfg, err = config.Load(file, getenv)
		}
		if err != nil {
			return err
		}
		dir = cfg.DataDir
	}
	token := calendar.TokenPath(dir)
	if err := calendar.AuthorizeDevice(ctx, calendar.DeviceOptions{ClientFile: *client, TokenPath: token}, stdout); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "saved the sign-in to %s\n", token)
	return nil
}

// quietLogger keeps gocron's per-run chatter out of the journal.
type quietLogger struct{ log *slog.Logger }

func (q quietLogger) Debug(string, ...any)          {}
func (q quietLogger) Info(string, ...any)           {}
func (q quietLogger) Warn(msg string, args ...any)  { q.log.Warn("gocron: "+msg, args...) }
func (q quietLogger) Error(msg string, args ...any) { q.log.Error("gocron: "+msg, args...) }

// displayHelper turns the screen off and on by the server's night-mode
// schedule; it runs as the desktop user (kiosk-display.service).
func displayHelper(ctx context.Context, args []string, getenv config.Env, stderr io.Writer) error {
	fs := flag.NewFlagSet("display", flag.ContinueOnError)
	server := fs.String("server", "http://127.0.0.1:8080", "the kiosk server")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	backend, err := display.Detect(getenv, exec.LookPath)
	if err != nil {
		return err
	}
	h := &display.Helper{URL: *server + "/api/display", Backend: backend, Log: log, Run: display.Exec,
		Client: &http.Client{Timeout: 10 * time.Second}}
	log.Info("display helper started", "backend", backend.Name, "server", *server)
	return h.Loop(ctx, 30*time.Second)
}

// secrets lists every configured secret, so error texts can be scrubbed.
func secrets(cfg *config.Config) []string {
	out := []string{cfg.AdminToken.Reveal()}
	for _, c := range cfg.Calendars {
		if c.ICS != nil {
			out = append(out, c.ICS.Password.Reveal())
		}
	}
	if s := cfg.Trains.SRT; s != nil {
		out = append(out, s.Password.Reveal())
	}
	if a := cfg.Air; a != nil {
		out = append(out, weather.Secrets(a.ServiceKey.Reveal())...)
	}
	return append(out, cfg.PushSecrets()...)
}

// wxRefresh is the weather job; without weather it does nothing.
func wxRefresh(wx *weather.Service) func(context.Context) error {
	if wx == nil {
		return func(context.Context) error { return nil }
	}
	return wx.Refresh
}

// webWeather keeps a nil service a nil interface.
func webWeather(wx *weather.Service) web.Weather {
	if wx == nil {
		return nil
	}
	return wx
}
