package main

// The phone pushes and the Telegram bot, end to end on the real binary
// against a fake Bot API: killed with SIGKILL while it pushes, it sends
// each reminder once per chat, and the family chat runs the wall.

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"kiosk/kiosk/telegram/telegramtest"
)

const pushToken = "424242:CCpush-test-token-not-real"

// pushConfig is reliabilityConfig with pushes to two chats.
func pushConfig(t *testing.T, dir, endpoint string) string {
	t.Helper()
	cfg := reliabilityConfig(t, dir, 40)
	if err := os.WriteFile(filepath.Join(dir, "telegram-token"), []byte(pushToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fmt.Fprintf(f, "push:\n  telegram:\n    token_file: %q\n    chats: [1, -2]\n    endpoint: %q\n",
		filepath.Join(dir, "telegram-token"), endpoint)
	return cfg
}

// TestPushSIGKILL kills the server 15 times at random moments while the
// reminder job queues reminders and the outbox pushes them, and checks
// that every reminder on the wall reached each chat exactly once. The one
// allowed exception is documented: a send in flight at the kill (the Bot
// API took it, the mark "sent" was not yet written) goes again.
func TestPushSIGKILL(t *testing.T) {
	bin := build(t, "linux", runtimeArch(), "")
	api := telegramtest.New(t, pushToken)
	dir := t.TempDir()
	cfg := pushConfig(t, dir, api.URL)
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0))
	t.Logf("seed %d", seed)

	var kills []time.Time
	const rounds = 15
	for round := range rounds {
		p := spawn(t, dir, bin, nil, "-config", cfg, "-data", "data")
		if err := p.up(20 * time.Second); err != nil {
			t.Fatalf("round %d: %v\n%s", round, err, p.log())
		}
		time.Sleep(time.Duration(200+rng.IntN(800)) * time.Millisecond)
		kills = append(kills, time.Now())
		p.cmd.Process.Signal(syscall.SIGKILL)
		p.exited(10 * time.Second)
	}

	p := spawn(t, dir, bin, nil, "-config", cfg, "-data", "data")
	if err := p.up(20 * time.Second); err != nil {
		t.Fatalf("last start: %v\n%s", err, p.log())
	}
	// The family chat runs the wall; a stranger does nothing.
	api.Message(1, 999, "/msg 낯선 사람")
	api.Message(2, -2, "/msg 저녁 먹자")

	var wall []listed
	deadline := time.Now().Add(30 * time.Second)
	for {
		var err error
		if wall, err = notifications(p.addr); err != nil {
			t.Fatal(err)
		}
		if done := pushed(wall, api.Sent()); done || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}

	reminders := 0
	for _, n := range wall {
		if strings.Contains(n.Message, "낯선 사람") {
			t.Errorf("a stranger's /msg reached the wall: %+v", n)
		}
		if n.Kind != "event" {
			continue
		}
		reminders++
		for _, chat := range []int64{1, -2} {
			var at []time.Time
			for _, m := range api.Sent() {
				if m.Chat == chat && m.Text == n.Message {
					at = append(at, m.At)
				}
			}
			switch {
			case len(at) == 0:
				t.Errorf("reminder %q never reached chat %d", n.Message, chat)
			case len(at) == 2 && inFlight(at[0], kills):
				t.Logf("reminder %q went twice to chat %d: in flight at a kill (documented)", n.Message, chat)
			case len(at) > 1:
				t.Errorf("reminder %q reached chat %d %d times (%v; kills %v)", n.Message, chat, len(at), at, kills)
			}
		}
	}
	if reminders == 0 {
		t.Fatalf("no reminder was queued: the test did nothing\n%s", p.log())
	}
	if !slicesContainsMessage(wall, "저녁 먹자") {
		t.Errorf("/msg from the family chat is not on the wall: %+v", wall)
	}

	// One more restart: the command is not done again, nothing is resent.
	before := len(api.Sent())
	if err := p.term(t); err != nil {
		t.Errorf("exit after SIGTERM: %v", err)
	}
	p = spawn(t, dir, bin, nil, "-config", cfg, "-data", "data")
	if err := p.up(20 * time.Second); err != nil {
		t.Fatalf("restart: %v\n%s", err, p.log())
	}
	time.Sleep(2 * time.Second)
	if after := api.Sent(); len(after) != before {
		t.Errorf("a clean restart sent %d more messages: %+v", len(after)-before, after[before:])
	}
	for _, page := range []string{"/status", "/api/status"} {
		res, err := http.Get("http://" + p.addr + page)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if strings.Contains(string(b), pushToken) || strings.Contains(string(b), "CCpush") {
			t.Errorf("%s shows the bot token", page)
		}
		if page == "/api/status" && !strings.Contains(string(b), `"name":"Telegram 2"`) {
			t.Errorf("/api/status has no push channels: %s", b)
		}
	}
	if err := p.term(t); err != nil {
		t.Errorf("exit after SIGTERM: %v", err)
	}
	if log := p.log(); strings.Contains(log, pushToken) || strings.Contains(log, "CCpush") {
		t.Errorf("the token is in the log")
	} else if strings.Contains(log, "panic") {
		t.Errorf("a panic in the log:\n%s", log)
	}
	t.Logf("%d kills, %d reminders, %d messages sent", rounds, reminders, len(api.Sent()))
}

// pushed reports whether every reminder on the wall reached both chats and
// the family's /msg is on the wall.
func pushed(wall []listed, sent []telegramtest.Sent) bool {
	got := map[string]int{}
	for _, m := range sent {
		got[fmt.Sprint(m.Chat, m.Text)]++
	}
	for _, n := range wall {
		if n.Kind == "event" && (got[fmt.Sprint(1, n.Message)] == 0 || got[fmt.Sprint(-2, n.Message)] == 0) {
			return false
		}
	}
	return slicesContainsMessage(wall, "저녁 먹자")
}

func slicesContainsMessage(wall []listed, msg string) bool {
	for _, n := range wall {
		if n.Message == msg {
			return true
		}
	}
	return false
}

// inFlight reports whether a send that arrived at t may have been cut off
// by a kill before its mark was written.
func inFlight(t time.Time, kills []time.Time) bool {
	for _, k := range kills {
		if d := k.Sub(t); d >= 0 && d < 500*time.Millisecond {
			return true
		}
	}
	return false
}
