package photos

import (
	"image"
	"image/color"
)

// fit returns the size of a sw×sh image fitted inside box, aspect kept and
// never upscaled: one side meets the box exactly, the other is rounded to
// the nearest pixel (at least 1).
func fit(sw, sh int, box image.Point) image.Point {
	if sw <= box.X && sh <= box.Y {
		return image.Pt(sw, sh)
	}
	// Compare box.X/sw with box.Y/sh without floating point.
	if int64(box.X)*int64(sh) <= int64(box.Y)*int64(sw) {
		return image.Pt(box.X, max(1, int((int64(sh)*int64(box.X)+int64(sw)/2)/int64(sw))))
	}
	return image.Pt(max(1, int((int64(sw)*int64(box.Y)+int64(sh)/2)/int64(sh))), box.Y)
}

// span says where one source pixel goes along an axis when n source pixels
// shrink to m: a weight w (in source pixels, 0 < w ≤ 1) to destination
// pixel d, and 1-w to d+1.
type span struct {
	d int
	w float32
}

func spans(n, m int) []span {
	s := make([]span, n)
	for i := range s {
		// Destination pixel d covers source [d·n/m, (d+1)·n/m).
		d := i * m / n
		s[i] = span{d: d, w: 1}
		if d+1 < m && (i+1)*m > (d+1)*n {
			s[i].w = float32((d+1)*n-i*m) / float32(m)
		}
	}
	return s
}

// resample shrinks src to dw×dh (at most its own size) with an area
// (box) filter: each destination pixel is the mean of the source area it
// covers. It streams the source one row at a time, so beyond the output it
// holds only a few rows; colours are composited onto black.
func resample(src image.Image, dw, dh int) *image.RGBA {
	b := src.Bounds()
	sw, sh := b.Dx(), b.Dy()
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	if sw == 0 || sh == 0 {
		return dst
	}
	read := rowReader(src)
	xs, ys := spans(sw, dw), spans(sh, dh)
	row := make([]uint8, 3*sw)
	acc := make([]float32, 3*dw+3) // one row shrunk across; +3: spare for d+1 writes
	cur := make([]float32, 3*dw)   // destination row cy
	next := make([]float32, 3*dw)  // destination row cy+1
	norm := float32(float64(dw) * float64(dh) / (float64(sw) * float64(sh)))
	flush := func(y int, sum []float32) {
		out := dst.Pix[y*dst.Stride : y*dst.Stride+4*dw]
		for x := range dw {
			for c := range 3 {
				out[4*x+c] = clamp8(sum[3*x+c]*norm + 0.5)
			}
			out[4*x+3] = 0xFF
		}
	}
	cy := 0
	for y := range sh {
		read(b.Min.Y+y, row)
		clear(acc)
		for x, s := range xs {
			r, g, bl := float32(row[3*x]), float32(row[3*x+1]), float32(row[3*x+2])
			i := 3 * s.d
			if s.w == 1 {
				acc[i] += r
				acc[i+1] += g
				acc[i+2] += bl
				continue
			}
			w, v := s.w, 1-s.w
			acc[i] += w * r
			acc[i+1] += w * g
			acc[i+2] += w * bl
			acc[i+3] += v * r
			acc[i+4] += v * g
			acc[i+5] += v * bl
		}
		s := ys[y]
		if s.d != cy {
			flush(cy, cur)
			cur, next = next, cur
			clear(next)
			cy = s.d
		}
		w, v := s.w, 1-s.w
		for i, a := range acc[:3*dw] {
			cur[i] += w * a
		}
		if v > 0 {
			for i, a := range acc[:3*dw] {
				next[i] += v * a
			}
		}
	}
	flush(cy, cur)
	return dst
}

func clamp8(v float32) uint8 {
	switch {
	case v <= 0:
		return 0
	case v >= 255:
		return 255
	}
	return uint8(v)
}

// rowReader returns a function that writes row y of m as RGB triples,
// premultiplied by alpha, which is compositing onto black. The formats the
// decoders return have fast paths; anything else goes through RGBA64At.
func rowReader(m image.Image) func(y int, row []uint8) {
	b := m.Bounds()
	w := b.Dx()
	switch p := m.(type) {
	case *image.YCbCr:
		if read := ycbcrRows(p, nil, 0); read != nil {
			return read
		}
	case *image.NYCbCrA:
		if read := ycbcrRows(&p.YCbCr, p.A, p.AStride); read != nil {
			return read
		}
	case *image.RGBA:
		return func(y int, row []uint8) {
			pix := p.Pix[p.PixOffset(b.Min.X, y):]
			for x := range w {
				row[3*x], row[3*x+1], row[3*x+2] = pix[4*x], pix[4*x+1], pix[4*x+2]
			}
		}
	case *image.NRGBA:
		return func(y int, row []uint8) {
			pix := p.Pix[p.PixOffset(b.Min.X, y):]
			for x := range w {
				a := uint32(pix[4*x+3])
				row[3*x] = uint8((uint32(pix[4*x])*a + 127) / 255)
				row[3*x+1] = uint8((uint32(pix[4*x+1])*a + 127) / 255)
				row[3*x+2] = uint8((uint32(pix[4*x+2])*a + 127) / 255)
			}
		}
	case *image.Gray:
		return func(y int, row []uint8) {
			pix := p.Pix[p.PixOffset(b.Min.X, y):]
			for x := range w {
				row[3*x], row[3*x+1], row[3*x+2] = pix[x], pix[x], pix[x]
			}
		}
	case *image.Paletted:
		var pal [256][3]uint8 // indexes past the palette stay black
		for i, c := range p.Palette {
			r, g, bl, _ := c.RGBA()
			pal[i] = [3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8)}
		}
		return func(y int, row []uint8) {
			pix := p.Pix[p.PixOffset(b.Min.X, y):]
			for x := range w {
				c := pal[pix[x]]
				row[3*x], row[3*x+1], row[3*x+2] = c[0], c[1], c[2]
			}
		}
	case *image.CMYK:
		return func(y int, row []uint8) {
			pix := p.Pix[p.PixOffset(b.Min.X, y):]
			for x := range w {
				row[3*x], row[3*x+1], row[3*x+2] = color.CMYKToRGB(pix[4*x], pix[4*x+1], pix[4*x+2], pix[4*x+3])
			}
		}
	}
	if p, ok := m.(image.RGBA64Image); ok {
		return func(y int, row []uint8) {
			for x := range w {
				c := p.RGBA64At(b.Min.X+x, y)
				row[3*x], row[3*x+1], row[3*x+2] = uint8(c.R>>8), uint8(c.G>>8), uint8(c.B>>8)
			}
		}
	}
	return func(y int, row []uint8) {
		for x := range w {
			r, g, bl, _ := m.At(b.Min.X+x, y).RGBA()
			row[3*x], row[3*x+1], row[3*x+2] = uint8(r>>8), uint8(g>>8), uint8(bl>>8)
		}
	}
}

// ycbcrRows reads a YCbCr image (with an alpha plane if a is not nil) as
// decoders return it, anchored at the origin; nil for anything else.
func ycbcrRows(p *image.YCbCr, a []uint8, aStride int) func(y int, row []uint8) {
	if p.Rect.Min != (image.Point{}) {
		return nil
	}
	var hs, vs int // chroma subsampling as shifts
	switch p.SubsampleRatio {
	case image.YCbCrSubsampleRatio444:
	case image.YCbCrSubsampleRatio422:
		hs = 1
	case image.YCbCrSubsampleRatio420:
		hs, vs = 1, 1
	case image.YCbCrSubsampleRatio440:
		vs = 1
	case image.YCbCrSubsampleRatio411:
		hs = 2
	case image.YCbCrSubsampleRatio410:
		hs, vs = 2, 1
	default:
		return nil
	}
	w := p.Rect.Dx()
	return func(y int, row []uint8) {
		yr := p.Y[y*p.YStride : y*p.YStride+w]
		ci := (y >> vs) * p.CStride
		cb, cr := p.Cb[ci:], p.Cr[ci:]
		for x, yy := range yr {
			// color.YCbCrToRGB, inlined.
			y1 := int32(yy) * 0x10101
			b1 := int32(cb[x>>hs]) - 128
			r1 := int32(cr[x>>hs]) - 128
			row[3*x] = clampFix(y1 + 91881*r1)
			row[3*x+1] = clampFix(y1 - 22554*b1 - 46802*r1)
			row[3*x+2] = clampFix(y1 + 116130*b1)
		}
		if a != nil {
			ar := a[y*aStride : y*aStride+w]
			for x, av := range ar {
				for c := 3 * x; c < 3*x+3; c++ {
					row[c] = uint8((uint32(row[c])*uint32(av) + 127) / 255)
				}
			}
		}
	}
}

// clampFix turns a 16.16 fixed-point channel into a byte, clamped.
func clampFix(v int32) uint8 {
	if uint32(v)&0xff000000 == 0 {
		return uint8(v >> 16)
	}
	if v < 0 {
		return 0
	}
	return 0xFF
}

// orient applies an EXIF orientation (2..8) to m, returning the image as it
// should be seen. 1 and unknown values return m as is.
func orient(m *image.RGBA, o int) *image.RGBA {
	if o < 2 || o > 8 {
		return m
	}
	w, h := m.Rect.Dx(), m.Rect.Dy()
	ow, oh := w, h
	if o >= 5 {
		ow, oh = h, w
	}
	out := image.NewRGBA(image.Rect(0, 0, ow, oh))
	for y := range oh {
		for x := range ow {
			// (sx, sy) is the stored pixel shown at (x, y).
			var sx, sy int
			switch o {
			case 2: // mirrored
				sx, sy = w-1-x, y
			case 3: // upside down
				sx, sy = w-1-x, h-1-y
			case 4: // mirrored upside down
				sx, sy = x, h-1-y
			case 5: // transposed
				sx, sy = y, x
			case 6: // turn clockwise to view
				sx, sy = y, h-1-x
			case 7: // transversed
				sx, sy = w-1-y, h-1-x
			case 8: // turn anticlockwise to view
				sx, sy = w-1-y, x
			}
			copy(out.Pix[y*out.Stride+4*x:y*out.Stride+4*x+4], m.Pix[sy*m.Stride+4*sx:])
		}
	}
	return out
}
