package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/math/f64"

	"trustmark/internal/demo"
	"trustmark/internal/label"
)

// demoStore makes a data directory holding the demo dataset.
func demoStore(t *testing.T) string {
	t.Helper()
	data := filepath.Join(t.TempDir(), "data")
	ctx := context.Background()
	db, err := openStore(ctx, storeFlags{Data: data}, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, db); err != nil {
		t.Fatal(err)
	}
	db.Close()
	return data
}

// exit runs a command and returns its output and exit code.
func exit(t *testing.T, env map[string]string, args ...string) (string, int) {
	t.Helper()
	out, err := runCmd(t, env, args...)
	if err != nil {
		return out + err.Error(), exitCode(err)
	}
	return out, 0
}

func TestLabelRender(t *testing.T) {
	data := demoStore(t)
	dir := t.TempDir()
	cam := string(demo.LabelID("halo-cam-2k"))
	const base = "https://labels.example.org"
	want := base + "/p/" + cam

	// Every format, the format told by --out's extension or by --format.
	for _, c := range []struct {
		file  string
		extra []string
		magic string
	}{
		{"cam.svg", []string{"--size", "small"}, "<?xml"},
		{"cam.pdf", []string{"--size", "horizontal", "--support-date"}, "%PDF-"},
		{"cam.png", []string{"--size", "large", "--dpi", "150"}, "\x89PNG"},
		{"cam-artwork", []string{"--format", "png"}, "\x89PNG"},
	} {
		f := filepath.Join(dir, c.file)
		args := append([]string{"label", "render", "--data", data, "--label-id", strings.ToLower(cam), "--base-url", base, "--out", f}, c.extra...)
		out, code := exit(t, nil, args...)
		if code != 0 || !strings.Contains(out, "wrote "+f) || !strings.Contains(out, want) {
			t.Fatalf("label render %s = exit %d\n%s", c.file, code, out)
		}
		b, err := os.ReadFile(f)
		if err != nil || !bytes.HasPrefix(b, []byte(c.magic)) {
			t.Fatalf("%s: %v, starts %.20q", f, err, b)
		}
		if c.magic == "\x89PNG" {
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if got, err := label.ReadQR(img); err != nil || got != want {
				t.Errorf("%s: QR code = %q, %v; want %q", c.file, got, err, want)
			}
		}
	}
	png150, _ := os.ReadFile(filepath.Join(dir, "cam.png"))
	cfg, _ := png.DecodeConfig(bytes.NewReader(png150))
	if w, h, _ := label.PixelSize(label.Large, 150); cfg.Width != w || cfg.Height != h {
		t.Errorf("large PNG at 150 dpi = %d × %d, want %d × %d", cfg.Width, cfg.Height, w, h)
	}

	// --json describes the file; the base URL may come from the environment.
	out, code := exit(t, map[string]string{"TRUSTMARK_BASE_URL": base + "/"}, "label", "render", "--data", data, "--label-id", cam, "--out", filepath.Join(dir, "j.png"), "--json")
	var desc struct {
		URL string
		DPI int
	}
	if code != 0 || json.Unmarshal([]byte(out), &desc) != nil || desc.URL != want || desc.DPI != 300 {
		t.Errorf("label render --json = exit %d %s", code, out)
	}

	thermo := string(demo.LabelID("thermo-one")) // suspended
	render := func(extra ...string) []string {
		return append([]string{"label", "render", "--data", data, "--base-url", base}, extra...)
	}
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"suspended grant", render("--label-id", thermo, "--out", filepath.Join(dir, "t.svg")), 1, "suspended: label artwork is produced only for an active grant"},
		{"unknown label", render("--label-id", string(demo.LabelID("no such product")), "--out", filepath.Join(dir, "u.svg")), 1, "not found"},
		{"unknown size", render("--label-id", cam, "--size", "huge", "--out", filepath.Join(dir, "x.svg")), 2, "--size \"huge\""},
		{"dpi for SVG", render("--label-id", cam, "--dpi", "600", "--out", filepath.Join(dir, "x.svg")), 2, "--dpi applies to PNG only"},
		{"dpi out of range", render("--label-id", cam, "--dpi", "50", "--out", filepath.Join(dir, "x.png")), 2, "--dpi: 50 is out of range"},
		{"modules too small", render("--label-id", cam, "--size", "small", "--dpi", "100", "--out", filepath.Join(dir, "x.png")), 2, "printable minimum"},
		{"unknown format", render("--label-id", cam, "--out", filepath.Join(dir, "x.gif")), 2, "--format \"gif\""},
		{"no out", render("--label-id", cam), 2, "--out FILE"},
		{"bad label ID", render("--label-id", "NOPE", "--out", filepath.Join(dir, "x.svg")), 2, "--label-id"},
		{"no base URL", []string{"label", "render", "--data", data, "--label-id", cam, "--out", filepath.Join(dir, "x.svg")}, 2, "needs --base-url"},
		{"bad base URL", []string{"label", "render", "--data", data, "--base-url", "labels.example.org", "--label-id", cam, "--out", filepath.Join(dir, "x.svg")}, 2, "must start with http"},
		{"no store", []string{"label", "render", "--data", filepath.Join(dir, "nowhere"), "--base-url", base, "--label-id", cam, "--out", filepath.Join(dir, "x.svg")}, 1, "no trustmark store"},
		{"no subcommand", []string{"label", "--data", data}, 2, "subcommand render"},
		{"bad mark", render("--label-id", cam, "--mark", writeTemp(t, dir, "mark.svg", `<svg viewBox="0 0 1 1"><path d="M0 0h1" stroke="#000"/></svg>`), "--out", filepath.Join(dir, "x.svg")), 2, "outline them"},
	}
	for _, c := range cases {
		out, code := exit(t, nil, c.args...)
		if code != c.code || !strings.Contains(out, c.want) {
			t.Errorf("%s: exit %d, output %q; want exit %d mentioning %q", c.name, code, out, c.code, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "nowhere")); err == nil {
		t.Errorf("label render created a data directory that did not exist")
	}
	// A custom mark is drawn in its own ink.
	mark := writeTemp(t, dir, "dot.svg", `<svg viewBox="0 0 10 10"><circle cx="5" cy="5" r="5" fill="#202020"/></svg>`)
	f := filepath.Join(dir, "custom.svg")
	if out, code := exit(t, nil, render("--label-id", cam, "--mark", mark, "--out", f)...); code != 0 {
		t.Fatalf("label render --mark = exit %d %s", code, out)
	}
	if b, _ := os.ReadFile(f); !bytes.Contains(b, []byte(`fill="#202020"`)) {
		t.Errorf("the custom mark's ink is not used")
	}
}

func writeTemp(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// photo turns a render into something like a phone's picture of it: a
// little rotated and scaled, on a grey table, saved as JPEG.
func photo(t *testing.T, pngBytes []byte, deg, scale float64) []byte {
	t.Helper()
	src, err := png.Decode(bytes.NewReader(pngBytes))
	if err != nil {
		t.Fatal(err)
	}
	b := src.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, int(float64(b.Dx())*scale*1.6), int(float64(b.Dy())*scale*1.6)))
	for i := range dst.Pix {
		dst.Pix[i] = 150 // the grey table
		if i%4 == 3 {
			dst.Pix[i] = 255
		}
	}
	rad := deg * math.Pi / 180
	cos, sin := math.Cos(rad)*scale, math.Sin(rad)*scale
	cx, cy := float64(b.Dx())/2, float64(b.Dy())/2
	dx, dy := float64(dst.Bounds().Dx())/2, float64(dst.Bounds().Dy())/2
	xdraw.BiLinear.Transform(dst, f64.Aff3{cos, -sin, dx - cos*cx + sin*cy, sin, cos, dy - sin*cx - cos*cy}, src, b, xdraw.Src, nil)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, dst, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestVerifyImage renders a label from the store serve uses, then verifies
// it from pictures of it against the running server.
func TestVerifyImage(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	base, stop, _ := startServe(t, []string{"--addr", "127.0.0.1:0", "--demo", "--data", data, "--rate-limit", "0"}, nil)
	defer stop()
	cam := string(demo.LabelID("halo-cam-2k"))
	for range 100 { // until the demo's events are integrated into the log
		if code, _, _ := get(t, base+"/api/v1/registry/"+cam+"/proof"); code == 200 {
			break
		}
	}
	dir := t.TempDir()
	pngFile := filepath.Join(dir, "label.png")
	if out, code := exit(t, nil, "label", "render", "--data", data, "--base-url", base, "--label-id", cam, "--size", "small", "--support-date", "--out", pngFile); code != 0 {
		t.Fatalf("label render = exit %d %s", code, out)
	}
	pngBytes, _ := os.ReadFile(pngFile)
	jpegFile := writeTemp(t, dir, "photo.jpg", string(photo(t, pngBytes, 14, 0.8)))

	for _, f := range []string{pngFile, jpegFile} {
		out, code := exit(t, nil, "verify", "--image", f)
		if code != 0 || !strings.Contains(out, "the QR code in "+f+" opens "+base+"/p/"+cam) ||
			!strings.Contains(out, "status: ") || !strings.Contains(out, "support until 2030-12-31") || !strings.Contains(out, "verified in the public log") {
			t.Fatalf("verify --image %s = exit %d\n%s", filepath.Base(f), code, out)
		}
	}
	out, code := exit(t, nil, "verify", "--image", pngFile, "--json")
	var res verifyResult
	if code != 0 || json.NewDecoder(strings.NewReader(out[strings.Index(out, "{"):])).Decode(&res) != nil || string(res.LabelID) != cam || res.Index < 0 {
		t.Errorf("verify --image --json = exit %d %s", code, out)
	}

	// A label of another site: a QR code that is no label URL.
	r, _ := label.New(nil)
	var other bytes.Buffer
	r.Render(&other, label.Options{URL: "https://example.com/q/abc", LabelID: demo.LabelID("x"), Size: label.Medium, Format: label.PNG})
	blank := image.NewGray(image.Rect(0, 0, 300, 300))
	draw.Draw(blank, blank.Bounds(), image.White, image.Point{}, draw.Src)
	var blankPNG bytes.Buffer
	png.Encode(&blankPNG, blank)
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no QR code", []string{"verify", "--image", writeTemp(t, dir, "blank.png", blankPNG.String())}, 1, "no readable QR code"},
		{"not a label URL", []string{"verify", "--image", writeTemp(t, dir, "other.png", other.String())}, 1, "not a trustmark label URL"},
		{"not a picture", []string{"verify", "--image", writeTemp(t, dir, "notes.txt", "hello")}, 2, "not a PNG, JPEG or GIF"},
		{"missing file", []string{"verify", "--image", filepath.Join(dir, "none.png")}, 2, "no such file"},
		{"image and a URL", []string{"verify", "--image", pngFile, base + "/p/" + cam}, 2, "takes no label URL"},
	}
	for _, c := range cases {
		out, code := exit(t, nil, c.args...)
		if code != c.code || !strings.Contains(out, c.want) {
			t.Errorf("%s: exit %d, output %q; want exit %d mentioning %q", c.name, code, out, c.code, c.want)
		}
	}
}
