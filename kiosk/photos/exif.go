package photos

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// jpegHeader is what a JPEG says before its image data: the frame (size,
// progressive or not, how many samples the decoder will hold) and the EXIF
// block, read from the markers up to the start of frame.
type jpegHeader struct {
	width, height int
	components    int
	progressive   bool
	samples       int64  // decoded samples of all components, one byte each
	exif          []byte // the TIFF block of the APP1 "Exif" segment; nil if none
}

// maxJPEGHeader bounds how far readJPEGHeader reads looking for the frame.
// Markers before it are a few kB of tables plus EXIF (at most 64 kB) and an
// ICC profile, perhaps split over several APP2 segments.
const maxJPEGHeader = 1 << 20

var errNoFrame = errors.New("no frame header")

// readJPEGHeader reads the markers of a JPEG from its start to the start of
// frame. It never reads the image data and never panics on garbage.
func readJPEGHeader(r io.Reader) (jpegHeader, error) {
	var h jpegHeader
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReader(r)
	}
	var soi [2]byte
	if _, err := io.ReadFull(br, soi[:]); err != nil || soi != [2]byte{0xFF, 0xD8} {
		return h, errors.New("jpeg: no start of image")
	}
	read := 2
	for read < maxJPEGHeader {
		// Find the next marker, tolerating stray bytes and fill 0xFFs as
		// image/jpeg does.
		c, err := br.ReadByte()
		if err != nil {
			return h, fmt.Errorf("jpeg: %w", noEOF(err))
		}
		read++
		if c != 0xFF {
			continue
		}
		m := byte(0xFF)
		for m == 0xFF {
			if m, err = br.ReadByte(); err != nil {
				return h, fmt.Errorf("jpeg: %w", noEOF(err))
			}
			read++
		}
		switch {
		case m == 0x00, m == 0x01, m == 0xD8, m >= 0xD0 && m <= 0xD7:
			continue // stuffed byte or a marker without a length
		case m == 0xD9, m == 0xDA:
			return h, fmt.Errorf("jpeg: %w", errNoFrame)
		}
		var l [2]byte
		if _, err := io.ReadFull(br, l[:]); err != nil {
			return h, fmt.Errorf("jpeg: %w", noEOF(err))
		}
		n := int(binary.BigEndian.Uint16(l[:])) - 2
		if n < 0 {
			return h, errors.New("jpeg: bad segment length")
		}
		read += 2 + n
		isSOF := m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC
		if !isSOF && !(m == 0xE1 && h.exif == nil) {
			if _, err := br.Discard(n); err != nil {
				return h, fmt.Errorf("jpeg: %w", noEOF(err))
			}
			continue
		}
		seg := make([]byte, n)
		if _, err := io.ReadFull(br, seg); err != nil {
			return h, fmt.Errorf("jpeg: %w", noEOF(err))
		}
		if m == 0xE1 {
			if tiff, ok := bytes.CutPrefix(seg, []byte("Exif\x00\x00")); ok {
				h.exif = tiff
			}
			continue
		}
		if err := h.parseSOF(m, seg); err != nil {
			return h, err
		}
		return h, nil
	}
	return h, fmt.Errorf("jpeg: %w within %d bytes", errNoFrame, maxJPEGHeader)
}

// parseSOF reads a start-of-frame segment: precision, height, width, and
// per component an id, its sampling factors and a table number.
func (h *jpegHeader) parseSOF(marker byte, seg []byte) error {
	if len(seg) < 6 {
		return errors.New("jpeg: short frame header")
	}
	h.height = int(binary.BigEndian.Uint16(seg[1:]))
	h.width = int(binary.BigEndian.Uint16(seg[3:]))
	h.components = int(seg[5])
	h.progressive = marker == 0xC2 || marker == 0xC6 || marker == 0xCA || marker == 0xCE
	if h.width == 0 || h.height == 0 || h.components == 0 || len(seg) < 6+3*h.components {
		return errors.New("jpeg: bad frame header")
	}
	hmax, vmax := 1, 1
	for i := range h.components {
		f := seg[6+3*i+1]
		hmax, vmax = max(hmax, int(f>>4)), max(vmax, int(f&15))
	}
	for i := range h.components {
		f := seg[6+3*i+1]
		cw := (h.width*int(f>>4) + hmax - 1) / hmax
		ch := (h.height*int(f&15) + vmax - 1) / vmax
		h.samples += int64(cw) * int64(ch)
	}
	return nil
}

func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// exifData is the little the frame needs from EXIF.
type exifData struct {
	orientation int    // 1..8; 0 when absent or out of range
	taken       string // DateTimeOriginal as written, "2006:01:02 15:04:05"
	offset      string // OffsetTimeOriginal, "+09:00"; "" when absent
}

// EXIF tags, in IFD0 and the Exif sub-IFD.
const (
	tagOrientation        = 0x0112
	tagExifIFD            = 0x8769
	tagDateTimeOriginal   = 0x9003
	tagOffsetTimeOriginal = 0x9011
)

// parseEXIF reads a TIFF block (the APP1 payload after "Exif\0\0"): the
// orientation from IFD0 and the original date from the Exif IFD. Every
// offset is checked against the block; it returns an error, never panics.
func parseEXIF(b []byte) (exifData, error) {
	var x exifData
	if len(b) < 8 {
		return x, errors.New("exif: short header")
	}
	var bo binary.ByteOrder
	switch string(b[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return x, errors.New("exif: bad byte order")
	}
	if bo.Uint16(b[2:]) != 42 {
		return x, errors.New("exif: bad magic")
	}
	var sub uint32
	err := readIFD(b, bo, bo.Uint32(b[4:]), func(tag, typ uint16, v []byte) {
		switch {
		case tag == tagOrientation && typ == 3 && len(v) >= 2:
			if o := int(bo.Uint16(v)); o >= 1 && o <= 8 {
				x.orientation = o
			}
		case tag == tagOrientation && typ == 4 && len(v) >= 4:
			if o := bo.Uint32(v); o >= 1 && o <= 8 {
				x.orientation = int(o)
			}
		case tag == tagExifIFD && (typ == 4 || typ == 13) && len(v) >= 4:
			sub = bo.Uint32(v)
		}
	})
	if err != nil {
		return x, err
	}
	if sub == 0 {
		return x, nil
	}
	err = readIFD(b, bo, sub, func(tag, typ uint16, v []byte) {
		switch {
		case tag == tagDateTimeOriginal && typ == 2:
			x.taken = cString(v)
		case tag == tagOffsetTimeOriginal && typ == 2:
			x.offset = cString(v)
		}
	})
	return x, err
}

// typeSizes is the byte size of each TIFF field type, indexed by type.
var typeSizes = [...]uint64{0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4}

// readIFD calls fn for each entry of the IFD at off with the entry's value
// bytes (inline or at its offset). Entries whose value lies outside b, or
// of unknown type, are passed over.
func readIFD(b []byte, bo binary.ByteOrder, off uint32, fn func(tag, typ uint16, v []byte)) error {
	size := uint64(len(b))
	if uint64(off)+2 > size {
		return errors.New("exif: IFD offset out of range")
	}
	n := uint64(bo.Uint16(b[off:]))
	start := uint64(off) + 2
	n = min(n, (size-start)/12)
	for i := range n {
		e := b[start+12*i : start+12*i+12]
		tag, typ, count := bo.Uint16(e), bo.Uint16(e[2:]), uint64(bo.Uint32(e[4:]))
		if int(typ) >= len(typeSizes) || typeSizes[typ] == 0 {
			continue
		}
		vlen := typeSizes[typ] * count // count < 2^32, size ≤ 8: no overflow
		if vlen <= 4 {
			fn(tag, typ, e[8:8+vlen])
			continue
		}
		voff := uint64(bo.Uint32(e[8:]))
		if voff+vlen > size {
			continue
		}
		fn(tag, typ, b[voff:voff+vlen])
	}
	return nil
}

// cString is an ASCII field up to its first NUL, trimmed.
func cString(v []byte) string {
	if i := bytes.IndexByte(v, 0); i >= 0 {
		v = v[:i]
	}
	return strings.TrimSpace(string(v))
}

// takenAt turns DateTimeOriginal into a time in loc. The EXIF time is the
// camera's wall clock: with OffsetTimeOriginal it is placed at that offset,
// without it is read as wall time in loc. Blank or zero dates give nil.
func (x exifData) takenAt(loc *time.Location) *time.Time {
	if x.taken == "" {
		return nil
	}
	in := loc
	if off, err := time.Parse("-07:00", x.offset); err == nil {
		_, secs := off.Zone()
		in = time.FixedZone("", secs)
	}
	t, err := time.ParseInLocation("2006:01:02 15:04:05", x.taken, in)
	if err != nil || t.Year() < 1800 {
		return nil
	}
	t = t.In(loc)
	return &t
}
