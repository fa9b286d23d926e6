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
	"kiosk/kiosk/demo"
	"kiosk/kiosk/display"
	"kiosk/kiosk/jobs"
	"kiosk/kiosk/source"
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
	if _, err := config.Load(file, getenv); err != nil {
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
		return fmt.Errorf("data dir: %w", err)
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

	scrub := source.NewScrubber(secrets(cfg)...)
	runner := source.NewRunner(store, log, scrub, nil)
	boardOpts := dashboard.Options{
		Store: store, Runner: runner, Log: log, Loc: cfg.Location,
		DaysAhead: cfg.Dashboard.DaysAhead, CalendarTTL: time.Duration(cfg.Refresh.CalendarMinutes) * time.Minute,
	}
	if isDemo {
		boardOpts.Calendars = []dashboard.Calendar{{Name: "Family", Kind: "demo",
			Source: &demo.Calendar{Name: "Family", Loc: cfg.Location, Locale: cfg.Locale, Now: time.Now}}}
		trains := &demo.Trains{Now: time.Now}
		boardOpts.Trains = &dashboard.Trains{Name: "SRT", Kind: "srt", TTL: 30 * time.Minute, Fetch: trains.Reservations}
	} else {
		boardOpts.Calendars, err = calendars(ctx, cfg, log)
		if err != nil {
			return err
		}
	}
	board := dashboard.New(boardOpts)

	sched, err := jobs.New(ctx, cfg.Location, log, time.Now, scrub.Error, gocron.WithLogger(quietLogger{log}))
	if err != nil {
		return err
	}
	// Each source's own TTL decides whether a run fetches; the minute job
	// only asks, so a restart within the TTL makes no upstream request.
	if err := sched.Every("calendars", time.Minute, board.RefreshCalendars); err != nil {
		return err
	}
	if err := sched.Every("trains", time.Minute, board.RefreshTrains); err != nil {
		return err
	}
	steps := daemon.NewStepWatcher(time.Now, daemon.Monotonic(), 5*time.Second, func(st daemon.Step) {
		log.Warn("the system clock was stepped; rescheduling jobs", "size", st.Size.String())
		sched.Reschedule()
	})

	srv, err := web.New(web.Options{
		Config: cfg, Board: board, Log: log, Now: time.Now, Version: buildVersion(), Demo: isDemo,
		Views: views.FS, Static: static.FS, ClockSynced: daemon.ClockSynced,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	sched.Start()
	defer func() {
		if err := sched.Shutdown(); err != nil {
			log.Warn("stopping jobs", "error", err)
		}
	}()
	go steps.Run(ctx, 10*time.Second)
	go daemon.Watchdog(ctx, log, func() error { return sched.Healthy(3*time.Minute, "calendars", "trains") })
	daemon.Ready()
	log.Info("serving", "addr", ln.Addr().String(), "version", buildVersion(), "data_dir", cfg.DataDir,
		"timezone", cfg.Location.String(), "demo", isDemo)
	err = srv.Serve(ctx, ln)
	daemon.Stopping()
	log.Info("shut down")
	return err
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
	return out
}

// calendars builds the configured calendar sources.
func calendars(_ context.Context, cfg *config.Config, _ *slog.Logger) ([]dashboard.Calendar, error) {
	var out []dashboard.Calendar
	for _, c := range cfg.Calendars {
		kind := "ics"
		if c.Google != nil {
			kind = "google"
		}
		out = append(out, dashboard.Calendar{Name: c.Name, Kind: kind, Source: unavailable{kind}})
	}
	return out, nil
}

// unavailable stands for a source kind this build does not fetch yet.
type unavailable struct{ kind string }

func (u unavailable) Events(context.Context, time.Time, time.Time) ([]calendar.Event, error) {
	return nil, fmt.Errorf("%s calendars are not supported by this build yet", u.kind)
}
