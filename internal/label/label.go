// Package label draws a label's print artwork and reads it back.
//
// A label shows the program's mark, a QR code (ISO/IEC 18004) of the
// label's registry URL, {base-url}/p/{label_id}, the label ID in text
// beneath it and, optionally, the end of the product's support period. It
// comes as SVG (vector, for print), PDF (one page of the label's physical
// size) and PNG (at a requested resolution), in four sizes. Everything on
// it is printed in one ink, the mark's.
//
// What keeps it printable and scannable:
//   - error correction level Q (25% of the symbol may be damaged or
//     soiled), the level recommended for print;
//   - a quiet zone of 4 modules, the minimum ISO/IEC 18004 requires,
//     inside the label's white area;
//   - no module smaller than MinModuleMM (0.33 mm, the usual minimum for
//     packaging presses); sizes, URLs and resolutions that would print
//     smaller modules are refused;
//   - in PNG, modules snapped to whole pixels, so none is blurred.
//
// ReadQR decodes the QR code in a photo or scan of a label.
package label

import (
	"io"
	"math"
	"strings"
	"sync"
	"time"

	"trustmark"
)

// Format is an artwork file format.
type Format string

// The formats.
const (
	SVG Format = "svg" // vector, sized in millimetres
	PDF Format = "pdf" // one page of the label's physical size
	PNG Format = "png" // raster at Options.DPI
)

// Formats lists the formats.
var Formats = []Format{SVG, PDF, PNG}

// ContentType returns the media type of the format.
func (f Format) ContentType() string {
	switch f {
	case SVG:
		return "image/svg+xml"
	case PDF:
		return "application/pdf"
	case PNG:
		return "image/png"
	}
	return "application/octet-stream"
}

// Size is one of the label's layouts.
type Size string

// The sizes. Small suits packaging; horizontal puts the QR code beside the mark.
const (
	Small      Size = "small"      // 20 × 32 mm
	Medium     Size = "medium"     // 30 × 48 mm
	Large      Size = "large"      // 45 × 72 mm
	Horizontal Size = "horizontal" // 44 × 22 mm
)

// Sizes lists the sizes.
var Sizes = []Size{Small, Medium, Large, Horizontal}

// Dimensions returns the label's physical width and height in millimetres;
// ok is false for an unknown size.
func (s Size) Dimensions() (w, h float64, ok bool) {
	switch s {
	case Small:
		return 20, 32, true
	case Medium:
		return 30, 48, true
	case Large:
		return 45, 72, true
	case Horizontal:
		return 44, 22, true
	}
	return 0, 0, false
}

// Print limits.
const (
	// MinModuleMM is the smallest QR module printed, in millimetres.
	MinModuleMM = 0.33
	// QuietZone is the white border around the QR symbol, in modules.
	QuietZone = 4
	// MinDPI, MaxDPI and DefaultDPI bound the resolution of PNG artwork.
	MinDPI, MaxDPI, DefaultDPI = 100, 1200, 300
)

// PixelSize returns the PNG's width and height for a size at dpi: the
// physical size times the resolution, rounded to whole pixels.
func PixelSize(s Size, dpi int) (w, h int, ok bool) {
	wmm, hmm, ok := s.Dimensions()
	return int(math.Round(wmm / 25.4 * float64(dpi))), int(math.Round(hmm / 25.4 * float64(dpi))), ok
}

// URL returns the registry URL a label's QR code encodes: base (without a
// trailing slash) + "/p/" + id.
func URL(base string, id trustmark.LabelID) string {
	return strings.TrimRight(base, "/") + "/p/" + string(id)
}

// Options say what one piece of artwork shows and how.
type Options struct {
	// URL is what the QR code encodes; see URL.
	URL string
	// LabelID is printed beneath the QR code.
	LabelID trustmark.LabelID
	// SupportDate, when set, is printed as "Support until YYYY-MM-DD".
	SupportDate trustmark.Date
	Size        Size
	Format      Format
	// DPI is the resolution of PNG artwork (MinDPI–MaxDPI; 0 means
	// DefaultDPI). It must be 0 for the vector formats.
	DPI int
	// Created is the PDF's creation date; zero means the time of rendering.
	Created time.Time
}

// Renderer draws labels with one mark. It is safe for concurrent use.
type Renderer struct {
	mark     *Mark
	fonts    *fonts
	coverage sync.Pool   // of *image.Alpha, PNG rendering's scratch
	encoders encoderPool // PNG encoders' buffers
}

// New returns a renderer drawing mark; nil means DefaultMark.
func New(mark *Mark) (*Renderer, error) {
	if mark == nil {
		mark = DefaultMark()
	}
	f, err := loadFonts()
	if err != nil {
		return nil, err
	}
	return &Renderer{mark: mark, fonts: f}, nil
}

// Render writes the artwork o asks for to w.
//
// Errors: *trustmark.Error of KindInvalid naming the field (format, size,
// dpi, url, label_id) when the artwork cannot be made or printed as asked:
// an unknown format or size, a DPI out of range or given for a vector
// format, or a URL whose QR code would not fit the size with modules of
// at least MinModuleMM. Write errors are returned as they are.
func (r *Renderer) Render(w io.Writer, o Options) error {
	l, err := r.layout(&o)
	if err != nil {
		return err
	}
	switch o.Format {
	case SVG:
		return r.writeSVG(w, l)
	case PDF:
		return r.writePDF(w, l, o.Created)
	default:
		return r.writePNG(w, l, o.DPI)
	}
}

// checkOptions validates o and fills in the default DPI.
func checkOptions(o *Options) error {
	switch o.Format {
	case SVG, PDF:
		if o.DPI != 0 {
			return trustmark.FieldError("dpi", "applies to PNG artwork only; %s is a vector format with the physical size built in", o.Format)
		}
	case PNG:
		if o.DPI == 0 {
			o.DPI = DefaultDPI
		}
		if o.DPI < MinDPI || o.DPI > MaxDPI {
			return trustmark.FieldError("dpi", "%d is out of range: use %d to %d dots per inch", o.DPI, MinDPI, MaxDPI)
		}
	default:
		return trustmark.FieldError("format", "%q is not a label format: use svg, pdf or png", truncate(string(o.Format)))
	}
	if _, _, ok := o.Size.Dimensions(); !ok {
		return trustmark.FieldError("size", "%q is not a label size: use small, medium, large or horizontal", truncate(string(o.Size)))
	}
	if !strings.HasPrefix(o.URL, "https://") && !strings.HasPrefix(o.URL, "http://") {
		return trustmark.FieldError("url", "the QR code's URL must start with https:// or http://")
	}
	if o.LabelID == "" {
		return trustmark.FieldError("label_id", "is required")
	}
	if o.SupportDate != "" {
		if t, err := o.SupportDate.Time(); err != nil || t.Format(time.DateOnly) != string(o.SupportDate) {
			return trustmark.FieldError("support_date", "%q is not a date in the form YYYY-MM-DD", truncate(string(o.SupportDate)))
		}
	}
	return nil
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
