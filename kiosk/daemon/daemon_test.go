package daemon

import (
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestStepWatcher(t *testing.T) {
	wall := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	var mono time.Duration
	var seen []Step
	w := NewStepWatcher(func() time.Time { return wall }, func() time.Duration { return mono },
		5*time.Second, func(s Step) { seen = append(seen, s) })
	tests := []struct {
		name     string
		elapsed  time.Duration // monotonic
		shift    time.Duration // extra wall movement
		wantStep bool
	}{
		{"a normal minute", time.Minute, 0, false},
		{"jitter under the threshold", time.Minute, 2 * time.Second, false},
		{"NTP steps forward two hours", 10 * time.Second, 2 * time.Hour, true},
		{"a normal minute after", time.Minute, 0, false},
		{"stepped back an hour", 10 * time.Second, -time.Hour, true},
		{"suspend: both clocks move", 3 * time.Hour, 0, false},
	}
	for _, tc := range tests {
		mono += tc.elapsed
		wall = wall.Add(tc.elapsed + tc.shift)
		s, ok := w.Check()
		if ok != tc.wantStep {
			t.Fatalf("%s: step %v, want %v", tc.name, ok, tc.wantStep)
		}
		if ok && (s.Size != tc.shift || !s.At.Equal(wall)) {
			t.Errorf("%s: step %+v, want size %v at %v", tc.name, s, tc.shift, wall)
		}
	}
	if len(seen) != 2 || w.Last() == nil || w.Last().Size != -time.Hour {
		t.Errorf("callbacks %v, last %v", seen, w.Last())
	}
}

func TestStepWatcherRealClocks(t *testing.T) {
	n := 0
	w := NewStepWatcher(time.Now, Monotonic(), time.Second, func(Step) { n++ })
	time.Sleep(20 * time.Millisecond)
	if _, ok := w.Check(); ok || n != 0 {
		t.Fatal("step reported without a clock change")
	}
}

func TestWatchdogPingsOnlyWhenHealthy(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	t.Setenv("NOTIFY_SOCKET", sock)
	t.Setenv("WATCHDOG_USEC", "100000") // 100 ms: pings every 50 ms
	t.Setenv("WATCHDOG_PID", "")
	healthy := make(chan error, 1)
	healthy <- nil
	var state error
	check := func() error {
		select {
		case state = <-healthy:
		default:
		}
		return state
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go Watchdog(ctx, slog.New(slog.DiscardHandler), check)

	buf := make([]byte, 64)
	conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	n, err := conn.Read(buf)
	if err != nil || string(buf[:n]) != "WATCHDOG=1" {
		t.Fatalf("healthy: got %q, %v; want WATCHDOG=1", buf[:n], err)
	}
	healthy <- os.ErrDeadlineExceeded // unhealthy from now on
	time.Sleep(120 * time.Millisecond)
	for { // drain pings sent before the change was seen
		conn.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
		if _, err := conn.Read(buf); err != nil {
			break
		}
	}
	conn.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if n, err := conn.Read(buf); err == nil {
		t.Fatalf("unhealthy: still pinging (%q)", buf[:n])
	}

	Ready()
	conn.SetReadDeadline(time.Now().Add(time.Second))
	for {
		n, err = conn.Read(buf)
		if err != nil || strings.HasPrefix(string(buf[:n]), "READY=1") {
			break
		}
	}
	if err != nil {
		t.Fatalf("Ready not sent: %v", err)
	}
}
