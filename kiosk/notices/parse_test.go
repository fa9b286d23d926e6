package notices

import (
	"bytes"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	seoul := mustZone(t, "Asia/Seoul")
	type want struct{ key, title, link, date string } // date RFC 3339 in Seoul, "" for none
	tests := []struct {
		file string
		want []want
	}{
		{"rss.xml", []want{
			{"g:notice-101", "2027학년도 1학기 수강신청 안내", "https://example.ac.kr/bbs/view?no=101&board=notice", "2026-11-22T08:30:00+09:00"},
			{"g:notice-100", "[긴급] 교내 정전으로 인한 휴강 공지", "https://example.ac.kr/bbs/view?no=100", "2026-11-21T17:00:00+09:00"},
			{"l:https://example.ac.kr/bbs/view?no=99", "한국장학재단 국가장학금 2차 신청", "https://example.ac.kr/bbs/view?no=99", "2026-11-20T00:00:00+09:00"},
			{"g:notice-98", "도서관 <Notice> 운영시간 변경 & 안내", "", ""},
			{"g:notice-97", "<2026학년도> 학위수여식 안내", "https://example.ac.kr/bbs/view?no=97", "2026-11-19T10:00:00+09:00"},
			{"t:게시판 점검 안내\x002026년 11월 18일", "게시판 점검 안내", "", "2026-11-18T00:00:00+09:00"},
			{"g:notice-90", "가을 축제 안내", "https://example.ac.kr/bbs/view?no=90", "2026-11-02T09:00:00+09:00"},
		}},
		{"atom.xml", []want{
			{"g:tag:cs.example.ac.kr,2026:55", "장학생 선발 결과 & 안내", "https://cs.example.ac.kr/board/view/55", "2026-11-21T14:00:00+09:00"},
			{"g:tag:cs.example.ac.kr,2026:54", "세미나 일정 변경", "https://cs.example.ac.kr/board/view/54", "2026-11-20T18:30:00+09:00"},
			{"g:tag:cs.example.ac.kr,2026:53", "Midterm EXAM room change", "", "2026-11-20T10:00:00+09:00"},
		}},
		{"feed.json", []want{
			{"g:hs-2026-301", "겨울방학 & 방과후 학교 안내", "https://hs.example.kr/notice/301", "2026-11-21T09:00:00+09:00"},
			{"g:hs-2026-300", "기말고사 시간표가 나왔습니다. 자세한 내용은 첨부 파일을 보세요. 시험 기간에는 도서관이 24시간 열립니다.", "https://hs.example.kr/notice/300", "2026-11-19T16:30:00+09:00"},
			{"g:hs-2026-299", "급식 식단표", "", "2026-11-18T12:00:00+09:00"},
		}},
		{"euckr.xml", []want{
			{"g:es-7", "수강신청 기간 연장 안내", "http://es.example.kr/board.php?id=7", "2026-11-21T09:00:00+09:00"},
		}},
	}
	base, _ := url.Parse("https://example.ac.kr/bbs/rss?board=notice")
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b, err := os.ReadFile("testdata/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			got, err := parse(bytes.NewReader(b), "", base, seoul)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if len(got) != len(tt.want) {
				t.Errorf("got %d entries, want %d", len(got), len(tt.want))
			}
			for i := range min(len(got), len(tt.want)) {
				g, w := got[i], tt.want[i]
				date := ""
				if !g.date.IsZero() {
					date = g.date.In(seoul).Format(time.RFC3339)
				}
				if g.key != w.key || g.title != w.title || g.link != w.link || date != w.date {
					t.Errorf("entry %d:\n got %q %q %q %q\nwant %q %q %q %q", i,
						g.key, g.title, g.link, date, w.key, w.title, w.link, w.date)
				}
			}
		})
	}
}

// An old board serving EUC-KR without an XML declaration names the
// charset only in its Content-Type.
func TestParseHeaderCharset(t *testing.T) {
	b, err := os.ReadFile("testdata/euckr.xml")
	if err != nil {
		t.Fatal(err)
	}
	_, b, _ = bytes.Cut(b, []byte("?>\n")) // drop the declaration
	got, err := parse(bytes.NewReader(b), "text/xml; charset=EUC-KR", nil, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].title != "수강신청 기간 연장 안내" {
		t.Errorf("got %+v", got)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"login page", "<!DOCTYPE html><html><body>로그인</body></html>", "not an RSS, Atom or JSON feed"},
		{"empty", "", "not an RSS, Atom or JSON feed"},
		{"bad json", `{"version": "https://jsonfeed.org/version/1.1", "items": [`, "parse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse(strings.NewReader(tt.body), "", nil, time.UTC)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error with %q", err, tt.want)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	seoul := mustZone(t, "Asia/Seoul")
	ref := func(layout, v string) *time.Time { // gofeed's reading, as it would give it
		p, err := time.Parse(layout, v)
		if err != nil {
			t.Fatal(err)
		}
		return &p
	}
	tests := []struct {
		name   string
		raw    string
		parsed *time.Time
		loc    *time.Location
		want   string // RFC 3339 in UTC, "" for none
	}{
		{"dotted date", "2026.11.20", nil, seoul, "2026-11-19T15:00:00Z"},
		{"dotted with spaces and final dot", "2026. 11. 20.", nil, seoul, "2026-11-19T15:00:00Z"},
		{"dotted with time", "2026.11.20 14:30", nil, seoul, "2026-11-20T05:30:00Z"},
		{"dashed local time", "2026-11-20 14:30:00", ref("2006-01-02 15:04:05", "2026-11-20 14:30:00"), seoul, "2026-11-20T05:30:00Z"},
		{"korean", "2026년 11월 20일", nil, seoul, "2026-11-19T15:00:00Z"},
		{"RFC 1123 KST, zone Seoul", "Fri, 20 Nov 2026 09:00:00 KST", ref(time.RFC1123, "Fri, 20 Nov 2026 09:00:00 KST"), seoul, "2026-11-20T00:00:00Z"},
		{"RFC 1123 KST, zone UTC", "Fri, 20 Nov 2026 09:00:00 KST", ref(time.RFC1123, "Fri, 20 Nov 2026 09:00:00 KST"), time.UTC, "2026-11-20T00:00:00Z"},
		{"RFC 1123 GMT", "Fri, 20 Nov 2026 09:00:00 GMT", ref(time.RFC1123, "Fri, 20 Nov 2026 09:00:00 GMT"), seoul, "2026-11-20T09:00:00Z"},
		{"RFC 1123Z", "Fri, 20 Nov 2026 09:00:00 +0900", ref(time.RFC1123Z, "Fri, 20 Nov 2026 09:00:00 +0900"), seoul, "2026-11-20T00:00:00Z"},
		{"RFC 1123 without zone", "Fri, 20 Nov 2026 09:00:00", ref("Mon, 02 Jan 2006 15:04:05", "Fri, 20 Nov 2026 09:00:00"), seoul, "2026-11-20T00:00:00Z"},
		{"RFC 3339 Z", "2026-11-20T09:00:00Z", ref(time.RFC3339, "2026-11-20T09:00:00Z"), seoul, "2026-11-20T09:00:00Z"},
		{"RFC 3339 offset", "2026-11-20T09:00:00+09:00", ref(time.RFC3339, "2026-11-20T09:00:00+09:00"), time.UTC, "2026-11-20T00:00:00Z"},
		{"placeholder", "0001-01-01T00:00:00Z", ref(time.RFC3339, "0001-01-01T00:00:00Z"), seoul, ""},
		{"garbage", "어제", nil, seoul, ""},
		{"empty", "", nil, seoul, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if d := parseDate(tt.raw, tt.parsed, tt.loc); !d.IsZero() {
				got = d.UTC().Format(time.RFC3339)
			}
			if got != tt.want {
				t.Errorf("parseDate(%q) = %q, want %q", tt.raw, got, tt.want)
			}
		})
	}
}

func TestHasZone(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"Fri, 20 Nov 2026 09:00:00 +0900", true},
		{"Fri, 20 Nov 2026 09:00:00 -0700 GMT", true},
		{"Fri, 20 Nov 2026 09:00:00 GMT", true},
		{"Fri, 20 Nov 2026 09:00:00 UT", true},
		{"2026-11-20T09:00:00Z", true},
		{"2026-11-20T09:00:00.123Z", true},
		{"2026-11-20T09:00:00+09:00", true},
		{"2026-11-20T09:00+09:00", true},
		{"2026-11-20 09:00:00+09", true},
		{"Mon Jan 02 2006 15:04:05 GMT-0700 (MST)", true},
		{"Fri, 20 Nov 2026 09:00:00", false},
		{"Fri, 20 Nov 2026 09:00:00 KST", false}, // a name: fixZone's other case
		{"2026-11-20 14:30", false},
		{"2026-11-20", false},
		{"01-02-2006", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := hasZone(tt.in); got != tt.want {
			t.Errorf("hasZone(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
