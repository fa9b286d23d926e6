package photos

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/image/webp"
)

// Formats the frame shows, told apart by their first bytes.
const (
	formatJPEG = "jpeg"
	formatPNG  = "png"
	formatGIF  = "gif"
	formatWebP = "webp"
)

// errNotImage is a file in none of the formats above. It is logged only
// when the name promises an image (imageExt); other files are ignored.
var errNotImage = errors.New("not a JPEG, PNG, GIF or WebP image")

func sniff(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return formatJPEG
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return formatPNG
	case bytes.HasPrefix(head, []byte("GIF87a")), bytes.HasPrefix(head, []byte("GIF89a")):
		return formatGIF
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		return formatWebP
	}
	return ""
}

// imageExt reports names that promise a picture, supported or not (HEIC
// from phones is the common case): if such a file can't be shown, the owner
// wants to hear about it once.
func imageExt(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".gif", ".webp",
		".heic", ".heif", ".avif", ".tif", ".tiff", ".bmp":
		return true
	}
	return false
}

// header is what inspect learns about an image without decoding it.
type header struct {
	format        string
	width, height int
	orientation   int
	exif          exifData
	need          int64 // estimated bytes the decoder allocates
}

// inspect reads the header of the image in f: its format by content, its
// size, EXIF for JPEGs, and the memory a full decode would take.
func inspect(f io.ReadSeeker) (header, error) {
	var h header
	head := make([]byte, 32)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF {
		if err == io.EOF {
			return h, errNotImage
		}
		return h, err
	}
	head = head[:n]
	if h.format = sniff(head); h.format == "" {
		return h, errNotImage
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return h, err
	}
	br := bufio.NewReaderSize(f, 32<<10)
	var cfg image.Config
	switch h.format {
	case formatJPEG:
		cfg, err = jpeg.DecodeConfig(br)
	case formatPNG:
		cfg, err = png.DecodeConfig(br)
	case formatGIF:
		cfg, err = gif.DecodeConfig(br)
	case formatWebP:
		cfg, err = webp.DecodeConfig(br)
	}
	if err != nil {
		return h, fmt.Errorf("%s header: %w", h.format, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return h, fmt.Errorf("%s header: empty image", h.format)
	}
	h.width, h.height = cfg.Width, cfg.Height
	px := int64(cfg.Width) * int64(cfg.Height)
	switch h.format {
	case formatJPEG:
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return h, err
		}
		jh, err := readJPEGHeader(bufio.NewReaderSize(f, 32<<10))
		if err != nil {
			return h, err
		}
		// image/jpeg holds every sample; a progressive scan also keeps an
		// int32 coefficient per sample; CMYK converts into a second image.
		h.need = jh.samples
		if jh.progressive {
			h.need += 4 * jh.samples
		}
		if jh.components == 4 {
			h.need += 4 * px
		}
		if jh.exif != nil {
			// A broken EXIF block costs the photo its rotation and date,
			// not its place in the frame.
			h.exif, _ = parseEXIF(jh.exif)
			h.orientation = h.exif.orientation
		}
	case formatPNG:
		h.need = px * bytesPerPixel(cfg.ColorModel)
		if len(head) > 28 && head[28] == 1 { // Adam7: passes decode apart, then merge
			h.need *= 2
		}
	case formatGIF:
		h.need = px
	case formatWebP:
		h.need = px * 5 / 2 // lossy: 4:2:0 plus alpha
		if string(head[12:16]) != "VP8 " {
			h.need = px * 8 // lossless: ARGB words, then NRGBA
		}
	}
	return h, nil
}

func bytesPerPixel(m color.Model) int64 {
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	switch m {
	case color.GrayModel:
		return 1
	case color.Gray16Model:
		return 2
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	}
	return 4
}

// decode decodes the image in f, of the format inspect found. GIFs give
// their first frame.
func decode(f io.Reader, format string) (image.Image, error) {
	br := bufio.NewReaderSize(f, 64<<10)
	switch format {
	case formatJPEG:
		return jpeg.Decode(br)
	case formatPNG:
		return png.Decode(br)
	case formatGIF:
		return gif.Decode(br)
	case formatWebP:
		return webp.Decode(br)
	}
	return nil, fmt.Errorf("unknown format %q", format)
}

// within reports whether path p lies inside dir (both cleaned, absolute,
// symlinks resolved), not being dir itself.
func within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != "." && rel != ".." &&
		!strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// openPhoto opens the file behind e and checks it is still the one indexed:
// its real path still inside root and its size and time unchanged.
func openPhoto(root string, e *entry) (*os.File, error) {
	real, err := filepath.EvalSymlinks(e.path)
	if err != nil || real != e.path || !within(root, real) {
		return nil, errGone
	}
	f, err := os.Open(real)
	if err != nil {
		return nil, errGone
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != e.size || !fi.ModTime().Equal(e.mtime) {
		f.Close()
		return nil, errGone
	}
	return f, nil
}
