package ics

import (
	"bytes"
	"errors"
	"io"
)

// guard sits between the feed and the line reader and stops input that is
// costly to read before the reader holds it: each property parameter
// costs about a pass over its line, so a line's cost is taken as
// (parameters+1) × length, and the sum over all lines may not exceed
// paramCostPerByte × input + paramCostBase, which real feeds (a few
// parameters on short lines, long lines with few) stay far below. The
// parser bounds the rest: nesting (maxDepth) and the lines of one
// component (maxComponentLines).
//
// It follows line folding the way the line reader does (a line ends at LF
// or CR; a space or tab continues it) and checks as bytes pass, so a bad
// line is cut off before the reader has all of it.
type guard struct {
	r   io.Reader
	err error

	read      int64 // bytes passed on
	committed int64 // cost of finished lines
	atStart   bool  // the last byte ended a physical line
	cr        bool  // and it was a CR, so an LF next is part of the line end

	// The logical line being read.
	length  int64
	params  int64
	inValue bool
	quoted  bool
}

const (
	maxDepth          = 10
	maxComponentLines = 10_000
	paramCostPerByte  = 8
	paramCostBase     = 1 << 20
)

var (
	errTooDeep   = errors.New("components nested too deep")
	errTooCostly = errors.New("too many property parameters for the input size")
	errTooLong   = errors.New("component with too many lines")
)

func newGuard(r io.Reader) *guard { return &guard{r: r, atStart: true} }

func (g *guard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	for i := 0; i < n; {
		if g.inValue && !g.atStart {
			// Inside a value only its length and the line end matter.
			j := lineEnd(p[i:n])
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

// lineEnd returns the index of the first CR or LF in b, or len(b).
func lineEnd(b []byte) int {
	j := bytes.IndexByte(b, '\n')
	if j < 0 {
		j = len(b)
	}
	if k := bytes.IndexByte(b[:j], '\r'); k >= 0 {
		return k
	}
	return j
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
		if c == '\n' && g.cr {
			g.cr = false
			return nil
		}
		g.atStart, g.cr = false, false
		if c == ' ' || c == '\t' {
			return nil // a folded continuation
		}
		g.committed += (g.params + 1) * g.length
		g.length, g.params, g.inValue, g.quoted = 0, 0, false, false
	}
	switch c {
	case '\n', '\r':
		g.atStart, g.cr = true, c == '\r'
		return nil
	}
	g.length++
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
