package main

import (
	"bytes"
	"context"
	"fmt"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"kiosk/kiosk/demo"
	"kiosk/kiosk/ics"
)

// TestDemoCalendar checks that the feed the browser cost serves holds the
// demo's events as the demo shows them.
func TestDemoCalendar(t *testing.T) {
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 4, 20, 38, 0, 0, seoul)
	var b bytes.Buffer
	if err := writeDemoCalendar(&b, now, seoul); err != nil {
		t.Fatal(err)
	}
	feed, err := ics.Parse(&b)
	if err != nil {
		t.Fatal(err)
	}
	if len(feed.Warnings) > 0 {
		t.Errorf("feed warnings: %v", feed.Warnings)
	}
	from, to := now.AddDate(0, 0, -1), now.AddDate(0, 0, 7)
	got, truncated := feed.Expand(from, to, ics.ExpandOptions{Calendar: "Family", Loc: seoul})
	if truncated {
		t.Fatal("expansion truncated")
	}
	cal := &demo.Calendar{Name: "Family", Loc: seoul, Locale: "ko", Now: func() time.Time { return now }}
	want, err := cal.Events(context.Background(), from, to)
	if err != nil {
		t.Fatal(err)
	}
	key := func(s, l string, start, end time.Time, allDay bool, rem []int) string {
		return fmt.Sprintf("%s|%s|%v|%v|%v|%v", s, l, start.Unix(), end.Unix(), allDay, slices.Sorted(slices.Values(rem)))
	}
	var g, w []string
	for _, e := range got {
		g = append(g, key(e.Summary, e.Location, e.Start, e.End, e.AllDay, e.Reminders))
	}
	for _, e := range want {
		w = append(w, key(e.Summary, e.Location, e.Start, e.End, e.AllDay, e.Reminders))
	}
	slices.Sort(g)
	slices.Sort(w)
	if len(w) == 0 || !slices.Equal(g, w) {
		t.Errorf("feed events:\n%q\nwant the demo's:\n%q", g, w)
	}
}

func TestWritePhotos(t *testing.T) {
	dir := t.TempDir()
	total, err := writePhotos(dir, 2, 300, 200)
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, name := range []string{"photo-1.jpg", "photo-2.jpg"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		sum += int64(len(b))
		c, err := jpeg.DecodeConfig(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if c.Width != 300 || c.Height != 200 {
			t.Errorf("%s is %d×%d, want 300×200", name, c.Width, c.Height)
		}
	}
	if total != sum {
		t.Errorf("total %d bytes, want %d", total, sum)
	}
}

// TestSampleTree checks that a grandchild counts, and that a child's CPU
// still counts after it ended (in its parent's reaped time).
func TestSampleTree(t *testing.T) {
	cmd := exec.Command("sh", "-c", `sleep 30 & i=0; while [ $i -lt 30000 ]; do i=$((i+1)); done & wait $!; echo done; read _`)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait(); stdin.Close() })
	buf := make([]byte, 5)
	if _, err := stdout.Read(buf); err != nil { // the busy child has ended and been reaped
		t.Fatal(err)
	}
	s, err := sampleTree(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.pids) != 2 {
		t.Errorf("tree %v, want the shell and its sleep", s.pids)
	}
	if s.cpu["browser"] <= 0 {
		t.Errorf("CPU %v, want the ended loop's time", s.cpu)
	}
	if s.pssErr != nil || s.pss <= 0 || s.pssBy["browser"] != s.pss || s.uss <= 0 || s.uss > s.pss {
		t.Errorf("PSS %d (%v), by type %v, USS %d", s.pss, s.pssErr, s.pssBy, s.uss)
	}
}

func TestProcessType(t *testing.T) {
	for _, c := range []struct{ cmdline, want string }{
		{"/usr/lib/chromium/chromium\x00--headless\x00about:blank\x00", "browser"},
		{"/usr/lib/chromium/chromium --type=renderer --lang=en-US\x00", "renderer"},
		{"/usr/lib/chromium/chromium --type=renderer --top-chrome-webui --lang=en-US", "webui"},
		{"/usr/lib/chromium/chromium\x00--type=gpu-process\x00", "gpu-process"},
	} {
		if got := processType(c.cmdline); got != c.want {
			t.Errorf("processType(%q) = %q, want %q", c.cmdline, got, c.want)
		}
	}
}

// TestResidentPages checks that the frames of an idle process add up to
// its resident set: a process maps few pages twice.
func TestResidentPages(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("page frame numbers need root")
	}
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	self, _ := os.Executable()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) { // wait for the exec
		if exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", cmd.Process.Pid)); exe != "" && exe != self {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("sleep did not start")
		}
	}
	// Just after the exec the loader is still mapping pages in: count
	// only while VmRSS reads the same before and after.
	var got, rss int64
	for try := 0; ; try++ {
		before, err := statusKB(cmd.Process.Pid, "VmRSS")
		if err != nil {
			t.Fatal(err)
		}
		seen := map[uint64]struct{}{}
		if err := residentPages(cmd.Process.Pid, seen); err != nil {
			t.Fatal(err)
		}
		got = int64(len(seen) * os.Getpagesize())
		if rss, err = statusKB(cmd.Process.Pid, "VmRSS"); err != nil {
			t.Fatal(err)
		}
		if rss == before || try == 50 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if want := rss << 10; got < want*95/100 || got > want*105/100 {
		t.Errorf("%d bytes in resident frames, want about VmRSS, %d", got, want)
	}
}
