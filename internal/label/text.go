package label

import (
	"errors"
	"fmt"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gomedium"
	"golang.org/x/image/font/gofont/gomonobold"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// Text is drawn as glyph outlines, never as font references: every format
// then shows the same shapes, an SVG needs no font installed at the
// printer's, and a PDF embeds no font. The faces are the Go fonts (BSD
// licensed, shipped with golang.org/x/image): Go Mono Bold for the label
// ID, whose characters must be told apart, and Go Medium for the support
// line.

// face is one parsed font with a cache of its glyph outlines.
type face struct {
	mu     sync.Mutex
	f      *sfnt.Font
	buf    sfnt.Buffer
	upem   float64 // font units per em
	cap    float64 // cap height, font units
	glyphs map[rune]*glyph
}

// glyph is one character's outline in font units, y down, origin on the
// baseline at the pen position.
type glyph struct {
	p   path
	d   string  // p as SVG path data
	adv float64 // advance width, font units
	idx sfnt.GlyphIndex
}

func newFace(ttf []byte) (*face, error) {
	f, err := sfnt.Parse(ttf)
	if err != nil {
		return nil, err
	}
	fc := &face{f: f, upem: float64(f.UnitsPerEm()), glyphs: map[rune]*glyph{}}
	// Metrics at ppem = upem give font units in 26.6 fixed point.
	m, err := f.Metrics(&fc.buf, fixed.I(int(f.UnitsPerEm())), font.HintingNone)
	if err != nil {
		return nil, err
	}
	fc.cap = float64(m.CapHeight) / 64
	if fc.cap <= 0 {
		fc.cap = 0.7 * fc.upem
	}
	return fc, nil
}

// glyph returns the outline of r, loading it once.
func (fc *face) glyph(r rune) (*glyph, error) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if g, ok := fc.glyphs[r]; ok {
		return g, nil
	}
	idx, err := fc.f.GlyphIndex(&fc.buf, r)
	if err != nil {
		return nil, err
	}
	if idx == 0 {
		return nil, fmt.Errorf("the label font has no glyph for %q", r)
	}
	ppem := fixed.I(int(fc.upem))
	adv, err := fc.f.GlyphAdvance(&fc.buf, idx, ppem, font.HintingNone)
	if err != nil {
		return nil, err
	}
	segs, err := fc.f.LoadGlyph(&fc.buf, idx, ppem, nil)
	if err != nil && !errors.Is(err, sfnt.ErrNotFound) {
		return nil, err
	}
	g := &glyph{adv: float64(adv) / 64, idx: idx}
	pt := func(p fixed.Point26_6) point { return point{float64(p.X) / 64, float64(p.Y) / 64} }
	open := false
	for _, s := range segs {
		switch s.Op {
		case sfnt.SegmentOpMoveTo:
			if open {
				g.p = append(g.p, segment{op: opClose})
			}
			g.p = append(g.p, segment{op: opMove, p: [3]point{pt(s.Args[0])}})
			open = true
		case sfnt.SegmentOpLineTo:
			g.p = append(g.p, segment{op: opLine, p: [3]point{pt(s.Args[0])}})
		case sfnt.SegmentOpQuadTo:
			g.p = append(g.p, segment{op: opQuad, p: [3]point{pt(s.Args[0]), pt(s.Args[1])}})
		case sfnt.SegmentOpCubeTo:
			g.p = append(g.p, segment{op: opCube, p: [3]point{pt(s.Args[0]), pt(s.Args[1]), pt(s.Args[2])}})
		}
	}
	if open {
		g.p = append(g.p, segment{op: opClose})
	}
	g.d = string(g.p.appendSVG(nil))
	fc.glyphs[r] = g
	return g, nil
}

// kern returns the kerning between two glyphs in font units.
func (fc *face) kern(a, b sfnt.GlyphIndex) float64 {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	k, err := fc.f.Kern(&fc.buf, a, b, fixed.I(int(fc.upem)), font.HintingNone)
	if err != nil {
		return 0
	}
	return float64(k) / 64
}

// placedGlyph is a glyph at a pen position along a line, in font units.
type placedGlyph struct {
	g *glyph
	x float64
}

// shape lays out s on one line and returns its glyphs and advance width,
// both in font units.
func (fc *face) shape(s string) ([]placedGlyph, float64, error) {
	var out []placedGlyph
	x := 0.0
	var prev *glyph
	for _, r := range s {
		g, err := fc.glyph(r)
		if err != nil {
			return nil, 0, err
		}
		if prev != nil {
			x += fc.kern(prev.idx, g.idx)
		}
		out = append(out, placedGlyph{g, x})
		x += g.adv
		prev = g
	}
	return out, x, nil
}

// fonts are the two faces a label uses.
type fonts struct {
	id, body *face
}

func loadFonts() (*fonts, error) {
	id, err := newFace(gomonobold.TTF)
	if err != nil {
		return nil, fmt.Errorf("label: Go Mono Bold: %w", err)
	}
	body, err := newFace(gomedium.TTF)
	if err != nil {
		return nil, fmt.Errorf("label: Go Medium: %w", err)
	}
	return &fonts{id: id, body: body}, nil
}
