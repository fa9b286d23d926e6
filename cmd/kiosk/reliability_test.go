package main

// Reliability tests of the real binary: killed with SIGKILL while it
// writes, and run on a data dir that is read-only, full or in use.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const crashToken = "crash-test-token-not-secret"

// remindCalendar is an ICS feed of n events whose 10-minute reminders
// fall from a minute ago on, 5 s apart: each start of the server has
// reminders to queue (the current minute's) or to find queued.
func remindCalendar(now time.Time, n int) string {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//kiosk reliability//EN\r\n")
	for i := range n {
		start := now.Add(9*time.Minute + time.Duration(i)*5*time.Second).UTC()
		fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:r%d@example.test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:%s\r\nDURATION:PT30M\r\n"+
			"SUMMARY:Reminder %d\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT10M\r\nEND:VALARM\r\nEND:VEVENT\r\n",
			i, start.Format("20060102T150405Z"), i)
	}
	b.WriteString("END:VCALENDAR\r\n")
	return b.String()
}

// reliabilityConfig writes a calendar and a config naming it into dir.
func reliabilityConfig(t *testing.T, dir string, events int) string {
	t.Helper()
	ics := filepath.Join(dir, "home.ics")
	if err := os.WriteFile(ics, []byte(remindCalendar(time.Now(), events)), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "kiosk.yaml")
	yaml := fmt.Sprintf("timezone: Asia/Seoul\nadmin_token: %q\nreminders: {expire_minutes: 60}\n"+
		"calendars:\n  - name: Home\n    ics: {file: %q}\n", crashToken, ics)
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// proc is one run of the binary; logs go to dir/server.log.
type proc struct {
	cmd  *exec.Cmd
	addr string
	dir  string
	done chan struct{} // closed when it exited; err is then set
	err  error
}

// spawn starts bin on a free address with args after -addr; setup, if not
// nil, adjusts the command first. The test's clean-up kills it.
func spawn(t *testing.T, dir, bin string, setup func(*exec.Cmd), args ...string) *proc {
	t.Helper()
	p := &proc{addr: freeAddr(t), dir: dir, done: make(chan struct{})}
	p.cmd = exec.Command(bin, append([]string{"-addr", p.addr}, args...)...)
	p.cmd.Dir = dir
	logs, err := os.OpenFile(filepath.Join(dir, "server.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer logs.Close()
	p.cmd.Stdout, p.cmd.Stderr = logs, logs
	p.cmd.Env = append(os.Environ(), "NOTIFY_SOCKET=", "WATCHDOG_USEC=")
	if setup != nil {
		setup(p.cmd)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.cmd.Process.Kill(); <-p.done })
	return p
}

// up waits until /healthz answers (nil) or the process exits.
func (p *proc) up(limit time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return fmt.Errorf("exited: %v", p.err)
		default:
		}
		if res, err := client.Get("http://" + p.addr + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	return errors.New("no /healthz in time")
}

// exited reports whether the process has ended, waiting up to d for it.
func (p *proc) exited(d time.Duration) bool {
	select {
	case <-p.done:
		return true
	case <-time.After(d):
		return false
	}
}

// term stops the process with SIGTERM and returns its exit error.
func (p *proc) term(t *testing.T) error {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	if !p.exited(30 * time.Second) {
		t.Fatal("no exit within 30 s of SIGTERM")
	}
	return p.err
}

func (p *proc) log() string {
	b, _ := os.ReadFile(filepath.Join(p.dir, "server.log"))
	return string(b)
}

type listed struct {
	ID      string `json:"id"`
	Message string `json:"message"`
	Kind    string `json:"kind"`
	Created int64  `json:"created"`
	Expire  int64  `json:"expire"`
}

func notifications(addr string) ([]listed, error) {
	res, err := (&http.Client{Timeout: 5 * time.Second}).Get("http://" + addr + "/api/notifications")
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var l []listed
	return l, json.NewDecoder(res.Body).Decode(&l)
}

func post(client *http.Client, addr, path, body string) (*http.Response, []byte, error) {
	req, _ := http.NewRequest("POST", "http://"+addr+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+crashToken)
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	return res, b, err
}

// TestCrashSIGKILL kills the server with SIGKILL 50 times at random
// moments while it queues notifications (POST, each acknowledged with a
// 201 only after the store synced) and refetches its calendar (POST
// /api/refresh), and restarts it each time. After every restart: the
// store opened (nothing moved aside), every acknowledged notification is
// listed with its message, no ID is listed twice, and each reminder the
// job queued is still there with its first creation time: it was neither
// lost nor queued again.
func TestCrashSIGKILL(t *testing.T) {
	bin := build(t, "linux", runtimeArch(), "")
	dir := t.TempDir()
	cfg := reliabilityConfig(t, dir, 30)
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0))
	t.Logf("seed %d", seed)

	acked := map[string]string{}    // ID → message, for every 201
	reminders := map[string]int64{} // ID → Created, for every reminder seen
	check := func(round int, addr string) {
		t.Helper()
		list, err := notifications(addr)
		if err != nil {
			t.Fatalf("round %d: GET /api/notifications: %v", round, err)
		}
		seen := map[string]listed{}
		for _, n := range list {
			if _, dup := seen[n.ID]; dup {
				t.Fatalf("round %d: %s listed twice", round, n.ID)
			}
			seen[n.ID] = n
		}
		for id, msg := range acked {
			if n, ok := seen[id]; !ok || n.Message != msg {
				t.Fatalf("round %d: acknowledged %s (%q) lost: %+v", round, id, msg, n)
			}
		}
		for id, created := range reminders {
			if n, ok := seen[id]; !ok || n.Created != created {
				t.Fatalf("round %d: reminder %s (created %d) lost or queued again: %+v", round, id, created, n)
			}
		}
		for _, n := range list {
			if n.Kind == "event" {
				reminders[n.ID] = n.Created
			}
		}
	}

	const rounds = 50
	for round := range rounds {
		p := spawn(t, dir, bin, nil, "-config", cfg, "-data", "data")
		if err := p.up(20 * time.Second); err != nil {
			t.Fatalf("round %d: %v\n%s", round, err, p.log())
		}
		check(round, p.addr)

		// Writers until the kill: queued notifications and refreshes.
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			stop = make(chan struct{})
		)
		client := &http.Client{Timeout: 2 * time.Second}
		wg.Go(func() {
			for j := 0; ; j++ {
				select {
				case <-stop:
					return
				default:
				}
				msg := fmt.Sprintf("round %d message %d", round, j)
				res, b, err := post(client, p.addr, "/api/notifications", fmt.Sprintf(`{"message":%q,"expire_seconds":3600}`, msg))
				if err != nil {
					continue // killed mid-request: not acknowledged
				}
				if res.StatusCode == 201 {
					var n listed
					if err := json.Unmarshal(b, &n); err != nil || n.ID == "" {
						t.Errorf("round %d: 201 with %q", round, b)
						continue
					}
					mu.Lock()
					acked[n.ID] = msg
					mu.Unlock()
				}
			}
		})
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(10 * time.Millisecond):
				}
				post(client, p.addr, "/api/refresh", "")
			}
		})
		time.Sleep(time.Duration(rng.IntN(250)) * time.Millisecond)
		p.cmd.Process.Signal(syscall.SIGKILL)
		p.exited(10 * time.Second)
		close(stop)
		wg.Wait()
	}

	// A last start must find everything and stop cleanly.
	p := spawn(t, dir, bin, nil, "-config", cfg, "-data", "data")
	if err := p.up(20 * time.Second); err != nil {
		t.Fatalf("last start: %v\n%s", err, p.log())
	}
	check(rounds, p.addr)
	if err := p.term(t); err != nil {
		t.Errorf("exit after SIGTERM: %v", err)
	}
	if matches, _ := filepath.Glob(filepath.Join(dir, "data.corrupt-*")); len(matches) > 0 {
		t.Errorf("the store was moved aside after a kill: %v", matches)
	}
	if log := p.log(); strings.Contains(log, "panic") || strings.Contains(log, "moved aside") {
		t.Errorf("a panic or a recovery in the log:\n%s", log)
	}
	if len(acked) < rounds || len(reminders) == 0 {
		t.Errorf("the test did too little: %d acknowledged notifications, %d reminders", len(acked), len(reminders))
	}
	t.Logf("%d kills: %d acknowledged notifications and %d reminders kept", rounds, len(acked), len(reminders))
}

// statusWarnings reads /api/status's warnings.
func statusWarnings(addr string) ([]string, error) {
	res, err := (&http.Client{Timeout: 5 * time.Second}).Get("http://" + addr + "/api/status")
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var st struct {
		Warnings []string `json:"warnings"`
	}
	return st.Warnings, json.NewDecoder(res.Body).Decode(&st)
}

// checkNotSavedShown: with the store in memory the status page's headline
// says the data dir cannot be written, with the chown fix, and the
// dashboard shows its not-saved mark.
func checkNotSavedShown(t *testing.T, addr, data string) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	page := func(path string) string {
		res, err := client.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	status := page("/status")
	head := status[strings.Index(status, `class="card headline`):]
	head = head[:strings.Index(head, "</section>")]
	for _, want := range []string{"headline bad", "데이터 폴더에 쓸 수 없어", "sudo chown -R nobody " + data, "StateDirectory=kiosk"} {
		if !strings.Contains(head, want) && !(want == "sudo chown -R nobody "+data && os.Getuid() != 0) {
			t.Errorf("status headline lacks %q:\n%s", want, head)
		}
	}
	if !strings.Contains(page("/"), `class="badge not-saved"`) {
		t.Error("the dashboard does not mark that what it shows is not saved")
	}
}

// eventCount is the number of events /api/dashboard lists.
func eventCount(addr string) int {
	var d struct {
		Events []json.RawMessage `json:"events"`
	}
	res, err := (&http.Client{Timeout: 5 * time.Second}).Get("http://" + addr + "/api/dashboard")
	if err != nil {
		return -1
	}
	defer res.Body.Close()
	json.NewDecoder(res.Body).Decode(&d)
	return len(d.Events)
}

// nobody makes cmd run as an unprivileged user when the test runs as root,
// for whom permissions would not apply; dirs are handed to that user.
func nobody(t *testing.T, cmd *exec.Cmd, dirs ...string) {
	t.Helper()
	if os.Getuid() != 0 {
		return
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	for _, d := range dirs {
		if err := os.Chown(d, 65534, 65534); err != nil {
			t.Fatal(err)
		}
	}
}

// openDir is a directory every user can enter, holding a copy of the
// binary, the calendar and the config (t.TempDir is 0700).
func openDir(t *testing.T, bin string) (dir, exe, cfg string) {
	t.Helper()
	dir, err := os.MkdirTemp("", "kiosk-reliability-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755); os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	exe = filepath.Join(dir, "kiosk")
	if err := os.WriteFile(exe, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, exe, reliabilityConfig(t, dir, 5)
}

// TestReadOnlyDataDir runs the server on a data dir it cannot write:
// it must still serve (from memory) and say so on the status page, and a
// store it cannot write is not corrupt: it must not be moved aside.
func TestReadOnlyDataDir(t *testing.T) {
	bin := build(t, "linux", runtimeArch(), "")

	t.Run("empty, parent read-only too", func(t *testing.T) {
		dir, exe, cfg := openDir(t, bin)
		ro := filepath.Join(dir, "ro")
		data := filepath.Join(ro, "data")
		if err := os.MkdirAll(data, 0o755); err != nil {
			t.Fatal(err)
		}
		p := spawn(t, dir, exe, func(cmd *exec.Cmd) {
			nobody(t, cmd, ro, data)
			os.Chmod(data, 0o555)
			os.Chmod(ro, 0o555) // like a read-only mount: nothing can be renamed either
		}, "-config", cfg, "-data", data)
		err := p.up(20 * time.Second)
		log := p.log()
		if strings.Contains(log, "panic") {
			t.Fatalf("panic:\n%s", log)
		}
		if err != nil {
			if !strings.Contains(log, data) {
				t.Errorf("the exit message does not name the data dir:\n%s", log)
			}
			t.Fatalf("on a read-only data dir the server exits (%v) instead of serving from memory: %s", err, lastLines(log, 1))
		}
		for deadline := time.Now().Add(10 * time.Second); eventCount(p.addr) < 1 && time.Now().Before(deadline); {
			time.Sleep(20 * time.Millisecond) // the first refresh runs after start-up
		}
		if n := eventCount(p.addr); n < 1 {
			t.Error("serving, but no events")
		}
		warnings, err := statusWarnings(p.addr)
		if err != nil || !strings.Contains(strings.Join(warnings, " "), data) {
			t.Errorf("status warnings %q (%v) do not name the read-only data dir", warnings, err)
		}
		checkNotSavedShown(t, p.addr, data)
	})

	t.Run("filled store, made read-only", func(t *testing.T) {
		dir, exe, cfg := openDir(t, bin)
		state := filepath.Join(dir, "state") // the user's own, as ./data of a manual start is
		data := filepath.Join(state, "data")
		if err := os.MkdirAll(data, 0o700); err != nil {
			t.Fatal(err)
		}
		// A first run as the service user fills the store.
		p := spawn(t, dir, exe, func(cmd *exec.Cmd) { nobody(t, cmd, state, data) }, "-config", cfg, "-data", data)
		if err := p.up(20 * time.Second); err != nil {
			t.Fatalf("%v\n%s", err, p.log())
		}
		for deadline := time.Now().Add(10 * time.Second); eventCount(p.addr) < 5 && time.Now().Before(deadline); {
			time.Sleep(20 * time.Millisecond)
		}
		if err := p.term(t); err != nil {
			t.Fatalf("first run: %v", err)
		}
		// Then the dir turns read-only; its parent stays writable.
		if err := os.Chmod(data, 0o500); err != nil {
			t.Fatal(err)
		}
		p = spawn(t, dir, exe, func(cmd *exec.Cmd) { nobody(t, cmd) }, "-config", cfg, "-data", data)
		err := p.up(20 * time.Second)
		log := p.log()
		if strings.Contains(log, "panic") {
			t.Fatalf("panic:\n%s", log)
		}
		if err != nil {
			t.Fatalf("a read-only store stopped the server: %v\n%s", err, log)
		}
		if aside, _ := filepath.Glob(data + ".corrupt-*"); len(aside) > 0 {
			t.Fatalf("a store the server may not write is taken for corrupt and moved aside to %s, so its data is gone from the next run: %s",
				aside[0], faultLine(log))
		}
		if n := eventCount(p.addr); n < 5 {
			t.Errorf("%d events served, want the 5 of the read-only store", n)
		}
		warnings, err := statusWarnings(p.addr)
		if err != nil || !strings.Contains(strings.Join(warnings, " "), data) {
			t.Errorf("status warnings %q (%v) do not name the read-only data dir", warnings, err)
		}
		checkNotSavedShown(t, p.addr, data)
	})
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// TestDiskFull runs the server with its data dir on a 1 MiB tmpfs and
// queues notifications until the disk is full: the server must keep
// serving what it has, refuse further writes with an error or keep them in
// memory (it does when the disk is nearly full at start), say so on the
// status page, and start again on the full disk. It needs root (mount).
func TestDiskFull(t *testing.T) {
	bin := build(t, "linux", runtimeArch(), "")
	dir := t.TempDir()
	cfg := reliabilityConfig(t, dir, 5)
	data := filepath.Join(dir, "full")
	if err := os.Mkdir(data, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", data, "tmpfs", 0, "size=1m"); err != nil {
		t.Skipf("cannot mount a tmpfs to fill (needs root): %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(data, 0); err != nil {
			t.Errorf("unmount %s: %v", data, err)
		}
	})
	store := filepath.Join(data, "store")
	p := spawn(t, dir, bin, nil, "-config", cfg, "-data", store)
	if err := p.up(20 * time.Second); err != nil {
		t.Fatalf("%v\n%s", err, p.log())
	}
	for deadline := time.Now().Add(10 * time.Second); eventCount(p.addr) < 5 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}

	client := &http.Client{Timeout: 5 * time.Second}
	big := strings.Repeat("가", 1900)
	refused := 0
	for i := range 400 {
		res, body, err := post(client, p.addr, "/api/notifications", fmt.Sprintf(`{"message":"%s %d","expire_seconds":3600}`, big, i))
		if err != nil {
			if p.exited(2 * time.Second) {
				t.Fatalf("the disk filled after %d notifications and the server died (%v): %s", i, p.err, faultLine(p.log()))
			}
			t.Fatalf("POST %d: %v", i, err)
		}
		if res.StatusCode != 201 {
			if res.StatusCode < 500 || !strings.Contains(string(body), `"error"`) {
				t.Fatalf("POST on a full disk = %d %s, want a 5xx JSON error", res.StatusCode, body)
			}
			if refused++; refused == 3 {
				break
			}
		}
	}
	warnings, werr := statusWarnings(p.addr)
	inMemory := strings.Contains(strings.Join(warnings, " "), "memory")
	if refused == 0 && !inMemory {
		t.Fatalf("400 notifications of 6 KB fit in 1 MiB, and the status does not say the store is in memory: %q %v", warnings, werr)
	}
	if n := eventCount(p.addr); n < 5 {
		t.Errorf("on a full disk the dashboard lists %d events, want 5", n)
	}
	if warnings, err := statusWarnings(p.addr); err != nil || len(warnings) == 0 {
		t.Errorf("the status page does not warn of the full disk: %q %v", warnings, err)
	}

	// And it starts again on the full disk.
	p = spawn(t, dir, bin, nil, "-config", cfg, "-data", store)
	if err := p.up(20 * time.Second); err != nil {
		t.Fatalf("on a full disk the server does not start (%v): %s", err, faultLine(p.log()))
	}
	// Nothing was kept on the full disk: the events come from a refetch.
	for deadline := time.Now().Add(10 * time.Second); eventCount(p.addr) < 5 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if n := eventCount(p.addr); n < 5 {
		t.Errorf("restarted on a full disk, the dashboard lists %d events", n)
	}
}

// faultLine picks the fatal lines and the first badger frames of a crash,
// or the last lines of the log.
func faultLine(log string) string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "SIGBUS") || strings.Contains(l, "fatal error") || strings.Contains(l, "level=ERROR") ||
			(strings.Contains(l, "badger/v4.") && len(out) < 4) {
			out = append(out, strings.TrimSpace(l))
		}
		if len(out) >= 4 {
			break
		}
	}
	if len(out) == 0 {
		return lastLines(log, 3)
	}
	return strings.Join(out, " | ")
}

// TestSecondInstance starts a second server on the data dir of a running
// one (a manual `kiosk` while the service runs): the store is locked, not
// corrupt, so the second must stop with a clear error and leave the first
// one's store where it is.
func TestSecondInstance(t *testing.T) {
	bin := build(t, "linux", runtimeArch(), "")
	dir := t.TempDir()
	cfg := reliabilityConfig(t, dir, 5)
	first := spawn(t, dir, bin, nil, "-config", cfg, "-data", "data")
	if err := first.up(20 * time.Second); err != nil {
		t.Fatalf("%v\n%s", err, first.log())
	}
	second := spawn(t, dir, bin, nil, "-config", cfg, "-data", "data")
	err := second.up(20 * time.Second)
	aside, _ := filepath.Glob(filepath.Join(dir, "data.corrupt-*"))
	if len(aside) > 0 {
		t.Fatalf("a second instance takes the running one's locked store for corrupt and moves it aside to %s (up: %v): %s",
			aside[0], err, faultLine(second.log()))
	}
	if err == nil {
		t.Fatal("a second server started on a store in use")
	}
	if !strings.Contains(second.log(), "lock") {
		t.Errorf("the second server's error does not say the store is in use:\n%s", lastLines(second.log(), 2))
	}
	if err := first.up(time.Second); err != nil {
		t.Errorf("the first server stopped: %v", err)
	}
}
