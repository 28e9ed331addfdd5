package label

import (
	"bytes"
	_ "embed"
	"encoding/xml"
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"
	"strings"
)

// defaultMarkSVG is the program's own neutral shield: the one the registry
// pages show (internal/web/static/mark.svg), with its check stroke outlined
// so that the label is drawn from filled shapes only. It is not, and must
// never be replaced by, an official government mark we have no right to use.
//
//go:embed mark.svg
var defaultMarkSVG []byte

// Mark is the program's mark: single-ink vector artwork, drawn at the top
// of the label (at the left of the horizontal one). Its ink is the label's
// one ink: the QR code and the text are printed in it too, so a label
// needs a single printing plate.
type Mark struct {
	minX, minY, w, h float64 // the viewBox
	ink              color.RGBA
	shapes           []markShape
}

// markShape is one filled shape of a mark, in viewBox units.
type markShape struct {
	p     path
	paper bool   // knocked out: the paper shows (a white fill in the source)
	d     string // p as SVG path data
}

// DefaultMark returns the program's own neutral shield.
func DefaultMark() *Mark {
	m, err := ParseMark(defaultMarkSVG)
	if err != nil {
		panic("label: the embedded default mark does not parse: " + err.Error()) // a test parses it
	}
	return m
}

// Ink returns the mark's ink color: the color of every printed part of the label.
func (m *Mark) Ink() color.RGBA { return m.ink }

// maxMarkBytes bounds a mark file.
const maxMarkBytes = 1 << 20

// svgNS is the SVG namespace; elements of other namespaces are skipped.
const svgNS = "http://www.w3.org/2000/svg"

// ParseMark reads a mark from an SVG document of the kind print artwork is
// handed over in: a viewBox and filled <path>, <rect>, <circle> or
// <polygon> elements, possibly in <g> groups; <title>, <desc>, <metadata>,
// <defs> and elements of other namespaces (an editor's data) are skipped. It accepts one ink: every
// fill is either that one color or white (#fff, #ffffff or white), which
// knocks the paper out of the shapes beneath. Refused, each with its
// reason: strokes (outline them first), transforms (apply them first),
// the even-odd fill rule, opacity, gradients and patterns, images, text
// (convert it to outlines), elliptical arcs in path data (convert them to
// curves), and a second ink color.
func ParseMark(svg []byte) (*Mark, error) {
	if len(svg) > maxMarkBytes {
		return nil, fmt.Errorf("mark: the SVG is larger than %d bytes", maxMarkBytes)
	}
	dec := xml.NewDecoder(bytes.NewReader(svg))
	m := &Mark{}
	inkSet := false
	root := false
	skip := 0 // depth inside elements whose content is not drawn (title, desc, metadata)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("mark: the SVG is not well-formed XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if skip > 0 {
				skip++
				continue
			}
			attrs := map[string]string{}
			for _, a := range t.Attr {
				attrs[a.Name.Local] = a.Value
			}
			if !root {
				if t.Name.Local != "svg" {
					return nil, fmt.Errorf("mark: the document's root is <%s>, not <svg>", t.Name.Local)
				}
				root = true
				if err := m.setViewBox(attrs); err != nil {
					return nil, err
				}
				if err := checkPaint(attrs); err != nil {
					return nil, fmt.Errorf("mark: <svg>: %w", err)
				}
				if _, ok := attrs["fill"]; ok {
					return nil, errors.New("mark: <svg>: set fill on each shape, not on the document")
				}
				continue
			}
			if t.Name.Space != "" && t.Name.Space != svgNS {
				skip = 1 // an editor's own data (Inkscape's sodipodi:namedview, …)
				continue
			}
			name := t.Name.Local
			switch name {
			case "title", "desc", "metadata", "defs":
				skip = 1
				continue
			case "g":
				if err := checkPaint(attrs); err != nil {
					return nil, fmt.Errorf("mark: <g>: %w", err)
				}
				if _, ok := attrs["fill"]; ok {
					return nil, errors.New("mark: <g>: set fill on each shape, not on a group")
				}
				continue
			case "path", "rect", "circle", "polygon":
			default:
				return nil, fmt.Errorf("mark: <%s> is not supported; use filled <path>, <rect>, <circle> or <polygon> elements (convert text to outlines)", name)
			}
			if err := checkPaint(attrs); err != nil {
				return nil, fmt.Errorf("mark: <%s>: %w", name, err)
			}
			p, err := shapePath(name, attrs)
			if err != nil {
				return nil, fmt.Errorf("mark: <%s>: %w", name, err)
			}
			fill, ok := attrs["fill"]
			if !ok {
				fill = "black" // SVG's initial fill
			}
			if strings.TrimSpace(fill) == "none" {
				continue
			}
			c, err := parseColor(fill)
			if err != nil {
				return nil, fmt.Errorf("mark: <%s>: %w", name, err)
			}
			sh := markShape{p: p, d: string(p.appendSVG(nil))}
			switch {
			case c == color.RGBA{255, 255, 255, 255}:
				sh.paper = true
			case !inkSet:
				m.ink, inkSet = c, true
			case c != m.ink:
				return nil, fmt.Errorf("mark: a label is printed in one ink, but the mark uses %s and %s", hexColor(m.ink), hexColor(c))
			}
			m.shapes = append(m.shapes, sh)
		case xml.EndElement:
			if skip > 0 {
				skip--
			}
		}
	}
	if !root {
		return nil, errors.New("mark: no <svg> element")
	}
	if !inkSet {
		return nil, errors.New("mark: the SVG has no filled shape in an ink color")
	}
	return m, nil
}

// setViewBox reads the viewBox, or width and height in user units.
func (m *Mark) setViewBox(attrs map[string]string) error {
	if vb, ok := attrs["viewBox"]; ok {
		f := strings.FieldsFunc(vb, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' || r == '\n' })
		if len(f) != 4 {
			return fmt.Errorf("mark: viewBox %q needs four numbers", vb)
		}
		var v [4]float64
		for i, s := range f {
			x, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
				return fmt.Errorf("mark: viewBox %q needs four numbers", vb)
			}
			v[i] = x
		}
		m.minX, m.minY, m.w, m.h = v[0], v[1], v[2], v[3]
	} else {
		w, errW := strconv.ParseFloat(attrs["width"], 64)
		h, errH := strconv.ParseFloat(attrs["height"], 64)
		if errW != nil || errH != nil {
			return errors.New("mark: the <svg> element needs a viewBox (or a unitless width and height)")
		}
		m.w, m.h = w, h
	}
	if !(m.w > 0 && m.h > 0) {
		return errors.New("mark: the viewBox must have a positive width and height")
	}
	return nil
}

// checkPaint refuses what cannot be printed the same way in every format.
func checkPaint(attrs map[string]string) error {
	if s, ok := attrs["style"]; ok && strings.TrimSpace(s) != "" {
		return errors.New("style attributes are not supported; use presentation attributes such as fill=\"#123b5e\"")
	}
	if s, ok := attrs["stroke"]; ok && strings.TrimSpace(s) != "none" {
		return errors.New("strokes are not supported; outline them (\"stroke to path\") first")
	}
	if _, ok := attrs["transform"]; ok {
		return errors.New("transforms are not supported; apply them to the coordinates first")
	}
	if r := attrs["fill-rule"]; strings.TrimSpace(r) == "evenodd" {
		return errors.New("the even-odd fill rule is not supported; use nonzero (reverse the holes' direction)")
	}
	for _, k := range []string{"opacity", "fill-opacity"} {
		if v, ok := attrs[k]; ok {
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err != nil || f != 1 {
				return fmt.Errorf("%s is not supported: a label is printed in solid ink", k)
			}
		}
	}
	if strings.Contains(attrs["fill"], "url(") {
		return errors.New("gradients and patterns are not supported: a label is printed in solid ink")
	}
	return nil
}

// shapePath converts one supported element to a path.
func shapePath(name string, attrs map[string]string) (path, error) {
	num := func(k string) (float64, error) {
		s, ok := attrs[k]
		if !ok {
			return 0, nil
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, fmt.Errorf("%s=%q is not a number (units and percentages are not supported)", k, s)
		}
		return f, nil
	}
	switch name {
	case "path":
		return parsePathData(attrs["d"])
	case "polygon":
		return parsePathData("M" + attrs["points"] + "Z")
	case "rect":
		if _, ok := attrs["rx"]; ok {
			return nil, errors.New("rounded rectangles are not supported; convert the rectangle to a path")
		}
		var v [4]float64
		for i, k := range []string{"x", "y", "width", "height"} {
			f, err := num(k)
			if err != nil {
				return nil, err
			}
			v[i] = f
		}
		x, y, w, h := v[0], v[1], v[2], v[3]
		if w <= 0 || h <= 0 {
			return nil, errors.New("width and height must be positive")
		}
		return path{{op: opMove, p: [3]point{{x, y}}}, {op: opLine, p: [3]point{{x + w, y}}},
			{op: opLine, p: [3]point{{x + w, y + h}}}, {op: opLine, p: [3]point{{x, y + h}}}, {op: opClose}}, nil
	case "circle":
		var v [3]float64
		for i, k := range []string{"cx", "cy", "r"} {
			f, err := num(k)
			if err != nil {
				return nil, err
			}
			v[i] = f
		}
		if v[2] <= 0 {
			return nil, errors.New("r must be positive")
		}
		return circlePath(v[0], v[1], v[2]), nil
	}
	return nil, fmt.Errorf("unsupported element")
}

// circlePath approximates a circle by four cubic Béziers (error < 0.03%).
func circlePath(cx, cy, r float64) path {
	const k = 0.5522847498
	p := path{{op: opMove, p: [3]point{{cx + r, cy}}}}
	q := [][3]point{
		{{cx + r, cy + k*r}, {cx + k*r, cy + r}, {cx, cy + r}},
		{{cx - k*r, cy + r}, {cx - r, cy + k*r}, {cx - r, cy}},
		{{cx - r, cy - k*r}, {cx - k*r, cy - r}, {cx, cy - r}},
		{{cx + k*r, cy - r}, {cx + r, cy - k*r}, {cx + r, cy}},
	}
	for _, c := range q {
		p = append(p, segment{op: opCube, p: c})
	}
	return append(p, segment{op: opClose})
}

// parseColor reads an SVG color: #rgb, #rrggbb, or black or white.
func parseColor(s string) (color.RGBA, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "black":
		return color.RGBA{0, 0, 0, 255}, nil
	case "white":
		return color.RGBA{255, 255, 255, 255}, nil
	}
	hex, ok := strings.CutPrefix(s, "#")
	if ok && len(hex) == 3 {
		hex = string([]byte{hex[0], hex[0], hex[1], hex[1], hex[2], hex[2]})
	}
	if !ok || len(hex) != 6 {
		return color.RGBA{}, fmt.Errorf("fill %q: write colors as #rrggbb", s)
	}
	v, err := strconv.ParseUint(hex, 16, 32)
	if err != nil {
		return color.RGBA{}, fmt.Errorf("fill %q: write colors as #rrggbb", s)
	}
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 255}, nil
}

// hexColor formats c as #rrggbb.
func hexColor(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }
