package label

import (
	"testing"

	"trustmark"
)

// TestLayoutKeepsQuietZone checks, for every size and with short and long
// URLs, that the QR code's modules are at least MinModuleMM, that nothing
// else is drawn within QuietZone modules of the symbol, and that the quiet
// zone lies on the label.
func TestLayoutKeepsQuietZone(t *testing.T) {
	r, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range Sizes {
		for _, base := range []string{"http://localhost:8080", "https://registry.consumer-iot-label.example.org/cybersecurity"} {
			o := Options{URL: URL(base, "NEAE-DP0Y-YA48"), LabelID: "NEAE-DP0Y-YA48", SupportDate: "2030-12-31", Size: size, Format: SVG}
			l, err := r.layout(&o)
			if err != nil {
				t.Fatalf("layout(%s, %s) = %v", size, base, err)
			}
			if l.module < MinModuleMM {
				t.Errorf("%s: modules of %.3f mm, below %.2f mm", size, l.module, MinModuleMM)
			}
			x0, y0 := l.symbolOrigin()
			side := float64(len(l.bits)) * l.module
			q := QuietZone * l.module
			zx0, zy0, zx1, zy1 := x0-q, y0-q, x0+side+q, y0+side+q
			const eps = 1e-9
			if zx0 < -eps || zy0 < -eps || zx1 > l.w+eps || zy1 > l.h+eps {
				t.Errorf("%s: the quiet zone [%.2f,%.2f]–[%.2f,%.2f] leaves the %g × %g mm label", size, zx0, zy0, zx1, zy1, l.w, l.h)
			}
			for _, sh := range l.shapes {
				lo, hi := sh.p.bounds()
				sx0, sy0 := sh.tx+sh.s*lo.x, sh.ty+sh.s*lo.y
				sx1, sy1 := sh.tx+sh.s*hi.x, sh.ty+sh.s*hi.y
				if sx1 > zx0+eps && sx0 < zx1-eps && sy1 > zy0+eps && sy0 < zy1-eps {
					t.Errorf("%s: a shape at [%.2f,%.2f]–[%.2f,%.2f] intrudes on the QR code's quiet zone", size, sx0, sy0, sx1, sy1)
				}
				if sx0 < -eps || sy0 < -eps || sx1 > l.w+eps || sy1 > l.h+eps {
					t.Errorf("%s: a shape at [%.2f,%.2f]–[%.2f,%.2f] leaves the label", size, sx0, sy0, sx1, sy1)
				}
			}
			t.Logf("%s, %d-byte URL: %s", size, len(o.URL), l)
		}
	}
}

// TestDefaultMarkParses guards the embedded mark DefaultMark panics on.
func TestDefaultMarkParses(t *testing.T) {
	m, err := ParseMark(defaultMarkSVG)
	if err != nil {
		t.Fatalf("ParseMark(mark.svg) = %v", err)
	}
	if len(m.shapes) != 3 || !m.shapes[1].paper {
		t.Errorf("the default mark has %d shapes, want the shield, its white inside and the check", len(m.shapes))
	}
}

// TestURL checks the URL a label encodes.
func TestURL(t *testing.T) {
	for base, want := range map[string]string{
		"https://labels.example.org":  "https://labels.example.org/p/NEAE-DP0Y-YA48",
		"https://labels.example.org/": "https://labels.example.org/p/NEAE-DP0Y-YA48",
		"http://host:8080/registry":   "http://host:8080/registry/p/NEAE-DP0Y-YA48",
	} {
		if got := URL(base, trustmark.LabelID("NEAE-DP0Y-YA48")); got != want {
			t.Errorf("URL(%q) = %q, want %q", base, got, want)
		}
	}
}
