package photos

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"testing"
	"time"
)

func TestParseEXIF(t *testing.T) {
	le, be := binary.ByteOrder(binary.LittleEndian), binary.ByteOrder(binary.BigEndian)
	tests := []struct {
		name    string
		block   []byte
		want    exifData
		wantErr bool
	}{
		{"big endian", exifBlock(be, []tiffEntry{{tagOrientation, uint16(6)}},
			[]tiffEntry{{tagDateTimeOriginal, "2025:12:24 19:05:31"}, {tagOffsetTimeOriginal, "+01:00"}}),
			exifData{orientation: 6, taken: "2025:12:24 19:05:31", offset: "+01:00"}, false},
		{"little endian", exifBlock(le, []tiffEntry{{tagOrientation, uint16(3)}},
			[]tiffEntry{{tagDateTimeOriginal, "2024:05:01 14:30:00"}}),
			exifData{orientation: 3, taken: "2024:05:01 14:30:00"}, false},
		{"orientation as LONG", exifBlock(le, []tiffEntry{{tagOrientation, uint32(8)}}, nil),
			exifData{orientation: 8}, false},
		{"orientation out of range", exifBlock(be, []tiffEntry{{tagOrientation, uint16(9)}}, nil),
			exifData{}, false},
		{"orientation zero", exifBlock(be, []tiffEntry{{tagOrientation, uint16(0)}}, nil),
			exifData{}, false},
		{"date only", exifBlock(be, nil, []tiffEntry{{tagDateTimeOriginal, "2024:05:01 14:30:00"}}),
			exifData{taken: "2024:05:01 14:30:00"}, false},
		{"date in IFD0 is not the original date", exifBlock(be, []tiffEntry{{tagDateTimeOriginal, "2024:05:01 14:30:00"}}, nil),
			exifData{}, false},
		{"empty IFD", exifBlock(be, nil, nil), exifData{}, false},
		{"short", []byte("MM\x00\x2a"), exifData{}, true},
		{"bad byte order", []byte("XX\x00\x2a\x00\x00\x00\x08\x00\x00"), exifData{}, true},
		{"bad magic", []byte("MM\x00\x2b\x00\x00\x00\x08\x00\x00"), exifData{}, true},
		{"IFD past the end", []byte("MM\x00\x2a\x00\x00\x10\x00"), exifData{}, true},
		{"IFD offset at the very end", []byte("MM\x00\x2a\x00\x00\x00\x08"), exifData{}, true},
		// 300 entries claimed, one present: read the one, don't index past the end.
		{"entry count too big", append([]byte("MM\x00\x2a\x00\x00\x00\x08\x01\x2c"), 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 5, 0, 0),
			exifData{orientation: 5}, false},
		// A date whose value offset points outside the block is passed over.
		{"string offset out of range", []byte("MM\x00\x2a\x00\x00\x00\x08\x00\x01\x87\x69\x00\x04\x00\x00\x00\x01\x00\x00\x00\x1a\x00\x00\x00\x00" +
			"\x00\x01\x90\x03\x00\x02\x00\x00\x00\x14\xff\xff\xff\xf0"), exifData{}, false},
		// A count whose byte size overflows 32 bits must not wrap around.
		{"huge count", []byte("MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\xff\xff\xff\xff\x00\x00\x00\x08\x00\x00\x00\x00"),
			exifData{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseEXIF(tt.block)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseEXIF() error = %v, want error %v", err, tt.wantErr)
			}
			if err == nil && got != tt.want {
				t.Errorf("parseEXIF() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestTakenAt(t *testing.T) {
	tests := []struct {
		name string
		x    exifData
		want string // RFC 3339 in seoul, "" for nil
	}{
		{"wall time read in the zone", exifData{taken: "2024:05:01 14:30:00"}, "2024-05-01T14:30:00+09:00"},
		{"offset converted into the zone", exifData{taken: "2025:12:24 19:05:31", offset: "+01:00"}, "2025-12-25T03:05:31+09:00"},
		{"bad offset ignored", exifData{taken: "2024:05:01 14:30:00", offset: "nope"}, "2024-05-01T14:30:00+09:00"},
		{"blank", exifData{taken: "    :  :     :  :  "}, ""},
		{"zeros", exifData{taken: "0000:00:00 00:00:00"}, ""},
		{"absent", exifData{}, ""},
		{"garbage", exifData{taken: "yesterday"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if p := tt.x.takenAt(seoul); p != nil {
				got = p.Format(time.RFC3339)
			}
			if got != tt.want {
				t.Errorf("takenAt() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReadJPEGHeader(t *testing.T) {
	base := jpegBytes(t, marked(64, 48, topLeft), nil)
	withExif := jpegBytes(t, marked(64, 48, topLeft), exifFor(6, "2024:05:01 14:30:00", ""))
	// A progressive frame header, written by hand: image/jpeg only encodes
	// baseline. 4000×3000, three components sampled 2×2, 1×1, 1×1.
	progressive := []byte{0xFF, 0xD8, 0xFF, 0xC2, 0x00, 0x11, 8, 0x0B, 0xB8, 0x0F, 0xA0, 3,
		1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1}
	tests := []struct {
		name    string
		data    []byte
		want    jpegHeader // exif compared by presence only
		wantErr bool
	}{
		{"baseline 4:2:0", base, jpegHeader{width: 64, height: 48, components: 3, samples: 64*48 + 2*32*24}, false},
		{"exif kept", withExif, jpegHeader{width: 64, height: 48, components: 3, samples: 64*48 + 2*32*24, exif: []byte{}}, false},
		{"progressive", progressive, jpegHeader{width: 4000, height: 3000, components: 3, progressive: true,
			samples: 4000*3000 + 2*2000*1500}, false},
		{"fill bytes and stray data before a marker", append([]byte{0xFF, 0xD8, 0x00, 0xFF, 0xFF}, progressive[3:]...),
			jpegHeader{width: 4000, height: 3000, components: 3, progressive: true, samples: 4000*3000 + 2*2000*1500}, false},
		{"not a JPEG", []byte("hello"), jpegHeader{}, true},
		{"empty", nil, jpegHeader{}, true},
		{"truncated in a segment", base[:30], jpegHeader{}, true},
		{"scan before frame", []byte{0xFF, 0xD8, 0xFF, 0xDA, 0, 2}, jpegHeader{}, true},
		{"segment length below 2", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 1}, jpegHeader{}, true},
		{"frame with zero width", []byte{0xFF, 0xD8, 0xFF, 0xC0, 0, 11, 8, 0, 1, 0, 0, 1, 1, 0x11, 0}, jpegHeader{}, true},
		{"frame shorter than its components", []byte{0xFF, 0xD8, 0xFF, 0xC0, 0, 11, 8, 0, 1, 0, 1, 3, 1, 0x11, 0}, jpegHeader{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readJPEGHeader(bytes.NewReader(tt.data))
			if (err != nil) != tt.wantErr {
				t.Fatalf("readJPEGHeader() error = %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if (got.exif != nil) != (tt.want.exif != nil) {
				t.Errorf("exif present = %v, want %v", got.exif != nil, tt.want.exif != nil)
			}
			type frame struct {
				w, h, comps int
				progressive bool
				samples     int64
			}
			g := frame{got.width, got.height, got.components, got.progressive, got.samples}
			w := frame{tt.want.width, tt.want.height, tt.want.components, tt.want.progressive, tt.want.samples}
			if g != w {
				t.Errorf("readJPEGHeader() = %+v, want %+v", g, w)
			}
		})
	}
	t.Run("exif content", func(t *testing.T) {
		h, err := readJPEGHeader(bytes.NewReader(withExif))
		if err != nil {
			t.Fatal(err)
		}
		x, err := parseEXIF(h.exif)
		if err != nil {
			t.Fatal(err)
		}
		if want := (exifData{orientation: 6, taken: "2024:05:01 14:30:00"}); x != want {
			t.Errorf("exif = %+v, want %+v", x, want)
		}
	})
}

func FuzzReadJPEGHeader(f *testing.F) {
	f.Add(jpegBytes(f, marked(16, 16, topLeft), exifFor(6, "2024:05:01 14:30:00", "+09:00")))
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xC2, 0x00, 0x11, 8, 0x0B, 0xB8, 0x0F, 0xA0, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := readJPEGHeader(bytes.NewReader(data))
		if err == nil && h.exif != nil {
			x, _ := parseEXIF(h.exif)
			x.takenAt(time.UTC)
		}
	})
}

func FuzzParseEXIF(f *testing.F) {
	f.Add(exifFor(6, "2024:05:01 14:30:00", "+09:00"))
	f.Add(exifBlock(binary.LittleEndian, []tiffEntry{{tagOrientation, uint16(3)}}, []tiffEntry{{tagDateTimeOriginal, "2024:05:01 14:30:00"}}))
	f.Add([]byte("MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\xff\xff\xff\xff\x00\x00\x00\x08\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		x, _ := parseEXIF(data)
		if x.orientation < 0 || x.orientation > 8 {
			t.Fatalf("orientation %d out of range", x.orientation)
		}
		x.takenAt(time.UTC)
	})
}

// inspect must find the format by content, whatever the name.
func TestInspect(t *testing.T) {
	var gifBuf, pngBuf bytes.Buffer
	writeGIF(t, &gifBuf)
	writePNG(t, &pngBuf, image.NewNRGBA(image.Rect(0, 0, 30, 20)))
	tests := []struct {
		name       string
		data       []byte
		wantFormat string
		wantSize   image.Point
		wantNeed   int64
		wantErr    error // nil, errNotImage, or any (errAny)
	}{
		{"jpeg", jpegBytes(t, marked(40, 30, topLeft), exifFor(8, "", "")), formatJPEG, image.Pt(40, 30), 40*30 + 2*20*15, nil},
		{"png", pngBuf.Bytes(), formatPNG, image.Pt(30, 20), 30 * 20 * 4, nil},
		{"gif", gifBuf.Bytes(), formatGIF, image.Pt(20, 10), 20 * 10, nil},
		{"webp lossless", webpSolid(7, 5, orange), formatWebP, image.Pt(7, 5), 7 * 5 * 8, nil},
		{"text", []byte("just some notes\n"), "", image.Point{}, 0, errNotImage},
		{"empty", nil, "", image.Point{}, 0, errNotImage},
		{"jpeg magic then garbage", []byte("\xFF\xD8\xFF\xE0garbage"), "", image.Point{}, 0, errAny},
		{"png magic then garbage", []byte("\x89PNG\r\n\x1a\ngarbage"), "", image.Point{}, 0, errAny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := inspect(bytes.NewReader(tt.data))
			switch {
			case tt.wantErr == errAny:
				if err == nil {
					t.Fatal("inspect() succeeded, want an error")
				}
				return
			case !errors.Is(err, tt.wantErr):
				t.Fatalf("inspect() error = %v, want %v", err, tt.wantErr)
			case err != nil:
				return
			}
			if got := image.Pt(h.width, h.height); h.format != tt.wantFormat || got != tt.wantSize || h.need != tt.wantNeed {
				t.Errorf("inspect() = %s %v need %d, want %s %v need %d", h.format, got, h.need, tt.wantFormat, tt.wantSize, tt.wantNeed)
			}
		})
	}
}

var errAny = errors.New("any error")
