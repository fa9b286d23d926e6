package web

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"kiosk/kiosk/remind"
)

// Notifications is the reminder queue the API reads and the admin edits.
type Notifications interface {
	JSON(now time.Time) (body []byte, etag string)
	Active(now time.Time) []remind.Notification
	Add(n remind.Notification) (remind.Notification, error)
	Delete(id string) (found bool, err error)
	Clear() error
}

// failLimit is how many failed token attempts a client may make per minute.
const failLimit = 10

// limiter counts failed admin-token attempts per client address.
type limiter struct {
	mu    sync.Mutex
	fails map[string]*window
	now   func() time.Time
}

type window struct {
	start time.Time
	n     int
}

// blocked reports whether ip has used up its failed attempts, and for how long.
func (l *limiter) blocked(ip string) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.fails[ip]
	now := l.now()
	if w == nil || now.Sub(w.start) >= time.Minute || now.Before(w.start) {
		return 0, false
	}
	if w.n >= failLimit {
		return time.Minute - now.Sub(w.start), true
	}
	return 0, false
}

func (l *limiter) fail(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.fails) > 10000 { // a flood of addresses: forget the old windows
		for k, w := range l.fails {
			if now.Sub(w.start) >= time.Minute {
				delete(l.fails, k)
			}
		}
	}
	w := l.fails[ip]
	if w == nil || now.Sub(w.start) >= time.Minute || now.Before(w.start) {
		w = &window{start: now}
		l.fails[ip] = w
	}
	w.n++
}

// requireAdmin lets a request through only with the configured admin token
// as a bearer token. Without a configured token admin actions are off (403);
// a wrong or missing token is 401; too many failures from one address 429.
func (s *Server) requireAdmin(c *fiber.Ctx) error {
	if s.token == nil {
		return fiber.NewError(fiber.StatusForbidden,
			"admin actions are off: set admin_token or admin_token_file in kiosk.yaml and restart")
	}
	ip := c.IP()
	if wait, ok := s.limit.blocked(ip); ok {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(wait.Seconds())+1))
		return fiber.NewError(fiber.StatusTooManyRequests, "too many wrong tokens; try again in a minute")
	}
	given, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
	sum := sha256.Sum256([]byte(strings.TrimSpace(given)))
	if !ok || subtle.ConstantTimeCompare(sum[:], s.token) != 1 {
		s.limit.fail(ip)
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="kiosk"`)
		return fiber.NewError(fiber.StatusUnauthorized, "missing or wrong admin token")
	}
	return c.Next()
}

// handleNotifications serves the active notifications with an ETag, so the
// page's poll every few seconds costs a 304 when nothing changed.
func (s *Server) handleNotifications(c *fiber.Ctx) error {
	now := s.now()
	c.Set("Cache-Control", "no-store")
	c.Set("X-Server-Time", strconv.FormatInt(now.UnixMilli(), 10))
	if s.cfg.QuietHours.In(now.In(s.cfg.Location)) {
		c.Set("X-Kiosk-Quiet", "1")
	}
	if synced, known := s.synced(); known && !synced {
		c.Set("X-Clock-Synced", "0")
	}
	body, etag := s.queue.JSON(now)
	c.Set(fiber.HeaderETag, etag)
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" && inm == etag {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(body)
}

// postNotification is the body of POST /api/notifications.
type postNotification struct {
	Message       *string `json:"message"`
	DisplayTime   *int    `json:"display_time"`
	ExpireSeconds *int    `json:"expire_seconds"`
	ShowNotiboard *bool   `json:"show_notiboard"`
	Sound         *bool   `json:"sound"`
	Urgent        *bool   `json:"urgent"`
}

const maxMessage = 2000 // characters

func (s *Server) handlePostNotification(c *fiber.Ctx) error {
	body := c.Body()
	if !utf8.Valid(body) {
		return fiber.NewError(fiber.StatusBadRequest, "body is not valid UTF-8")
	}
	var p postNotification
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return fiber.NewError(fiber.StatusBadRequest, "malformed JSON: "+jsonProblem(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fiber.NewError(fiber.StatusBadRequest, "malformed JSON: something follows the object")
	}
	if p.Message == nil || strings.TrimSpace(*p.Message) == "" {
		return fiber.NewError(fiber.StatusBadRequest, `"message" is required and must not be empty`)
	}
	if n := utf8.RuneCountInString(*p.Message); n > maxMessage {
		return fiber.NewError(fiber.StatusBadRequest, fmt.Sprintf(`"message" is %d characters; at most %d`, n, maxMessage))
	}
	now := s.now()
	n := remind.Custom(now, s.cfg.Reminders, *p.Message)
	if p.Urgent != nil {
		n.Urgent = *p.Urgent
	}
	if p.DisplayTime != nil {
		if *p.DisplayTime < 1 || *p.DisplayTime > 3600 {
			return fiber.NewError(fiber.StatusBadRequest, `"display_time" must be from 1 to 3600 seconds`)
		}
		n.DisplayTime = *p.DisplayTime
	}
	if p.ExpireSeconds != nil {
		if *p.ExpireSeconds < 1 || *p.ExpireSeconds > 7*24*3600 {
			return fiber.NewError(fiber.StatusBadRequest, `"expire_seconds" must be from 1 to 604800`)
		}
		n.Expire = now.Unix() + int64(*p.ExpireSeconds)
	}
	if p.ShowNotiboard != nil {
		n.ShowNotiboard = *p.ShowNotiboard
	}
	if p.Sound != nil {
		n.Sound = *p.Sound
	}
	stored, err := s.queue.Add(n)
	if err != nil {
		return err
	}
	s.log.Info("custom notification queued", "id", stored.ID, "client", c.IP())
	return c.Status(fiber.StatusCreated).JSON(stored)
}

// jsonProblem describes a decoding error without echoing the body.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("%q must be %s", te.Field, te.Type)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	case err.Error() == "EOF":
		return "empty body"
	}
	return "cannot decode"
}

func (s *Server) handleDeleteNotification(c *fiber.Ctx) error {
	id := c.Params("id")
	if id == "" || len(id) > 200 || strings.ContainsAny(id, "/\\\x00") {
		return fiber.NewError(fiber.StatusBadRequest, "bad notification id")
	}
	found, err := s.queue.Delete(id)
	if err != nil {
		return err
	}
	if !found {
		return fiber.NewError(fiber.StatusNotFound, "no such notification")
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) handleClearNotifications(c *fiber.Ctx) error {
	if err := s.queue.Clear(); err != nil {
		return err
	}
	s.log.Info("notifications cleared", "client", c.IP())
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) handleRefresh(c *fiber.Ctx) error {
	if s.refresh == nil {
		return fiber.NewError(fiber.StatusServiceUnavailable, "refresh is not available")
	}
	if err := s.refresh(); err != nil {
		return err
	}
	s.log.Info("refresh of all sources requested", "client", c.IP())
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"status": "refreshing"})
}
