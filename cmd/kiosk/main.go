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
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"
	_ "time/tzdata" // a Pi image may lack zoneinfo

	"github.com/go-co-op/gocron/v2"

	"kiosk/cache"
	"kiosk/kiosk/calendar"
	"kiosk/kiosk/config"
	"kiosk/kiosk/dashboard"
	"kiosk/kiosk/demo"
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

	sched, err := gocron.NewScheduler(gocron.WithLocation(cfg.Location), gocron.WithLogger(log),
		gocron.WithStopTimeout(10*time.Second))
	if err != nil {
		return err
	}
	every := func(name string, fn func(context.Context) error) error {
		_, err := sched.NewJob(gocron.DurationJob(time.Minute),
			gocron.NewTask(func() {
				if err := fn(ctx); err != nil && ctx.Err() == nil {
					log.Debug("refresh finished with errors", "job", name, "error", scrub.Error(err))
				}
			}),
			gocron.WithName(name),
			gocron.WithSingletonMode(gocron.LimitModeReschedule),
			gocron.WithStartAt(gocron.WithStartImmediately()))
		return err
	}
	// Each source's own TTL decides whether a run fetches; the minute job
	// only asks, so a restart within the TTL makes no upstream request.
	if err := every("calendars", board.RefreshCalendars); err != nil {
		return err
	}
	if err := every("trains", board.RefreshTrains); err != nil {
		return err
	}

	srv, err := web.New(web.Options{
		Config: cfg, Board: board, Log: log, Now: time.Now, Version: buildVersion(), Demo: isDemo,
		Views: views.FS, Static: static.FS,
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
	log.Info("serving", "addr", ln.Addr().String(), "version", buildVersion(), "data_dir", cfg.DataDir,
		"timezone", cfg.Location.String(), "demo", isDemo)
	err = srv.Serve(ctx, ln)
	log.Info("shut down")
	return err
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
