package main

// Tests of the shipped artifacts: the cross-built Raspberry Pi binaries run
// under qemu-user, the systemd units verified by systemd-analyze, and the
// real binary stopped with SIGTERM while it writes. They need Debian's
// qemu-user-static and systemd; without them they skip, except in CI
// (CI=true), where .ci/run installs them and a skip would hide a failure.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func need(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is missing in CI: .ci/run must install it", tool)
			}
			t.Skipf("%s not installed", tool)
		}
	}
}

// build cross-compiles the kiosk binary as `make pi` does.
func build(t *testing.T, goos, goarch, goarm string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "kiosk-"+goarch+goarm)
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X main.version=test-"+goarch+goarm, "-o", out, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch, "GOARM="+goarm)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s/%s%s: %v\n%s", goos, goarch, goarm, err, b)
	}
	return out
}

// started runs argv in dir and waits until /api/dashboard has events and
// trains; it returns the process.
func started(t *testing.T, dir, addr string, argv ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	logs, _ := os.Create(filepath.Join(dir, "server.log"))
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(90 * time.Second) // qemu is slow to start a Go binary
	for {
		var d struct {
			Events []json.RawMessage
			Trains []json.RawMessage
		}
		res, err := http.Get("http://" + addr + "/api/dashboard")
		if err == nil {
			json.NewDecoder(res.Body).Decode(&d)
			res.Body.Close()
			if len(d.Events) >= 3 && len(d.Trains) >= 1 {
				return cmd
			}
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			t.Fatalf("%s did not serve the demo: %v\n%s", argv[0], err, b)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func rssKB(pid int) int {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.Fields(v)[0])
			return n
		}
	}
	return 0
}

func stop(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			b, _ := os.ReadFile(filepath.Join(cmd.Dir, "server.log"))
			t.Fatalf("exit after SIGTERM: %v\n%s", err, b)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no exit within 30 s of SIGTERM")
	}
}

func TestPiBinariesUnderQemu(t *testing.T) {
	need(t, "qemu-arm-static", "qemu-aarch64-static")
	targets := []struct {
		goarch, goarm, qemu, cpu string
	}{
		{"arm64", "", "qemu-aarch64-static", "cortex-a53"}, // Pi 3/4/Zero 2 W, 64-bit OS
		{"arm", "7", "qemu-arm-static", "cortex-a7"},       // 32-bit OS on ARMv7/v8
		{"arm", "6", "qemu-arm-static", "arm1176"},         // ARMv6: the original Zero and Pi 1
	}
	for _, tg := range targets {
		t.Run(tg.goarch+tg.goarm, func(t *testing.T) {
			bin := build(t, "linux", tg.goarch, tg.goarm)
			info, _ := os.Stat(bin)
			addr := freeAddr(t)
			dir := t.TempDir()
			cmd := started(t, dir, addr, tg.qemu, "-cpu", tg.cpu, bin, "-addr", addr, "-data", "data")
			res, err := http.Get("http://" + addr + "/healthz")
			if err != nil || res.StatusCode != 200 {
				t.Fatalf("/healthz: %v", err)
			}
			res.Body.Close()
			t.Logf("linux/%s%s: binary %.1f MB, RSS under qemu %d MB (qemu adds ~16-22 MB)",
				tg.goarch, tg.goarm, float64(info.Size())/1e6, rssKB(cmd.Process.Pid)/1024)
			stop(t, cmd)
		})
	}
}

// TestSIGTERMDuringWrites stops the real server at several moments of its
// start-up, while the first refresh writes the store, and checks that each
// stop is clean and the store opens again with the data written.
func TestSIGTERMDuringWrites(t *testing.T) {
	bin := build(t, "linux", runtimeArch(), "")
	dir := t.TempDir()
	for i, delay := range []time.Duration{0, 5 * time.Millisecond, 20 * time.Millisecond, 50 * time.Millisecond, 150 * time.Millisecond} {
		addr := freeAddr(t)
		cmd := exec.Command(bin, "-addr", addr, "-data", "data")
		cmd.Dir = dir
		logs, _ := os.Create(filepath.Join(dir, "server.log"))
		cmd.Stdout, cmd.Stderr = logs, logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Signal once main has installed its handler (its first log line);
		// before that the default action ends the process, which systemd
		// also counts as a clean stop.
		for deadline := time.Now().Add(30 * time.Second); ; {
			if b, _ := os.ReadFile(filepath.Join(dir, "server.log")); len(b) > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the server logged nothing")
			}
			time.Sleep(time.Millisecond)
		}
		time.Sleep(delay)
		stop(t, cmd)
		b, _ := os.ReadFile(filepath.Join(dir, "server.log"))
		if strings.Contains(string(b), "moved aside") || strings.Contains(string(b), "panic") {
			t.Fatalf("stop %d (after %v): %s", i, delay, b)
		}
	}
	// A last full start must find the store intact and serve from it.
	addr := freeAddr(t)
	cmd := started(t, dir, addr, bin, "-addr", addr, "-data", "data")
	stop(t, cmd)
	if matches, _ := filepath.Glob(filepath.Join(dir, "data.corrupt-*")); len(matches) > 0 {
		t.Fatalf("the store was moved aside: %v", matches)
	}
}

// TestCorruptStoreRecovered: garbage in the data dir (a power cut can do
// that) is moved aside and the server starts and serves anyway.
func TestCorruptStoreRecovered(t *testing.T) {
	bin := build(t, "linux", runtimeArch(), "")
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	os.MkdirAll(data, 0o700)
	os.WriteFile(filepath.Join(data, "MANIFEST"), []byte("garbage after a power cut"), 0o600)
	os.WriteFile(filepath.Join(data, "000001.vlog"), []byte("more garbage"), 0o600)
	addr := freeAddr(t)
	cmd := started(t, dir, addr, bin, "-addr", addr, "-data", "data")
	stop(t, cmd)
	matches, _ := filepath.Glob(filepath.Join(dir, "data.corrupt-*"))
	if len(matches) != 1 {
		t.Fatalf("corrupt store not moved aside: %v", matches)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "server.log"))
	if !strings.Contains(string(b), "moved aside") {
		t.Errorf("the log does not say the store was moved aside:\n%s", b)
	}
}

func runtimeArch() string {
	out, _ := exec.Command("go", "env", "GOARCH").Output()
	return strings.TrimSpace(string(out))
}

var exposure = regexp.MustCompile(`Overall exposure level for \S+: ([0-9.]+)`)

// maxExposure is the highest `systemd-analyze security` score accepted for
// the server. 1.3 now; 2.0 leaves room for a justified relaxation (say,
// reading a photo folder) and fails on losing the sandbox (~9.6 unhardened).
const maxExposure = 2.0

func TestSystemdUnits(t *testing.T) {
	need(t, "systemd-analyze")
	bin := build(t, "linux", runtimeArch(), "")
	dir := t.TempDir()
	units, _ := filepath.Glob("../../systemd/*.service")
	if len(units) < 3 {
		t.Fatalf("units found: %v", units)
	}
	var system, user []string
	for _, u := range units {
		b, err := os.ReadFile(u)
		if err != nil {
			t.Fatal(err)
		}
		// The units name the installed path; point them at the built binary.
		b = []byte(strings.ReplaceAll(string(b), "/usr/local/bin/kiosk", bin))
		dst := filepath.Join(dir, filepath.Base(u))
		os.WriteFile(dst, b, 0o644)
		if strings.Contains(string(b), "WantedBy=multi-user.target") {
			system = append(system, dst)
		} else {
			user = append(user, dst)
		}
	}
	check := func(name string, env []string, args ...string) string {
		cmd := exec.CommandContext(context.Background(), "systemd-analyze", args...)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("%s: %v\n%s", name, err, out)
		}
		return string(out)
	}
	// verify reports unknown keys and bad values as warnings with exit 0:
	// any output is a failure.
	if out := check("verify", nil, append([]string{"verify"}, system...)...); out != "" {
		t.Errorf("systemd-analyze verify: %s", out)
	}
	runtime := t.TempDir()
	os.Chmod(runtime, 0o700)
	if out := check("verify --user", []string{"XDG_RUNTIME_DIR=" + runtime}, append([]string{"--user", "verify"}, user...)...); out != "" {
		t.Errorf("systemd-analyze --user verify: %s", out)
	}
	out := check("security", nil, "security", "--offline=true", filepath.Join(dir, "kiosk.service"))
	m := exposure.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no exposure level in:\n%s", out)
	}
	score, _ := strconv.ParseFloat(m[1], 64)
	t.Logf("systemd-analyze security: kiosk.service exposure %.1f (threshold %.1f)", score, maxExposure)
	if score > maxExposure {
		t.Errorf("exposure %.1f above %.1f:\n%s", score, maxExposure, out)
	}
}
