package notices

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

// feed200 is a board's RSS with 200 items: Korean titles with escaped
// markup, as boards write them.
func feed200() string {
	items := make([]ti, 200)
	day := time.Date(2026, 11, 22, 9, 0, 0, 0, time.FixedZone("KST", 9*3600))
	for i := range items {
		items[i] = ti{
			guid:  fmt.Sprintf("notice-%d", 1000-i),
			title: fmt.Sprintf("&lt;b&gt;[학사]&lt;/b&gt; 2027학년도 수강신청 안내 제%d호 &amp; 장학금 신청", i),
			date:  day.Add(-time.Duration(i) * 3 * time.Hour).Format(time.RFC1123Z),
		}
	}
	return rss(items...)
}

func BenchmarkParse200(b *testing.B) {
	body := feed200()
	base, _ := url.Parse("https://example.ac.kr/bbs/rss")
	loc := mustZone(b, "Asia/Seoul")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		entries, err := parse(strings.NewReader(body), "", base, loc)
		if err != nil || len(entries) != 200 {
			b.Fatal(len(entries), err)
		}
	}
}

// BenchmarkRefresh200NotModified is the steady state: a 304 for a feed of
// 200 items whose keys are all known.
func BenchmarkRefresh200NotModified(b *testing.B) {
	c, seoul := start(b)
	store, _ := openStore(b, b.TempDir(), c) // in memory, badger refuses values over 1 KiB
	up, srv := newUpstream(b, "")
	up.set(feed200(), `"v1"`, "")
	f := newFeeds(store, newQueue(), seoul, notice("학사공지", srv.URL, "휴강"))
	refresh(b, f)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		c.Add(refreshed)
		if err := f.Refresh(ctx); err != nil {
			b.Fatal(err)
		}
	}
	if _, nm := up.counts(); nm == 0 {
		b.Fatal("no 304")
	}
}

func BenchmarkCleanTitle(b *testing.B) {
	in := "&amp;lt;b&amp;gt;[긴급]&amp;lt;/b&amp;gt; 교내 정전으로 인한 <span style=\"color:red\">휴강</span>&nbsp;공지"
	b.ReportAllocs()
	for b.Loop() {
		cleanTitle(in)
	}
}
