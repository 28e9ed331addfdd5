package label

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// point is a position in a shape's own units; y grows downwards, as in SVG.
type point struct{ x, y float64 }

// segOp is what a segment of a path does.
type segOp uint8

const (
	opMove  segOp = iota // start a subpath at p[0]
	opLine               // straight line to p[0]
	opQuad               // quadratic Bézier: control p[0], end p[1]
	opCube               // cubic Bézier: controls p[0], p[1], end p[2]
	opClose              // close the subpath
)

// segment is one step of a path, in absolute coordinates.
type segment struct {
	op segOp
	p  [3]point
}

// path is a filled outline under the nonzero winding rule, the rule every
// output format shares (SVG's default, PDF's "f", and the PNG rasterizer's).
type path []segment

// appendSVG appends the path as SVG path data with absolute commands.
func (p path) appendSVG(b []byte) []byte {
	for i, s := range p {
		if i > 0 {
			b = append(b, ' ')
		}
		switch s.op {
		case opMove:
			b = append(b, 'M')
			b = appendPoint(b, s.p[0])
		case opLine:
			b = append(b, 'L')
			b = appendPoint(b, s.p[0])
		case opQuad:
			b = append(b, 'Q')
			b = appendPoint(b, s.p[0])
			b = append(b, ' ')
			b = appendPoint(b, s.p[1])
		case opCube:
			b = append(b, 'C')
			b = appendPoint(b, s.p[0])
			b = append(b, ' ')
			b = appendPoint(b, s.p[1])
			b = append(b, ' ')
			b = appendPoint(b, s.p[2])
		case opClose:
			b = append(b, 'Z')
		}
	}
	return b
}

func appendPoint(b []byte, p point) []byte {
	b = appendNum(b, p.x)
	b = append(b, ' ')
	return appendNum(b, p.y)
}

// appendNum appends v with at most four decimals and no trailing zeros:
// 0.1 µm at the millimetre scale the artwork is laid out in.
func appendNum(b []byte, v float64) []byte {
	v = math.Round(v*1e4) / 1e4
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.AppendInt(b, int64(v), 10)
	}
	n := len(b)
	b = strconv.AppendFloat(b, v, 'f', 4, 64)
	for b[len(b)-1] == '0' {
		b = b[:len(b)-1]
	}
	if b[n] == '-' && string(b[n:]) == "-0" {
		b = append(b[:n], '0')
	}
	return b
}

// bounds returns the box of the path's points (control points included, so
// it may be a little larger than the outline).
func (p path) bounds() (lo, hi point) {
	lo = point{math.Inf(1), math.Inf(1)}
	hi = point{math.Inf(-1), math.Inf(-1)}
	for _, s := range p {
		n := 0
		switch s.op {
		case opMove, opLine:
			n = 1
		case opQuad:
			n = 2
		case opCube:
			n = 3
		}
		for _, q := range s.p[:n] {
			lo.x, lo.y = math.Min(lo.x, q.x), math.Min(lo.y, q.y)
			hi.x, hi.y = math.Max(hi.x, q.x), math.Max(hi.y, q.y)
		}
	}
	return lo, hi
}

// parsePathData parses SVG path data (SVG 1.1 §8.3) into absolute
// segments. Elliptical arcs (A) are refused: artwork tools can convert
// them to curves, and the three output formats then draw the same outline.
func parsePathData(d string) (path, error) {
	sc := pathScanner{s: d}
	var out path
	var cur, start, lastCtrl point
	var prev byte
	for {
		sc.skipSpace()
		if sc.done() {
			break
		}
		cmd := sc.s[sc.i]
		if !isCommand(cmd) {
			return nil, fmt.Errorf("path data: unexpected %q at offset %d", cmd, sc.i)
		}
		sc.i++
		rel := cmd >= 'a'
		upper := cmd &^ 0x20
		if upper == 'A' {
			return nil, fmt.Errorf("path data: elliptical arcs (A) are not supported; convert them to curves")
		}
		if prev == 0 && upper != 'M' {
			return nil, fmt.Errorf("path data must start with a moveto (M), not %q", cmd)
		}
		first := true
		for {
			if upper == 'Z' {
				out = append(out, segment{op: opClose})
				cur = start
				break
			}
			if !first && !sc.number() {
				break
			}
			var v [6]float64
			for k := 0; k < argCount(upper); k++ {
				f, err := sc.float()
				if err != nil {
					return nil, err
				}
				v[k] = f
			}
			abs := func(x, y float64) point {
				if rel {
					return point{cur.x + x, cur.y + y}
				}
				return point{x, y}
			}
			switch upper {
			case 'M':
				if first {
					cur = abs(v[0], v[1])
					start = cur
					out = append(out, segment{op: opMove, p: [3]point{cur}})
				} else { // further pairs after a moveto are linetos
					cur = abs(v[0], v[1])
					out = append(out, segment{op: opLine, p: [3]point{cur}})
				}
			case 'L', 'T':
				p := abs(v[0], v[1])
				if upper == 'T' {
					ctrl := cur
					if prev == 'Q' || prev == 'T' {
						ctrl = point{2*cur.x - lastCtrl.x, 2*cur.y - lastCtrl.y}
					}
					out = append(out, segment{op: opQuad, p: [3]point{ctrl, p}})
					lastCtrl = ctrl
				} else {
					out = append(out, segment{op: opLine, p: [3]point{p}})
				}
				cur = p
			case 'H':
				x := v[0]
				if rel {
					x += cur.x
				}
				cur = point{x, cur.y}
				out = append(out, segment{op: opLine, p: [3]point{cur}})
			case 'V':
				y := v[0]
				if rel {
					y += cur.y
				}
				cur = point{cur.x, y}
				out = append(out, segment{op: opLine, p: [3]point{cur}})
			case 'C':
				c1, c2, p := abs(v[0], v[1]), abs(v[2], v[3]), abs(v[4], v[5])
				out = append(out, segment{op: opCube, p: [3]point{c1, c2, p}})
				lastCtrl, cur = c2, p
			case 'S':
				c1 := cur
				if prev == 'C' || prev == 'S' {
					c1 = point{2*cur.x - lastCtrl.x, 2*cur.y - lastCtrl.y}
				}
				c2, p := abs(v[0], v[1]), abs(v[2], v[3])
				out = append(out, segment{op: opCube, p: [3]point{c1, c2, p}})
				lastCtrl, cur = c2, p
			case 'Q':
				c, p := abs(v[0], v[1]), abs(v[2], v[3])
				out = append(out, segment{op: opQuad, p: [3]point{c, p}})
				lastCtrl, cur = c, p
			}
			prev = upper
			first = false
		}
		prev = upper
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("path data is empty")
	}
	return out, nil
}

// argCount is how many numbers one instance of a command takes.
func argCount(upper byte) int {
	switch upper {
	case 'H', 'V':
		return 1
	case 'S', 'Q':
		return 4
	case 'C':
		return 6
	}
	return 2 // M, L, T
}

func isCommand(c byte) bool { return strings.IndexByte("MmLlHhVvCcSsQqTtZzAa", c) >= 0 }

// pathScanner reads numbers from SVG path data.
type pathScanner struct {
	s string
	i int
}

func (sc *pathScanner) done() bool { return sc.i >= len(sc.s) }

func (sc *pathScanner) skipSpace() {
	for sc.i < len(sc.s) && strings.IndexByte(" \t\r\n,", sc.s[sc.i]) >= 0 {
		sc.i++
	}
}

// number reports whether a number comes next.
func (sc *pathScanner) number() bool {
	sc.skipSpace()
	return !sc.done() && strings.IndexByte("+-.0123456789", sc.s[sc.i]) >= 0
}

// float reads one number (SVG's grammar: sign, digits, fraction, exponent;
// "1.5.5" is two numbers and "1-2" too).
func (sc *pathScanner) float() (float64, error) {
	sc.skipSpace()
	start := sc.i
	if sc.i < len(sc.s) && (sc.s[sc.i] == '+' || sc.s[sc.i] == '-') {
		sc.i++
	}
	digits, dot := 0, false
	for sc.i < len(sc.s) {
		c := sc.s[sc.i]
		if c >= '0' && c <= '9' {
			digits++
		} else if c == '.' && !dot {
			dot = true
		} else {
			break
		}
		sc.i++
	}
	if digits > 0 && sc.i < len(sc.s) && (sc.s[sc.i] == 'e' || sc.s[sc.i] == 'E') {
		j := sc.i + 1
		if j < len(sc.s) && (sc.s[j] == '+' || sc.s[j] == '-') {
			j++
		}
		if j < len(sc.s) && sc.s[j] >= '0' && sc.s[j] <= '9' {
			for j < len(sc.s) && sc.s[j] >= '0' && sc.s[j] <= '9' {
				j++
			}
			sc.i = j
		}
	}
	if digits == 0 {
		return 0, fmt.Errorf("path data: a number was expected at offset %d", start)
	}
	f, err := strconv.ParseFloat(sc.s[start:sc.i], 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, fmt.Errorf("path data: bad number %q", sc.s[start:sc.i])
	}
	return f, nil
}
