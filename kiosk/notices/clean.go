package notices

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/unicode/norm"
)

// MaxTitle is the longest title kept, in characters.
const MaxTitle = 200

// maxInput is as much of a title as is read, in bytes.
const maxInput = 16 << 10

// maxPasses bounds how often markup is stripped from a title: boards
// escape twice ("&amp;lt;b&amp;gt;") and feeds then escape once more.
const maxPasses = 4

// cleanTitle turns a feed title into one line of plain text: tags are
// removed, entities decoded (repeatedly, for titles escaped twice), control
// and bidi-override characters dropped, white space collapsed, the text
// NFC-normalized and cut at MaxTitle. Angle brackets that are not HTML
// tags, as in "<수강신청> 안내" or "<Notice>", stay.
func cleanTitle(s string) string {
	if len(s) > maxInput {
		s = s[:maxInput]
	}
	s = strings.ToValidUTF8(s, "")
	for range maxPasses {
		t := stripHTML(strings.Map(visible, s)) // "<\x00a" is a tag once the NUL goes
		if t == s {
			break
		}
		s = t
	}
	out := truncate(oneLine(norm.NFC.String(s)), MaxTitle)
	// The cut can leave a bracket unterminated ("<A000…"), which reads as
	// a tag cut short and goes on a second reading: settle on that one.
	if again := stripHTML(out); again != out {
		out = truncate(oneLine(norm.NFC.String(again)), MaxTitle)
	}
	return out
}

// visible drops control characters other than white space, invisible
// format characters (bidi overrides, zero-width space, BOM) but for the
// joiners emoji need, and U+FFFD.
func visible(r rune) rune {
	switch {
	case unicode.IsSpace(r):
		return r
	case unicode.IsControl(r), r == utf8.RuneError,
		unicode.Is(unicode.Cf, r) && r != '\u200c' && r != '\u200d':
		return -1
	}
	return r
}

// stripHTML reads s as an HTML fragment and returns its text with entities
// decoded; tags of known HTML elements are dropped (a space for those that
// break lines), other tags are kept as text, script and style go whole.
func stripHTML(s string) string {
	if !markup(s) {
		return s
	}
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	skip := atom.Atom(0) // inside script or style
	for {
		switch z.Next() {
		case html.ErrorToken: // io.EOF: the reader is a string
			return b.String()
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			raw := string(z.Raw())
			name, _ := z.TagName()
			a := atom.Lookup(name)
			switch {
			case a == 0:
				b.WriteString(html.UnescapeString(raw)) // not markup: "<Notice>"
			case a == atom.Script || a == atom.Style:
				if strings.HasPrefix(raw, "</") {
					skip = 0
				} else if !strings.HasSuffix(raw, "/>") {
					skip = a
				}
			case breaks(a):
				b.WriteByte(' ')
			}
		}
	}
}

// markup reports whether s may hold a tag, comment or character
// reference: a "<" before a letter, "/", "!" or "?", or an "&" before a
// letter or "#". "<수강신청>", "a < b" and "R & D" hold none.
func markup(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		next := s[i+1]
		letter := 'a' <= next|0x20 && next|0x20 <= 'z'
		if (s[i] == '<' && (letter || next == '/' || next == '!' || next == '?')) ||
			(s[i] == '&' && (letter || next == '#')) {
			return true
		}
	}
	return false
}

// breaks reports whether a tag separates words.
func breaks(a atom.Atom) bool {
	switch a {
	case atom.Br, atom.P, atom.Div, atom.Li, atom.Tr, atom.Td, atom.Th, atom.H1, atom.H2,
		atom.H3, atom.H4, atom.H5, atom.H6, atom.Hr, atom.Ul, atom.Ol, atom.Table, atom.Blockquote:
		return true
	}
	return false
}

// oneLine collapses white space to single spaces, drops what visible
// drops and trims.
func oneLine(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case visible(r) < 0:
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// truncate cuts s to at most n characters, the last one an ellipsis.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for i = range s {
		if count == n-1 {
			break
		}
		count++
	}
	return strings.TrimRightFunc(s[:i], unicode.IsSpace) + "…"
}

// cleanLink resolves a feed link against the feed's URL and keeps it only
// if it is http or https with a host; user info is dropped. Anything else
// (javascript:, data:, mailto:) becomes "".
func cleanLink(base *url.URL, raw string) string {
	raw = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\r' || r == '\n' { // as browsers do
			return -1
		}
		return r
	}, strings.TrimSpace(raw))
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	u.User = nil
	return u.String()
}
