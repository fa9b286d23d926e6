package notices

import (
	"context"
	"encoding/json"
	"errors"
	"kiosk/kiosk/clock"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"kiosk/kiosk/config"
	"kiosk/kiosk/source"
)

// start is a Sunday morning in Seoul; the fixtures date around it.
func start(t testing.TB) (*clock.Fake, *time.Location) {
	seoul := mustZone(t, "Asia/Seoul")
	return clock.New(time.Date(2026, 11, 22, 9, 0, 0, 0, seoul)), seoul
}

const refreshed = 31 * time.Minute // past refresh_minutes: 30

func TestBoardFromFixtures(t *testing.T) {
	c, seoul := start(t)
	store, _ := openStore(t, "", c)
	var srvs []string
	for _, file := range []string{"rss.xml", "atom.xml", "feed.json"} {
		b, err := os.ReadFile("testdata/" + file)
		if err != nil {
			t.Fatal(err)
		}
		_, srv := newUpstream(t, string(b))
		srvs = append(srvs, srv.URL)
	}
	f := newFeeds(store, newQueue(), seoul,
		notice("학사공지", srvs[0]+"/bbs/rss?board=notice"), notice("학과", srvs[1]), notice("가정통신문", srvs[2]))
	refresh(t, f)

	got := f.Board(c.Now())
	want := []Item{
		{"학사공지", "도서관 <Notice> 운영시간 변경 & 안내", "", c.Now()}, // no date: first seen
		{"학사공지", "2027학년도 1학기 수강신청 안내", "https://example.ac.kr/bbs/view?no=101&board=notice", time.Date(2026, 11, 22, 8, 30, 0, 0, seoul)},
		{"학사공지", "[긴급] 교내 정전으로 인한 휴강 공지", srvs[0] + "/bbs/view?no=100", time.Date(2026, 11, 21, 17, 0, 0, 0, seoul)},
		{"학사공지", "한국장학재단 국가장학금 2차 신청", "https://example.ac.kr/bbs/view?no=99", time.Date(2026, 11, 20, 0, 0, 0, 0, seoul)},
		{"학사공지", "<2026학년도> 학위수여식 안내", "https://example.ac.kr/bbs/view?no=97", time.Date(2026, 11, 19, 10, 0, 0, 0, seoul)},
		{"학과", "장학생 선발 결과 & 안내", "https://cs.example.ac.kr/board/view/55", time.Date(2026, 11, 21, 14, 0, 0, 0, seoul)},
		{"학과", "세미나 일정 변경", "https://cs.example.ac.kr/board/view/54", time.Date(2026, 11, 20, 18, 30, 0, 0, seoul)},
		{"학과", "Midterm EXAM room change", "", time.Date(2026, 11, 20, 10, 0, 0, 0, seoul)},
		{"가정통신문", "겨울방학 & 방과후 학교 안내", "https://hs.example.kr/notice/301", time.Date(2026, 11, 21, 9, 0, 0, 0, seoul)},
		{"가정통신문", "기말고사 시간표가 나왔습니다. 자세한 내용은 첨부 파일을 보세요. 시험 기간에는 도서관이 24시간 열립니다.", "https://hs.example.kr/notice/300", time.Date(2026, 11, 19, 16, 30, 0, 0, seoul)},
		{"가정통신문", "급식 식단표", "", time.Date(2026, 11, 18, 12, 0, 0, 0, seoul)},
	}
	if len(got) != len(want) {
		t.Fatalf("board:\n%s\nwant %d items", strings.Join(titles(got), "\n"), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Source != w.Source || g.Title != w.Title || g.Link != w.Link || !g.Published.Equal(w.Published) ||
			g.Published.Location() != seoul {
			t.Errorf("item %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
}

func TestFirstFetchThenNewItems(t *testing.T) {
	c, seoul := start(t)
	store, _ := openStore(t, "", c)
	up, srv := newUpstream(t, rss(
		ti{"1", "2027학년도 수강신청 안내", "Sat, 21 Nov 2026 10:00:00 +0900"},
		ti{"2", "동아리 박람회", "Sat, 21 Nov 2026 11:00:00 +0900"},
	))
	q := newQueue()
	f := newFeeds(store, q, seoul, notice("학사공지", srv.URL, "수강신청", "휴강"))
	refresh(t, f)
	if n := q.callCount(); n != 0 {
		t.Fatalf("first fetch queued %d pop-ups, want none", n)
	}
	if got := titles(f.Board(c.Now())); len(got) != 2 {
		t.Fatalf("board after first fetch: %q", got)
	}

	up.set(rss(
		ti{"3", "정전으로 인한 <b>휴강</b> 안내", "Sun, 22 Nov 2026 09:10:00 +0900"},
		ti{"4", "도서관 휴관", "Sun, 22 Nov 2026 09:05:00 +0900"},
		ti{"1", "2027학년도 수강신청 안내", "Sat, 21 Nov 2026 10:00:00 +0900"},
	), "", "")
	c.Add(10 * time.Minute)
	refresh(t, f) // within refresh_minutes: not fetched
	if hits, _ := up.counts(); hits != 1 {
		t.Fatalf("fetched %d times within refresh_minutes", hits)
	}
	c.Add(refreshed)
	refresh(t, f)
	if got, want := q.messages(), []string{"학사공지\n정전으로 인한 휴강 안내"}; !slices.Equal(got, want) {
		t.Errorf("pop-ups %q, want %q", got, want)
	}
	if p := q.calls[0]; p.kind != "notice" || !strings.HasPrefix(p.id, "no-") {
		t.Errorf("pop-up %+v", p)
	}
	want := []string{"학사공지: 정전으로 인한 휴강 안내", "학사공지: 도서관 휴관", "학사공지: 2027학년도 수강신청 안내"}
	if got := titles(f.Board(c.Now())); !slices.Equal(got, want) {
		t.Errorf("board %q, want %q", got, want)
	}

	for range 3 {
		c.Add(refreshed)
		refresh(t, f)
	}
	if n := q.callCount(); n != 1 {
		t.Errorf("%d pushes after more fetches of the same feed, want 1", n)
	}
}

func TestConditionalGet(t *testing.T) {
	c, seoul := start(t)
	store, _ := openStore(t, "", c)
	up, srv := newUpstream(t, "")
	const modified = "Sun, 22 Nov 2026 00:00:00 GMT"
	up.set(rss(ti{"1", "수강신청", "Sun, 22 Nov 2026 08:00:00 +0900"}), `"v1"`, modified)
	q := newQueue()
	f := newFeeds(store, q, seoul, notice("학사공지", srv.URL, "장학"))
	refresh(t, f)
	if h := up.lastRequest(); h.Get("If-None-Match") != "" || h.Get("If-Modified-Since") != "" || h.Get("User-Agent") != "kiosk-test/1" {
		t.Errorf("first request headers: %v", h)
	}

	c.Add(refreshed)
	refresh(t, f)
	h := up.lastRequest()
	if h.Get("If-None-Match") != `"v1"` || h.Get("If-Modified-Since") != modified {
		t.Errorf("second request: If-None-Match %q If-Modified-Since %q", h.Get("If-None-Match"), h.Get("If-Modified-Since"))
	}
	if _, nm := up.counts(); nm != 1 {
		t.Fatalf("304s: %d, want 1", nm)
	}
	st := source.Statuses(store, []string{"학사공지"}, []string{"notices"})[0]
	if !st.OK || !st.Updated.Equal(c.Now()) {
		t.Errorf("status after 304: %+v", st)
	}
	if got := titles(f.Board(c.Now())); !slices.Equal(got, []string{"학사공지: 수강신청"}) {
		t.Errorf("board after 304: %q", got)
	}

	// Changed, with Last-Modified only.
	up.set(rss(ti{"2", "장학금 신청", "Sun, 22 Nov 2026 10:00:00 +0900"}, ti{"1", "수강신청", "Sun, 22 Nov 2026 08:00:00 +0900"}),
		"", "Sun, 22 Nov 2026 02:00:00 GMT")
	c.Add(refreshed)
	refresh(t, f)
	if got := titles(f.Board(c.Now())); !slices.Equal(got, []string{"학사공지: 장학금 신청", "학사공지: 수강신청"}) {
		t.Errorf("board after change: %q", got)
	}
	if got := q.messages(); !slices.Equal(got, []string{"학사공지\n장학금 신청"}) {
		t.Errorf("pop-ups %q", got)
	}
	c.Add(refreshed)
	refresh(t, f)
	if h := up.lastRequest(); h.Get("If-None-Match") != "" || h.Get("If-Modified-Since") != "Sun, 22 Nov 2026 02:00:00 GMT" {
		t.Errorf("conditional headers after change: %v", h)
	}
	if _, nm := up.counts(); nm != 2 {
		t.Errorf("304s: %d, want 2", nm)
	}
}

func TestBrokenFeedBesideGood(t *testing.T) {
	c, seoul := start(t)
	store, _ := openStore(t, "", c)
	_, good := newUpstream(t, rss(ti{"1", "학과 공지", "Sun, 22 Nov 2026 08:00:00 +0900"}))
	bad, badSrv := newUpstream(t, rss(ti{"9", "예전 공지", "Sat, 21 Nov 2026 08:00:00 +0900"}))
	html, htmlSrv := newUpstream(t, "<!DOCTYPE html><html><body>로그인이 필요합니다</body></html>")
	html.ctype = "text/html"
	f := newFeeds(store, newQueue(), seoul,
		notice("학과", good.URL), notice("학사공지", badSrv.URL+"/rss?token=abc"), notice("로그인", htmlSrv.URL))

	err := f.Refresh(context.Background())
	if err == nil || !strings.Contains(err.Error(), `notices "로그인": GET http://127.0.0.1`) ||
		!errors.Is(err, ErrNotFeed) {
		t.Fatalf("first refresh: %v", err)
	}
	bad.fail(http.StatusInternalServerError, "")
	c.Add(refreshed)
	err = f.Refresh(context.Background())
	if err == nil || !strings.Contains(err.Error(), `notices "학사공지"`) || !strings.Contains(err.Error(), "500") ||
		strings.Contains(err.Error(), "token") {
		t.Fatalf("second refresh: %v", err)
	}
	want := []string{"학과: 학과 공지", "학사공지: 예전 공지"}
	if got := titles(f.Board(c.Now())); !slices.Equal(got, want) {
		t.Errorf("board %q, want %q", got, want)
	}
	names, kinds := f.Names()
	sts := source.Statuses(store, names, kinds)
	if st := sts[0]; !st.OK || st.Stale || st.Kind != "notices" {
		t.Errorf("good: %+v", st)
	}
	if st := sts[1]; st.OK || !st.Stale || !strings.Contains(st.Error, "500") || st.NextTry == nil {
		t.Errorf("broken: %+v", st)
	}
	if st := sts[2]; st.OK || st.Stale || !strings.Contains(st.Error, "not an RSS, Atom or JSON feed") {
		t.Errorf("never good: %+v", st)
	}
}

func TestRetryAfter(t *testing.T) {
	c, seoul := start(t)
	store, _ := openStore(t, "", c)
	up, srv := newUpstream(t, "")
	up.fail(http.StatusTooManyRequests, "7200")
	f := newFeeds(store, nil, seoul, notice("학사공지", srv.URL))
	err := f.Refresh(context.Background())
	var ra *source.RetryAfterError
	if !errors.As(err, &ra) || ra.After != 2*time.Hour {
		t.Fatalf("got %v, want a RetryAfterError of 2h", err)
	}
	st := source.Statuses(store, []string{"학사공지"}, []string{"notices"})[0]
	if st.NextTry == nil || !st.NextTry.Equal(c.Now().Add(2*time.Hour)) {
		t.Errorf("next try %v, want in 2h", st.NextTry)
	}
	c.Add(time.Hour)
	f.Refresh(context.Background())
	if hits, _ := up.counts(); hits != 1 {
		t.Errorf("fetched %d times while backing off", hits)
	}
	// "Refresh now" skips the back-off.
	up.fail(0, "")
	up.set(rss(ti{"1", "공지", ""}), "", "")
	if err := source.Reset(store, "학사공지"); err != nil {
		t.Fatal(err)
	}
	refresh(t, f)
	if got := titles(f.Board(c.Now())); !slices.Equal(got, []string{"학사공지: 공지"}) {
		t.Errorf("board after reset: %q", got)
	}
}

func TestTooLarge(t *testing.T) {
	for _, chunked := range []bool{false, true} {
		c, seoul := start(t)
		store, _ := openStore(t, "", c)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body := rss(ti{"1", strings.Repeat("가", 2000), ""})
			if !chunked {
				w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			}
			w.Write([]byte(body))
		}))
		defer srv.Close()
		f := New(Options{Feeds: []config.Notice{notice("학사공지", srv.URL)}, Store: store,
			Runner: source.NewRunner(store, discard(), nil, nil), Loc: seoul, MaxBytes: 4096})
		err := f.Refresh(context.Background())
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "feed larger than 4096 bytes") {
			t.Errorf("chunked=%v: got %v", chunked, err)
		}
	}
}

func TestKeepAndKeepDays(t *testing.T) {
	c, seoul := start(t)
	store, _ := openStore(t, "", c)
	_, srv := newUpstream(t, rss(
		ti{"5", "다섯", "Sun, 22 Nov 2026 08:00:00 +0900"},
		ti{"1", "하나", "Mon, 16 Nov 2026 08:00:00 +0900"},
		ti{"4", "넷", "Sat, 21 Nov 2026 08:00:00 +0900"},
		ti{"3", "셋", "Thu, 19 Nov 2026 09:00:00 +0900"},
		ti{"2", "둘", "Tue, 17 Nov 2026 08:00:00 +0900"},
	))
	n := notice("학사공지", srv.URL)
	n.Keep, n.KeepDays = 3, 5
	f := newFeeds(store, nil, seoul, n)
	refresh(t, f)
	tests := []struct {
		at   time.Time
		want []string
	}{
		{c.Now(), []string{"학사공지: 다섯", "학사공지: 넷", "학사공지: 셋"}},
		{c.Now().Add(3 * 24 * time.Hour), []string{"학사공지: 다섯", "학사공지: 넷"}}, // 셋 is 6 days old
		{time.Date(2026, 11, 26, 8, 0, 0, 0, seoul), []string{"학사공지: 다섯", "학사공지: 넷"}},
		{time.Date(2026, 11, 26, 8, 0, 1, 0, seoul), []string{"학사공지: 다섯"}},
		{c.Now().Add(10 * 24 * time.Hour), nil},
	}
	for _, tt := range tests {
		if got := titles(f.Board(tt.at)); !slices.Equal(got, tt.want) {
			t.Errorf("Board(%v) = %q, want %q", tt.at, got, tt.want)
		}
	}
	if b, _ := json.Marshal(f.Board(c.Now().Add(30 * 24 * time.Hour))); string(b) != "[]" {
		t.Errorf("empty board as JSON: %s", b)
	}
	b, _ := json.Marshal(f.Board(c.Now())[0])
	if want := `{"source":"학사공지","title":"다섯","link":"https://example.ac.kr/bbs/view?no=5","published":"2026-11-22T08:00:00+09:00"}`; string(b) != want {
		t.Errorf("item as JSON:\n got %s\nwant %s", b, want)
	}
}
