package label_test

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"trustmark"
	"trustmark/internal/label"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const (
	testID   = trustmark.LabelID("NEAE-DP0Y-YA48")
	testBase = "https://labels.example.org"
	// longBase makes a larger QR code (version 6 at level Q), still
	// printable on the small label.
	longBase = "https://registry.consumer-iot-label.example.org/cybersecurity"
)

func newRenderer(t testing.TB) *label.Renderer {
	t.Helper()
	r, err := label.New(nil)
	if err != nil {
		t.Fatalf("New(nil) = %v", err)
	}
	return r
}

func render(t testing.TB, r *label.Renderer, o label.Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := r.Render(&buf, o); err != nil {
		t.Fatalf("Render(%s %s) = %v", o.Size, o.Format, err)
	}
	return buf.Bytes()
}

// rasterize turns SVG or PDF artwork into a picture with the Debian tool
// CI installs (.ci/run): rsvg-convert (librsvg2-bin) or pdftoppm
// (poppler-utils). Without the tool the test is skipped, except in CI.
func rasterize(t *testing.T, f label.Format, art []byte, dpi int) image.Image {
	t.Helper()
	tool := map[label.Format]string{label.SVG: "rsvg-convert", label.PDF: "pdftoppm"}[f]
	if _, err := exec.LookPath(tool); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed; .ci/run installs it", tool)
		}
		t.Skipf("%s is not installed (apt-get install librsvg2-bin poppler-utils)", tool)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "label."+string(f))
	if err := os.WriteFile(in, art, 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "label.png")
	var cmd *exec.Cmd
	d := strconv.Itoa(dpi)
	if f == label.SVG {
		cmd = exec.Command(tool, "-d", d, "-p", d, "-b", "white", "-o", out, in)
	} else {
		cmd = exec.Command(tool, "-r", d, "-png", "-singlefile", in, strings.TrimSuffix(out, ".png"))
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", cmd, err, b)
	}
	return decodePNG(t, readFile(t, out))
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decodePNG(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("png.Decode() = %v", err)
	}
	return img
}

// TestDecodeEverySizeAndFormat renders every size in every format, with
// and without the support date and with a short and a long base URL, and
// reads the QR code back: PNG directly, SVG and PDF rasterized at 300 dpi.
func TestDecodeEverySizeAndFormat(t *testing.T) {
	r := newRenderer(t)
	for _, base := range []string{testBase, longBase} {
		for _, size := range label.Sizes {
			for _, f := range label.Formats {
				for _, date := range []trustmark.Date{"2030-12-31", ""} {
					name := fmt.Sprintf("%s/%s/%s/date=%t", size, f, strings.TrimPrefix(base, "https://"), date != "")
					t.Run(name, func(t *testing.T) {
						want := label.URL(base, testID)
						art := render(t, r, label.Options{URL: want, LabelID: testID, SupportDate: date, Size: size, Format: f})
						var img image.Image
						if f == label.PNG {
							img = decodePNG(t, art)
						} else {
							img = rasterize(t, f, art, 300)
						}
						got, err := label.ReadQR(img)
						if err != nil || got != want {
							t.Fatalf("ReadQR() = %q, %v; want %q", got, err, want)
						}
					})
				}
			}
		}
	}
}

// TestSVGGolden compares the SVG of every size with testdata/*.svg
// (go test -run SVGGolden -update rewrites them).
func TestSVGGolden(t *testing.T) {
	r := newRenderer(t)
	for _, size := range label.Sizes {
		for _, date := range []trustmark.Date{"2030-12-31", ""} {
			name := string(size)
			if date == "" {
				name += "-nodate"
			}
			t.Run(name, func(t *testing.T) {
				got := render(t, r, label.Options{URL: label.URL(testBase, testID), LabelID: testID, SupportDate: date, Size: size, Format: label.SVG})
				checkSVG(t, got)
				golden := filepath.Join("testdata", name+".svg")
				if *update {
					if err := os.WriteFile(golden, got, 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want := readFile(t, golden)
				if !bytes.Equal(got, want) {
					t.Errorf("SVG of %s differs from %s (run go test -run SVGGolden -update and review the diff)", name, golden)
				}
			})
		}
	}
}

// checkSVG checks that the SVG is well-formed, sized in millimetres, and
// self-contained: no text that needs a font, no reference outside it.
func checkSVG(t *testing.T, b []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	root := true
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("the SVG is not well-formed: %v", err)
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if root {
			root = false
			var w, h string
			for _, a := range el.Attr {
				switch a.Name.Local {
				case "width":
					w = a.Value
				case "height":
					h = a.Value
				}
			}
			if !strings.HasSuffix(w, "mm") || !strings.HasSuffix(h, "mm") {
				t.Errorf("<svg width=%q height=%q>, want sizes in mm", w, h)
			}
		}
		switch el.Name.Local {
		case "text", "image", "use", "script", "style", "foreignObject":
			t.Errorf("the SVG has a <%s> element; labels are self-contained outlines", el.Name.Local)
		}
		for _, a := range el.Attr {
			if a.Name.Local == "href" {
				t.Errorf("the SVG has a reference (%s=%q)", a.Name.Local, a.Value)
			}
		}
	}
}

// mediaBox matches a page box at the origin (fpdf writes "0 0" or "0.00 0.00").
var mediaBox = regexp.MustCompile(`/(MediaBox|TrimBox) \[0(?:\.00)? 0(?:\.00)? ([0-9.]+) ([0-9.]+)\]`)

// TestPDFPageSize checks that the PDF's page is the label's physical size.
func TestPDFPageSize(t *testing.T) {
	r := newRenderer(t)
	for _, size := range label.Sizes {
		t.Run(string(size), func(t *testing.T) {
			b := render(t, r, label.Options{URL: label.URL(testBase, testID), LabelID: testID, Size: size, Format: label.PDF,
				Created: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)})
			wmm, hmm, _ := size.Dimensions()
			wantW, wantH := wmm*72/25.4, hmm*72/25.4
			boxes := mediaBox.FindAllSubmatch(b, -1)
			seen := map[string]bool{}
			for _, m := range boxes {
				w, _ := strconv.ParseFloat(string(m[2]), 64)
				h, _ := strconv.ParseFloat(string(m[3]), 64)
				if math.Abs(w-wantW) > 0.01 || math.Abs(h-wantH) > 0.01 {
					t.Errorf("%s = %.2f × %.2f pt, want %.2f × %.2f pt (%g × %g mm)", m[1], w, h, wantW, wantH, wmm, hmm)
				}
				seen[string(m[1])] = true
			}
			if !seen["MediaBox"] || !seen["TrimBox"] {
				t.Errorf("the PDF has boxes %v, want a MediaBox and a TrimBox", seen)
			}
			if n := bytes.Count(b, []byte("/Type /Page\n")) + bytes.Count(b, []byte("/Type /Page>")); n != 1 {
				t.Errorf("the PDF has %d pages, want 1", n)
			}
			// An independent reading, where poppler-utils is installed.
			if _, err := exec.LookPath("pdfinfo"); err == nil {
				f := filepath.Join(t.TempDir(), "label.pdf")
				os.WriteFile(f, b, 0o600)
				out, err := exec.Command("pdfinfo", f).CombinedOutput()
				want := fmt.Sprintf("Page size:       %.2f x %.2f pts", wantW, wantH)
				if err != nil || !strings.Contains(string(out), want) {
					t.Errorf("pdfinfo = %v\n%s\nwant %q", err, out, want)
				}
			}
		})
	}
}

// TestPNGDimensions checks that the PNG is the physical size times the
// resolution, and says its resolution in a pHYs chunk.
func TestPNGDimensions(t *testing.T) {
	r := newRenderer(t)
	for _, size := range label.Sizes {
		for _, dpi := range []int{150, 300, 600, 1200} {
			t.Run(fmt.Sprintf("%s/%d", size, dpi), func(t *testing.T) {
				b := render(t, r, label.Options{URL: label.URL(testBase, testID), LabelID: testID, SupportDate: "2030-12-31", Size: size, Format: label.PNG, DPI: dpi})
				cfg, err := png.DecodeConfig(bytes.NewReader(b))
				if err != nil {
					t.Fatal(err)
				}
				wmm, hmm, _ := size.Dimensions()
				wantW, wantH := int(math.Round(wmm/25.4*float64(dpi))), int(math.Round(hmm/25.4*float64(dpi)))
				if cfg.Width != wantW || cfg.Height != wantH {
					t.Errorf("PNG is %d × %d px, want %d × %d (%g × %g mm at %d dpi)", cfg.Width, cfg.Height, wantW, wantH, wmm, hmm, dpi)
				}
				if w, h, _ := label.PixelSize(size, dpi); w != wantW || h != wantH {
					t.Errorf("PixelSize(%s, %d) = %d × %d, want %d × %d", size, dpi, w, h, wantW, wantH)
				}
				i := bytes.Index(b, []byte("pHYs"))
				if i < 0 {
					t.Fatal("the PNG has no pHYs chunk")
				}
				ppm := binary.BigEndian.Uint32(b[i+4:])
				if got := float64(ppm) * 0.0254; math.Abs(got-float64(dpi)) > 0.5 || b[i+12] != 1 {
					t.Errorf("pHYs says %.1f dpi (unit %d), want %d dpi in pixels per metre", got, b[i+12], dpi)
				}
				if dpi == 300 {
					if got, err := label.ReadQR(decodePNG(t, b)); err != nil || got != label.URL(testBase, testID) {
						t.Errorf("ReadQR() = %q, %v", got, err)
					}
				}
			})
		}
	}
}

// TestBadOptions checks that artwork that cannot be made or printed as
// asked is refused with an invalid-input error naming the field.
func TestBadOptions(t *testing.T) {
	r := newRenderer(t)
	good := label.Options{URL: label.URL(testBase, testID), LabelID: testID, Size: label.Medium, Format: label.PNG}
	tooLong := "https://labels.example.org/" + strings.Repeat("x", 120) + "/p/" + string(testID)
	cases := []struct {
		name  string
		edit  func(*label.Options)
		field string
		want  string
	}{
		{"unknown size", func(o *label.Options) { o.Size = "huge" }, "size", "not a label size"},
		{"no size", func(o *label.Options) { o.Size = "" }, "size", "not a label size"},
		{"unknown format", func(o *label.Options) { o.Format = "gif" }, "format", "use svg, pdf or png"},
		{"dpi too low", func(o *label.Options) { o.DPI = 72 }, "dpi", "out of range"},
		{"dpi too high", func(o *label.Options) { o.DPI = 4800 }, "dpi", "out of range"},
		{"dpi for svg", func(o *label.Options) { o.Format, o.DPI = label.SVG, 300 }, "dpi", "PNG artwork only"},
		{"modules too small in pixels", func(o *label.Options) { o.Size, o.DPI = label.Small, 100 }, "dpi", "below the printable minimum"},
		{"URL too long for small", func(o *label.Options) { o.Size, o.Format, o.URL = label.Small, label.SVG, tooLong }, "size", "below the printable minimum of 0.33 mm"},
		{"no URL", func(o *label.Options) { o.URL = "" }, "url", "https://"},
		{"no label ID", func(o *label.Options) { o.LabelID = "" }, "label_id", "required"},
		{"bad support date", func(o *label.Options) { o.SupportDate = "2030-02-30" }, "support_date", "not a date"},
		{"unprintable label ID", func(o *label.Options) { o.LabelID = "NEAE\u2603" }, "label_id", "no glyph"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := good
			c.edit(&o)
			err := r.Render(io.Discard, o)
			var te *trustmark.Error
			if !errors.As(err, &te) || te.Kind != trustmark.KindInvalid || te.Field != c.field || !strings.Contains(te.Message, c.want) {
				t.Fatalf("Render() = %v, want an invalid %s error saying %q", err, c.field, c.want)
			}
		})
	}
	// The long URL does fit the large label.
	o := good
	o.Size, o.URL = label.Large, tooLong
	if err := r.Render(io.Discard, o); err != nil {
		t.Errorf("Render(large, %d-byte URL) = %v, want it to fit", len(tooLong), err)
	}
}

// TestCustomMark draws a program's own mark, which sets the ink.
func TestCustomMark(t *testing.T) {
	m, err := label.ParseMark([]byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><title>a dot</title>` +
		`<circle cx="5" cy="5" r="5" fill="#000"/><rect x="3" y="3" width="4" height="4" fill="#fff"/></svg>`))
	if err != nil {
		t.Fatalf("ParseMark() = %v", err)
	}
	if got := m.Ink(); got.R != 0 || got.G != 0 || got.B != 0 {
		t.Errorf("Ink() = %v, want black", got)
	}
	r, err := label.New(m)
	if err != nil {
		t.Fatal(err)
	}
	svg := string(render(t, r, label.Options{URL: label.URL(testBase, testID), LabelID: testID, Size: label.Small, Format: label.SVG}))
	if !strings.Contains(svg, `<g fill="#000000">`) || strings.Contains(svg, "#123b5e") {
		t.Errorf("the SVG does not use the custom mark's ink:\n%.400s", svg)
	}
	b := render(t, r, label.Options{URL: label.URL(testBase, testID), LabelID: testID, Size: label.Small, Format: label.PNG})
	if got, err := label.ReadQR(decodePNG(t, b)); err != nil || got != label.URL(testBase, testID) {
		t.Errorf("ReadQR() = %q, %v", got, err)
	}
}

// TestParseMark checks what a mark may and may not be.
func TestParseMark(t *testing.T) {
	if m := label.DefaultMark(); m.Ink().R != 0x12 || m.Ink().G != 0x3b || m.Ink().B != 0x5e {
		t.Errorf("DefaultMark().Ink() = %v, want the shield's #123b5e", m.Ink())
	}
	svg := func(body string) []byte {
		return []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">` + body + `</svg>`)
	}
	cases := []struct {
		name string
		svg  []byte
		want string // in the error; "" for success
	}{
		{"path", svg(`<path d="M0 0h10v10H0z" fill="#123456"/>`), ""},
		{"relative and smooth curves", svg(`<path d="m1 1c1 0 2 1 2 2s1 2 2 2q1 0 1 1t1 1l-5 1z" fill="#123456"/>`), ""},
		{"polygon in a group", svg(`<g><polygon points="0,0 10,0 5,10" fill="black"/></g>`), ""},
		{"an editor's data", svg(`<namedview xmlns="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"><x/></namedview><rect width="5" height="5"/>`), ""},
		{"fill on the document", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" fill="red"><rect width="5" height="5"/></svg>`), "each shape"},
		{"stroke", svg(`<path d="M0 0L10 10" stroke="#000"/>`), "outline them"},
		{"transform", svg(`<path d="M0 0h1v1z" transform="scale(2)"/>`), "transforms are not supported"},
		{"two inks", svg(`<path d="M0 0h1v1z" fill="#000"/><path d="M2 2h1v1z" fill="#f00"/>`), "one ink"},
		{"arc", svg(`<path d="M0 0A5 5 0 0 1 10 10z"/>`), "arcs"},
		{"text", svg(`<text>Hi</text>`), "convert text to outlines"},
		{"even-odd", svg(`<path d="M0 0h1v1z" fill-rule="evenodd"/>`), "even-odd"},
		{"gradient", svg(`<path d="M0 0h1v1z" fill="url(#g)"/>`), "gradients"},
		{"only white", svg(`<path d="M0 0h1v1z" fill="#fff"/>`), "no filled shape in an ink"},
		{"no viewBox", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0h1v1z"/></svg>`), "viewBox"},
		{"not svg", []byte(`<html/>`), "not <svg>"},
		{"bad path", svg(`<path d="M0 0 L x"/>`), "number was expected"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := label.ParseMark(c.svg)
			if c.want == "" {
				if err != nil {
					t.Fatalf("ParseMark() = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("ParseMark() = %v, want an error saying %q", err, c.want)
			}
		})
	}
}
