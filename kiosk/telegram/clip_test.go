package telegram

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf16"
)

func TestClipUTF16(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"fits", "저녁 먹자", 5, "저녁 먹자"},
		{"exactly", "abcd", 4, "abcd"},
		{"cut", "abcdef", 4, "abc…"},
		{"hangul", "가나다라마", 3, "가나…"},
		// 😀 is two UTF-16 units: "a😀" is 3, so nothing past it fits an ellipsis.
		{"emoji not split", "a😀😀", 4, "a😀…"},
		{"emoji backs off", "a😀b", 3, "a…"},
		{"no room", "😀😀", 1, "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := clipUTF16(tt.in, tt.max)
			if got != tt.want {
				t.Errorf("clipUTF16(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
			if n := len(utf16.Encode([]rune(got))); n > tt.max {
				t.Errorf("%q is %d UTF-16 units, over %d", got, n, tt.max)
			}
		})
	}
}

// TestSendMessageClips sends a digest of 3,000 emoji (6,000 UTF-16 units)
// and checks that what reaches the Bot API is within its limit.
func TestSendMessageClips(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct {
			Text string `json:"text"`
		}
		json.NewDecoder(r.Body).Decode(&m)
		got = m.Text
		w.Write([]byte(`{"ok":true,"result":{"message_id":1}}`))
	}))
	defer srv.Close()
	c := NewClient(srv.URL, "1:x", srv.Client())
	if err := c.SendMessage(context.Background(), 1, strings.Repeat("🎂", 3000)); err != nil {
		t.Fatal(err)
	}
	if n := len(utf16.Encode([]rune(got))); n > MaxText || n < MaxText-2 || !strings.HasSuffix(got, "🎂…") {
		t.Errorf("sent %d UTF-16 units ending %q, want at most %d ending with an ellipsis", n, got[max(0, len(got)-12):], MaxText)
	}
}
