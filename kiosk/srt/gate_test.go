package srt

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestGateBlocks(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	var g Gate
	// Each consecutive block waits twice as long, up to a day.
	for i, want := range []time.Duration{1, 2, 4, 8, 16, 24, 24} {
		want *= time.Hour
		if err := g.Allow(now, "fp"); err != nil {
			t.Fatalf("block %d: not allowed at its end: %v", i, err)
		}
		err := g.Record(now, "fp", &BlockedError{After: MinBlock})
		var b *BlockedError
		if !errors.As(err, &b) || b.RetryAfter() != want || !b.Until.Equal(now.Add(want)) {
			t.Fatalf("block %d: got %v, want a wait of %v", i, err, want)
		}
		err = g.Allow(now.Add(want-time.Second), "other credentials too")
		if !errors.As(err, &b) || b.RetryAfter() != time.Second {
			t.Fatalf("block %d: a second before its end: %v", i, err)
		}
		now = now.Add(want)
	}
	g.Record(now, "fp", errors.New("HTTP 503")) // other failures change nothing
	if g.Blocks != 7 {
		t.Errorf("an unrelated failure reset the count: %+v", g)
	}
	if g.Record(now, "fp", nil); g != (Gate{}) {
		t.Errorf("success did not reset: %+v", g)
	}

	g.Record(now, "fp", ErrBlocked) // the bare sentinel counts too
	if err := g.Allow(now.Add(-48*time.Hour), "fp"); err != nil {
		t.Errorf("clock stepped back two days: still blocked: %v", err)
	}
}

func TestGateCredentials(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	old, fixed := Fingerprint("old", "010-0000-0000", "auto"), Fingerprint("new", "010-0000-0000", "auto")
	var g Gate
	err := g.Record(now, old, &CredentialsError{Reason: "wrong password"})
	if !errors.Is(err, ErrCredentials) {
		t.Fatalf("Record changed the error: %v", err)
	}
	b, _ := json.Marshal(g) // as the store keeps it, across a restart
	var restored Gate
	if err := json.Unmarshal(b, &restored); err != nil {
		t.Fatal(err)
	}
	err = restored.Allow(now.Add(365*24*time.Hour), old)
	var ce *CredentialsError
	if !errors.As(err, &ce) || ce.Reason != "wrong password" {
		t.Errorf("a year later, same credentials: %v", err)
	}
	if err := restored.Allow(now, fixed); err != nil {
		t.Errorf("new password: %v", err)
	}
	if restored.Record(now, fixed, nil); restored.Refused != "" {
		t.Errorf("success kept the refusal: %+v", restored)
	}
}

func TestFingerprint(t *testing.T) {
	base := Fingerprint("010-0000-0000", "auto", "pa55-word")
	if base != Fingerprint("010-0000-0000", "auto", "pa55-word") {
		t.Error("not deterministic")
	}
	for _, other := range []string{
		Fingerprint("010-0000-0001", "auto", "pa55-word"),
		Fingerprint("010-0000-0000", "phone", "pa55-word"),
		Fingerprint("010-0000-0000", "auto", "pa55-worD"),
	} {
		if other == base {
			t.Error("different credentials, same fingerprint")
		}
	}
	if strings.Contains(base, "pa55") || len(base) != 32 {
		t.Errorf("fingerprint %q", base)
	}
}
