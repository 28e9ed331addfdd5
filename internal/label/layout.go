package label

import (
	"fmt"

	qrcode "github.com/skip2/go-qrcode"

	"trustmark"
)

// layout is a label placed on its page, in millimetres from the top left.
type layout struct {
	w, h   float64
	ink    string // #rrggbb
	shapes []placed
	// The QR code: the symbol's modules (true is dark, without the quiet
	// zone) and the square area that holds it with its quiet zone.
	bits             [][]bool
	areaX, areaY     float64
	areaSide, module float64
	title, url       string
}

// placed is a shape drawn at x_mm = tx + s·x, y_mm = ty + s·y.
type placed struct {
	p      path
	d      string // p as SVG path data, in its own units
	s      float64
	tx, ty float64
	paper  bool
}

// encodeQR encodes url at error correction level Q (skip2's "High") and
// returns its modules without a quiet zone.
func encodeQR(url string) ([][]bool, error) {
	q, err := qrcode.New(url, qrcode.High)
	if err != nil {
		return nil, trustmark.FieldError("url", "cannot be encoded in a QR code: %v", err)
	}
	q.DisableBorder = true // the layout draws its own quiet zone
	return q.Bitmap(), nil
}

// The vertical layouts (small, medium, large) are drawn on a grid of
// width/20 units: the mark 6 units high at the top, the QR code's area
// (symbol and quiet zone) the full width below it, then the text lines.
// The horizontal layout is drawn on a grid of height/22 units: the QR
// code's area 22 units square at the right, the mark and the text
// centered in the 22 units at its left.
const (
	idEm        = 2.2 // label ID, vertical layouts (units); 6.2 pt on the small label
	bodyEm      = 1.6 // support line, vertical layouts
	hIDEm       = 2.3 // horizontal layout
	hBodyEm     = 1.7
	textMargin  = 0.75 // units kept free at each side of a text line
	descender   = 0.22 // em below the baseline kept free for "pp"
	supportWord = "Support until "
)

// layout validates o and places every part of the label.
func (r *Renderer) layout(o *Options) (*layout, error) {
	if err := checkOptions(o); err != nil {
		return nil, err
	}
	bits, err := encodeQR(o.URL)
	if err != nil {
		return nil, err
	}
	w, h, _ := o.Size.Dimensions()
	l := &layout{w: w, h: h, ink: hexColor(r.mark.ink), bits: bits, url: o.URL, title: "Label " + string(o.LabelID)}
	n := float64(len(bits))

	idFace, bodyFace := r.fonts.id, r.fonts.body
	idGlyphs, idWidth, err := idFace.shape(string(o.LabelID))
	if err != nil {
		return nil, trustmark.FieldError("label_id", "cannot be printed: %v", err)
	}
	var bodyGlyphs []placedGlyph
	var bodyWidth float64
	if o.SupportDate != "" {
		if bodyGlyphs, bodyWidth, err = bodyFace.shape(supportWord + string(o.SupportDate)); err != nil {
			return nil, err
		}
	}
	// fit returns the em size (mm) of a line: want, or less if the line
	// would not fit in width.
	fit := func(want, width, widthUnits float64, fc *face) float64 {
		if widthUnits == 0 {
			return want
		}
		return min(want, width/(widthUnits/fc.upem))
	}

	var markTop, markH, centerX, idBase, bodyBase, idSize, bodySize float64
	if o.Size == Horizontal {
		u := h / 22
		l.areaX, l.areaY, l.areaSide = w-22*u, 0, 22*u
		centerX = (w - 22*u) / 2
		panel := w - 22*u - 2*textMargin*u
		idSize = fit(hIDEm*u, panel, idWidth, idFace)
		bodySize = fit(hBodyEm*u, panel, bodyWidth, bodyFace)
		markH = 10 * u
		// Center the stack of mark and lines in the height.
		stack := markH + 1.2*u + idSize*idFace.cap/idFace.upem
		if bodyGlyphs != nil {
			stack += 0.9*u + bodySize*(bodyFace.cap/bodyFace.upem+descender)
		}
		markTop = (h - stack) / 2
		idBase = markTop + markH + 1.2*u + idSize*idFace.cap/idFace.upem
		bodyBase = idBase + 0.9*u + bodySize*bodyFace.cap/bodyFace.upem
	} else {
		u := w / 20
		markTop, markH, centerX = 1*u, 6*u, w/2
		l.areaX, l.areaY, l.areaSide = 0, 7*u, w
		width := w - 2*textMargin*u
		idSize = fit(idEm*u, width, idWidth, idFace)
		bodySize = fit(bodyEm*u, width, bodyWidth, bodyFace)
		areaBottom := l.areaY + l.areaSide
		idCap := idSize * idFace.cap / idFace.upem
		if bodyGlyphs != nil {
			idBase = areaBottom + 0.15*u + idCap
			bodyBase = idBase + 0.85*u + bodySize*bodyFace.cap/bodyFace.upem
		} else {
			idBase = (areaBottom+h)/2 + idCap/2
		}
	}
	l.module = l.areaSide / (n + 2*QuietZone)
	if l.module < MinModuleMM {
		return nil, trustmark.FieldError("size", "the QR code of %q needs %d×%d modules; on the %s label they would be %.2f mm, below the printable minimum of %.2f mm: use a larger size or a shorter base URL",
			truncate(o.URL), len(bits), len(bits), o.Size, l.module, MinModuleMM)
	}

	// The mark, scaled into its box and centered.
	m := r.mark
	s := markH / m.h
	if o.Size != Horizontal && m.w*s > l.w-2*textMargin*l.w/20 {
		s = (l.w - 2*textMargin*l.w/20) / m.w
	}
	tx := centerX - m.w*s/2 - m.minX*s
	ty := markTop + (markH-m.h*s)/2 - m.minY*s
	for _, sh := range m.shapes {
		l.shapes = append(l.shapes, placed{p: sh.p, d: sh.d, s: s, tx: tx, ty: ty, paper: sh.paper})
	}

	l.addLine(idFace, idGlyphs, idWidth, idSize, centerX, idBase)
	if bodyGlyphs != nil {
		l.addLine(bodyFace, bodyGlyphs, bodyWidth, bodySize, centerX, bodyBase)
	}
	return l, nil
}

// addLine places a line of glyphs centered on cx with its baseline at y.
func (l *layout) addLine(fc *face, glyphs []placedGlyph, width, em, cx, y float64) {
	s := em / fc.upem
	x0 := cx - width*s/2
	for _, g := range glyphs {
		if len(g.g.p) == 0 {
			continue // a space
		}
		l.shapes = append(l.shapes, placed{p: g.g.p, d: g.g.d, s: s, tx: x0 + g.x*s, ty: y})
	}
}

// symbolOrigin returns the top left of the symbol (inside the quiet zone), in mm.
func (l *layout) symbolOrigin() (x, y float64) {
	q := (l.areaSide - float64(len(l.bits))*l.module) / 2
	return l.areaX + q, l.areaY + q
}

// String describes the layout for error messages and tests.
func (l *layout) String() string {
	return fmt.Sprintf("%g×%g mm, QR %d modules of %.3f mm", l.w, l.h, len(l.bits), l.module)
}
