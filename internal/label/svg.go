package label

import (
	"html"
	"io"
	"strconv"
)

// writeSVG writes the label as an SVG 1.1 document sized in millimetres,
// user units being millimetres. The text is outlined, so the file needs no
// font; the QR code is one path in module units, drawn with crisp edges.
func (r *Renderer) writeSVG(w io.Writer, l *layout) error {
	b := make([]byte, 0, 24<<10)
	b = append(b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="`...)
	b = appendNum(b, l.w)
	b = append(b, `mm" height="`...)
	b = appendNum(b, l.h)
	b = append(b, `mm" viewBox="0 0 `...)
	b = appendNum(b, l.w)
	b = append(b, ' ')
	b = appendNum(b, l.h)
	b = append(b, `" role="img" aria-labelledby="title">`+"\n<title id=\"title\">"...)
	b = append(b, html.EscapeString(l.title)...)
	b = append(b, "</title>\n<desc>QR code: "...)
	b = append(b, html.EscapeString(l.url)...)
	b = append(b, "</desc>\n"+`<rect width="`...)
	b = appendNum(b, l.w)
	b = append(b, `" height="`...)
	b = appendNum(b, l.h)
	b = append(b, `" fill="#fff"/>`+"\n"+`<g fill="`...)
	b = append(b, l.ink...)
	b = append(b, "\">\n"...)
	for _, sh := range l.shapes {
		b = append(b, `<path transform="matrix(`...)
		b = appendScale(b, sh.s)
		b = append(b, " 0 0 "...)
		b = appendScale(b, sh.s)
		b = append(b, ' ')
		b = appendNum(b, sh.tx)
		b = append(b, ' ')
		b = appendNum(b, sh.ty)
		b = append(b, `)"`...)
		if sh.paper {
			b = append(b, ` fill="#fff"`...)
		}
		b = append(b, ` d="`...)
		b = append(b, sh.d...)
		b = append(b, "\"/>\n"...)
	}
	// The QR code: one rectangle per horizontal run of dark modules.
	x0, y0 := l.symbolOrigin()
	b = append(b, `<path shape-rendering="crispEdges" transform="matrix(`...)
	b = appendScale(b, l.module)
	b = append(b, " 0 0 "...)
	b = appendScale(b, l.module)
	b = append(b, ' ')
	b = appendNum(b, x0)
	b = append(b, ' ')
	b = appendNum(b, y0)
	b = append(b, `)" d="`...)
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
			b = append(b, 'M')
			b = strconv.AppendInt(b, int64(start), 10)
			b = append(b, ' ')
			b = strconv.AppendInt(b, int64(y), 10)
			b = append(b, 'h')
			b = strconv.AppendInt(b, int64(x-start), 10)
			b = append(b, "v1h-"...)
			b = strconv.AppendInt(b, int64(x-start), 10)
			b = append(b, 'z')
		}
	}
	b = append(b, "\"/>\n</g>\n</svg>\n"...)
	_, err := w.Write(b)
	return err
}

// appendScale appends a scale factor with at most eight decimals.
func appendScale(b []byte, v float64) []byte {
	n := len(b)
	b = strconv.AppendFloat(b, v, 'f', 8, 64)
	for b[len(b)-1] == '0' {
		b = b[:len(b)-1]
	}
	if b[len(b)-1] == '.' {
		b = b[:len(b)-1]
	}
	if len(b) == n {
		b = append(b, '0')
	}
	return b
}
