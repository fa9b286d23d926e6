package ics

import (
	"bufio"
	"bytes"
	"io"
)

// lineReader turns a feed into logical content lines the way calendar apps
// read them, not the way RFC 5545 says they must be written:
//   - lines end with CRLF, LF or a lone CR; byte order marks are dropped;
//   - a line starting with a space or tab continues the previous one
//     (folding), and blank lines are ignored;
//   - a line without the NAME: or NAME; shape is a raw line break inside
//     the previous line (iCloud writes them inside quoted addresses), or,
//     after a line whose value is a date, rule or number, a stray line that
//     is skipped and counted;
//   - a line whose parameters are still inside a quoted value takes the
//     next line too, unless that one starts with a property the kiosk knows.
//
// Lines come out with their name upper-cased; the slice is valid until the
// next call.
type lineReader struct {
	sc       *bufio.Scanner
	cur      []byte // the logical line being assembled
	other    []byte // the line handed out last
	have     bool   // cur holds a line
	pend     []byte // the unfolded physical line after cur
	havePend bool
	// How far curHasValue has scanned cur, and what it found.
	scan          int
	quoted, found bool
	done          bool
	skipped       func(reason string)
}

// maxLine bounds one physical line; callers bound the whole input anyway.
const maxLine = 256 << 20

func newLineReader(r io.Reader, skipped func(string)) *lineReader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	sc.Split(splitLines)
	return &lineReader{sc: sc, skipped: skipped}
}

// splitLines is a bufio.SplitFunc for CRLF, LF and lone CR line ends.
func splitLines(data []byte, atEOF bool) (int, []byte, error) {
	n := bytes.IndexByte(data, '\n')
	head := data
	if n >= 0 {
		head = data[:n]
	}
	if r := bytes.IndexByte(head, '\r'); r >= 0 {
		switch {
		case r+1 < len(data) && data[r+1] == '\n':
			return r + 2, data[:r], nil
		case r+1 < len(data) || atEOF:
			return r + 1, data[:r], nil
		}
		return 0, nil, nil // is the next byte a '\n'?
	}
	if n >= 0 {
		return n + 1, data[:n], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// next returns the next logical line, or nil at the end of the input.
// Folding is undone first: a physical line and its folded continuations
// are one unfolded line, which then starts a logical line, continues the
// current one, or is skipped.
func (lr *lineReader) next() ([]byte, error) {
	for {
		if lr.done {
			if lr.havePend {
				lr.havePend = false
				if out := lr.place(); out != nil {
					return out, nil
				}
			}
			if lr.have {
				return lr.finish(), nil
			}
			return nil, nil
		}
		if !lr.sc.Scan() {
			lr.done = true
			if err := lr.sc.Err(); err != nil {
				return nil, err
			}
			continue
		}
		phys := lr.sc.Bytes()
		if len(phys) > 0 && phys[0] == 0xEF {
			// A byte order mark, at the start or where files were joined.
			phys = bytes.TrimPrefix(phys, []byte("\xEF\xBB\xBF"))
		}
		if len(bytes.TrimSpace(phys)) == 0 {
			continue
		}
		if phys[0] == ' ' || phys[0] == '\t' {
			switch {
			case lr.havePend:
				lr.pend = append(lr.pend, phys[1:]...)
			case lr.have:
				lr.cur = append(lr.cur, phys[1:]...)
			default:
				lr.skipped("continuation line without a line before it")
			}
			continue
		}
		var out []byte
		if lr.havePend {
			out = lr.place()
		}
		lr.pend, lr.havePend = append(lr.pend[:0], phys...), true
		if out != nil {
			return out, nil
		}
	}
}

// place puts the unfolded line in pend after the logical line in cur. It
// returns cur when pend starts a new logical line.
func (lr *lineReader) place() []byte {
	if !lr.have {
		lr.cur, lr.have = append(lr.cur[:0], lr.pend...), true
		return nil
	}
	switch lr.classify(lr.pend) {
	case lineNew:
		out := lr.finish()
		lr.cur, lr.have = append(lr.cur, lr.pend...), true
		return out
	case lineCont:
		lr.cur = append(append(lr.cur, '\n'), lr.pend...)
	default:
		lr.skipped("line without a property name")
	}
	return nil
}

// finish hands out the current logical line; it stays intact until the
// next call, as the next line is assembled in the other buffer.
func (lr *lineReader) finish() []byte {
	out := lr.cur
	upperName(out)
	lr.have = false
	lr.scan, lr.quoted, lr.found = 0, false, false
	lr.cur, lr.other = lr.other[:0], out
	return out
}

const (
	lineNew  = iota // phys starts a logical line
	lineCont        // phys is the rest of the current one after a raw line break
	lineSkip        // phys is a stray line
)

// classify says what the physical line phys is to the logical line in
// lr.cur, which does not start with a space or tab.
func (lr *lineReader) classify(phys []byte) int {
	nameEnd := shapeEnd(phys)
	if nameEnd > 0 && knownName(phys[:nameEnd]) {
		return lineNew
	}
	open := !lr.curHasValue()
	switch {
	case nameEnd > 0 && open:
		return lineCont
	case nameEnd > 0:
		return lineNew
	case open:
		return lineCont
	}
	if n := shapeEnd(lr.cur); n > 0 && structuredName(lr.cur[:n]) {
		// After DTSTART or RRULE a line of text cannot be the rest of
		// the value: it is a stray line of its own.
		return lineSkip
	}
	return lineCont
}

// curHasValue reports whether lr.cur has its value separator yet. It
// scans on from where it stopped, so a line that grows by many raw line
// breaks costs one pass, not one per break.
func (lr *lineReader) curHasValue() bool {
	line := lr.cur
	for i := lr.scan; !lr.found && i < len(line); i++ {
		c := line[i]
		switch {
		case lr.quoted:
			if c == '"' && (i+1 == len(line) || line[i+1] == ';' || line[i+1] == ':' || line[i+1] == ',') {
				lr.quoted = false
			}
		case c == '"' && i > 0 && (line[i-1] == '=' || line[i-1] == ','):
			lr.quoted = true
		case c == ':':
			lr.found = true
		}
		lr.scan = i + 1
	}
	return lr.found
}

// shapeEnd returns the length of the NAME in a line shaped NAME: or NAME;
// and 0 if the line has no such shape. Names are read more widely than RFC
// 5545 allows: Exchange writes X-ENTOURAGE_UUID, others dots and slashes.
func shapeEnd(line []byte) int {
	for i, c := range line {
		switch {
		case c == ':' || c == ';':
			return i
		case c <= ' ' || c == 0x7F || c == '"' || c == ',' || c == '=' || c == '\\':
			return 0
		}
	}
	return 0
}

// valueStart returns the index of the ':' that ends a line's name and
// parameters, or -1 if there is none yet. A parameter value may be quoted
// (after '=' or ','); its closing quote is one followed by ';', ':', ',' or
// the end, so stray quotes inside (CN="Coach \"Bob\"") do not end it.
func valueStart(line []byte) int {
	quoted := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quoted:
			if c == '"' && (i+1 == len(line) || line[i+1] == ';' || line[i+1] == ':' || line[i+1] == ',') {
				quoted = false
			}
		case c == '"' && i > 0 && (line[i-1] == '=' || line[i-1] == ','):
			quoted = true
		case c == ':':
			return i
		}
	}
	return -1
}

// upperName upper-cases the ASCII letters of a line's name in place.
func upperName(line []byte) {
	for i, c := range line {
		switch {
		case c == ':' || c == ';':
			return
		case c >= 'a' && c <= 'z':
			line[i] = c - 'a' + 'A'
		}
	}
}

// structuredName reports whether a property's value is a date, rule,
// number or identifier, which a raw line break never continues.
func structuredName(name []byte) bool {
	var buf [32]byte
	switch string(upperInto(&buf, name)) {
	case "BEGIN", "END", "UID", "DTSTART", "DTEND", "DUE", "DTSTAMP", "CREATED", "LAST-MODIFIED",
		"RECURRENCE-ID", "RRULE", "EXRULE", "RDATE", "EXDATE", "DURATION", "SEQUENCE", "STATUS",
		"TRIGGER", "ACTION", "REPEAT", "TZID", "TZOFFSETFROM", "TZOFFSETTO", "VERSION", "METHOD",
		"CALSCALE", "TRANSP", "CLASS", "PRIORITY", "X-WR-TIMEZONE":
		return true
	}
	return false
}

// knownName reports whether a name is one of RFC 5545's or a common
// producer's, which starts a line even after an unfinished one.
func knownName(name []byte) bool {
	if structuredName(name) {
		return true
	}
	var buf [32]byte
	switch string(upperInto(&buf, name)) {
	case "SUMMARY", "LOCATION", "DESCRIPTION", "ATTENDEE", "ORGANIZER", "CATEGORIES", "URL", "ATTACH",
		"COMMENT", "CONTACT", "GEO", "RESOURCES", "RELATED-TO", "REQUEST-STATUS", "TZNAME", "TZURL",
		"PRODID", "X-WR-CALNAME", "X-WR-CALDESC":
		return true
	}
	return false
}

// upperInto upper-cases a short name into buf; longer names come back
// empty, as no name the kiosk knows is that long.
func upperInto(buf *[32]byte, name []byte) []byte {
	if len(name) > len(buf) {
		return nil
	}
	for i, c := range name {
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		buf[i] = c
	}
	return buf[:len(name)]
}
