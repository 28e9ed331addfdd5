package label

import (
	"io"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// writePDF writes the label as a one-page PDF whose page (MediaBox and
// TrimBox) is the label's physical size. Everything is vector: the text as
// outlines, so no font is embedded.
func (r *Renderer) writePDF(w io.Writer, l *layout, created time.Time) error {
	pdf := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", Size: fpdf.SizeType{Wd: l.w, Ht: l.h}})
	pdf.SetMargins(0, 0, 0)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetTitle(l.title, true)
	pdf.SetSubject(l.url, true)
	pdf.SetCreator("trustmark", false)
	pdf.SetCreationDate(created)
	pdf.SetModificationDate(created)
	pdf.SetPageBox("trim", 0, 0, l.w, l.h)
	pdf.AddPage()
	ink := r.mark.ink
	for _, sh := range l.shapes {
		if sh.paper {
			pdf.SetFillColor(255, 255, 255)
		} else {
			pdf.SetFillColor(int(ink.R), int(ink.G), int(ink.B))
		}
		pdfPath(pdf, sh)
		pdf.DrawPath("f")
	}
	// The QR code as one path, so viewers show no seams between modules.
	pdf.SetFillColor(int(ink.R), int(ink.G), int(ink.B))
	x0, y0 := l.symbolOrigin()
	m := l.module
	for y, row := range l.bits {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			left, top := x0+float64(start)*m, y0+float64(y)*m
			right, bottom := x0+float64(x)*m, top+m
			pdf.MoveTo(left, top)
			pdf.LineTo(right, top)
			pdf.LineTo(right, bottom)
			pdf.LineTo(left, bottom)
			pdf.ClosePath()
		}
	}
	pdf.DrawPath("f")
	if err := pdf.Error(); err != nil {
		return err
	}
	return pdf.Output(w)
}

// pdfPath adds a placed shape to the current PDF path; quadratic curves
// become the equivalent cubic ones.
func pdfPath(pdf *fpdf.Fpdf, sh placed) {
	at := func(p point) (float64, float64) { return sh.tx + sh.s*p.x, sh.ty + sh.s*p.y }
	var cur, start point
	for _, sg := range sh.p {
		switch sg.op {
		case opMove:
			pdf.MoveTo(at(sg.p[0]))
			cur, start = sg.p[0], sg.p[0]
		case opLine:
			pdf.LineTo(at(sg.p[0]))
			cur = sg.p[0]
		case opQuad:
			c, e := sg.p[0], sg.p[1]
			c1 := point{cur.x + 2.0/3*(c.x-cur.x), cur.y + 2.0/3*(c.y-cur.y)}
			c2 := point{e.x + 2.0/3*(c.x-e.x), e.y + 2.0/3*(c.y-e.y)}
			x1, y1 := at(c1)
			x2, y2 := at(c2)
			x3, y3 := at(e)
			pdf.CurveBezierCubicTo(x1, y1, x2, y2, x3, y3)
			cur = e
		case opCube:
			x1, y1 := at(sg.p[0])
			x2, y2 := at(sg.p[1])
			x3, y3 := at(sg.p[2])
			pdf.CurveBezierCubicTo(x1, y1, x2, y2, x3, y3)
			cur = sg.p[2]
		case opClose:
			pdf.ClosePath()
			cur = start
		}
	}
}
