package ics

import (
	"bytes"
	"errors"
	"io"
)

// guard sits between the feed and golang-ical's reader and stops input that
// parser handles badly before the parser sees it:
//   - each BEGIN recurses once, so deep nesting would exhaust the stack
//     (fatal, not a panic); nesting stops at maxDepth;
//   - a component is held in memory whole, at some 150 bytes a line even
//     for a 4-byte line, so one top-level component (a VEVENT with its
//     alarms) may have at most maxComponentLines lines;
//   - each property parameter makes the parser copy the whole line, so a
//     line's cost is about (parameters+1) × length; the sum over all lines
//     may not exceed paramCostPerByte × input + paramCostBase, which real
//     feeds (a few parameters on short lines, long lines with few) stay far
//     below.
//
// It follows line folding the way the parser does (CRLF or LF, then a space
// or tab continues the line) and checks as bytes pass, so a bad line is cut
// off before the parser has all of it.
type guard struct {
	r   io.Reader
	err error

	read      int64 // bytes passed on
	committed int64 // cost of finished lines
	atStart   bool  // the last byte ended a physical line

	// The logical line being read.
	length  int64
	params  int64
	inValue bool
	quoted  bool
	head    [6]byte
	headN   int
	depth   int
	lines   int // logical lines in the current top-level component
}

const (
	maxDepth          = 10
	maxComponentLines = 10_000
	paramCostPerByte  = 8
	paramCostBase     = 1 << 20
)

var (
	errTooDeep    = errors.New("components nested too deep")
	errTooCostly  = errors.New("too many property parameters for the input size")
	errBadNesting = errors.New("END without BEGIN")
	errTooLong    = errors.New("component with too many lines")
)

func newGuard(r io.Reader) *guard { return &guard{r: r, atStart: true} }

func (g *guard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	for i := 0; i < n; {
		if g.inValue && !g.atStart && g.headN == len(g.head) {
			// Inside a value only its length and the newline matter.
			j := bytes.IndexByte(p[i:n], '\n')
			if j < 0 {
				j = n - i
			}
			g.read += int64(j)
			g.length += int64(j)
			if e := g.checkCost(); e != nil {
				g.err = e
				return i, e
			}
			i += j
			if i == n {
				break
			}
		}
		if e := g.step(p[i]); e != nil {
			g.err = e
			return i, e
		}
		i++
	}
	return n, err
}

func (g *guard) checkCost() error {
	if g.committed+(g.params+1)*g.length > paramCostPerByte*g.read+paramCostBase {
		return errTooCostly
	}
	return nil
}

func (g *guard) step(c byte) error {
	g.read++
	if g.atStart {
		g.atStart = false
		if c == ' ' || c == '\t' {
			return nil // a folded continuation: the parser drops this byte
		}
		g.committed += (g.params + 1) * g.length
		g.length, g.params, g.inValue, g.quoted, g.headN = 0, 0, false, false, 0
		if g.depth >= 2 { // inside VCALENDAR and a component
			g.lines++
			if g.lines > maxComponentLines {
				return errTooLong
			}
		} else {
			g.lines = 0
		}
	}
	switch c {
	case '\n':
		g.atStart = true
		return nil
	case '\r':
		return nil
	}
	if g.read <= 3 && g.headN == 0 && (c == 0xEF || c == 0xBB || c == 0xBF) {
		return nil // a byte order mark, which the parser skips too
	}
	g.length++
	if g.headN < len(g.head) {
		g.head[g.headN] = c
		g.headN++
		switch {
		case g.headN == 6 && string(g.head[:6]) == "BEGIN:":
			g.depth++
			if g.depth > maxDepth {
				return errTooDeep
			}
		case g.headN == 4 && string(g.head[:4]) == "END:":
			g.depth--
			if g.depth < 0 {
				return errBadNesting
			}
		}
	}
	if !g.inValue {
		switch c {
		case '"':
			g.quoted = !g.quoted
		case ':':
			g.inValue = !g.quoted
		case ';', ',':
			if !g.quoted {
				g.params++
			}
		}
	}
	return g.checkCost()
}
