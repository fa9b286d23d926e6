package web

import (
	"bytes"
	"encoding/json"
	"sync"
	"time"

	"github.com/gofiber/template/html/v2"

	"kiosk/kiosk/dashboard"
)

// renderKey is everything a rendered answer depends on that changes while
// the server runs: the board's data, the second of server time (clock,
// window, past events) and the notification queue (its ETag).
type renderKey struct {
	snap   *dashboard.Snapshot
	second int64
	queue  string
}

// renderCache keeps the last rendering of one answer. Several screens and
// phones ask for the same bytes; within a second, with unchanged data, the
// server renders once. Stale data can be a second old at most.
type renderCache struct {
	mu   sync.Mutex
	key  renderKey
	body []byte
}

func (r *renderCache) get(key renderKey, render func() ([]byte, error)) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.body != nil && r.key == key {
		return r.body, nil
	}
	b, err := render()
	if err != nil {
		return nil, err
	}
	r.key, r.body = key, b
	return b, nil
}

func (s *Server) renderKey(now time.Time) renderKey {
	_, etag := s.queue.JSON(now)
	return renderKey{snap: s.board.Snapshot(), second: now.Unix(), queue: etag}
}

// renderTemplate renders a view with the engine, for the render cache.
func renderTemplate(engine *html.Engine, name string, v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := engine.Render(&buf, name, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func encodeJSON(v any) ([]byte, error) { return json.Marshal(v) }
