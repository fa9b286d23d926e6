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

// gather says which source pixels make destination pixel d along an axis
// when n shrink to m: a part w0 of pixel i0, all pixels between, a part w1
// of pixel i1 (i1 == i0 when one pixel covers it all, then w0 = n/m).
type gather struct {
	i0, i1 int
	w0, w1 float32
}

func gathers(n, m int) []gather {
	g := make([]gather, m)
	for d := range g {
		// In units of 1/m source pixel, d covers [d·n, (d+1)·n).
		lo, hi := d*n, (d+1)*n
		i0, i1 := lo/m, (hi-1)/m
		g[d] = gather{i0: i0, i1: i1}
		if i0 == i1 {
			g[d].w0 = float32(hi-lo) / float32(m)
			continue
		}
		g[d].w0 = float32((i0+1)*m-lo) / float32(m)
		g[d].w1 = float32(hi-i1*m) / float32(m)
	}
	return g
}

// shrink resizes an image of ch interleaved 8-bit channels from sw×sh to
// dw×dh (no bigger) with an area (box) filter: each destination pixel is
// the mean of the source area it covers. It streams: row(y) gives source
// row y, emit(y, v) takes destination row y as values in 0..255, and
// beyond those only three destination rows are held.
func shrink(sw, sh, dw, dh, ch int, row func(y int) []uint8, emit func(y int, v []float32)) {
	xs, ys := gathers(sw, dw), spans(sh, dh)
	acc := make([]float32, ch*dw) // one source row shrunk across
	cur := make([]float32, ch*dw) // destination row cy
	next := make([]float32, ch*dw)
	norm := float32(float64(dw) * float64(dh) / (float64(sw) * float64(sh)))
	flush := func(y int) {
		for i := range cur {
			cur[i] *= norm
		}
		emit(y, cur)
	}
	cy := 0
	for y := range sh {
		r := row(y)
		if ch == 1 {
			for d, g := range xs {
				a := g.w0 * float32(r[g.i0])
				if g.i1 > g.i0 {
					var mid uint32
					for _, v := range r[g.i0+1 : g.i1] {
						mid += uint32(v)
					}
					a += float32(mid) + g.w1*float32(r[g.i1])
				}
				acc[d] = a
			}
		} else { // 3
			for d, g := range xs {
				p := r[3*g.i0 : 3*g.i1+3]
				a0, a1, a2 := g.w0*float32(p[0]), g.w0*float32(p[1]), g.w0*float32(p[2])
				if g.i1 > g.i0 {
					var m0, m1, m2 uint32
					for i := 3; i < len(p)-3; i += 3 {
						m0, m1, m2 = m0+uint32(p[i]), m1+uint32(p[i+1]), m2+uint32(p[i+2])
					}
					l := p[len(p)-3:]
					a0 += float32(m0) + g.w1*float32(l[0])
					a1 += float32(m1) + g.w1*float32(l[1])
					a2 += float32(m2) + g.w1*float32(l[2])
				}
				acc[3*d], acc[3*d+1], acc[3*d+2] = a0, a1, a2
			}
		}
		s := ys[y]
		if s.d != cy {
			flush(cy)
			cur, next = next, cur
			clear(next)
			cy = s.d
		}
		if s.w == 1 {
			for i, a := range acc {
				cur[i] += a
			}
			continue
		}
		w, v := s.w, 1-s.w
		for i, a := range acc {
			cur[i] += w * a
			next[i] += v * a
		}
	}
	flush(cy)
}

// resample shrinks src to dw×dh (at most its own size) with shrink,
// compositing onto black. YCbCr images, as JPEG decodes them, are shrunk
// plane by plane, which is about half the work of shrinking RGB.
func resample(src image.Image, dw, dh int) *image.RGBA {
	b := src.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	if b.Empty() {
		return dst
	}
	if p, ok := src.(*image.YCbCr); ok && resampleYCbCr(p, dst) {
		return dst
	}
	read := rowReader(src)
	buf := make([]uint8, 3*b.Dx())
	shrink(b.Dx(), b.Dy(), dw, dh, 3,
		func(y int) []uint8 { read(b.Min.Y+y, buf); return buf },
		func(y int, v []float32) {
			out := dst.Pix[y*dst.Stride:]
			for x := range dw {
				out[4*x], out[4*x+1], out[4*x+2], out[4*x+3] = clamp8(v[3*x]), clamp8(v[3*x+1]), clamp8(v[3*x+2]), 0xFF
			}
		})
	return dst
}

// resampleYCbCr shrinks the three planes of p into dst and converts; false
// if p is not anchored at the origin, has an unknown subsampling, or its
// chroma planes are smaller than dst (shrink doesn't enlarge).
func resampleYCbCr(p *image.YCbCr, dst *image.RGBA) bool {
	hs, vs, ok := subsampling(p.SubsampleRatio)
	if !ok || p.Rect.Min != (image.Point{}) {
		return false
	}
	w, h := p.Rect.Dx(), p.Rect.Dy()
	cw, chh := (w+1<<hs-1)>>hs, (h+1<<vs-1)>>vs
	dw, dh := dst.Rect.Dx(), dst.Rect.Dy()
	if cw < dw || chh < dh {
		return false
	}
	plane := func(pix []uint8, stride, pw, ph int) []uint8 {
		out := make([]uint8, dw*dh)
		shrink(pw, ph, dw, dh, 1,
			func(y int) []uint8 { return pix[y*stride : y*stride+pw] },
			func(y int, v []float32) {
				for x, f := range v {
					out[y*dw+x] = clamp8(f)
				}
			})
		return out
	}
	ys := plane(p.Y, p.YStride, w, h)
	cbs := plane(p.Cb, p.CStride, cw, chh)
	crs := plane(p.Cr, p.CStride, cw, chh)
	for i := range ys {
		// color.YCbCrToRGB, inlined.
		y1 := int32(ys[i]) * 0x10101
		b1 := int32(cbs[i]) - 128
		r1 := int32(crs[i]) - 128
		dst.Pix[4*i] = clampFix(y1 + 91881*r1)
		dst.Pix[4*i+1] = clampFix(y1 - 22554*b1 - 46802*r1)
		dst.Pix[4*i+2] = clampFix(y1 + 116130*b1)
		dst.Pix[4*i+3] = 0xFF
	}
	return true
}

// subsampling returns the chroma subsampling of r as shifts.
func subsampling(r image.YCbCrSubsampleRatio) (hs, vs int, ok bool) {
	switch r {
	case image.YCbCrSubsampleRatio444:
		return 0, 0, true
	case image.YCbCrSubsampleRatio422:
		return 1, 0, true
	case image.YCbCrSubsampleRatio420:
		return 1, 1, true
	case image.YCbCrSubsampleRatio440:
		return 0, 1, true
	case image.YCbCrSubsampleRatio411:
		return 2, 0, true
	case image.YCbCrSubsampleRatio410:
		return 2, 1, true
	}
	return 0, 0, false
}

// clamp8 rounds v to a byte, clamped.
func clamp8(v float32) uint8 {
	switch {
	case v <= 0:
		return 0
	case v >= 254.5:
		return 255
	}
	return uint8(v + 0.5)
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
	hs, vs, ok := subsampling(p.SubsampleRatio)
	if !ok {
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
