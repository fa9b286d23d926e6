package cache

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"kiosk/kiosk/clock"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
)

func newStore(t *testing.T, c *clock.Fake) *Store {
	t.Helper()
	s, err := Open("", c.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func start() *clock.Fake { return clock.New(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)) }

func TestGetSetTTL(t *testing.T) {
	c := start()
	s := newStore(t, c)
	if _, err := Get[string](s, "k"); !errors.Is(err, ErrMiss) {
		t.Fatalf("Get on empty store: %v, want ErrMiss", err)
	}
	if err := Set(s, "k", "v", time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := Set(s, "forever", 42, 0); err != nil {
		t.Fatal(err)
	}
	c.Add(59 * time.Second)
	if got, err := Get[string](s, "k"); err != nil || got != "v" {
		t.Fatalf("Get before expiry = %q, %v", got, err)
	}
	c.Add(time.Second)
	if _, err := Get[string](s, "k"); !errors.Is(err, ErrMiss) {
		t.Fatalf("Get at expiry: %v, want ErrMiss", err)
	}
	c.Add(1000 * time.Hour)
	if got, err := Get[int](s, "forever"); err != nil || got != 42 {
		t.Fatalf("Get without ttl = %d, %v", got, err)
	}
	if err := Delete(s, "forever"); err != nil {
		t.Fatal(err)
	}
	if _, err := Get[int](s, "forever"); !errors.Is(err, ErrMiss) {
		t.Fatalf("Get after Delete: %v", err)
	}
}

func TestGetWrongType(t *testing.T) {
	s := newStore(t, start())
	Set(s, "k", "text", 0)
	if _, err := Get[int](s, "k"); err == nil || errors.Is(err, ErrMiss) {
		t.Fatalf("Get[int] of a string: %v, want a decode error", err)
	}
}

func TestScan(t *testing.T) {
	c := start()
	s := newStore(t, c)
	Set(s, "n:2", 2, 0)
	Set(s, "n:1", 1, 0)
	Set(s, "n:3", 3, time.Minute)
	Set(s, "other", 9, 0)
	Set(s, "n:bad", "not a number", 0)
	c.Add(2 * time.Minute)
	var got []int
	err := Scan(s, "n:", func(key string, v int) error {
		got = append(got, v)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[1 2]" {
		t.Errorf("Scan = %v, want [1 2] (sorted, expired and undecodable skipped)", got)
	}
}

func TestMemo(t *testing.T) {
	c := start()
	s := newStore(t, c)
	ctx := context.Background()
	calls := 0
	var fail error
	fetch := func(context.Context) ([]string, error) {
		calls++
		if fail != nil {
			return nil, fail
		}
		return []string{fmt.Sprint("v", calls)}, nil
	}
	step := func(name string, wantVal string, wantCalls int, wantStale, wantErr bool) {
		t.Helper()
		e, err := Memo(ctx, s, "m", 5*time.Minute, fetch)
		got := ""
		if len(e.Value) > 0 {
			got = e.Value[0]
		}
		if got != wantVal || calls != wantCalls || e.Stale != wantStale || (err != nil) != wantErr || (e.Err != nil) != wantErr {
			t.Fatalf("%s: value %q calls %d stale %v err %v; want %q %d %v err=%v",
				name, got, calls, e.Stale, err, wantVal, wantCalls, wantStale, wantErr)
		}
	}
	fail = errors.New("upstream down")
	step("first fetch fails, nothing to show", "", 1, false, true)
	fail = nil
	step("first success", "v2", 2, false, false)
	c.Add(4 * time.Minute)
	step("fresh: no fetch", "v2", 2, false, false)
	c.Add(time.Minute)
	step("ttl reached: fetch", "v3", 3, false, false)
	c.Add(10 * time.Minute)
	fail = errors.New("quota exceeded")
	step("fetch fails: last good, stale", "v3", 4, true, true)
	e, _ := Memo(ctx, s, "m", 5*time.Minute, fetch)
	if e.Age(c.Now()) != 10*time.Minute {
		t.Errorf("stale age = %v, want 10m", e.Age(c.Now()))
	}
	fail = nil
	c.Add(-2 * time.Hour)
	step("clock stepped back: value from the future is refetched", "v6", 6, false, false)
}

// TestReopenAfterKill writes in a child process, kills it with SIGKILL and
// checks that a reopened store has everything the child reported written.
func TestReopenAfterKill(t *testing.T) {
	if dir := os.Getenv("CACHE_KILL_CHILD"); dir != "" {
		s, err := Open(dir, time.Now, nil)
		if err != nil {
			fmt.Println("open:", err)
			os.Exit(1)
		}
		for i := 0; ; i++ {
			if err := Set(s, fmt.Sprintf("k%06d", i), i, 0); err != nil {
				fmt.Println("set:", err)
				os.Exit(1)
			}
			fmt.Println(i) // acknowledged
		}
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestReopenAfterKill$")
	cmd.Env = append(os.Environ(), "CACHE_KILL_CHILD="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	last := -1
	for sc.Scan() {
		n, err := strconv.Atoi(sc.Text())
		if err != nil {
			t.Fatalf("child: %s", sc.Text())
		}
		last = n
		if last == 3000 {
			cmd.Process.Kill()
			break
		}
	}
	cmd.Wait()
	if last < 3000 {
		t.Fatalf("child acknowledged only %d writes", last)
	}
	s, err := Open(dir, time.Now, nil)
	if err != nil {
		t.Fatalf("reopen after kill -9: %v", err)
	}
	defer s.Close()
	if s.Recovered() != "" {
		t.Fatalf("store was moved aside, want a clean reopen")
	}
	for i := 0; i <= last; i++ {
		v, err := Get[int](s, fmt.Sprintf("k%06d", i))
		if err != nil || v != i {
			t.Fatalf("acknowledged write %d: got %d, %v", i, v, err)
		}
	}
}

func TestCorruptStoreMovedAside(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	// Garbage where badger expects its manifest.
	if err := os.WriteFile(filepath.Join(dir, "MANIFEST"), []byte("this is not a manifest"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := start()
	s, err := Open(dir, c.Now, nil)
	if err != nil {
		t.Fatalf("Open on garbage: %v, want recovery", err)
	}
	defer s.Close()
	if s.Recovered() == "" {
		t.Fatal("Recovered() is empty, want the aside path")
	}
	if b, err := os.ReadFile(filepath.Join(s.Recovered(), "MANIFEST")); err != nil || string(b) != "this is not a manifest" {
		t.Errorf("the corrupt files were not kept aside: %v", err)
	}
	if err := Set(s, "k", 1, 0); err != nil {
		t.Fatalf("fresh store not writable: %v", err)
	}
}

func TestPersistsAcrossCleanClose(t *testing.T) {
	dir := t.TempDir()
	c := start()
	s, err := Open(dir, c.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	Set(s, "k", "kept", time.Hour)
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir, c.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, err := Get[string](s, "k"); err != nil || got != "kept" {
		t.Fatalf("after reopen: %q, %v", got, err)
	}
	if s.Size() <= 0 {
		t.Errorf("Size = %d, want > 0", s.Size())
	}
}

func TestLargeValues(t *testing.T) {
	big := strings.Repeat("x", 1<<20-64) // badger's most in memory
	mem := newStore(t, start())
	if err := Set(mem, "big", big, 0); err != nil {
		t.Fatalf("in-memory store refused a value near 1 MiB: %v", err)
	}
	disk, err := Open(t.TempDir(), start().Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer disk.Close()
	huge := strings.Repeat("y", 8<<20) // a 30,000-event calendar is about this size
	if err := Set(disk, "huge", huge, 0); err != nil {
		t.Fatalf("disk store refused an 8 MiB value: %v", err)
	}
	if got, err := Get[string](disk, "huge"); err != nil || len(got) != len(huge) {
		t.Fatalf("read back %d bytes, %v", len(got), err)
	}
}

func TestOpenUnwritableDirServesACopyInMemory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes anywhere; cmd/kiosk's TestReadOnlyDataDir runs the binary as nobody")
	}
	dir := t.TempDir()
	s, err := Open(dir, start().Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	Set(s, "k", "kept", 0)
	s.Close()
	os.Chmod(dir, 0o500)
	defer os.Chmod(dir, 0o700)
	s, err = Open(dir, start().Now, nil)
	if err != nil {
		t.Fatalf("Open of a read-only dir: %v", err)
	}
	defer s.Close()
	if s.Warning() == "" || s.Dir() != "" || s.Fallback() != ReadOnly {
		t.Errorf("warning %q dir %q fallback %d: want an in-memory store with a warning", s.Warning(), s.Dir(), s.Fallback())
	}
	if got, err := Get[string](s, "k"); err != nil || got != "kept" {
		t.Errorf("the read-only store's data: %q, %v", got, err)
	}
	if err := Set(s, "new", 1, 0); err != nil {
		t.Errorf("writes in memory fail: %v", err)
	}
}

// TestMemoUnchangedValueNotRewritten: a refetch that brings the same bytes
// refreshes the fetch time without rewriting the value.
func TestMemoUnchangedValueNotRewritten(t *testing.T) {
	c := start()
	s := newStore(t, c)
	ctx := context.Background()
	value := strings.Repeat("event ", 1000)
	fetch := func(context.Context) (string, error) { return value, nil }
	Memo(ctx, s, "m", time.Minute, fetch)
	written := func() int64 {
		var n int64
		s.db.View(func(txn *badger.Txn) error {
			item, err := txn.Get([]byte("m"))
			if err == nil {
				n = int64(item.Version())
			}
			return err
		})
		return n
	}
	v1 := written()
	c.Add(2 * time.Minute)
	e, err := Memo(ctx, s, "m", time.Minute, fetch)
	if err != nil || !e.FetchedAt.Equal(c.Now()) {
		t.Fatalf("refetch: %v, fetched at %v", err, e.FetchedAt)
	}
	if written() != v1 {
		t.Error("the unchanged value was rewritten")
	}
	calls := 0
	c.Add(30 * time.Second)
	Memo(ctx, s, "m", time.Minute, func(context.Context) (string, error) { calls++; return value, nil })
	if calls != 0 {
		t.Error("the noted fetch time was not used: refetched within the TTL")
	}
	if p, _ := Peek[string](s, "m"); !p.FetchedAt.Equal(c.Now().Add(-30 * time.Second)) {
		t.Errorf("Peek fetched at %v", p.FetchedAt)
	}
	value = "changed"
	c.Add(time.Minute)
	Memo(ctx, s, "m", time.Minute, fetch)
	if written() == v1 {
		t.Error("a changed value was not written")
	}
	if got, _ := Peek[string](s, "m"); got.Value != "changed" || !got.FetchedAt.Equal(c.Now()) {
		t.Errorf("after change: %q at %v", got.Value, got.FetchedAt)
	}
}

// TestManyWritesWithoutCompactors: with no compactor goroutines, writes far
// beyond one memtable neither stall nor lose data, and GC compacts.
func TestManyWritesWithoutCompactors(t *testing.T) {
	c := start()
	s, err := Open(t.TempDir(), c.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	value := strings.Repeat("x", 20<<10)
	done := make(chan error, 1)
	go func() {
		for i := range 2000 { // 40 MB: ten memtable flushes into level 0
			if err := Set(s, fmt.Sprintf("k%03d", i%100), value+fmt.Sprint(i), 0); err != nil {
				done <- err
				return
			}
			if i%500 == 499 {
				s.GC()
			}
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("writes stalled")
	}
	s.GC()
	for i := 1900; i < 2000; i++ {
		if got, err := Get[string](s, fmt.Sprintf("k%03d", i%100)); err != nil || got != value+fmt.Sprint(i) {
			t.Fatalf("k%03d: %v", i%100, err)
		}
	}
}

// TestWriteErrorIsTyped: a value the store refuses comes back as a
// WriteError, without badger's hex dump of the value (calendars are
// personal; errors reach logs and the status page).
func TestWriteErrorIsTyped(t *testing.T) {
	s := newStore(t, start())
	err := Set(s, "big", strings.Repeat("private ", 1<<18), 0) // 2 MiB: over the in-memory limit
	var werr *WriteError
	if !errors.As(err, &werr) || werr.Key != "big" {
		t.Fatalf("error %v, want a WriteError for key big", err)
	}
	if strings.Contains(err.Error(), "private") || strings.Contains(err.Error(), "Value:") {
		t.Errorf("error shows the value: %.200q", err.Error())
	}
}
