// Package web is the kiosk's HTTP face: the dashboard page, its JSON API,
// and the static assets, all served by one fiber app.
package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/template/html/v2"

	"kiosk/kiosk/config"
	"kiosk/kiosk/dashboard"
	"kiosk/kiosk/display"
	"kiosk/kiosk/notices"
	"kiosk/kiosk/source"
)

// Board is where the server reads the data it shows.
type Board interface {
	Snapshot() *dashboard.Snapshot
}

// Options are a Server's dependencies.
type Options struct {
	Config  *config.Config
	Board   Board
	Log     *slog.Logger
	Now     func() time.Time
	Version string
	Demo    bool
	Views   fs.FS // *.html templates
	Static  fs.FS // css/, js/, sounds/
	// ClockSynced reports whether the system clock is synchronized; known
	// is false when the system cannot tell.
	ClockSynced func() (synced, known bool)
	Queue       Notifications
	// Notices lists the notice boards' items; ExtraSources is the health
	// of sources beyond the board's (notice feeds, photos).
	Notices      func(now time.Time) []notices.Item
	ExtraSources func() []source.Status
	// Photos is the photo frame; nil when photos are not configured.
	Photos Photos
	// Refresh makes every source fetch now, skipping back-off (admin).
	Refresh func() error
	Status  StatusInfo
	// Weather is the forecast and fine dust; nil when not configured.
	Weather Weather
}

// Photos is the photo frame's library.
type Photos interface {
	HandleList(c *fiber.Ctx) error
	HandleImage(c *fiber.Ctx) error
}

// Server is the fiber app and what its handlers need.
type Server struct {
	app     *fiber.App
	cfg     *config.Config
	board   Board
	log     *slog.Logger
	now     func() time.Time
	version string
	assets  string // path prefix of the static files, changes with their content
	demo    bool
	texts   texts
	synced  func() (bool, bool)
	queue   Notifications
	notices func(time.Time) []notices.Item
	nsrc    func() []source.Status
	photos  Photos
	refresh func() error
	info    StatusInfo
	token   []byte // SHA-256 of the admin token; nil: admin actions are off
	limit   *limiter
	engine  *html.Engine
	wx      *wxViews
	// Renderings shared by the screens and phones asking within a second.
	pageHTML, boardHTML, dashJSON renderCache
}

// New builds the app. A template that does not parse is an error here, at
// start-up, rather than a broken screen later.
func New(opts Options) (*Server, error) {
	engine := html.NewFileSystem(http.FS(opts.Views), ".html")
	wx := &wxViews{src: opts.Weather, loc: opts.Config.Location, locale: opts.Config.Locale,
		days: opts.Config.Dashboard.DaysAhead, now: opts.Now, assets: new(string)}
	engine.AddFuncMap(wx.funcs())
	if err := engine.Load(); err != nil {
		return nil, err
	}
	hash, err := hashFS(opts.Static)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg: opts.Config, board: opts.Board, log: opts.Log, now: opts.Now,
		version: opts.Version, demo: opts.Demo, texts: locales[opts.Config.Locale],
		assets: "/static/" + hash, synced: opts.ClockSynced,
		queue: opts.Queue, refresh: opts.Refresh, info: opts.Status,
		notices: opts.Notices, nsrc: opts.ExtraSources, photos: opts.Photos,
		limit:  &limiter{fails: map[string]*window{}, now: opts.Now},
		engine: engine, wx: wx,
	}
	*wx.assets = s.assets
	if tok := opts.Config.AdminToken.Reveal(); tok != "" {
		sum := sha256.Sum256([]byte(tok))
		s.token = sum[:]
	}
	if s.notices == nil {
		s.notices = func(time.Time) []notices.Item { return nil }
	}
	if s.nsrc == nil {
		s.nsrc = func() []source.Status { return nil }
	}
	if s.synced == nil {
		s.synced = func() (bool, bool) { return false, false }
	}
	s.app = fiber.New(fiber.Config{
		Views:                 engine,
		Immutable:             true, // handler strings may outlive the request
		DisableStartupMessage: true,
		ReadTimeout:           10 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           60 * time.Second, // Chromium keeps connections alive
		BodyLimit:             64 << 10,
		ErrorHandler:          s.handleError,
	})
	s.routes(opts.Static)
	return s, nil
}

func (s *Server) routes(static fs.FS) {
	s.app.Use(s.secureHeaders)
	s.app.Get("/healthz", func(c *fiber.Ctx) error { return c.SendString("ok") })
	s.app.Get("/", s.handleIndex)
	s.app.Get("/partial/board", s.handleBoard)
	s.app.Get("/api/dashboard", s.handleDashboard)
	s.app.Get("/api/notifications", s.handleNotifications)
	s.app.Get("/api/display", s.handleDisplay)
	s.app.Get("/status", s.handleStatusPage)
	s.app.Get("/partial/status", s.handleStatusPartial)
	s.app.Get("/api/status", s.handleStatusJSON)
	s.app.Post("/api/notifications", s.requireAdmin, s.handlePostNotification)
	s.app.Delete("/api/notifications", s.requireAdmin, s.handleClearNotifications)
	s.app.Delete("/api/notifications/:id", s.requireAdmin, s.handleDeleteNotification)
	s.app.Post("/api/refresh", s.requireAdmin, s.handleRefresh)
	if s.photos != nil {
		s.app.Get("/api/photos", s.photos.HandleList)
		s.app.Get("/photos/:id.jpg", s.photos.HandleImage)
	}
	s.app.Use(s.assets, filesystem.New(filesystem.Config{
		Root:   http.FS(static),
		MaxAge: 365 * 24 * 3600, // the path changes with the content
	}))
	s.app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}

// App is the fiber app, for tests (app.Test) and benchmarks.
func (s *Server) App() *fiber.App { return s.app }

// Serve serves on ln until ctx is done, then stops accepting, lets
// in-flight requests finish for up to 5 s, and returns.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- s.app.Listener(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// Closing a listener twice is no failure: ErrClosed is not one.
	if err := s.app.ShutdownWithContext(sctx); err != nil && !errors.Is(err, net.ErrClosed) {
		return err
	}
	// A stop that comes just as serving starts finds no server to shut
	// down yet, and the listener would then serve on forever: close it.
	ln.Close()
	if err := <-errc; err != nil && !errors.Is(err, net.ErrClosed) {
		return err
	}
	return nil
}

// contentSecurityPolicy allows nothing inline and nothing from elsewhere.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"media-src 'self'; connect-src 'self'; font-src 'self'; manifest-src 'self'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func (s *Server) secureHeaders(c *fiber.Ctx) error {
	c.Set("Content-Security-Policy", contentSecurityPolicy)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "no-referrer")
	c.Set("X-Frame-Options", "DENY")
	return c.Next()
}

// handleError answers API paths with {"error": "..."} and pages with text;
// internal errors are logged once and not shown in detail.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	code := fiber.StatusInternalServerError
	msg := "internal error"
	var fe *fiber.Error
	if errors.As(err, &fe) {
		code, msg = fe.Code, fe.Message
	} else {
		s.log.Error("request failed", "method", c.Method(), "path", c.Path(), "error", err)
	}
	if strings.HasPrefix(c.Path(), "/api/") {
		return c.Status(code).JSON(fiber.Map{"error": msg})
	}
	return c.Status(code).SendString(msg)
}

func (s *Server) handleIndex(c *fiber.Ctx) error {
	now := s.now()
	b, err := s.pageHTML.get(s.renderKey(now), func() ([]byte, error) {
		return renderTemplate(s.engine, "index", s.pageView(now))
	})
	if err != nil {
		return err
	}
	c.Set("Cache-Control", "no-store")
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(b)
}

// handleBoard renders the board alone; the page swaps it in every
// reload_seconds, so new data appears without a reload or a flash.
func (s *Server) handleBoard(c *fiber.Ctx) error {
	now := s.now()
	b, err := s.boardHTML.get(s.renderKey(now), func() ([]byte, error) {
		return renderTemplate(s.engine, "board", s.pageView(now))
	})
	if err != nil {
		return err
	}
	c.Set("Cache-Control", "no-store")
	c.Set("X-Kiosk-Version", s.version)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(b)
}

func (s *Server) handleDashboard(c *fiber.Ctx) error {
	now := s.now()
	b, err := s.dashJSON.get(s.renderKey(now), func() ([]byte, error) { return encodeJSON(s.dashboardJSON(now)) })
	if err != nil {
		return err
	}
	c.Set("Cache-Control", "no-store")
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(b)
}

// handleDisplay publishes the night-mode schedule for the display helper.
func (s *Server) handleDisplay(c *fiber.Ctx) error {
	c.Set("Cache-Control", "no-store")
	return c.JSON(display.At(s.cfg.Display, s.now(), s.cfg.Location))
}

// hashFS is a short digest of every file, for cache-busting asset paths.
func hashFS(fsys fs.FS) (string, error) {
	h := sha256.New()
	var names []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return err
	})
	if err != nil {
		return "", err
	}
	sort.Strings(names)
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return "", err
		}
		h.Write([]byte(n))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}
