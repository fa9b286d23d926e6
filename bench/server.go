package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// server is one run of the kiosk binary.
type server struct {
	cmd  *exec.Cmd
	addr string
	base string // http://addr
	log  *logCounter
	done chan error
}

// logCounter counts what the server logs (the journal writes it to disk
// on a Pi) and keeps the tail for error reports.
type logCounter struct {
	mu    sync.Mutex
	bytes int64
	lines int64
	tail  []byte
}

func (l *logCounter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.bytes += int64(len(p))
	l.lines += int64(bytes.Count(p, []byte{'\n'}))
	l.tail = append(l.tail, p...)
	if len(l.tail) > 8<<10 {
		l.tail = l.tail[len(l.tail)-8<<10:]
	}
	return len(p), nil
}

func (l *logCounter) counts() (bytes, lines int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.bytes, l.lines
}

func (l *logCounter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.tail)
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startServer runs bin serve with the config on a free loopback port and
// the given data dir. It does not wait for it to listen.
func startServer(bin, config, dataDir string) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	s := &server{addr: addr, base: "http://" + addr, log: &logCounter{}, done: make(chan error, 1)}
	s.cmd = exec.Command(bin, "serve", "-config", config, "-addr", addr, "-data", dataDir)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	s.cmd.Env = append(os.Environ(), "NOTIFY_SOCKET=", "WATCHDOG_USEC=")
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { s.done <- s.cmd.Wait() }()
	return s, nil
}

func (s *server) pid() int { return s.cmd.Process.Pid }

// waitHealthz polls /healthz every 2 ms and returns the time from the
// process start until the first 200.
func (s *server) waitHealthz(started time.Time, limit time.Duration) (time.Duration, error) {
	client := &http.Client{Timeout: 500 * time.Millisecond, Transport: &http.Transport{DisableKeepAlives: true}}
	for time.Since(started) < limit {
		res, err := client.Get(s.base + "/healthz")
		if err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return time.Since(started), nil
			}
		}
		select {
		case err := <-s.done:
			return 0, fmt.Errorf("server exited before /healthz: %v\n%s", err, s.log)
		case <-time.After(2 * time.Millisecond):
		}
	}
	return 0, fmt.Errorf("no /healthz within %v\n%s", limit, s.log)
}

// sourceStatus is the part of /api/dashboard's sources the bench reads.
type sourceStatus struct {
	Name    string     `json:"name"`
	OK      bool       `json:"ok"`
	Updated *time.Time `json:"updated"`
	Error   string     `json:"error"`
}

type dashboard struct {
	Events  []json.RawMessage `json:"events"`
	Sources []sourceStatus    `json:"sources"`
}

func getJSON(client *http.Client, url string, v any) error {
	res, err := client.Get(url)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, res.Status)
	}
	return json.NewDecoder(res.Body).Decode(v)
}

// waitSynced waits until the calendar source has fetched once and
// /api/dashboard lists events.
func (s *server) waitSynced(limit time.Duration) (dashboard, error) {
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(limit)
	var d dashboard
	for time.Now().Before(deadline) {
		d = dashboard{}
		if err := getJSON(client, s.base+"/api/dashboard", &d); err == nil && len(d.Sources) > 0 &&
			d.Sources[0].OK && d.Sources[0].Updated != nil && len(d.Events) > 0 {
			return d, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return d, fmt.Errorf("calendar not synced within %v: %+v\n%s", limit, d.Sources, s.log)
}

// updated is the calendar source's last success, or the zero time.
func (s *server) updated(client *http.Client) time.Time {
	var st struct {
		Sources []sourceStatus `json:"sources"`
	}
	if err := getJSON(client, s.base+"/api/status", &st); err != nil || len(st.Sources) == 0 || st.Sources[0].Updated == nil {
		return time.Time{}
	}
	return *st.Sources[0].Updated
}

// stop sends SIGTERM and waits for a clean exit.
func (s *server) stop() error {
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case err := <-s.done:
		if err != nil {
			return fmt.Errorf("exit after SIGTERM: %v\n%s", err, s.log)
		}
		return nil
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		return fmt.Errorf("no exit within 30 s of SIGTERM\n%s", s.log)
	}
}

// kill ends the process if it still runs; for clean-up after a failure.
func (s *server) kill() {
	if s == nil || s.cmd.ProcessState != nil {
		return
	}
	s.cmd.Process.Kill()
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
	}
}

// admin sends an admin request with the bench's token.
func (s *server) admin(client *http.Client, method, path, body string, want int) error {
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != want {
		return fmt.Errorf("%s %s: %s %s", method, path, res.Status, b)
	}
	return nil
}

// screen is one simulated wall screen: it loads the page and its assets,
// then polls notifications every poll (with the ETag, as kiosk.js does) and
// fetches the board every reload, until ctx ends. It returns how many
// requests it made and the first failure.
func screen(ctx context.Context, base string, poll, reload time.Duration) (int, error) {
	client := newClient(1)
	n := 0
	var firstErr error
	get := func(path, etag string) (string, []byte) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		res, err := client.Do(req)
		n++
		if err != nil {
			if ctx.Err() == nil && firstErr == nil {
				firstErr = err
			}
			return etag, nil
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusNotModified && firstErr == nil {
			firstErr = fmt.Errorf("GET %s: %s", path, res.Status)
		}
		if e := res.Header.Get("ETag"); e != "" {
			etag = e
		}
		return etag, b
	}
	_, page := get("/", "")
	for _, asset := range assets(page) {
		get(asset, "")
	}
	etag := ""
	pollT, reloadT := time.NewTicker(poll), time.NewTicker(reload)
	defer pollT.Stop()
	defer reloadT.Stop()
	etag, _ = get("/api/notifications", etag)
	for {
		select {
		case <-ctx.Done():
			return n, firstErr
		case <-pollT.C:
			etag, _ = get("/api/notifications", etag)
		case <-reloadT.C:
			get("/partial/board", "")
		}
	}
}

// assets lists the stylesheet, script and chime the page names.
func assets(page []byte) []string {
	var out []string
	s := string(page)
	for _, attr := range []string{`href="/static/`, `src="/static/`, `data-chime="/static/`} {
		for rest := s; ; {
			i := strings.Index(rest, attr)
			if i < 0 {
				break
			}
			rest = rest[i+len(attr)-len("/static/"):]
			j := strings.IndexByte(rest, '"')
			if j < 0 {
				break
			}
			out = append(out, rest[:j])
			rest = rest[j:]
		}
	}
	return out
}
