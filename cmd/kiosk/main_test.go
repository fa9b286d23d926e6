package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func noEnv(string) string { return "" }

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, yaml string
		wantErr    []string
	}{
		{"good", "timezone: Europe/Berlin\nlocale: en\n", nil},
		{"unknown key", "timezone: Asia/Seoul\nlisten_port: 80\n", []string{`line 2: unknown key "listen_port"`}},
		{"bad zone", "timezone: Asia/Busan\n", []string{"line 1: timezone:", "Asia/Busan"}},
		{"missing files and a typo at once", "calender: []\ndashboard: {days_ahead: seven}\n" +
			"calendars:\n  - name: A\n    ics: {file: /nonexistent/a.ics}\nphotos: {dir: /nonexistent/photos}\n",
			[]string{"line 1: unknown key \"calender\"; did you mean `calendars`?",
				`line 2: dashboard.days_ahead: expected a whole number, got "seven"`,
				"line 5: calendars[0].ics.file: /nonexistent/a.ics does not exist",
				"line 6: photos.dir: the folder /nonexistent/photos does not exist"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := write(tc.name+".yaml", tc.yaml)
			var out bytes.Buffer
			err := run(context.Background(), []string{"check", "-config", path}, noEnv, &out, &out)
			if tc.wantErr == nil {
				if err != nil || !strings.Contains(out.String(), "ok") {
					t.Fatalf("check good file: %v, %q", err, out.String())
				}
				return
			}
			if err == nil {
				t.Fatal("check passed a bad file")
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	if err := run(context.Background(), []string{"check", "-config", filepath.Join(dir, "missing.yaml")}, noEnv, &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
		t.Error("check of a missing file passed")
	}
}

func TestVersionAndUsage(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, noEnv, &out, &out); err != nil || strings.TrimSpace(out.String()) == "" {
		t.Errorf("version: %v %q", err, out.String())
	}
	version = "v9.9.9"
	defer func() { version = "" }()
	out.Reset()
	run(context.Background(), []string{"version"}, noEnv, &out, &out)
	if strings.TrimSpace(out.String()) != "v9.9.9" {
		t.Errorf("version with ldflags = %q", out.String())
	}
	if err := run(context.Background(), []string{"frobnicate"}, noEnv, &out, &out); err == nil {
		t.Error("an unknown command must fail")
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestServeDemo starts the real server on demo data, reads the dashboard
// and stops it the way SIGTERM does (the context is cancelled).
func TestServeDemo(t *testing.T) {
	t.Chdir(t.TempDir()) // no ./kiosk.yaml
	if _, err := os.Stat("/etc/kiosk/kiosk.yaml"); err == nil {
		t.Skip("/etc/kiosk/kiosk.yaml exists on this machine; the demo would not run")
	}
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	var logs bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-addr", addr, "-data", "data"}, noEnv, &bytes.Buffer{}, &logs) }()

	var d struct {
		Events []struct {
			AllDay bool `json:"all_day"`
		}
		Trains []json.RawMessage
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, err := http.Get("http://" + addr + "/api/dashboard")
		if err == nil {
			json.NewDecoder(res.Body).Decode(&d)
			res.Body.Close()
			if len(d.Events) >= 3 && len(d.Trains) >= 1 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("demo not serving events and trains: %v, %d events, %d trains\n%s", err, len(d.Events), len(d.Trains), logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	allDay := 0
	for _, e := range d.Events {
		if e.AllDay {
			allDay++
		}
	}
	if allDay == 0 {
		t.Error("demo has no all-day event")
	}
	res, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	var page bytes.Buffer
	page.ReadFrom(res.Body)
	res.Body.Close()
	if !strings.Contains(page.String(), `class="badge demo"`) {
		t.Error("demo badge missing")
	}
	if !strings.Contains(logs.String(), "running the demo") {
		t.Error("no log line says demo")
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("server did not stop")
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Error("still serving after shutdown")
	}
	if _, err := os.Stat(filepath.Join("data", "MANIFEST")); err != nil {
		t.Errorf("store not in the data dir: %v", err)
	}
}

func TestServeBadConfigFails(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "k.yaml")
	os.WriteFile(p, []byte("timezone: Nowhere\n"), 0o600)
	err := run(context.Background(), []string{"serve", "-config", p, "-addr", "127.0.0.1:0"}, noEnv, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "timezone") {
		t.Fatalf("serve with a bad config: %v", err)
	}
}

func TestAuthGoogleNeedsClient(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"auth", "google", "-data", t.TempDir()}, noEnv, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "-client") {
		t.Errorf("auth google without -client: %v", err)
	}
	err = run(context.Background(), []string{"auth", "google", "-data", t.TempDir(), "-client", "/nonexistent.json"}, noEnv, &out, &out)
	if err == nil {
		t.Error("auth google with a missing client file succeeded")
	}
	if err := run(context.Background(), []string{"auth", "apple"}, noEnv, &out, &out); err == nil {
		t.Error("auth apple succeeded")
	}
}

// TestServePortInUse occupies the port first: the error must say how to
// choose another one.
func TestServePortInUse(t *testing.T) {
	t.Chdir(t.TempDir())
	if _, err := os.Stat("/etc/kiosk/kiosk.yaml"); err == nil {
		t.Skip("/etc/kiosk/kiosk.yaml exists on this machine; the demo would not run")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	err = run(context.Background(), []string{"-addr", addr, "-data", "data"}, noEnv, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil {
		t.Fatal("serve on a port in use succeeded")
	}
	for _, want := range []string{addr, "in use", "-addr HOST:PORT", "listen:"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}
