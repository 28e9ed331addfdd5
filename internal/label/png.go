package label

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"sync"

	"golang.org/x/image/vector"

	"trustmark"
)

// writePNG rasterizes the label at dpi. The picture is the ink's coverage
// of the paper, written as an 8-bit paletted PNG whose 256 colors blend
// white into the ink, with a pHYs chunk stating the resolution. The QR
// modules are snapped to whole pixels and never anti-aliased; the mark and
// the text are.
func (r *Renderer) writePNG(w io.Writer, l *layout, dpi int) error {
	k := float64(dpi) / 25.4 // pixels per millimetre
	pw, ph := int(math.Round(l.w*k)), int(math.Round(l.h*k))

	// Whole-pixel modules no larger than the vector ones, so the quiet
	// zone keeps at least its 4 modules.
	n := len(l.bits)
	mp := int(l.module * k)
	if mp < 2 || float64(mp)/k < MinModuleMM {
		return trustmark.FieldError("dpi", "at %d dpi the QR code's modules would be %d pixels (%.2f mm), below the printable minimum of %.2f mm and 2 pixels: use a higher dpi or a larger size",
			dpi, mp, float64(mp)/k, MinModuleMM)
	}

	// The coverage buffer is reused between labels: at 300 dpi a large
	// label is 450 kB that would otherwise be allocated and zeroed anew.
	cov, _ := r.coverage.Get().(*image.Alpha)
	if cov == nil || cap(cov.Pix) < pw*ph {
		cov = image.NewAlpha(image.Rect(0, 0, pw, ph))
	} else {
		cov.Pix, cov.Stride, cov.Rect = cov.Pix[:pw*ph], pw, image.Rect(0, 0, pw, ph)
		clear(cov.Pix)
	}
	defer r.coverage.Put(cov)
	var z vector.Rasterizer
	var scratch *image.Alpha
	for _, sh := range l.shapes {
		lo, hi := sh.p.bounds()
		x0 := max(0, int(math.Floor((sh.tx+sh.s*lo.x)*k)))
		y0 := max(0, int(math.Floor((sh.ty+sh.s*lo.y)*k)))
		x1 := min(pw, int(math.Ceil((sh.tx+sh.s*hi.x)*k)))
		y1 := min(ph, int(math.Ceil((sh.ty+sh.s*hi.y)*k)))
		if x1 <= x0 || y1 <= y0 {
			continue
		}
		z.Reset(x1-x0, y1-y0)
		rasterPath(&z, sh, k, float64(x0), float64(y0))
		box := image.Rect(x0, y0, x1, y1)
		if !sh.paper {
			z.Draw(cov, box, image.Opaque, image.Point{}) // coverage over coverage
			continue
		}
		// A knockout takes ink away: coverage × (1 − shape).
		if scratch == nil || scratch.Rect.Dx() < box.Dx() || scratch.Rect.Dy() < box.Dy() {
			scratch = image.NewAlpha(image.Rect(0, 0, box.Dx(), box.Dy()))
		} else {
			clear(scratch.Pix)
		}
		z.Draw(scratch, image.Rect(0, 0, box.Dx(), box.Dy()), image.Opaque, image.Point{})
		for y := 0; y < box.Dy(); y++ {
			src := scratch.Pix[y*scratch.Stride:]
			dst := cov.Pix[(y0+y)*cov.Stride+x0:]
			for x := 0; x < box.Dx(); x++ {
				dst[x] = uint8(uint32(dst[x]) * (255 - uint32(src[x])) / 255)
			}
		}
	}

	// The QR symbol, centered in its area in whole pixels.
	side := l.areaSide * k
	sx := int(math.Round(l.areaX*k + (side-float64(n*mp))/2))
	sy := int(math.Round(l.areaY*k + (side-float64(n*mp))/2))
	for y, row := range l.bits {
		for x, dark := range row {
			if !dark {
				continue
			}
			for py := sy + y*mp; py < sy+(y+1)*mp; py++ {
				line := cov.Pix[py*cov.Stride+sx+x*mp:]
				for px := range mp {
					line[px] = 255
				}
			}
		}
	}

	img := &image.Paletted{Pix: cov.Pix, Stride: cov.Stride, Rect: cov.Rect, Palette: inkPalette(r.mark.ink)}
	var buf bytes.Buffer
	buf.Grow(pw * ph / 8)
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &r.encoders}).Encode(&buf, img); err != nil {
		return err
	}
	_, err := w.Write(withPHYs(buf.Bytes(), dpi))
	return err
}

// encoderPool lends PNG encoders' buffers (their deflate state is about
// a megabyte) from one label to the next.
type encoderPool struct{ p sync.Pool }

func (e *encoderPool) Get() *png.EncoderBuffer {
	b, _ := e.p.Get().(*png.EncoderBuffer)
	return b
}

func (e *encoderPool) Put(b *png.EncoderBuffer) { e.p.Put(b) }

// rasterPath adds a placed shape to z in pixels, offset by (ox, oy).
func rasterPath(z *vector.Rasterizer, sh placed, k, ox, oy float64) {
	at := func(p point) (float32, float32) {
		return float32((sh.tx+sh.s*p.x)*k - ox), float32((sh.ty+sh.s*p.y)*k - oy)
	}
	for _, sg := range sh.p {
		switch sg.op {
		case opMove:
			z.MoveTo(at(sg.p[0]))
		case opLine:
			z.LineTo(at(sg.p[0]))
		case opQuad:
			x1, y1 := at(sg.p[0])
			x2, y2 := at(sg.p[1])
			z.QuadTo(x1, y1, x2, y2)
		case opCube:
			x1, y1 := at(sg.p[0])
			x2, y2 := at(sg.p[1])
			x3, y3 := at(sg.p[2])
			z.CubeTo(x1, y1, x2, y2, x3, y3)
		case opClose:
			z.ClosePath()
		}
	}
}

// inkPalette blends white paper (index 0) into full ink (index 255).
func inkPalette(ink color.RGBA) color.Palette {
	p := make(color.Palette, 256)
	mix := func(c uint8, a int) uint8 { return uint8((255*(255-a) + int(c)*a + 127) / 255) }
	for a := range 256 {
		p[a] = color.RGBA{mix(ink.R, a), mix(ink.G, a), mix(ink.B, a), 255}
	}
	return p
}

// withPHYs inserts a pHYs chunk (PNG 1.2 §4.2.4.2) stating dpi right after
// the IHDR chunk, which image/png always writes first, 13 bytes long.
func withPHYs(b []byte, dpi int) []byte {
	const afterIHDR = 8 + 4 + 4 + 13 + 4
	ppm := uint32(math.Round(float64(dpi) / 0.0254))
	chunk := make([]byte, 0, 21)
	chunk = binary.BigEndian.AppendUint32(chunk, 9)
	chunk = append(chunk, "pHYs"...)
	chunk = binary.BigEndian.AppendUint32(chunk, ppm)
	chunk = binary.BigEndian.AppendUint32(chunk, ppm)
	chunk = append(chunk, 1) // unit: the metre
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	out := make([]byte, 0, len(b)+len(chunk))
	out = append(out, b[:afterIHDR]...)
	out = append(out, chunk...)
	return append(out, b[afterIHDR:]...)
}
