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
