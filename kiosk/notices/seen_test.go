package notices

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// An item published while the kiosk was off pops up at the next fetch,
// once, whatever the restarts; the board survives them without network.
func TestRestartsAndDowntime(t *testing.T) {
	c, seoul := start(t)
	dir := t.TempDir()
	up, srv := newUpstream(t, rss(ti{"1", "수강신청 일정", "Sat, 21 Nov 2026 10:00:00 +0900"}))
	cfg := notice("학사공지", srv.URL, "수강신청", "장학")
	q := newQueue() // the real queue lives in the store too; this one outlives restarts

	store, closeStore := openStore(t, dir, c)
	refresh(t, newFeeds(store, q, seoul, cfg))
	closeStore()

	// Off for three hours; meanwhile the board posts two notices.
	c.Add(3 * time.Hour)
	up.set(rss(
		ti{"3", "국가장학금 신청 안내", "Sun, 22 Nov 2026 11:00:00 +0900"},
		ti{"2", "식당 메뉴", "Sun, 22 Nov 2026 10:00:00 +0900"},
		ti{"1", "수강신청 일정", "Sat, 21 Nov 2026 10:00:00 +0900"},
	), "", "")
	up.fail(503, "")
	store, closeStore = openStore(t, dir, c)
	f := newFeeds(store, q, seoul, cfg)
	if got := titles(f.Board(c.Now())); !slices.Equal(got, []string{"학사공지: 수강신청 일정"}) {
		t.Fatalf("board before the first fetch after restart: %q", got)
	}
	f.Refresh(context.Background()) // the board is down too
	if n := q.callCount(); n != 0 {
		t.Fatalf("%d pop-ups while the feed failed", n)
	}
	up.fail(0, "")
	c.Add(refreshed)
	refresh(t, f)
	if got, want := q.messages(), []string{"학사공지\n국가장학금 신청 안내"}; !slices.Equal(got, want) {
		t.Fatalf("pop-ups %q, want %q", got, want)
	}
	closeStore()

	for range 2 { // restart twice more, fetching each time
		c.Add(refreshed)
		store, closeStore = openStore(t, dir, c)
		refresh(t, newFeeds(store, q, seoul, cfg))
		closeStore()
	}
	if n := q.callCount(); n != 1 {
		t.Errorf("%d pushes across restarts, want 1", n)
	}
	if hits, _ := up.counts(); hits != 5 {
		t.Errorf("%d fetches, want 5", hits)
	}
}

// The process dies right after queueing a pop-up, before the item is
// marked seen: the next run queues it again under the same id, so the
// queue holds it once, and after that never again.
func TestCrashBetweenQueueAndSeen(t *testing.T) {
	c, seoul := start(t)
	store, _ := openStore(t, "", c)
	up, srv := newUpstream(t, rss(ti{"1", "공지", ""}))
	cfg := notice("학사공지", srv.URL, "휴강")
	q := newQueue()
	refresh(t, newFeeds(store, q, seoul, cfg))

	up.set(rss(ti{"2", "내일 휴강", ""}, ti{"1", "공지", ""}), "", "")
	c.Add(refreshed)
	q.die = true
	newFeeds(store, q, seoul, cfg).Refresh(context.Background())
	if n := q.callCount(); n != 1 {
		t.Fatalf("%d pushes before the crash", n)
	}

	c.Add(time.Minute)
	f := newFeeds(store, q, seoul, cfg) // restarted
	refresh(t, f)
	if n := q.callCount(); n != 2 || q.calls[0] != q.calls[1] {
		t.Fatalf("pushes after restart: %+v, want the same one twice", q.calls)
	}
	if got := q.messages(); !slices.Equal(got, []string{"학사공지\n내일 휴강"}) {
		t.Errorf("queue holds %q", got)
	}
	c.Add(refreshed)
	refresh(t, f)
	if n := q.callCount(); n != 2 {
		t.Errorf("%d pushes once seen, want 2", n)
	}
}

// A pop-up the queue refuses is tried again at the next fetch; the item is
// on the board meanwhile.
func TestQueueFailure(t *testing.T) {
	c, seoul := start(t)
	store, _ := openStore(t, "", c)
	up, srv := newUpstream(t, rss(ti{"1", "공지", ""}))
	q := newQueue()
	f := newFeeds(store, q, seoul, notice("학사공지", srv.URL, "장학"))
	refresh(t, f)

	up.set(rss(ti{"2", "장학금", ""}, ti{"1", "공지", ""}), "", "")
	q.fail = errors.New("queue full")
	c.Add(refreshed)
	err := f.Refresh(context.Background())
	if err == nil || !strings.Contains(err.Error(), "queue full") {
		t.Fatalf("refresh: %v", err)
	}
	if got := titles(f.Board(c.Now())); !slices.Equal(got, []string{"학사공지: 장학금", "학사공지: 공지"}) {
		t.Errorf("board %q", got)
	}
	q.fail = nil
	c.Add(refreshed)
	refresh(t, f)
	c.Add(refreshed)
	refresh(t, f)
	if got := q.messages(); q.callCount() != 1 || !slices.Equal(got, []string{"학사공지\n장학금"}) {
		t.Errorf("pop-ups %q after %d pushes", got, q.callCount())
	}
}

// A feed added later, or given a new URL, floods nothing at its first
// fetch; its old board is not shown meanwhile.
func TestNewFeedAndNewURL(t *testing.T) {
	c, seoul := start(t)
	store, _ := openStore(t, "", c)
	_, a := newUpstream(t, rss(ti{"1", "휴강 안내", ""}))
	_, b := newUpstream(t, rss(ti{"7", "휴강 공지", ""}, ti{"8", "장학 공지", ""}))
	q := newQueue()
	refresh(t, newFeeds(store, q, seoul, notice("학사공지", a.URL, "휴강")))

	c.Add(refreshed)
	f := newFeeds(store, q, seoul, notice("학사공지", a.URL, "휴강"), notice("학과", b.URL, "휴강", "장학"))
	refresh(t, f)
	if n := q.callCount(); n != 0 {
		t.Fatalf("a feed added later queued %d pop-ups", n)
	}

	c.Add(refreshed)
	f = newFeeds(store, q, seoul, notice("학사공지", b.URL, "휴강"))
	if got := f.Board(c.Now()); len(got) != 0 {
		t.Errorf("board of a moved feed before its fetch: %q", titles(got))
	}
	refresh(t, f)
	if n := q.callCount(); n != 0 {
		t.Errorf("a feed with a new URL queued %d pop-ups", n)
	}
	if got := titles(f.Board(c.Now())); !slices.Equal(got, []string{"학사공지: 휴강 공지", "학사공지: 장학 공지"}) {
		t.Errorf("board %q", got)
	}
}

// Keys are remembered for 30 days after the item leaves the feed, then
// forgotten: an item back after that is new.
func TestForgetAfter30Days(t *testing.T) {
	c, seoul := start(t)
	store, _ := openStore(t, "", c)
	steady := ti{"s", "학과 소식", ""}
	up, srv := newUpstream(t, rss(steady, ti{"a", "휴강 A", ""}, ti{"b", "휴강 B", ""}))
	q := newQueue()
	f := newFeeds(store, q, seoul, notice("학사공지", srv.URL, "휴강"))
	day0 := c.Now()
	refresh(t, f)

	at := func(days int) {
		c.Set(day0.Add(time.Duration(days) * 24 * time.Hour))
		refresh(t, f)
	}
	up.set(rss(steady), "", "")
	for _, d := range []int{1, 10, 20} {
		at(d)
	}
	up.set(rss(steady, ti{"a", "휴강 A", ""}), "", "")
	at(30) // 30 days after A was last seen: remembered
	if n := q.callCount(); n != 0 {
		t.Fatalf("A back within 30 days popped up: %q", q.messages())
	}
	up.set(rss(steady, ti{"b", "휴강 B", ""}), "", "")
	at(31) // B last seen 31 days ago: forgotten, so new
	if got := q.messages(); !slices.Equal(got, []string{"학사공지\n휴강 B"}) {
		t.Errorf("pop-ups %q, want B's", got)
	}
}

// Only recent items pop up, at most MaxPopups per fetch; the others are
// marked seen all the same.
func TestPopupLimits(t *testing.T) {
	c, seoul := start(t)
	store, _ := openStore(t, "", c)
	up, srv := newUpstream(t, rss(ti{"0", "공지", ""}))
	q := newQueue()
	f := newFeeds(store, q, seoul, notice("학사공지", srv.URL, "휴강"))
	refresh(t, f)

	up.set(rss(
		ti{"1", "휴강 1", "Sun, 22 Nov 2026 10:00:00 +0900"},
		ti{"2", "휴강 2", "Sun, 22 Nov 2026 09:50:00 +0900"},
		ti{"old", "휴강 지난달", "Mon, 02 Nov 2026 10:00:00 +0900"}, // older than keep_days
		ti{"3", "휴강 3", "Sun, 22 Nov 2026 09:40:00 +0900"},
		ti{"4", "휴강 4", "Sun, 22 Nov 2026 09:30:00 +0900"},
		ti{"5", "휴강 5", "Sun, 22 Nov 2026 09:20:00 +0900"},
	), "", "")
	c.Add(refreshed)
	refresh(t, f)
	want := []string{"학사공지\n휴강 1", "학사공지\n휴강 2", "학사공지\n휴강 3"}
	if got := q.messages(); !slices.Equal(got, want) {
		t.Errorf("pop-ups %q, want %q", got, want)
	}
	c.Add(refreshed)
	refresh(t, f)
	if n := q.callCount(); n != MaxPopups {
		t.Errorf("%d pushes, want %d", n, MaxPopups)
	}
}
