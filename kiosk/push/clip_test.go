package push

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClipBytes(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"fits", "밤사이 알림", 16, "밤사이 알림"},
		{"ascii", "abcdefgh", 6, "abc…"},
		// Each Hangul letter is 3 bytes, as is the ellipsis.
		{"hangul", "가나다라", 9, "가나…"},
		{"hangul not split", "가나다라", 10, "가나…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := clipBytes(tt.in, tt.max)
			if got != tt.want || len(got) > tt.max || !utf8.ValidString(got) {
				t.Errorf("clipBytes(%q, %d) = %q (%d bytes), want %q", tt.in, tt.max, got, len(got), tt.want)
			}
		})
	}
	long := strings.Repeat("알림", 2000)
	if got := clipBytes(long, ntfyMax); len(got) > ntfyMax || len(got) < ntfyMax-5 || !utf8.ValidString(got) {
		t.Errorf("a %d-byte digest became %d bytes (valid UTF-8: %v), want just under %d", len(long), len(got), utf8.ValidString(got), ntfyMax)
	}
}
