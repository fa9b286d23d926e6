package clock

import (
	"testing"
	"time"
)

func TestFake(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	c := New(t0)
	c.Add(time.Minute)
	c.Step(-time.Hour)
	if !c.Now().Equal(t0.Add(time.Minute-time.Hour)) || c.Elapsed() != time.Minute {
		t.Errorf("now %v elapsed %v", c.Now(), c.Elapsed())
	}
	c.Set(t0)
	if !c.Now().Equal(t0) || c.Elapsed() != time.Minute {
		t.Errorf("after Set: now %v elapsed %v", c.Now(), c.Elapsed())
	}
}

func TestStepped(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	c := NewStepped(t0)
	fired := c.After(time.Minute)
	c.Step(-time.Hour)
	c.Advance(time.Minute)
	select {
	case <-fired:
	default:
		t.Fatal("a timer did not fire after a minute of monotonic time across a step")
	}
	if !c.Now().Equal(t0.Add(time.Minute-time.Hour)) || c.Elapsed() != time.Minute {
		t.Errorf("now %v elapsed %v", c.Now(), c.Elapsed())
	}
}
