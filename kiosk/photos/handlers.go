package photos

import (
	"errors"
	"image"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// urlPrefix is where HandleImage is mounted: app.Get("/photos/:id.jpg", …).
const urlPrefix = "/photos/"

// Requested sizes are clamped to minSide..maxSide and rounded up to a
// multiple of sideStep, so that a window a few pixels off doesn't make a
// new rendering: at most 96 values per side. Common screens (800×480,
// 1024×600, 1280×720, 1920×1080, 3840×2160) are multiples of 40 already;
// others get a picture up to 39 px larger, which the page scales down.
// Without w or h, the default is 1920×1080.
const (
	minSide  = 16
	maxSide  = 3840
	sideStep = 40
	defaultW = 1920
	defaultH = 1080
)

func box(w, h int) image.Point { return image.Pt(side(w, defaultW), side(h, defaultH)) }

func side(v, def int) int {
	if v == 0 {
		v = def
	}
	v = min(max(v, minSide), maxSide)
	return (v + sideStep - 1) / sideStep * sideStep
}

// maxAge is how long browsers keep a rendering. A URL never changes
// content: a changed file has a new id.
const maxAge = "public, max-age=86400"

// HandleList serves GET /api/photos: the photos as a JSON array in display
// order (see List).
func (l *Library) HandleList(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(l.List())
}

// HandleImage serves GET /photos/:id.jpg?w=W&h=H: the photo fitted inside
// W×H (see box), never upscaled, turned upright per EXIF, as JPEG, with an
// ETag and Cache-Control. Unknown ids, and photos removed, changed or found
// corrupt since the last scan, get 404; a closed or overloaded renderer 503.
// Serving a photo marks it seen for the display order and prepares the
// next one at the same size.
func (l *Library) HandleImage(c *fiber.Ctx) error {
	id := c.Params("id")
	if !isID(id) || l.lookup(id) == nil {
		return c.SendStatus(fiber.StatusNotFound)
	}
	k := renderKey{id: strings.Clone(id), box: box(c.QueryInt("w"), c.QueryInt("h"))}
	etag := `"` + k.id + "-" + strconv.Itoa(k.box.X) + "x" + strconv.Itoa(k.box.Y) + "-" + renderVersion + `"`
	if etagMatch(c.Get(fiber.HeaderIfNoneMatch), etag) {
		l.servedNext(k)
		c.Set(fiber.HeaderETag, etag)
		c.Set(fiber.HeaderCacheControl, maxAge)
		return c.SendStatus(fiber.StatusNotModified)
	}
	data, err := l.image(c.Context(), k)
	switch {
	case errors.Is(err, errGone), errors.Is(err, errCorrupt):
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.SendStatus(fiber.StatusNotFound)
	case errors.Is(err, errBusy), errors.Is(err, errClosed):
		c.Set(fiber.HeaderRetryAfter, "5")
		return c.SendStatus(fiber.StatusServiceUnavailable)
	case err != nil:
		return err
	}
	l.servedNext(k)
	c.Set(fiber.HeaderETag, etag)
	c.Set(fiber.HeaderCacheControl, maxAge)
	c.Set(fiber.HeaderContentType, "image/jpeg")
	return c.Send(data)
}

// servedNext marks k's photo seen and prepares the next at the same size.
func (l *Library) servedNext(k renderKey) {
	if next := l.served(k.id); next != "" && next != k.id {
		l.prepare(renderKey{id: next, box: k.box})
	}
}

// etagMatch reports whether an If-None-Match header lists etag (weak
// comparison, as RFC 9110 asks for If-None-Match) or is "*".
func etagMatch(header, etag string) bool {
	for t := range strings.SplitSeq(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}
