package photos

import (
	"image"
	"image/color"
	"testing"
)

func TestFit(t *testing.T) {
	tests := []struct {
		name   string
		sw, sh int
		box    image.Point
		want   image.Point
	}{
		{"landscape into wide box", 4000, 3000, image.Pt(1920, 1080), image.Pt(1440, 1080)},
		{"landscape into tall box", 4000, 3000, image.Pt(800, 1280), image.Pt(800, 600)},
		{"portrait", 3000, 4000, image.Pt(1920, 1080), image.Pt(810, 1080)},
		{"same aspect", 3840, 2160, image.Pt(1920, 1080), image.Pt(1920, 1080)},
		{"rounded to nearest", 401, 301, image.Pt(120, 120), image.Pt(120, 90)},         // 90.07
		{"rounded up", 1000, 667, image.Pt(400, 400), image.Pt(400, 267)},               // 266.8
		{"never upscaled", 100, 80, image.Pt(1920, 1080), image.Pt(100, 80)},            // smaller
		{"exact fit untouched", 1920, 1080, image.Pt(1920, 1080), image.Pt(1920, 1080)}, // equal
		{"one side over", 2000, 100, image.Pt(1920, 1080), image.Pt(1920, 96)},
		{"panorama keeps a pixel", 10000, 10, image.Pt(40, 40), image.Pt(40, 1)},
		{"tower keeps a pixel", 10, 10000, image.Pt(40, 40), image.Pt(1, 40)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fit(tt.sw, tt.sh, tt.box); got != tt.want {
				t.Errorf("fit(%d, %d, %v) = %v, want %v", tt.sw, tt.sh, tt.box, got, tt.want)
			}
		})
	}
}

func TestBox(t *testing.T) {
	tests := []struct {
		name string
		w, h int
		want image.Point
	}{
		{"full HD kept", 1920, 1080, image.Pt(1920, 1080)},
		{"a few pixels off rounds to the same", 1913, 1071, image.Pt(1920, 1080)},
		{"one over goes up a step", 1921, 1081, image.Pt(1960, 1120)},
		{"missing means full HD", 0, 0, image.Pt(1920, 1080)},
		{"tiny clamped then rounded", 1, -5, image.Pt(40, 40)},
		{"huge clamped", 100000, 5000, image.Pt(3840, 3840)},
		{"4K kept", 3840, 2160, image.Pt(3840, 2160)},
		{"odd panel", 1366, 768, image.Pt(1400, 800)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := box(tt.w, tt.h); got != tt.want {
				t.Errorf("box(%d, %d) = %v, want %v", tt.w, tt.h, got, tt.want)
			}
		})
	}
}

// Every source pixel's weight must land somewhere, and each destination
// pixel must get exactly n/m source pixels' worth.
func TestSpans(t *testing.T) {
	for _, c := range [][2]int{{4000, 1440}, {3000, 1080}, {7, 3}, {5, 5}, {100, 1}, {401, 120}} {
		n, m := c[0], c[1]
		got := make([]float64, m)
		for _, s := range spans(n, m) {
			got[s.d] += float64(s.w)
			if s.w < 1 {
				got[s.d+1] += float64(1 - s.w)
			}
		}
		for d, g := range got {
			if want := float64(n) / float64(m); g < want-1e-4 || g > want+1e-4 {
				t.Errorf("spans(%d, %d): destination %d gets %.5f, want %.5f", n, m, d, g, want)
			}
		}
	}
}

// Each destination pixel must gather exactly n/m source pixels' worth,
// from the pixels under it.
func TestGathers(t *testing.T) {
	for _, c := range [][2]int{{4000, 1440}, {3000, 1080}, {7, 3}, {5, 5}, {100, 1}, {401, 120}, {3, 2}} {
		n, m := c[0], c[1]
		for d, g := range gathers(n, m) {
			got := float64(g.w0)
			if g.i1 > g.i0 {
				got += float64(g.i1-g.i0-1) + float64(g.w1)
			}
			if want := float64(n) / float64(m); got < want-1e-4 || got > want+1e-4 {
				t.Errorf("gathers(%d, %d)[%d] = %+v sums to %.5f, want %.5f", n, m, d, g, got, want)
			}
			if lo, hi := float64(d)*float64(n)/float64(m), float64(d+1)*float64(n)/float64(m); g.i0 != int(lo) || float64(g.i1) >= hi {
				t.Errorf("gathers(%d, %d)[%d] = %+v, want pixels under [%.2f, %.2f)", n, m, d, g, lo, hi)
			}
		}
	}
}

func TestResample(t *testing.T) {
	t.Run("area mean", func(t *testing.T) {
		// 3×1 → 2×1: pixel 0 is src 0 + half of src 1, pixel 1 the rest.
		src := image.NewGray(image.Rect(0, 0, 3, 1))
		src.Pix = []uint8{0, 100, 200}
		got := resample(src, 2, 1)
		if r0, r1 := got.Pix[0], got.Pix[4]; r0 != 33 || r1 != 167 {
			t.Errorf("resample = %d, %d, want 33, 167", r0, r1)
		}
	})
	t.Run("flat colour stays flat", func(t *testing.T) {
		src := image.NewYCbCr(image.Rect(0, 0, 401, 301), image.YCbCrSubsampleRatio420)
		for i := range src.Y {
			src.Y[i] = 150
		}
		for i := range src.Cb {
			src.Cb[i], src.Cr[i] = 90, 200
		}
		want := color.RGBAModel.Convert(color.YCbCr{150, 90, 200}).(color.RGBA)
		got := resample(src, 120, 90)
		for y := range 90 {
			for x := range 120 {
				if c := got.RGBAAt(x, y); absDiff(c.R, want.R) > 1 || absDiff(c.G, want.G) > 1 || absDiff(c.B, want.B) > 1 || c.A != 255 {
					t.Fatalf("pixel (%d,%d) = %v, want %v", x, y, c, want)
				}
			}
		}
	})
	// The plane-by-plane path for YCbCr must agree with shrinking RGB.
	t.Run("YCbCr planes match RGB", func(t *testing.T) {
		for _, c := range []struct {
			ratio  image.YCbCrSubsampleRatio
			sw, sh int
			dw, dh int
		}{
			{image.YCbCrSubsampleRatio420, 403, 301, 120, 90},
			{image.YCbCrSubsampleRatio422, 400, 300, 160, 120},
			{image.YCbCrSubsampleRatio444, 300, 200, 300, 200}, // no shrink
			{image.YCbCrSubsampleRatio420, 100, 80, 100, 80},   // chroma smaller than output: RGB path
		} {
			src := image.NewYCbCr(image.Rect(0, 0, c.sw, c.sh), c.ratio)
			for y := range c.sh {
				for x := range c.sw {
					src.Y[src.YOffset(x, y)] = uint8(x*255/c.sw/2 + y*255/c.sh/2)
					ci := src.COffset(x, y)
					src.Cb[ci], src.Cr[ci] = uint8(100+x*50/c.sw), uint8(160-y*50/c.sh)
				}
			}
			rgb := image.NewRGBA(src.Rect)
			for y := range c.sh {
				for x := range c.sw {
					rgb.Set(x, y, src.At(x, y))
				}
			}
			got, want := resample(src, c.dw, c.dh), resample(rgb, c.dw, c.dh)
			worst := uint8(0)
			for i := range got.Pix {
				worst = max(worst, absDiff(got.Pix[i], want.Pix[i]))
			}
			if worst > 3 {
				t.Errorf("%v %dx%d→%dx%d: differs from RGB by up to %d", c.ratio, c.sw, c.sh, c.dw, c.dh, worst)
			}
		}
	})
	t.Run("alpha onto black", func(t *testing.T) {
		src := image.NewNRGBA(image.Rect(0, 0, 2, 1))
		copy(src.Pix, []uint8{255, 255, 255, 0, 255, 255, 255, 128})
		got := resample(src, 2, 1)
		if got.Pix[0] != 0 || got.Pix[4] != 128 || got.Pix[3] != 255 {
			t.Errorf("resample = %v, want transparent black and half white, opaque", got.Pix)
		}
	})
	t.Run("sub-image offset", func(t *testing.T) {
		full := image.NewRGBA(image.Rect(0, 0, 4, 4))
		full.SetRGBA(2, 2, red)
		sub := full.SubImage(image.Rect(2, 2, 4, 4))
		got := resample(sub, 2, 2)
		if c := got.RGBAAt(0, 0); c != red {
			t.Errorf("top left = %v, want red", c)
		}
	})
}

func absDiff(a, b uint8) uint8 {
	if a > b {
		return a - b
	}
	return b - a
}
