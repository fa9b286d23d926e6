package source

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		v      string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"120", 2 * time.Minute, true},
		{" 5 ", 5 * time.Second, true},
		{"-3", 0, true},
		{"999999999", 24 * time.Hour, true},
		{"Sun, 22 Nov 2026 09:30:00 GMT", 30 * time.Minute, true},
		{"Sun, 22 Nov 2026 08:00:00 GMT", 0, true},
		{"soon", 0, false},
	}
	for _, tc := range tests {
		if got, ok := ParseRetryAfter(tc.v, now); got != tc.want || ok != tc.wantOK {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tc.v, got, ok, tc.want, tc.wantOK)
		}
	}
}

func TestLimitReader(t *testing.T) {
	for _, tc := range []struct {
		size    int
		wantErr bool
	}{{99, false}, {100, false}, {101, true}, {5000, true}} {
		lr := LimitReader(strings.NewReader(strings.Repeat("x", tc.size)), 100)
		b, err := io.ReadAll(lr)
		if tc.wantErr {
			if !errors.Is(err, ErrTooLarge) || !lr.Exceeded() || len(b) > 100 {
				t.Errorf("size %d: err %v, read %d, exceeded %v", tc.size, err, len(b), lr.Exceeded())
			}
			continue
		}
		if err != nil || len(b) != tc.size || lr.Exceeded() {
			t.Errorf("size %d: err %v, read %d", tc.size, err, len(b))
		}
	}
	if got := (TooLargeError{5 << 20}).Error(); got != "feed larger than 5 MiB" {
		t.Errorf("message %q", got)
	}
	if got := (TooLargeError{1000}).Error(); got != "feed larger than 1000 bytes" {
		t.Errorf("message %q", got)
	}
}
