package notices

import (
	"kiosk/kiosk/clock"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"kiosk/kiosk/config"
)

func TestCleanTitle(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "학사 공지", "학사 공지"},
		{"escaped once", "&lt;b&gt;수강신청&lt;/b&gt; 안내", "수강신청 안내"},
		{"escaped twice", "&amp;lt;b&amp;gt;장학&amp;lt;/b&amp;gt;", "장학"},
		{"numeric references", "&#xD55C;&#44544; &#x26;", "한글 &"},
		{"brackets that are not tags", "<수강신청> 안내 & <Notice> a < b R&D", "<수강신청> 안내 & <Notice> a < b R&D"},
		{"markup", `<a href="x"><span style="color:red">[긴급]</span></a> <b>휴강</b>`, "[긴급] 휴강"},
		{"script and style", "공지<script>alert('<b>x</b>')</script> 끝<style>b{color:red}</style>", "공지 끝"},
		{"line breaks", "첫째<br>둘째<p>셋째</p>", "첫째 둘째 셋째"},
		{"comment", "a<!-- 메모 -->b", "ab"},
		{"white space", "  a\n\t b\u00a0\u3000c  ", "a b c"},
		{"controls and bidi overrides", "a\u0007b\u202ec\u200bd\ufeff", "abcd"},
		{"emoji joiner kept", "👨\u200d👩", "👨\u200d👩"},
		{"decomposed hangul", "\u1112\u1161\u11ab\u1100\u1173\u11af", "한글"},
		{"invalid utf-8", "a\xffb", "ab"},
		{"nul", "a\x00b", "ab"},
		{"long", strings.Repeat("가", 300), strings.Repeat("가", MaxTitle-1) + "…"},
		{"only markup", "<b></b>", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cleanTitle(tt.in); got != tt.want {
				t.Errorf("cleanTitle(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzCleanTitle(f *testing.F) {
	for _, s := range []string{"&amp;lt;b&amp;gt;x", "<수강신청>", "<script>x</script>y", "a\u202eb", "&#0;", "<b", "&amp;amp;amp;amp;amp;lt;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := cleanTitle(in)
		if !utf8.ValidString(got) {
			t.Fatalf("cleanTitle(%q) = %q: invalid UTF-8", in, got)
		}
		if n := utf8.RuneCountInString(got); n > MaxTitle {
			t.Fatalf("cleanTitle(%q): %d characters", in, n)
		}
		if strings.TrimSpace(got) != got || strings.Contains(got, "  ") {
			t.Fatalf("cleanTitle(%q) = %q: untrimmed or doubled space", in, got)
		}
		for _, r := range got {
			if unicode.IsControl(r) || (unicode.IsSpace(r) && r != ' ') || r == '\u202e' || r == utf8.RuneError {
				t.Fatalf("cleanTitle(%q) = %q: holds %U", in, got, r)
			}
		}
		if !strings.ContainsAny(in, "<&") {
			// Plain text only loses what visible and oneLine drop; a mark
			// after a dropped control character composes with the letter
			// before it ("C\x17\u0327" is "Ç").
			if want := truncate(oneLine(norm.NFC.String(strings.Map(visible, strings.ToValidUTF8(in, "")))), MaxTitle); len(in) <= maxInput && got != want {
				t.Fatalf("cleanTitle(%q) = %q, want %q", in, got, want)
			}
		}
		// Stable, unless escaped more often than maxPasses undoes ("&amp;amp;amp;amp;lt;").
		lower := strings.ToLower(strings.Map(visible, in)) // as the cleaner reads it
		nested := strings.Contains(lower, "&amp") || strings.Contains(lower, "&#")
		if again := cleanTitle(got); again != got && !nested {
			t.Fatalf("cleanTitle not idempotent: %q → %q → %q", in, got, again)
		}
	})
}

func TestCleanLink(t *testing.T) {
	base, _ := url.Parse("https://example.ac.kr/bbs/rss?board=notice")
	tests := []struct {
		name, in, want string
	}{
		{"absolute", "https://example.ac.kr/x?a=1&b=2", "https://example.ac.kr/x?a=1&b=2"},
		{"http", "http://example.ac.kr/x", "http://example.ac.kr/x"},
		{"root relative", "/bbs/view?no=1", "https://example.ac.kr/bbs/view?no=1"},
		{"path relative", "view?no=2", "https://example.ac.kr/bbs/view?no=2"},
		{"scheme relative", "//other.example.org/a", "https://other.example.org/a"},
		{"padded", "  https://example.ac.kr/a \n", "https://example.ac.kr/a"},
		{"javascript", "javascript:alert(1)", ""},
		{"javascript split and cased", " JaVa\tScRiPt:alert(1)", ""},
		{"data", "data:text/html,<b>x</b>", ""},
		{"mailto", "mailto:office@example.ac.kr", ""},
		{"ftp", "ftp://example.ac.kr/a", ""},
		{"user info", "https://user:pw@example.ac.kr/a", "https://example.ac.kr/a"},
		{"no host", "http:///a", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cleanLink(base, tt.in); got != tt.want {
				t.Errorf("cleanLink(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMatches(t *testing.T) {
	store, _ := openStore(t, "", clock.New(time.Time{}))
	fd := New(Options{Feeds: []config.Notice{{Name: "n", PopupKeywords: []string{"수강신청", "Scholarship", "STRASSE", " ", "휴강"}}},
		Store: store}).feeds[0]
	tests := []struct {
		title string
		want  bool
	}{
		{"2027학년도 1학기 수강신청 안내", true},
		{"수강 신청 안내", false},
		{"SCHOLARSHIP results", true},
		{"scholarships", true},
		{"Straße closed", true},
		{"\u1112\u1172\u1100\u1161\u11bc 안내", true}, // 휴강, decomposed
		{"장학금", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := fd.matches(tt.title); got != tt.want {
			t.Errorf("matches(%q) = %v, want %v", tt.title, got, tt.want)
		}
	}
}
